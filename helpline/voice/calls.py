"""A call's life in the database: its state between requests, outcomes, and the adviser queue."""

from __future__ import annotations

import functools
import logging
import secrets
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BindParameter,
    Connection,
    Insert,
    Update,
    bindparam,
    case,
    or_,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from helpline.directory.models import utcnow
from helpline.extensions import affected_rows
from helpline.families.phone_numbers import to_e164
from helpline.flows.engine import Turn
from helpline.logs import mask_phone
from helpline.voice.models import ENDED_STATUSES, CallLog

log = logging.getLogger(__name__)


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


def _menu_step_update(with_steps: bool, informed: bool) -> Update:
    calls = CallLog.__table__
    # Each parameter takes its column's type, so SQLite stores times as the ORM does.
    values: dict[str, Any] = {
        "node": bindparam("to_node", type_=calls.c.node.type),
        "tries": bindparam("to_tries", type_=calls.c.tries.type),
        "language": bindparam("to_language", type_=calls.c.language.type),
        "updated_at": bindparam("now", type_=calls.c.updated_at.type),
    }
    if with_steps:
        steps: BindParameter[str] = bindparam("steps", type_=calls.c.path.type)
        values["path"] = case((calls.c.path == "", steps), else_=calls.c.path + " > " + steps)
    if informed:
        values["outcome"] = case(
            (or_(calls.c.outcome.is_(None), calls.c.outcome == "hung up"), "informed"),
            else_=calls.c.outcome,
        )
        heard: BindParameter[str] = bindparam("heard", type_=calls.c.service_ids.type)
        values["service_ids"] = case((calls.c.service_ids.is_(None), heard),
                                     else_=calls.c.service_ids + " " + heard)
    values["last_step"] = bindparam("step", type_=calls.c.last_step.type)
    # A request whose step the call took last (a replay) matches no row and changes nothing.
    return update(calls).where(
        calls.c.call_sid == bindparam("call"),
        or_(calls.c.last_step.is_(None), calls.c.last_step != bindparam("step")),
    ).values(values)


# A menu step's UPDATE for each shape (new steps or not, informed or not), built once: building
# the statement on every step cost more than running it.
_MENU_STEP = {(s, i): _menu_step_update(s, i) for s in (False, True) for i in (False, True)}


def stays_put(turn: Turn, came_from: tuple[str, str] | None) -> bool:
    """True for a re-prompt or repeat at the menu the request answered (came_from: its node and
    language): advance() writes nothing for it unless a service was read out on it."""
    state = turn.state
    return (
        turn.action == "menu" and not state.path and came_from == (state.node, state.language)
    )


def advance(
    session: Session,
    call_sid: str,
    turn: Turn,
    *,
    informed: bool = False,
    from_number: str | None = None,
    came_from: tuple[str, str] | None = None,
    step_key: str | None = None,
    heard: str = "",
    connection: Connection | None = None,
) -> bool:
    """Keep where the call is now, adding the turn's new steps to its path, in one UPDATE;
    False when this request (`step_key`, a digest of it) was the call's last step already.

    The engine was given no path, so turn.state.path holds only this turn's steps: they are
    appended in SQL and the row is never read on a menu step. A re-prompt or repeat at the same
    menu (came_from: the node and language the request answered) writes nothing: its place is
    in the URL Twilio calls next. A replayed request writes nothing either. The caller commits.
    `heard` is the id of the service read out on this step (with `informed`). `connection`:
    where the call's one statement runs, if not on the session (see autocommit_connection).
    """
    state = turn.state
    key = (step_key or secrets.token_hex(16))[:64]  # no key: never taken for a replay
    if not informed and stays_put(turn, came_from):
        return True
    steps = " > ".join(state.path)
    start = {"call_sid": call_sid[:64], "phone_number": from_number, "language": state.language,
             "node": state.node[:64], "tries": state.tries, "path": steps, "last_step": key,
             "outcome": "informed" if informed else None, "service_ids": heard or None}
    if came_from is None:  # not a menu step (a new call, a message, the queue): rare, read it
        if _started(session, start, connection):  # a new call: its row in one statement
            return True
        call = open_call(session, call_sid, from_number, state.language)
        if call.last_step == key:
            return False
        call.node, call.tries, call.language = state.node[:64], state.tries, state.language
        if steps:
            call.path = f"{call.path} > {steps}" if call.path else steps
        if informed:
            call.reached("informed")
            _heard(call, heard)
        call.updated_at, call.last_step = utcnow(), key
        session.flush()
        return True
    on = session.connection() if connection is None else connection
    result = on.execute(_MENU_STEP[(bool(steps), informed)], {
        "call": call_sid[:64], "to_node": state.node[:64], "to_tries": state.tries,
        "to_language": state.language, "now": utcnow(), "steps": steps, "step": key,
        "heard": heard,
    })
    if affected_rows(result):
        return True
    # The first request of the call (or its row was lost): start the row. If it is there, the
    # UPDATE matched nothing because this step was taken.
    return _started(session, start, connection)


def _started(session: Session, row: dict[str, Any], connection: Connection | None = None) -> bool:
    """Insert a call's row as its first request leaves it, in one statement; False (nothing
    written) if the call has one already."""
    if not row["call_sid"]:
        return False  # no sid: open_call() keeps the one row such requests share
    now = utcnow()
    number = to_e164(row["phone_number"])
    on = session.connection() if connection is None else connection
    inserted = on.execute(_start_statement(session), {
        **row, "phone_number": number, "status": "in-progress", "created_at": now,
        "updated_at": now,
    }).first()
    if inserted is not None:
        log.info("call %s from %s", row["call_sid"], mask_phone(number))
    return inserted is not None


@functools.lru_cache(maxsize=2)
def _start_statement_for(dialect: str) -> Insert:
    table = CallLog.__table__
    insert = postgresql.insert(table) if dialect == "postgresql" else sqlite.insert(table)
    return insert.on_conflict_do_nothing(index_elements=["call_sid"]).returning(table.c.id)


def _start_statement(session: Session) -> Insert:
    return _start_statement_for(session.get_bind().dialect.name)


def _heard(call: CallLog, service_id: str) -> None:
    if service_id:
        call.service_ids = f"{call.service_ids} {service_id}" if call.service_ids else service_id


def found_nothing(session: Session, call_sid: str, words: str) -> None:
    """The caller's own words found no service: keep them for insight's unmet words (rare, so
    a statement of its own)."""
    session.execute(update(CallLog).where(CallLog.call_sid == call_sid[:64])
                    .values(body=words[:200]))


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


def caller_left_queue(session: Session, call_sid: str, timed_out: bool = False) -> None:
    """The caller hung up, was answered or waited the longest wait (`timed_out`): stop ringing
    advisers for them."""
    try:
        from helpline.advisers.escalation import caller_left
    except ImportError:
        return
    try:
        caller_left(session, call_sid, timed_out=timed_out)
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
