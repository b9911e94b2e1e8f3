"""What /healthz reports beyond reachability: is the worker alive, is the outbox draining, is the
directory fresh? Each figure comes with the threshold past which it is a warning."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

HEARTBEAT_KEY = "helpline:worker:heartbeat"
# The worker's ticker beats every 30 seconds; four missed beats is a worker that is not there.
HEARTBEAT_STALE_SECONDS = 120
# A text pending for longer than the retries take to give up on it is stuck.
OUTBOX_STUCK_SECONDS = 2 * 3600
# A nightly feed import that has not worked for two days has failed twice.
IMPORT_STALE_SECONDS = 2 * 86400


def beat(connection: Any, now: float | None = None) -> None:
    """The worker says it is alive (the key outlives a few missed beats, then goes)."""
    connection.set(HEARTBEAT_KEY, f"{time.time() if now is None else now:.0f}", ex=3600)


def heartbeat_age(connection: Any, now: float | None = None) -> float | None:
    """Seconds since any worker last beat, or None if none has in the last hour."""
    raw = connection.get(HEARTBEAT_KEY)
    if raw is None:
        return None
    return max(0.0, (time.time() if now is None else now) - float(raw))


def outbox_backlog(session: Session) -> tuple[int, float | None]:
    """How many texts are waiting to go, and the oldest one's age in seconds."""
    from helpline.outbound.models import OutboundMessage

    count, oldest = session.execute(
        select(func.count(), func.min(OutboundMessage.created_at))
        .where(OutboundMessage.status.in_(("pending", "sending")))
    ).one()
    return int(count), _age(oldest)


def last_import_age(session: Session) -> float | None:
    """Seconds since a feed was last imported whole, or None if none ever was."""
    from helpline.directory.feed_runs import last_whole_import

    return _age(last_whole_import(session))


def _age(moment: datetime | None) -> float | None:
    if moment is None:
        return None
    if moment.tzinfo is None:  # SQLite gives back naive UTC
        moment = moment.replace(tzinfo=UTC)
    return max(0.0, (datetime.now(UTC) - moment).total_seconds())
