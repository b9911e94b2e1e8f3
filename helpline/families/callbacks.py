"""Callback requests: created by any channel, worked by advisers, at most once per cause.

Life of a request: new -> claimed (an adviser took it) -> attempted (rang, no answer; up to
MAX_ATTEMPTS) -> done; or expired after EXPIRY_DAYS (or the last unanswered attempt), when the
family is texted that we could not reach them. Families who asked by voice or voicemail get a
text saying the request was received; by SMS, the reply to their own text says so.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta

import holidays
from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from helpline.directory.models import utcnow
from helpline.extensions import affected_rows
from helpline.families.models import CALLBACK_STATUSES, OPEN_CALLBACK_STATUSES, CallbackRequest

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 3
EXPIRY_DAYS = 7
OPEN_STATUSES = OPEN_CALLBACK_STATUSES
# Channels whose own reply can't confirm the request in writing.
TEXT_ON_CREATE_CHANNELS = ("voice", "voicemail")

__all__ = [
    "CALLBACK_STATUSES",
    "request_callback",
    "claim",
    "record_attempt",
    "mark_done",
    "expire_old_callbacks",
]


def request_callback(
    session: Session,
    *,
    cause: str,
    phone_number: str | None,
    channel: str,
    summary: str,
    language: str = "en",
    recording_url: str | None = None,
) -> tuple[CallbackRequest, bool]:
    """The callback request for this cause, and whether it was created now (not a repeat).

    A number has one open request at most, whatever the channel: asking again (by text, the
    phone menu or a message) adds the new words to it, takes the latest language and message,
    and texts nothing more. The caller commits, in the same transaction as anything else the
    event caused (including the confirmation text to the family, sent once that commit is done).
    """
    asked_before = _asked_before(session, cause, phone_number, summary, language,
                                 recording_url, channel)
    if asked_before is not None:
        return asked_before, False
    row = CallbackRequest(
        cause=cause[:128],
        phone_number=phone_number,
        channel=channel,
        summary=summary[:4000],
        language=language,
        recording_url=recording_url,
    )
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:
        # The same number (or cause) asked at the same moment in another process, which
        # committed first: the database's index refused a second open request, so this ask
        # joins that one, as if it had come a moment later.
        asked_before = _asked_before(session, cause, phone_number, summary, language,
                                     recording_url, channel)
        if asked_before is None:
            raise
        return asked_before, False
    if channel in TEXT_ON_CREATE_CHANNELS:
        _text_family(session, row, "callback_created_text", "created")
    return row, True


def _asked_before(
    session: Session, cause: str, phone_number: str | None, summary: str, language: str,
    recording_url: str | None, channel: str,
) -> CallbackRequest | None:
    """The request this cause made already, or the number's open one with this ask added to
    it; None when this is a new request."""
    existing = session.scalar(select(CallbackRequest).where(CallbackRequest.cause == cause[:128]))
    if existing is not None:
        return existing
    waiting = _open_for(session, phone_number)
    if waiting is None:
        return None
    if summary not in waiting.summary.split("\n"):  # a replayed request adds nothing
        waiting.summary = f"{waiting.summary}\n{summary}"[-4000:]
    waiting.language, waiting.updated_at = language, utcnow()
    waiting.recording_url = recording_url or waiting.recording_url
    log.info("callback request %s asked for again by %s: updated", waiting.id, channel)
    return waiting


def _open_for(session: Session, phone_number: str | None) -> CallbackRequest | None:
    """The number's open callback request, if it has one (a hidden number never has)."""
    if not phone_number:
        return None
    return session.scalars(
        select(CallbackRequest)
        .where(CallbackRequest.phone_number == phone_number,
               CallbackRequest.status.in_(OPEN_STATUSES))
        .order_by(CallbackRequest.id.desc())
    ).first()


def promise_days() -> int:
    """Working days within which an adviser calls back: CALLBACK_WORKING_DAYS, everywhere."""
    from flask import current_app, has_app_context

    return int(current_app.config.get("CALLBACK_WORKING_DAYS", 2)) if has_app_context() else 2


def _text_family(session: Session, row: CallbackRequest, wording_key: str, event: str) -> None:
    from helpline.outbound.outbox import queue_text
    from helpline.outbound.wording import words

    queue_text(
        session,
        to=row.phone_number,
        body=words(wording_key, row.language, days=str(promise_days())),
        cause=f"callback-{row.id}-{event}",
        purpose=f"callback-{event}",
        language=row.language,
    )


def _open(session: Session, callback_id: int) -> CallbackRequest:
    row = session.get(CallbackRequest, callback_id)
    if row is None:
        raise LookupError(f"no callback request {callback_id}")
    if row.status not in OPEN_STATUSES:
        raise ValueError(f"callback request {callback_id} is already {row.status}")
    return row


def claim(session: Session, callback_id: int, adviser_id: int) -> CallbackRequest:
    """An adviser takes the request; the caller commits. One adviser only: another's claim
    (even at the same moment, in another process) raises ValueError."""
    row = _open(session, callback_id)
    taken = affected_rows(session.execute(
        update(CallbackRequest)
        .where(CallbackRequest.id == callback_id, CallbackRequest.status.in_(OPEN_STATUSES),
               or_(CallbackRequest.claimed_by.is_(None),
                   CallbackRequest.claimed_by == adviser_id))
        .values(status="claimed", claimed_by=adviser_id, updated_at=utcnow())
    ))
    if not taken:
        raise ValueError(f"callback request {callback_id} is already another adviser's")
    session.refresh(row)
    return row


def record_attempt(session: Session, callback_id: int, *, reached: bool) -> CallbackRequest:
    """An adviser rang the family: done if reached, else attempted (expired after the last try)."""
    row = _open(session, callback_id)
    row.attempts += 1
    row.updated_at = utcnow()
    if reached:
        row.status = "done"
    elif row.attempts >= MAX_ATTEMPTS:
        row.status = "expired"
        _text_family(session, row, "callback_expired_text", "expired")
    else:
        row.status = "attempted"
    return row


def mark_done(session: Session, callback_id: int) -> CallbackRequest:
    """The family was helped; the caller commits."""
    row = _open(session, callback_id)
    row.status, row.updated_at = "done", utcnow()
    return row


def expire_old_callbacks(session: Session, now: datetime | None = None) -> int:
    """Expire open requests older than EXPIRY_DAYS and text each family; commits; how many."""
    cutoff = (now or utcnow()) - timedelta(days=EXPIRY_DAYS)
    rows = session.scalars(
        select(CallbackRequest).where(
            CallbackRequest.status.in_(OPEN_STATUSES), CallbackRequest.created_at < cutoff
        )
    ).all()
    for row in rows:
        row.status, row.updated_at = "expired", utcnow()
        _text_family(session, row, "callback_expired_text", "expired")
    session.commit()
    if rows:
        log.info("expired %s unanswered callback request(s)", len(rows))
    return len(rows)


def _working_days_after(start: date, days: int) -> date:
    bank = holidays.country_holidays("GB", subdiv="ENG", years=[start.year, start.year + 1])
    day = start
    while days:
        day += timedelta(days=1)
        if day.weekday() < 5 and day not in bank:
            days -= 1
    return day


def promised_by(asked_at: datetime, working_days: int) -> datetime:
    """When a family who asked at `asked_at` was promised a call by: `working_days` working
    days later (England's bank holidays are not working days), at the same time of day."""
    return datetime.combine(_working_days_after(asked_at.date(), working_days), asked_at.timetz())
