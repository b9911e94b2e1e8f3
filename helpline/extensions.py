"""Flask extensions, created unbound and bound to the app in the factory."""

from __future__ import annotations

import sqlite3
from typing import Any, cast

from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import Engine, MetaData, Result, event
from sqlalchemy.engine import CursorResult
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    """Declarative base with constraint names Alembic can diff on SQLite and PostgreSQL."""

    metadata = MetaData(
        naming_convention={
            "ix": "ix_%(column_0_label)s",
            "uq": "uq_%(table_name)s_%(column_0_name)s",
            "ck": "ck_%(table_name)s_%(constraint_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )


db = SQLAlchemy(model_class=Base)


def affected_rows(result: Result[Any]) -> int:
    """How many rows an UPDATE, DELETE or INSERT changed."""
    return int(cast(CursorResult[Any], result).rowcount or 0)


migrate = Migrate()


@event.listens_for(Engine, "connect")
def _tune_sqlite(dbapi_connection: Any, _record: Any) -> None:
    """SQLite only: write-ahead logging so web and worker processes read while one writes,
    a busy timeout instead of an instant "database is locked", and no fsync on every commit
    (WAL with synchronous=NORMAL stays consistent after a crash; at worst the last commits
    before a power cut are lost)."""
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    cursor = dbapi_connection.cursor()
    for pragma in (
        "PRAGMA journal_mode=WAL",
        "PRAGMA synchronous=NORMAL",
        "PRAGMA busy_timeout=5000",
    ):
        cursor.execute(pragma)
    cursor.close()
