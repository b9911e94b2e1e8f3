"""Hourly limits: how much one number, or everyone together, may cost the council in an hour.

A count per kind, subject and clock hour: in Redis when REDIS_URL is set (one INCR), in the
database otherwise (one upsert), and in the database too while Redis is unreachable. Subjects
(phone numbers) are kept only as a digest, and a count lives for two hours at most.
"""

from __future__ import annotations

import hashlib
import logging
import time

from flask import current_app
from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import SQLAlchemyError

from helpline.extensions import db
from helpline.families.models import LimitCount

log = logging.getLogger(__name__)

HOUR = 3600
# Everyone together: the subject of the global ceiling on outbound texts and calls.
EVERYONE = "*"
OUTBOUND = "outbound"


def hour_of(now: float | None = None) -> int:
    """The clock hour a moment falls in, as hours since 1970."""
    return int((time.time() if now is None else now) // HOUR)


def _digest(subject: str) -> str:
    return hashlib.sha256(subject.encode()).hexdigest()[:32]


def count(kind: str, subject: str, now: float | None = None) -> int:
    """Add one to this hour's count of `kind` for `subject`; the count with it. In the database,
    the count is part of the current transaction: the caller commits."""
    hour, key = hour_of(now), _digest(subject)
    redis = _redis()
    if redis is not None:
        from redis import RedisError

        name = f"helpline:limit:{kind}:{key}:{hour}"
        try:
            pipe = redis.pipeline(transaction=False)
            pipe.incr(name)
            pipe.expire(name, 2 * HOUR)
            return int(pipe.execute()[0])
        except RedisError as exc:
            log.warning("limits: Redis unreachable (%s); counting in the database",
                        exc.__class__.__name__)
    try:
        # A savepoint: a count that fails must not spoil the caller's transaction.
        with db.session.begin_nested():
            return _count_in_database(kind, key, hour)
    except SQLAlchemyError as exc:
        # A limit is a guard against runaway cost, not a reason to leave a family unanswered.
        log.warning("limits: could not count %s (%s); not limiting this one", kind,
                    exc.__class__.__name__)
        return 0


def peek(kind: str, subject: str, now: float | None = None) -> int:
    """This hour's count of `kind` for `subject`, unchanged."""
    hour, key = hour_of(now), _digest(subject)
    redis = _redis()
    if redis is not None:
        from redis import RedisError

        try:
            return int(redis.get(f"helpline:limit:{kind}:{key}:{hour}") or 0)
        except RedisError:
            pass
    table = LimitCount.__table__
    found = db.session.connection().execute(select(table.c.count).where(
        table.c.kind == kind, table.c.subject == key, table.c.hour == hour)).scalar()
    return int(found or 0)


def within(kind: str, subject: str, limit: int, now: float | None = None) -> bool:
    """Count one more for `subject` this hour; True while that is within `limit`."""
    return count(kind, subject, now) <= limit


def outbound_allowed(now: float | None = None) -> bool:
    """Count one outbound text or call; False once this hour's ceiling is passed (logged once)."""
    ceiling = int(current_app.config["OUTBOUND_CEILING_PER_HOUR"])
    done = count(OUTBOUND, EVERYONE, now)
    if done == ceiling + 1:
        log.error("ALERT: the ceiling of %s outbound texts and calls this hour is reached;"
                  " the rest wait for the next hour", ceiling)
    return done <= ceiling


def outbound_state(now: float | None = None) -> dict[str, int | bool]:
    """This hour's outbound texts and calls against the ceiling, for /healthz."""
    ceiling = int(current_app.config["OUTBOUND_CEILING_PER_HOUR"])
    done = peek(OUTBOUND, EVERYONE, now)
    return {"this_hour": done, "ceiling": ceiling, "reached": done > ceiling}


def _redis():  # type: ignore[no-untyped-def]
    from helpline.jobs import queues

    named = queues()
    if not named:
        return None
    return next(iter(named.values())).connection


def _count_in_database(kind: str, key: str, hour: int) -> int:
    # In the caller's transaction (the caller commits): a text that is rolled back was never
    # queued, so it isn't counted either; and SQLite, one writer at a time, can't wait on itself.
    table = LimitCount.__table__
    connection = db.session.connection()
    insert = (postgresql.insert(table) if connection.dialect.name == "postgresql"
              else sqlite.insert(table))
    statement = insert.values(kind=kind, subject=key, hour=hour, count=1).on_conflict_do_update(
        index_elements=["kind", "subject", "hour"], set_={"count": table.c.count + 1}
    ).returning(table.c.count)
    done = int(connection.execute(statement).scalar_one())
    if done == 1:  # the first of its hour: counts from before the last hour are done with
        connection.execute(delete(table).where(table.c.hour < hour - 1))
    return done
