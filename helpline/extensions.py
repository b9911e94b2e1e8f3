"""Flask extensions, created unbound and bound to the app in the factory."""

from __future__ import annotations

import logging
import sqlite3
import weakref
from collections.abc import Callable
from typing import Any, TypeVar, cast

from flask import Flask, Request, Response, current_app
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import Connection, Engine, MetaData, Result, create_engine, event
from sqlalchemy.engine import CursorResult
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import DeclarativeBase

log = logging.getLogger(__name__)
T = TypeVar("T")


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


def lost_connection(exc: BaseException) -> bool:
    """True when a database error was the server connection going away (a restart, a failover,
    an idle connection closed). SQLAlchemy has then dropped every pooled connection, so the
    same work tried once more runs on a new one."""
    return isinstance(exc, DBAPIError) and bool(exc.connection_invalidated)


def once_more_if_connection_lost(work: Callable[[], T], session: Any) -> T:
    """Run `work` (one transaction); if the database connection was lost meanwhile, roll back
    and run it once more, so a restart costs a family nothing but a few milliseconds. The work
    must be safe to repeat after a rollback (its writes and side effects in that transaction)."""
    try:
        return work()
    except DBAPIError as exc:
        if not lost_connection(exc):
            raise
        session.rollback()
        log.warning("lost the database connection; trying once more on a new one")
    return work()


def each_statement_commits(session: Any) -> bool:
    """On PostgreSQL, before the session has begun a transaction: let its statements each commit
    as they run, until its next commit or rollback; True if so (elsewhere nothing changes).

    psycopg begins a transaction with a BEGIN of its own and ends it with a COMMIT, each a round
    trip to the server: for work that reads, then writes in one statement (atomic by itself),
    they are two of its four. Work that needs several writes together rolls back first (which
    ends this) and runs them in a transaction as usual.
    """
    if not _may_autocommit(session):
        return False
    session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
    return True


def autocommit_connection(session: Any) -> Connection | None:
    """On PostgreSQL, before the session has begun a transaction: a connection of its own whose
    statements each commit as they run, for work that is one statement; None elsewhere (the
    session's transaction does it). The ORM session's bookkeeping around one statement (its
    transaction, the connection's autocommit switch and reset) cost more CPU than the statement.
    The caller closes it."""
    if not _may_autocommit(session):
        return None
    return _autocommit_engine(session.get_bind()).connect()


# One per app engine: a pool of connections to the same database that stay in autocommit, so
# a connection needs no switch to autocommit when it is taken and none back when it is returned
# (about a tenth of a text's CPU on the shared pool).
_AUTOCOMMIT_ENGINES: weakref.WeakKeyDictionary[Engine, Engine] = weakref.WeakKeyDictionary()


def statement_engines(engine: Engine) -> list[Engine]:
    """The app's engine and, on PostgreSQL, its autocommit one (made now if not yet): every
    engine the app's statements go through, for whatever listens to them (tests, benches)."""
    if engine.dialect.name != "postgresql":
        return [engine]
    return [engine, _autocommit_engine(engine)]


def _autocommit_engine(engine: Engine) -> Engine:
    found = _AUTOCOMMIT_ENGINES.get(engine)
    if found is None:
        options = dict(current_app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
        options.setdefault("echo", engine.echo)
        found = create_engine(engine.url, isolation_level="AUTOCOMMIT", **options)
        _AUTOCOMMIT_ENGINES[engine] = found
        # The app's engine disposed (a test, a fork): so are these connections.
        event.listen(engine, "engine_disposed", lambda _engine: found.dispose())
        # A restart or failover ends both pools' connections, but each pool finds out only when
        # it is used: whichever finds out first starts the other afresh too, so the next request
        # that uses it gets a live connection, not the error (and a retry) all over again.
        _when_disconnected(found, engine)
        _when_disconnected(engine, found)
    return found


def _when_disconnected(seen_by: Engine, dispose: Engine) -> None:
    def _disconnect(context: Any) -> None:
        if context.is_disconnect:
            dispose.dispose()  # a new pool; connections checked out now are let go, not shut

    event.listen(seen_by, "handle_error", _disconnect)


def _may_autocommit(session: Any) -> bool:
    """PostgreSQL (psycopg's BEGIN and COMMIT are round trips of their own), and nothing of the
    session's own under way that a statement committing by itself would split."""
    return not session.in_transaction() and session.get_bind().dialect.name == "postgresql"


def affected_rows(result: Result[Any]) -> int:
    """How many rows an UPDATE, DELETE or INSERT changed."""
    return int(cast(CursorResult[Any], result).rowcount or 0)


migrate = Migrate()


class CookieSessions(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, the same in every way, without their cost on a request
    that brings no session cookie and never touches the session (every Twilio webhook): Flask
    builds the cookie's signer and reads seven cookie settings on each such request, then finds
    nothing to do."""

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        """An empty session when there is no cookie to read; else as Flask opens one."""
        if app.secret_key and not request.cookies.get(self.get_cookie_name(app)):
            return self.session_class()
        return super().open_session(app, request)

    def save_session(self, app: Flask, session: Any, response: Response) -> None:
        """Nothing for an empty session nobody read or changed; else as Flask saves one."""
        if session or session.modified or session.accessed:
            super().save_session(app, session, response)


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
