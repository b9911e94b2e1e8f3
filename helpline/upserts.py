"""Insert-or-update in one statement, on the databases the helpline runs on."""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from typing import Any, cast

from sqlalchemy import Executable, Table, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.orm import Session


def upsert(session: Session, table: Table, values: Mapping[str, Any], key: Sequence[str]) -> None:
    """Write the row: insert it, or update the one with the same key (ON CONFLICT DO UPDATE).

    One round trip on SQLite and PostgreSQL, where a read-then-write would take two and
    race with another process doing the same. Other databases get update-then-insert.
    """
    connection = session.connection()
    dialect = connection.dialect.name
    if dialect in ("postgresql", "sqlite"):
        connection.execute(_on_conflict_update(dialect, table, tuple(values), tuple(key)), values)
        return
    changes = {name: value for name, value in values.items() if name not in key}
    where = [table.c[name] == values[name] for name in key]
    result = session.execute(update(table).where(*where).values(**changes))
    if not cast(CursorResult[Any], result).rowcount:
        session.execute(table.insert().values(**values))


@functools.lru_cache(maxsize=64)
def _on_conflict_update(
    dialect: str, table: Table, columns: tuple[str, ...], key: tuple[str, ...]
) -> Executable:
    # Built once per shape: the statement takes the row's values as parameters.
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    statement = insert(table)
    return statement.on_conflict_do_update(
        index_elements=list(key),
        set_={name: statement.excluded[name] for name in columns if name not in key},
    )
