"""Insert-or-update in one statement, on the two databases the helpline runs on."""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Executable, Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session


def upsert(session: Session, table: Table, values: Mapping[str, Any], key: Sequence[str]) -> None:
    """Write the row: insert it, or update the one with the same key (ON CONFLICT DO UPDATE).

    One round trip, where a read-then-write would take two and race with another process
    doing the same. SQLite and PostgreSQL only, the databases the helpline supports.
    """
    connection = session.connection()
    statement = _on_conflict_update(connection.dialect.name, table, tuple(values), tuple(key))
    connection.execute(statement, values)


@functools.lru_cache(maxsize=64)
def _on_conflict_update(
    dialect: str, table: Table, columns: tuple[str, ...], key: tuple[str, ...]
) -> Executable:
    # Built once per shape: the statement takes the row's values as parameters.
    if dialect == "postgresql":
        statement: postgresql.Insert | sqlite.Insert = postgresql.insert(table)
    elif dialect == "sqlite":
        statement = sqlite.insert(table)
    else:
        raise ValueError(f"the helpline runs on SQLite or PostgreSQL, not {dialect}")
    return statement.on_conflict_do_update(  # the same method on both dialects' Insert
        index_elements=list(key),
        set_={name: statement.excluded[name] for name in columns if name not in key},
    )
