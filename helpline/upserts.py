"""Insert-or-update in one statement, on the databases the helpline runs on."""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Executable, Table, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from helpline.extensions import affected_rows


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
    if not affected_rows(result):
        session.execute(table.insert().values(**values))


@functools.lru_cache(maxsize=64)
def _on_conflict_update(
    dialect: str, table: Table, columns: tuple[str, ...], key: tuple[str, ...]
) -> Executable:
    # Built once per shape: the statement takes the row's values as parameters.
    if dialect == "postgresql":
        statement: postgresql.Insert | sqlite.Insert = postgresql.insert(table)
    else:
        statement = sqlite.insert(table)
    return statement.on_conflict_do_update(  # the same method on both dialects' Insert
        index_elements=list(key),
        set_={name: statement.excluded[name] for name in columns if name not in key},
    )
