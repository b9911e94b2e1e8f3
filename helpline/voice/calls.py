"""A call's life in the database: its state between requests, outcomes, and the adviser queue."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from helpline.directory.models import utcnow
from helpline.families.phone_numbers import to_e164
from helpline.flows.engine import CallState, Turn
from helpline.logs import mask_phone
from helpline.voice.models import ENDED_STATUSES, CallLog

log = logging.getLogger(__name__)
MAX_PATH_STEPS = 200  # a caller pressing * all afternoon must not grow the row without end


def open_call(session: Session, call_sid: str, from_number: str | None, language: str) -> CallLog:
    """The call's log row, created on its first request (a repeated request finds the same row)."""
    call = find_call(session, call_sid)
    if call is None:
        call = CallLog(
            call_sid=call_sid[:64],
            phone_number=to_e164(from_number),
            language=language,
            path="",
            status="in-progress",
        )
        session.add(call)
        session.flush()
        log.info("call %s from %s", call_sid, mask_phone(call.phone_number))
    return call


def find_call(session: Session, call_sid: str) -> CallLog | None:
    """The call's log row, if we have seen this call."""
    if not call_sid:
        return None
    return session.scalar(select(CallLog).where(CallLog.call_sid == call_sid[:64]))


def state_of(call: CallLog, node: str, tries: int) -> CallState:
    """The engine's state for the menu this request answers (node and tries from its URL)."""
    return CallState(node=node, language=call.language, tries=tries, path=call.steps)


def remember(call: CallLog, turn: Turn) -> None:
    """Keep where the call is now, for the next request."""
    state = turn.state
    call.language = state.language
    call.node = state.node[:64]
    call.tries = state.tries
    call.path = " > ".join(state.path[-MAX_PATH_STEPS:])
    call.updated_at = utcnow()


def caller_joined_adviser_queue(session: Session, call: CallLog, queue_name: str) -> None:
    """The caller is waiting in the adviser queue: log it, and start ringing advisers.

    This is the one place a waiting caller is announced; escalation (ringing the adviser on
    duty) hangs off helpline.advisers.escalation.caller_waiting.
    """
    call.reached("queued")
    session.commit()
    try:
        from helpline.advisers.escalation import caller_waiting
    except ImportError:
        log.warning("no adviser escalation installed: call %s waits in the queue", call.call_sid)
        return
    try:
        caller_waiting(
            session,
            call_sid=call.call_sid,
            queue_name=queue_name,
            menu_path=list(call.steps),
            language=call.language,
        )
    except Exception:  # noqa: BLE001 - the caller still hears the queue; advisers see the queue
        session.rollback()
        log.exception("could not start ringing advisers for call %s", call.call_sid)


def caller_left_queue(session: Session, call_sid: str) -> None:
    """The caller hung up or was answered: stop ringing advisers for them."""
    try:
        from helpline.advisers.escalation import caller_left
    except ImportError:
        return
    try:
        caller_left(session, call_sid)
    except Exception:  # noqa: BLE001 - a status callback must still get its 200
        session.rollback()
        log.exception("could not stop escalation for call %s", call_sid)


def call_ended(session: Session, call_sid: str, status: str, at: datetime | None = None) -> bool:
    """Twilio's status callback; False for a call we never saw (Twilio still gets 200)."""
    call = find_call(session, call_sid)
    if call is None:
        return False
    status = status.strip().lower()[:16]
    call.status = status or call.status
    call.updated_at = at or utcnow()
    if status in ENDED_STATUSES:
        call.ended_at = call.ended_at or call.updated_at
        call.reached("hung up")  # only if nothing further happened
    session.commit()
    if status in ENDED_STATUSES:
        caller_left_queue(session, call_sid)
    return True
