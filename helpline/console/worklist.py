"""What the console shows: callers waiting now, callbacks by due time, one family's record.

Plain queries over the tables the channels write; the views only render what these return.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from helpline.advisers import plain_words
from helpline.advisers.escalation import wait_so_far
from helpline.advisers.models import Adviser, Escalation
from helpline.console.models import StaffUser
from helpline.directory.models import utcnow
from helpline.families.callbacks import OPEN_STATUSES, promised_by
from helpline.families.models import CallbackAttempt, CallbackRequest
from helpline.logs import mask_phone
from helpline.outbound.models import OutboundMessage
from helpline.sms.models import SmsMessage
from helpline.voice.models import CallLog

HISTORY_DAYS = 30
HISTORY_LIMIT = 30


@dataclass(frozen=True)
class WaitingCaller:
    """A caller in the adviser queue now, as the Today page lists them."""

    escalation_id: int
    caller: str  # "Schools, in English, waiting 2 minutes, number ending 123"
    topic: str
    language: str
    wait: str
    number: str  # masked
    being_rung: str  # the adviser's name, or "nobody yet"


def aware(moment: datetime) -> datetime:
    """SQLite gives back naive datetimes; every time the helpline writes is UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def masked(number: str | None) -> str:
    """A number as lists show it: "ending 123" (in full only inside a callback being worked)."""
    return plain_words.number_ending(number).removeprefix("number ")


def waiting_callers(session: Session, now: datetime | None = None) -> list[WaitingCaller]:
    """Callers in the adviser queue now, longest waiting first."""
    rows = session.execute(
        select(Escalation, CallLog.phone_number, Adviser.name)
        .outerjoin(CallLog, CallLog.call_sid == Escalation.call_sid)
        .outerjoin(Adviser, Adviser.id == Escalation.adviser_id)
        .where(Escalation.status == "ringing")
        .order_by(Escalation.created_at)
    ).all()
    known = plain_words.topics()
    waiting = []
    for escalation, number, adviser_name in rows:
        steps = [s for s in (escalation.menu_path or "").split(" > ") if s]
        topic = plain_words.topic(steps, known)
        wait = wait_so_far(escalation, now)
        waiting.append(WaitingCaller(
            escalation_id=escalation.id,
            caller=plain_words.describe(topic, escalation.language, wait, number),
            topic=topic,
            language=plain_words.language_name(escalation.language),
            wait=wait,
            number=masked(number),
            being_rung=adviser_name or "nobody yet",
        ))
    return waiting


def due(callback: CallbackRequest) -> datetime:
    """When the family was promised a call by: CALLBACK_WORKING_DAYS working days after they
    asked (the promise the phone and the texts make)."""
    from flask import current_app

    working = int(current_app.config.get("CALLBACK_WORKING_DAYS", 2))
    return promised_by(aware(callback.created_at), working)


def due_words(callback: CallbackRequest, now: datetime | None = None) -> str:
    """ "overdue", "due today", "due tomorrow" or "due in 3 days". """
    now = now or utcnow()
    when = due(callback)
    if when < now:
        return "overdue"
    days = (when.date() - now.date()).days
    return "due today" if days == 0 else "due tomorrow" if days == 1 else f"due in {days} days"


def visible_open_callbacks(session: Session, user: StaffUser) -> list[CallbackRequest]:
    """Open callbacks this account may see, oldest first."""
    query = select(CallbackRequest).where(CallbackRequest.status.in_(OPEN_STATUSES))
    if not user.is_manager:
        unclaimed = CallbackRequest.claimed_by.is_(None)
        query = query.where(or_(unclaimed, CallbackRequest.claimed_by == user.adviser_id)
                            if user.adviser_id else unclaimed)
    return list(session.scalars(query.order_by(CallbackRequest.created_at, CallbackRequest.id)))


def by_due(callbacks: list[CallbackRequest]) -> list[CallbackRequest]:
    """Soonest due first."""
    return sorted(callbacks, key=lambda c: (due(c), c.id))


def adviser_names(session: Session) -> dict[int, str]:
    """Every adviser's name by id."""
    return {int(i): str(n) for i, n in session.execute(select(Adviser.id, Adviser.name))}


@dataclass(frozen=True)
class Text:
    """One text in the family's thread: theirs, the helpline's reply, or one sent on its own
    (a callback confirmation, an adviser's approved text)."""

    at: datetime
    sender: str  # "Family", "Helpline" or "Helpline (an adviser's text)"
    body: str


_SENDERS = {"adviser-text": "Helpline (an adviser’s text)"}


@dataclass(frozen=True)
class FamilyRecord:
    """What the family asked, for the adviser working their callback."""

    texts: list[Text]
    calls: list[CallLog]
    earlier: list[CallbackRequest]
    attempts: list[CallbackAttempt]


def family_record(session: Session, callback: CallbackRequest) -> FamilyRecord:
    """The family's recent texts and replies, calls, earlier callbacks and this one's attempts."""
    number = callback.phone_number
    since = utcnow() - timedelta(days=HISTORY_DAYS)
    texts: list[Text] = []
    calls: list[CallLog] = []
    earlier: list[CallbackRequest] = []
    if number:
        for message in session.scalars(
            select(SmsMessage).where(SmsMessage.phone_number == number,
                                     SmsMessage.created_at >= since)
            .order_by(SmsMessage.created_at.desc(), SmsMessage.id.desc()).limit(HISTORY_LIMIT)
        ):
            texts.append(Text(aware(message.created_at),
                              "Family" if message.direction == "in" else "Helpline",
                              message.body or "(erased)"))
        for sent in session.scalars(
            select(OutboundMessage).where(OutboundMessage.phone_number == number,
                                          OutboundMessage.created_at >= since)
            .order_by(OutboundMessage.created_at.desc()).limit(HISTORY_LIMIT)
        ):
            texts.append(Text(aware(sent.created_at), _SENDERS.get(sent.purpose, "Helpline"),
                              sent.body or "(erased)"))
        texts = sorted(texts, key=lambda t: t.at)[-HISTORY_LIMIT:]
        calls = list(session.scalars(
            select(CallLog).where(CallLog.phone_number == number, CallLog.created_at >= since)
            .order_by(CallLog.created_at.desc()).limit(HISTORY_LIMIT)
        ))
        earlier = list(session.scalars(
            select(CallbackRequest).where(CallbackRequest.phone_number == number,
                                          CallbackRequest.id != callback.id)
            .order_by(CallbackRequest.created_at.desc()).limit(HISTORY_LIMIT)
        ))
    attempts = list(session.scalars(
        select(CallbackAttempt).where(CallbackAttempt.callback_id == callback.id)
        .order_by(CallbackAttempt.created_at, CallbackAttempt.id)
    ))
    return FamilyRecord(texts, calls, earlier, attempts)


def call_words(call: CallLog) -> str:
    """A call's way through the menu, in words."""
    return plain_words.path(call.steps)


def asked(callback: CallbackRequest) -> str:
    """What the family asked, for the adviser: a phone request's menu path in words, or the
    text conversation's own summary."""
    if callback.channel == "sms":
        return callback.summary or "Nothing recorded"
    steps = plain_words.summary_steps(callback.summary)
    how = "Left a voicemail" if callback.channel == "voicemail" else "Asked for a call back"
    return f"{how} on the phone. In the menu: {plain_words.path(steps)}."


def staff_mask(number: str | None) -> str:
    """A staff mobile as the rota lists it."""
    return mask_phone(number)
