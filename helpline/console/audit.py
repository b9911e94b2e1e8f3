"""The audit log: who viewed which family's record and did what, kept for its own period."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from helpline.console.models import AuditEntry, StaffUser
from helpline.directory.models import utcnow
from helpline.extensions import affected_rows

ERASED_NUMBER = "erased"


def record(
    session: Session,
    user: StaffUser | None,
    action: str,
    *,
    callback_id: int | None = None,
    number: str | None = None,
    detail: str = "",
    email: str = "",
) -> AuditEntry:
    """Write one entry in the caller's transaction (the caller commits)."""
    entry = AuditEntry(
        staff_user_id=user.id if user is not None else None,
        staff_email=(user.email if user is not None else email)[:254],
        action=action[:40],
        callback_id=callback_id,
        subject_number=number,
        detail=detail[:500],
    )
    session.add(entry)
    return entry


def recent(session: Session, limit: int = 200, before_id: int | None = None) -> list[AuditEntry]:
    """The latest entries, newest first (older pages with `before_id`)."""
    query = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)
    if before_id is not None:
        query = query.where(AuditEntry.id < before_id)
    return list(session.scalars(query))


def erase_number(session: Session, number: str) -> int:
    """Clear one family's number from the log (the entries stay); how many; the caller commits."""
    return affected_rows(session.execute(
        update(AuditEntry).where(AuditEntry.subject_number == number)
        .values(subject_number=ERASED_NUMBER)
    ))


def delete_older_than(session: Session, *, days: int, now: datetime | None = None) -> int:
    """Delete entries older than the audit log's own retention period; how many; commits."""
    cutoff = (now or utcnow()) - timedelta(days=days)
    gone = affected_rows(session.execute(delete(AuditEntry).where(AuditEntry.created_at < cutoff)))
    session.commit()
    return gone
