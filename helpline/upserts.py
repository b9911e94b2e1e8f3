"""Insert-or-update in one statement, on the two databases the helpline runs on."""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Executable, Table, bindparam
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


def upsert_if_unchanged(
    session: Session, table: Table, values: Mapping[str, Any], key: Sequence[str], read: int
) -> bool:
    """Write the row as upsert does, only if its `version` is still the one read (0: no row);
    the written row's version is one more. False, and nothing written, if another got there first.
    """
    connection = session.connection()
    statement = _on_conflict_update(
        connection.dialect.name, table, tuple(values), tuple(key), versioned=True
    )
    # RETURNING, not rowcount: psycopg gives no rowcount for an upsert that updated nothing.
    written = connection.execute(statement, {**values, "version": read + 1, "read_version": read})
    return written.first() is not None


@functools.lru_cache(maxsize=64)
def _on_conflict_update(
    dialect: str, table: Table, columns: tuple[str, ...], key: tuple[str, ...],
    versioned: bool = False,
) -> Executable:
    # Built once per shape: the statement takes the row's values as parameters.
    if dialect == "postgresql":
        statement: postgresql.Insert | sqlite.Insert = postgresql.insert(table)
    elif dialect == "sqlite":
        statement = sqlite.insert(table)
    else:
        raise ValueError(f"the helpline runs on SQLite or PostgreSQL, not {dialect}")
    changes = {name: statement.excluded[name] for name in columns if name not in key}
    if not versioned:
        return statement.on_conflict_do_update(  # the same method on both dialects' Insert
            index_elements=list(key), set_=changes
        )
    return statement.on_conflict_do_update(
        index_elements=list(key),
        set_={**changes, "version": table.c.version + 1},
        where=table.c.version == bindparam("read_version"),
    ).returning(table.c.version)
