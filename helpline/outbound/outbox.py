"""The outbox: a text is written in the transaction of the event that caused it, then enqueued.

If Redis is down when the event commits, the row stays pending and `deliver_pending()` (run when
a worker starts and every few minutes) enqueues it again. A claim on the row (pending -> sending)
means each message goes at most once, even if its job is somehow run twice.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import event, select, update
from sqlalchemy.orm import Session, scoped_session

from helpline.directory.models import utcnow
from helpline.extensions import affected_rows
from helpline.families.opt_outs import is_opted_out, record_opt_out
from helpline.families.phone_numbers import is_withheld, to_e164
from helpline.logs import mask_phone
from helpline.outbound.models import OutboundMessage
from helpline.sms.segments import count_segments

log = logging.getLogger(__name__)

_PENDING_KEY = "helpline_outbox_pending"
# A message left "sending" this long belongs to a worker that died mid-send.
STALE_SENDING = timedelta(minutes=10)
OPTED_OUT_AT_TWILIO = 21610
DEFAULT_RETRIES = [10, 60, 300, 900, 3600]  # seconds between tries of a text Twilio refused

# Twilio's own message statuses, in the order a message moves through them (the final ones,
# undelivered to canceled, last). "pending" and our "sending" (a worker has claimed the row) are
# the outbox's; a callback never sets them back.
TWILIO_STATUSES = ("accepted", "scheduled", "queued", "sending", "sent", "undelivered", "failed",
                   "delivered", "read", "canceled")

__all__ = ["OutboundMessage", "queue_text", "deliver_pending", "send_message", "record_status"]


def queue_text(
    session: Session,
    *,
    to: str | None,
    body: str,
    cause: str,
    purpose: str,
    language: str = "en",
) -> OutboundMessage | None:
    """Write a text to the outbox in the caller's transaction; it is enqueued once they commit.

    Returns None (and writes nothing) for a withheld, invalid or opted-out number. A cause seen
    before returns the existing row, so a repeated webhook sends nothing twice.
    """
    number = None if is_withheld(to) else to_e164(to)
    if number is None:
        log.info("not texting a withheld or invalid number (%s)", purpose)
        return None
    if is_opted_out(session, number):
        log.info("not texting %s: opted out (%s)", mask_phone(number), purpose)
        return None
    cause = cause[:160]
    existing = session.scalar(select(OutboundMessage).where(OutboundMessage.cause == cause))
    if existing is not None:
        return existing
    if purpose not in STAFF_PURPOSES and not _within_follow_up_limit(number):
        log.warning("not texting %s: %s follow-up texts this hour already (%s)",
                    mask_phone(number), _follow_up_limit(), purpose)
        return None
    row = OutboundMessage(
        cause=cause,
        purpose=purpose[:32],
        phone_number=number,
        body=body,
        language=language[:8],
        status="pending",
        segments=count_segments(body).segments,
    )
    session.add(row)
    session.flush()
    _enqueue_after_commit(session, row.id, cause, row.purpose)
    return row


# Texts to the helpline's own staff: never held back by a family's limit.
STAFF_PURPOSES = frozenset({"adviser-alert"})


def _follow_up_limit() -> int:
    from flask import current_app

    return int(current_app.config.get("LIMIT_FOLLOW_UP_TEXTS_PER_HOUR", 10))


def _within_follow_up_limit(number: str) -> bool:
    from helpline.limits import within

    return within("follow-up", number, _follow_up_limit())


def _real_session(session: Session) -> Session:
    return session() if isinstance(session, scoped_session) else session


def _enqueue_after_commit(session: Session, message_id: int, cause: str, purpose: str) -> None:
    real = _real_session(session)
    pending: list[tuple[int, str, str]] | None = real.info.get(_PENDING_KEY)
    if pending is None:
        pending = real.info[_PENDING_KEY] = []
        event.listen(real, "after_commit", _after_commit)
        event.listen(real, "after_soft_rollback", _after_rollback)
    pending.append((message_id, cause, purpose))


def _after_commit(session: Session) -> None:
    pending = session.info.get(_PENDING_KEY) or []
    session.info[_PENDING_KEY] = []
    for message_id, cause, purpose in pending:
        try:
            enqueue_send(message_id, cause, purpose)
        except Exception:  # noqa: BLE001 - the event is committed; the sweep will retry the text
            log.exception("outbox message %s stays pending", message_id)


def _after_rollback(session: Session, previous_transaction: Any) -> None:
    # The rows were never written: nothing to send.
    session.info[_PENDING_KEY] = []


# Texts a person is waiting on go on the urgent queue, ahead of retention and other slow jobs.
URGENT_PURPOSES = frozenset({"adviser-alert"})


def enqueue_send(message_id: int, cause: str, purpose: str = "", attempts: int = 0) -> bool:
    """Put the send job on the queue (or send now without Redis); False if Redis is down.

    The job's id names the cause and how many tries the row has had: a sweep finding it still
    pending adds nothing while its job waits, but a row freed from a worker killed mid-send gets
    a new job, whatever RQ still thinks of the dead one (the row's claim sends it once).
    """
    from helpline.jobs import EnqueueFailed, enqueue, job_id_for

    job_id = job_id_for("text", f"{cause}#{attempts}" if attempts else cause)
    try:
        enqueue("workers.outbound.send_text", message_id, job_id=job_id,
                retry=send_retry(), urgent=purpose in URGENT_PURPOSES)
    except EnqueueFailed as exc:
        log.warning("outbox message %s stays pending: %s", message_id, exc)
        return False
    return True


def _send_later(message_id: int, cause: str, attempt: int, seconds: float) -> None:
    from helpline.jobs import EnqueueFailed, enqueue, job_id_for

    try:
        enqueue("workers.outbound.send_text", message_id, retry=send_retry(),
                job_id=job_id_for("text-later", f"{cause}-{attempt}"),
                delay=timedelta(seconds=max(seconds, 1.0)))
    except EnqueueFailed as exc:  # the sweep will find it pending
        log.warning("outbox message %s stays pending: %s", message_id, exc)


def send_retry() -> Any:
    """Backoff for network errors, 5xx and 429 (intervals from OUTBOUND_RETRY_INTERVALS)."""
    from flask import current_app
    from rq import Retry

    # An empty list (OUTBOUND_RETRY_INTERVALS=",") would mean Retry(max=0), which RQ refuses.
    intervals = list(current_app.config.get("OUTBOUND_RETRY_INTERVALS") or []) or DEFAULT_RETRIES
    return Retry(max=len(intervals), interval=intervals)


def deliver_pending(session: Session, now: datetime | None = None) -> int:
    """Enqueue every message still pending (and free any stuck mid-send); returns how many."""
    now = now or utcnow()
    session.execute(
        update(OutboundMessage)
        .where(
            OutboundMessage.status == "sending",
            # Twilio took it if it gave us a sid: sending again would text the family twice.
            OutboundMessage.twilio_sid.is_(None),
            OutboundMessage.updated_at < now - STALE_SENDING,
        )
        .values(status="pending", updated_at=now)
    )
    session.commit()
    rows = session.execute(
        select(OutboundMessage.id, OutboundMessage.cause, OutboundMessage.purpose,
               OutboundMessage.attempts)
        .where(OutboundMessage.status == "pending")
    ).all()
    return sum(1 for message_id, cause, purpose, attempts in rows
               if enqueue_send(message_id, cause, purpose, attempts))


def send_message(session: Session, message_id: int, *, last_attempt: bool) -> str:
    """Send one outbox message if it is still pending; returns its status afterwards.

    Raises OutboundError for a failure worth retrying (unless this is the last attempt).
    """
    from helpline.outbound.gateway import CeilingReached, OutboundError, send_text

    now = utcnow()
    claimed = affected_rows(session.execute(
        update(OutboundMessage)
        .where(OutboundMessage.id == message_id, OutboundMessage.status == "pending")
        .values(status="sending", attempts=OutboundMessage.attempts + 1, updated_at=now)
    ))
    session.commit()
    row = session.get(OutboundMessage, message_id)
    if row is None or not claimed:
        return row.status if row is not None else "missing"
    if is_opted_out(session, row.phone_number) or not row.phone_number:
        row.status = "refused"
        session.commit()
        return row.status
    attempt = row.attempts
    try:
        # The callback names the row: if this worker dies before it writes the sid, Twilio's
        # first callback writes it, and the sweep does not send the text a second time.
        sid = send_text(row.phone_number, row.body or "",
                        status_callback_path=f"/twilio/outbound/status?outbox={message_id}")
    except CeilingReached:
        # Held, not failed: the sweep enqueues it again, and it goes once the hour turns.
        _finish(session, row, attempt, status="pending", attempts=attempt - 1)
        return row.status
    except OutboundError as exc:
        status = "failed" if exc.permanent or last_attempt else "pending"
        if exc.code == OPTED_OUT_AT_TWILIO:
            # They texted STOP where we didn't see it (another number of ours, say): keep it, so
            # nothing else is tried on them until they text START.
            record_opt_out(session, row.phone_number, "TWILIO-21610")
        if not _finish(session, row, attempt, status=status, error_code=exc.code):
            return row.status
        if status == "pending" and exc.retry_after is not None:
            # Twilio said when to come back (429 Retry-After): then, not at the next backoff.
            _send_later(message_id, row.cause, row.attempts, exc.retry_after)
            return status
        if status == "pending":
            raise
        log.warning("outbox message %s failed for good (code %s)", message_id, exc.code)
        return status
    if not _finish(session, row, attempt, status="sent", twilio_sid=sid, sent_at=utcnow()):
        log.warning("outbox message %s: a try taken for dead was sent after all (%s)",
                    message_id, sid)
    return row.status


def _finish(session: Session, row: OutboundMessage, attempt: int, **values: Any) -> bool:
    """Write how this try ended, unless a later try has the row: a worker taken for dead (its
    send freed by the sweep) must not undo what the try after it did. Commits."""
    written = affected_rows(session.execute(
        update(OutboundMessage)
        .where(OutboundMessage.id == row.id, OutboundMessage.attempts == attempt)
        .values(**values, updated_at=utcnow())
    ))
    session.commit()
    session.refresh(row)
    if not written:
        log.warning("outbox message %s: try %s ended after a later one began; left as it is",
                    row.id, attempt)
    return bool(written)


def _rank(status: str) -> int:
    return TWILIO_STATUSES.index(status) if status in TWILIO_STATUSES else -1


def record_status(
    session: Session, message_sid: str, status: str, error_code: str | None,
    outbox_id: int | None = None,
) -> bool:
    """Record Twilio's status callback for a message we sent; False for an id we don't know.

    `outbox_id` (from the callback URL the send gave Twilio): the row a sid we don't know yet
    belongs to. Its worker died after Twilio took the text and before writing the sid: the sid
    is written now, so the sweep does not take the row for unsent and text the family twice.
    """
    row = session.scalars(
        select(OutboundMessage)
        .where(OutboundMessage.twilio_sid == message_sid)
        .order_by(OutboundMessage.id.desc())
    ).first()
    if row is None and outbox_id is not None:
        row = session.get(OutboundMessage, outbox_id)
        if row is None or row.twilio_sid is not None:
            return False
        # What its worker would have written, had it lived; the callback's own status follows.
        row.twilio_sid, row.status = message_sid[:64], "sent"
        row.sent_at, row.updated_at = row.sent_at or utcnow(), utcnow()
        session.commit()
        log.warning("outbox message %s: its sid came by Twilio's callback, not its worker",
                    outbox_id)
    if row is None:
        return False
    status = status.strip().lower()[:16]
    if status not in TWILIO_STATUSES:
        return True  # not a status Twilio gives: nothing to record
    if _rank(status) < _rank(row.status):
        # Callbacks can arrive out of order: never step back (from "delivered" to "sent", nor
        # from "sent" to "sending").
        return True
    row.status = status
    if error_code and error_code.isdecimal() and len(error_code) < 9:
        row.error_code = int(error_code)
    row.updated_at = utcnow()
    session.commit()
    return True
