"""Escalation: a caller waits in the adviser queue while we text and ring advisers in rota order.

Each adviser gets a text with the caller's menu path, language and wait so far, then a call whose
TwiML (/twilio/adviser/whisper) whispers the same and, on a key press (/twilio/adviser/connect),
joins them in a conference to the caller they were rung for (moved out of the queue by a call
update, so never another caller). If the adviser's call ends without that, or nothing
is heard within the answer window, the next adviser on the rota is rung. When nobody is left, the
caller's call is redirected to /twilio/voice/no-adviser: leave a message or ask for a callback.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from helpline.advisers import plain_words
from helpline.advisers.models import Escalation
from helpline.advisers.rota import on_duty
from helpline.directory.models import utcnow

log = logging.getLogger(__name__)



# The job that starts ringing advisers (workers/escalation.py).
ESCALATE = "workers.escalation.escalate"


def caller_waiting(
    session: Session, *, call_sid: str, queue_name: str, menu_path: list[str], language: str
) -> None:
    """A caller has joined the adviser queue: start ringing advisers for them (in a job)."""
    from helpline.jobs import EnqueueFailed, enqueue, job_id_for, run_now

    args = (call_sid, queue_name, list(menu_path), language, utcnow().isoformat())
    try:
        enqueue(ESCALATE, *args, job_id=job_id_for("escalate", call_sid), urgent=True)
    except EnqueueFailed:
        # A waiting caller can't wait for Redis to come back: ring from this process instead.
        log.warning("Redis is down: escalating call %s in-process", call_sid)
        try:
            run_now(ESCALATE, *args)
        except Exception:  # noqa: BLE001 - the caller still hears the queue's hold message
            log.exception("escalation for %s failed", call_sid)


def start(
    session: Session,
    *,
    call_sid: str,
    queue_name: str,
    menu_path: list[str],
    language: str,
    waiting_since: datetime | None = None,
) -> Escalation:
    """Create the escalation for this call (once) and ring the first adviser on duty.

    A caller who asks again later in the same call (nobody answered, and they pressed 0 again)
    has everyone on duty rung again. A request older than the caller leaving the queue (its job
    waited behind others) rings nobody.
    """
    asked_at = _utc(waiting_since or utcnow())
    existing = session.scalar(select(Escalation).where(Escalation.call_sid == call_sid))
    if existing is not None:
        if existing.status in ("ringing", "connected") or asked_at <= _utc(existing.updated_at):
            return existing
        existing.status, existing.tried_adviser_ids = "ringing", ""
        existing.adviser_id, existing.adviser_call_sid = None, None
        existing.answered_at = None
        existing.menu_path = " > ".join(menu_path)[:2000]
        existing.created_at, existing.updated_at = asked_at, utcnow()
        session.commit()
        ring_next(session, existing)
        return existing
    escalation = Escalation(
        call_sid=call_sid[:64],
        queue_name=queue_name[:64],
        language=language[:8],
        menu_path=" > ".join(menu_path)[:2000],
        created_at=asked_at,
    )
    session.add(escalation)
    try:
        session.commit()
    except IntegrityError:
        # The caller left (or another job started) at this very moment: theirs stands.
        session.rollback()
        return session.scalars(select(Escalation).where(Escalation.call_sid == call_sid)).one()
    if _number_limited(session, escalation):
        # The same number is already waiting, or was rung for often this hour: its other
        # calls are offered a message or a call back instead of ringing advisers again.
        log.info("call %s: its number is already waiting or was just rung for", call_sid)
        return _nobody_answered(session, escalation)
    ring_next(session, escalation)
    return escalation


def _number_limited(session: Session, escalation: Escalation) -> bool:
    """True when another call from this caller's number is waiting for an adviser, or advisers
    were rung for that number LIMIT_ESCALATIONS_PER_HOUR times in the last hour."""
    from helpline.voice.models import CallLog

    number = session.scalar(
        select(CallLog.phone_number).where(CallLog.call_sid == escalation.call_sid))
    if not number:
        return False  # a hidden number can't be told apart from another caller's
    since = utcnow() - timedelta(hours=1)
    others = session.execute(
        select(Escalation.status, Escalation.attempt)
        .join(CallLog, CallLog.call_sid == Escalation.call_sid)
        .where(CallLog.phone_number == number, Escalation.id != escalation.id,
               Escalation.created_at >= since)
    ).all()
    if any(status in ("ringing", "connected") for status, _ in others):
        return True
    rung = sum(1 for _, attempt in others if attempt)
    return rung >= int(current_app.config.get("LIMIT_ESCALATIONS_PER_HOUR", 3))


def wait_so_far(escalation: Escalation, now: datetime | None = None) -> str:
    """The caller's wait in words: "under a minute", "1 minute", "4 minutes"."""
    created = escalation.created_at
    if created.tzinfo is None:  # SQLite gives back naive datetimes
        created = created.replace(tzinfo=(now or utcnow()).tzinfo)
    minutes = int(((now or utcnow()) - created).total_seconds() // 60)
    if minutes < 1:
        return "under a minute"
    return "1 minute" if minutes == 1 else f"{minutes} minutes"


def context(escalation: Escalation, *, spoken: bool = False) -> dict[str, str]:
    """What the adviser is told about the caller, in plain words: "Schools, in English, waiting
    2 minutes, number ending 123" (the number's last digits only)."""
    from helpline.extensions import db
    from helpline.voice.models import CallLog

    steps = [s for s in (escalation.menu_path or "").split(" > ") if s]
    number = db.session.scalar(
        select(CallLog.phone_number).where(CallLog.call_sid == escalation.call_sid)
    )
    return {
        "caller": plain_words.describe(
            plain_words.topic(steps), escalation.language, wait_so_far(escalation), number,
            spoken=spoken,
        ),
        "menu_path": escalation.menu_path or "nothing yet",
        "language": plain_words.language_name(escalation.language),
        "wait": wait_so_far(escalation),
    }


def _url(path: str, **params: object) -> str:
    return f"{current_app.config['PUBLIC_BASE_URL']}{path}?{urlencode(params)}"


def ring_next(session: Session, escalation: Escalation) -> Escalation:
    """Ring the next adviser on duty not yet tried; when none is left, offer the caller options."""
    from helpline.jobs import EnqueueFailed, enqueue, job_id_for
    from helpline.outbound.gateway import OutboundError, start_call
    from helpline.outbound.outbox import queue_text
    from helpline.outbound.wording import words

    config = current_app.config
    ring_seconds = int(config.get("ADVISER_RING_SECONDS", 25))
    tried = {int(i) for i in escalation.tried_adviser_ids.split(",") if i}
    for adviser in on_duty(session, utcnow(), config.get("ROTA_TIMEZONE", "Europe/London")):
        if adviser.id in tried:
            continue
        tried.add(adviser.id)
        escalation.attempt += 1
        escalation.adviser_id = adviser.id
        escalation.tried_adviser_ids = ",".join(str(i) for i in sorted(tried))
        escalation.updated_at = utcnow()
        queue_text(
            session,
            to=adviser.mobile,
            body=words("adviser_alert", **context(escalation)),
            cause=f"{escalation.call_sid}:adviser-alert:{escalation.attempt}",
            purpose="adviser-alert",
        )
        session.commit()
        try:
            escalation.adviser_call_sid = start_call(
                adviser.mobile,
                url=_url("/twilio/adviser/whisper", escalation=escalation.id),
                status_callback=_url(
                    "/twilio/adviser/status", escalation=escalation.id, attempt=escalation.attempt
                ),
                ring_seconds=ring_seconds,
            )
        except OutboundError:
            log.warning("could not ring adviser %s; trying the next", adviser.id)
            continue
        session.commit()
        # If Twilio's status callback never comes, this moves on anyway.
        answer_window = ring_seconds + int(config.get("ADVISER_ANSWER_SECONDS", 40))
        try:
            enqueue(
                "workers.escalation.escalation_timeout",
                escalation.id,
                escalation.attempt,
                urgent=True,
                job_id=job_id_for("escalation-timeout", f"{escalation.id}-{escalation.attempt}"),
                delay=timedelta(seconds=answer_window),
            )
        except EnqueueFailed:
            log.warning(
                "no timeout for escalation %s: relying on the status callback", escalation.id
            )
        return escalation
    return _nobody_answered(session, escalation)


def _nobody_answered(session: Session, escalation: Escalation) -> Escalation:
    from helpline.outbound.gateway import OutboundError, redirect_call

    escalation.status, escalation.adviser_id, escalation.updated_at = "unanswered", None, utcnow()
    session.commit()
    log.info(
        "no adviser answered for call %s: offering a message or a callback", escalation.call_sid
    )
    try:
        # Back to the phone menu's own offer of a message or a call back, in the caller's
        # language: one wording, recorded audio, and the outcome in the call log.
        redirect_call(
            escalation.call_sid, _url("/twilio/voice/no-adviser", lang=escalation.language)
        )
    except OutboundError as exc:
        log.info(
            "could not redirect call %s (caller may have hung up): %s", escalation.call_sid, exc
        )
    return escalation


def adviser_call_ended(session: Session, escalation_id: int, attempt: int) -> Escalation | None:
    """The adviser's call for `attempt` ended or timed out: ring the next unless they took it."""
    escalation = session.get(Escalation, escalation_id)
    if escalation is None or escalation.status != "ringing" or escalation.attempt != attempt:
        return escalation  # already connected, moved on, or unknown: nothing to do
    return ring_next(session, escalation)


def conference_name(escalation: Escalation) -> str:
    """The conference where an adviser and the caller they were rung for meet."""
    return f"helpline-escalation-{escalation.id}"


def adviser_accepted(session: Session, escalation_id: int, adviser_call_sid: str) -> str | None:
    """The adviser pressed a key: the conference to put them in, or None if the caller has
    gone."""
    escalation = session.get(Escalation, escalation_id)
    if escalation is None or escalation.status != "ringing":
        return None
    if escalation.adviser_call_sid and escalation.adviser_call_sid != adviser_call_sid:
        return None  # a previous adviser's late key press: the caller is with someone else's ring
    escalation.status, escalation.updated_at = "connected", utcnow()
    escalation.answered_at = escalation.updated_at
    session.commit()
    return conference_name(escalation)


def caller_left(session: Session, call_sid: str, connected: bool = False,
                timed_out: bool = False) -> None:
    """The caller hung up or was answered: stop ringing advisers for them (with `connected`,
    even one an adviser has just accepted: the caller was gone before they could be joined).
    With `timed_out` the caller waited the longest wait and was offered a message or a call
    back: nobody answered them ("unanswered"), they did not give up ("ended")."""
    escalation = session.scalar(select(Escalation).where(Escalation.call_sid == call_sid))
    if escalation is None:
        # Gone before the job that would ring advisers ran: say so, so that it rings nobody.
        session.add(Escalation(call_sid=call_sid[:64], queue_name="", status="ended",
                               created_at=utcnow(), updated_at=utcnow()))
        try:
            session.commit()
            return
        except IntegrityError:  # the job got there first: end what it started
            session.rollback()
            escalation = session.scalars(
                select(Escalation).where(Escalation.call_sid == call_sid)).one()
    if escalation.status == "ringing" or (connected and escalation.status == "connected"):
        ringing = escalation.adviser_call_sid if escalation.status == "ringing" else None
        escalation.status = "unanswered" if timed_out else "ended"
        escalation.updated_at = utcnow()
        session.commit()
        if ringing:
            _stop_ringing(ringing)


def _stop_ringing(adviser_call_sid: str) -> None:
    # The adviser being rung needn't answer a call for nobody: stop their phone now.
    from helpline.outbound.gateway import OutboundError, end_call

    try:
        end_call(adviser_call_sid)
    except OutboundError as exc:  # already answered and hung up, or never rang: nothing to stop
        log.info("adviser call %s not stopped: %s", adviser_call_sid, exc)


def _utc(moment: datetime) -> datetime:
    # SQLite gives back naive datetimes; every time the helpline writes is UTC.
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
