"""Answering one inbound text: memory, dedupe, actions and the insight log, in one transaction."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, NamedTuple

from sqlalchemy import (
    Connection,
    Integer,
    String,
    bindparam,
    exists,
    insert,
    literal,
    select,
    text,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from helpline.directory.geo import centroids_in
from helpline.directory.keywords import keywords_from
from helpline.directory.models import DirectoryRevision, utcnow
from helpline.directory.text_match import compact
from helpline.extensions import autocommit_connection, once_more_if_connection_lost
from helpline.families.callbacks import request_callback
from helpline.families.models import OptOut
from helpline.families.opt_outs import record_opt_in, record_opt_out
from helpline.families.phone_numbers import to_e164
from helpline.limits import hour_of
from helpline.logs import mask_phone
from helpline.sms import engine
from helpline.sms.lookup import LocalOfferDirectory
from helpline.sms.models import LocalOfferFeedback, SmsConversation, SmsMessage
from helpline.sms.replies import pack
from helpline.sms.segments import count_segments
from helpline.sms.templates import TemplateSet, templates_from
from helpline.twilio_webhooks import cap
from helpline.upserts import upsert_if_unchanged

log = logging.getLogger(__name__)

STATUS_ORDER = ("accepted", "queued", "scheduled", "sending", "sent", "receiving", "received",
                "undelivered", "failed", "delivered", "read", "canceled")


@dataclass(frozen=True)
class InboundSms:
    """The parts of Twilio's incoming-message webhook the helpline uses."""

    message_sid: str
    from_number: str
    to_number: str
    body: str
    num_media: int = 0

    @classmethod
    def from_form(cls, form: Any) -> InboundSms:
        """Read Twilio's form fields; missing or odd values become empty, never an error."""
        try:
            media = int(form.get("NumMedia", "0") or 0)
        except ValueError:
            media = 0
        return cls(
            message_sid=cap("MessageSid",
                            str(form.get("MessageSid") or form.get("SmsSid") or "")),
            from_number=cap("From", str(form.get("From", ""))),
            to_number=cap("To", str(form.get("To", ""))),
            # Twilio's longest SMS body is 1600 characters; anything longer is not a real text.
            body=cap("Body", str(form.get("Body", ""))),
            num_media=media,
        )


@dataclass(frozen=True)
class Reply:
    """One text to send back, and the log row its delivery status belongs to."""

    body: str
    ref: int | None = None


@dataclass(frozen=True)
class Settings:
    """Where the dialogue's data files are, and how many texts from one number are answered in
    an hour."""

    data_dir: str
    templates_dir: str
    replies_per_hour: int = 30
    promise_days: int = 2  # CALLBACK_WORKING_DAYS: the call-back promise in every channel


def answer_text_message(session: Session, inbound: InboundSms, settings: Settings) -> list[Reply]:
    """The replies to a text; a redelivered MessageSid gets the same and changes nothing.

    The text, its replies, the conversation and any action are written in one transaction
    whose first statement logs the text under its MessageSid (unique for inbound rows): a
    redelivery fails there, is rolled back whole, and gets the replies logged the first time.
    """
    # Only a real number has a conversation: "Anonymous", a sender name or a malformed From
    # would otherwise share one memory, opt-out and callback between different people.
    phone = to_e164(inbound.from_number)
    try:
        # If the commit did land before the connection went, the second try finds the
        # MessageSid logged and answers with the same replies.
        return once_more_if_connection_lost(
            lambda: _answer_unless_overtaken(session, inbound, phone, settings), session
        )
    except IntegrityError:
        session.rollback()
        stored = _stored(session, inbound.message_sid, phone)
        if stored is not None:
            return stored
        return _apologise(session, inbound, phone, settings, "conflict")
    except Exception:
        session.rollback()
        log.exception("the text dialogue failed for %s; sent the apology", mask_phone(phone))
        return _apologise(session, inbound, phone, settings, "error")


class ConversationChanged(Exception):
    """Another text from the same number was answered while this one was."""


# Two texts from one number at the same moment: each try loses only to a text that won, so a
# handful of tries is plenty; past them the family gets the apology, never a wrong memory.
TRIES_WHEN_OVERTAKEN = 5


def _answer_unless_overtaken(
    session: Session, inbound: InboundSms, phone: str | None, settings: Settings
) -> list[Reply]:
    for _ in range(TRIES_WHEN_OVERTAKEN - 1):
        try:
            return _answer(session, inbound, phone, settings)
        except ConversationChanged:
            # Nothing of this try is kept; answer again from what the other text left.
            session.rollback()
    return _answer(session, inbound, phone, settings)


def _stored(session: Session, sid: str, phone: str | None) -> list[Reply] | None:
    """The replies logged for a MessageSid already answered; None if it never was.

    Only to the number that sent it: another family's replies are never given out, whatever
    MessageSid a request carries.
    """
    if not sid:
        return None
    sender = session.execute(select(_MESSAGES.c.phone_number).where(
        _MESSAGES.c.message_sid == sid, _MESSAGES.c.direction == "in")).first()
    if sender is None or sender.phone_number != phone:
        return None
    rows = session.execute(
        select(_MESSAGES.c.body, _MESSAGES.c.id)
        .where(_MESSAGES.c.replying_to == sid, _MESSAGES.c.direction == "out")
        .order_by(_MESSAGES.c.id)
    )
    return [Reply(body or "", ref) for body, ref in rows]


def _context(session: Session, settings: Settings, revision: int | None) -> engine.Context:
    centroids = centroids_in(settings.data_dir)
    return engine.Context(
        keywords=keywords_from(settings.data_dir),
        templates=templates_from(settings.templates_dir),
        directory=LocalOfferDirectory(session, revision),
        find_place=centroids.find,
        now=time.time(),
        unknown_place=centroids.unknown,
        promise_days=settings.promise_days,
    )


_MESSAGES = SmsMessage.__table__
_CONVERSATIONS = SmsConversation.__table__
_OPT_OUTS = OptOut.__table__


# Built once: a statement object per text would cost more than running it. One look-up of the
# conversation (a row of constants left-joined to it), not one subquery per column.
_ONE = select(literal(1).label("one")).subquery()
_REMEMBERED = select(
    _CONVERSATIONS.c.language,
    _CONVERSATIONS.c.state,
    exists().where(_OPT_OUTS.c.phone_number == bindparam("phone")),
    _CONVERSATIONS.c.version,
    # The directory's revision too: a search then needn't ask for it in a round trip of its own.
    select(DirectoryRevision.__table__.c.revision)
    .where(DirectoryRevision.__table__.c.id == 1).scalar_subquery(),
    _CONVERSATIONS.c.counted_hour,
    _CONVERSATIONS.c.texts_this_hour,
).select_from(_ONE.outerjoin(_CONVERSATIONS, _CONVERSATIONS.c.phone_number == bindparam("phone")))


class Remembered(NamedTuple):
    """What one read tells about a number, and the directory's revision."""

    language: str = "en"
    state: dict[str, Any] | None = None
    opted_out: bool = False
    version: int = 0  # 0: no conversation yet
    revision: int | None = None  # None: not read (the search reads it)
    counted_hour: int = 0  # the clock hour texts_this_hour counts (hours since 1970)
    texts_this_hour: int = 0
_LOG_MESSAGES = insert(_MESSAGES).returning(_MESSAGES.c.id, sort_by_parameter_order=True)


def _remembered(connection: Connection, phone: str) -> Remembered:
    """What is remembered about a number, in one round trip; defaults if unknown."""
    # Core on a connection (the session's, or one of its own): the ORM's execute layer costs
    # more than the query.
    language, state, opted_out, version, revision, hour, texts = connection.execute(
        _REMEMBERED, {"phone": phone}).one()
    return Remembered(language or "en", state, bool(opted_out), int(version or 0),
                      int(revision or 0), int(hour or 0), int(texts or 0))


def _answer(
    session: Session, inbound: InboundSms, phone: str | None, settings: Settings
) -> list[Reply]:
    # A text with no action (most of them) is written in one statement, so on PostgreSQL it
    # needs no transaction: the read and that write are two round trips, not BEGIN ... COMMIT,
    # on a connection of their own (the ORM session's bookkeeping around two statements cost
    # about as much CPU as they did). The session is still there for the directory's reads.
    own = autocommit_connection(session) if phone else None
    try:
        return _answer_on(own, session, inbound, phone, settings)
    finally:
        if own is not None:
            own.close()


def _answer_on(
    own: Connection | None, session: Session, inbound: InboundSms, phone: str | None,
    settings: Settings,
) -> list[Reply]:
    known = _remembered(own or session.connection(), phone) if phone else Remembered()
    ctx = _context(session, settings, known.revision)
    before = engine.Conversation.from_state(known.state, known.language, known.opted_out)
    hour = hour_of(ctx.now)
    texts = known.texts_this_hour + 1 if known.counted_hour == hour else 1
    if texts > settings.replies_per_hour and not _opts(ctx, inbound.body):
        outcome = _too_many(before, ctx, first=texts == settings.replies_per_hour + 1)
    else:
        outcome = engine.respond(before, inbound.body, ctx)
    after = outcome.conversation
    if phone is None:
        # Nothing can be sent to a hidden number, and nothing of it kept.
        outcome = engine.Outcome(after, [], [], outcome.insight)
    if own is not None and phone is not None and not outcome.actions:
        sent = _log_and_remember(own, inbound, phone, outcome.insight, outcome.replies, {
            "language": after.language, "state": after.state(), "hour": hour, "texts": texts,
            "read_version": known.version,
        })
        if sent is None:
            raise ConversationChanged
        return sent
    # The writes below go together, in the session's transaction (whatever the directory read
    # through it meanwhile is over: they see the conversation as it was read, or its version
    # check fails and the text is answered again).
    sent = _log(session, inbound, phone, after.language, outcome.insight, outcome.replies)
    for action in outcome.actions:
        _carry_out(session, action, inbound, phone, after.language)
    if phone is not None and not upsert_if_unchanged(session, _CONVERSATIONS, {
        "phone_number": phone, "language": after.language, "state": after.state(),
        "updated_at": utcnow(), "counted_hour": hour, "texts_this_hour": texts,
    }, key=["phone_number"], read=known.version):
        raise ConversationChanged
    session.commit()
    return sent


def _opts(ctx: engine.Context, body: str) -> bool:
    """True for STOP or START (and their other words): always done, whatever the limit."""
    return ctx.templates.index.commands.get(compact(body)) in ("opt_out", "opt_in")


def _too_many(before: engine.Conversation, ctx: engine.Context, first: bool) -> engine.Outcome:
    """Past the hour's limit: once "we have had a lot of texts from you", then silence. The
    conversation is left as it was, so the family carries on where they were next hour."""
    if before.opted_out or not first:
        return engine.Outcome(before, [], [], engine.Insight("limited"))
    t = ctx.templates.get(before.language)
    return engine.Outcome(before, pack([t.render("too_many")], t.language), [],
                          engine.Insight("limited"))


def _carry_out(
    session: Session, action: engine.Action, inbound: InboundSms, phone: str | None,
    language: str,
) -> None:
    if phone is None:
        return
    if isinstance(action, engine.OptOut):
        record_opt_out(session, phone, action.word)
    elif isinstance(action, engine.OptIn):
        record_opt_in(session, phone)
    elif isinstance(action, engine.RequestCallback):
        request_callback(session, cause=f"sms:{inbound.message_sid or time.time_ns()}",
                         phone_number=phone, channel="sms", summary=action.summary,
                         language=language)
    elif isinstance(action, engine.StoreFeedback):
        session.add(LocalOfferFeedback(channel="sms", message_sid=inbound.message_sid or None,
                                       phone_number=phone, body=action.text, language=language))


def _log(
    session: Session, inbound: InboundSms, phone: str | None, language: str,
    insight: engine.Insight, replies: list[str],
) -> list[Reply]:
    """Log the text and its replies in one INSERT; the replies' row ids tie status callbacks."""
    sid = inbound.message_sid or None
    now = utcnow()

    def entry(direction: str, body: str) -> dict[str, Any]:
        return {
            "direction": direction, "message_sid": sid if direction == "in" else None,
            "replying_to": sid if direction == "out" else None,
            "phone_number": phone, "body": body, "language": language,
            "intent": insight.intent, "keyword": insight.keyword, "area": insight.area,
            "result_count": insight.result_count, "segments": count_segments(body).segments,
            "status": "received" if direction == "in" else None,
            "service_ids": " ".join(insight.service_ids)[:4000] or None
            if direction == "in" else None,
            "created_at": now, "updated_at": now,
        }

    rows = [entry("in", inbound.body)] + [entry("out", body) for body in replies]
    ids = session.connection().execute(_LOG_MESSAGES, rows).scalars().all()
    return [Reply(body, ref) for body, ref in zip(replies, ids[1:], strict=True)]


# The text, its replies and the conversation in one statement (PostgreSQL): the conversation is
# written only if its version is still the one read, and the text only if it was. The log rows
# are those _log() writes; their ids come back in the order of the bodies (the first the text's).
_LOG_AND_REMEMBER = text("""
WITH conversation AS (
    INSERT INTO sms_conversation AS c
        (phone_number, language, state, updated_at, version, counted_hour, texts_this_hour)
    VALUES (:phone, :language, :state, :now, :read_version + 1, :hour, :texts)
    ON CONFLICT (phone_number) DO UPDATE SET
        language = excluded.language, state = excluded.state, updated_at = excluded.updated_at,
        counted_hour = excluded.counted_hour, texts_this_hour = excluded.texts_this_hour,
        version = c.version + 1
    WHERE c.version = :read_version
    RETURNING c.version
), logged AS (
    INSERT INTO sms_message (direction, message_sid, replying_to, phone_number, body, language,
        intent, keyword, area, result_count, segments, status, service_ids, created_at,
        updated_at)
    SELECT CASE WHEN r.n = 1 THEN 'in' ELSE 'out' END,
        CASE WHEN r.n = 1 THEN CAST(:sid AS varchar) END,
        CASE WHEN r.n > 1 THEN CAST(:sid AS varchar) END,
        :phone, r.body, :language, :intent, CAST(:keyword AS varchar), CAST(:area AS text),
        CAST(:result_count AS integer), r.segments, CASE WHEN r.n = 1 THEN 'received' END,
        CASE WHEN r.n = 1 THEN CAST(:service_ids AS text) END, :now, :now
    FROM unnest(CAST(:bodies AS text[]), CAST(:segments AS integer[]))
        WITH ORDINALITY AS r (body, segments, n)
    WHERE EXISTS (SELECT FROM conversation)
    ORDER BY r.n
    RETURNING id
)
SELECT id FROM logged ORDER BY id
""").bindparams(
    bindparam("phone", type_=String()), bindparam("language", type_=String()),
    bindparam("state", type_=_CONVERSATIONS.c.state.type),
    bindparam("now", type_=_MESSAGES.c.created_at.type),
    bindparam("read_version", type_=Integer()), bindparam("hour", type_=Integer()),
    bindparam("texts", type_=Integer()), bindparam("intent", type_=String()),
)


def _log_and_remember(
    connection: Connection, inbound: InboundSms, phone: str, insight: engine.Insight,
    replies: list[str], conversation: dict[str, Any],
) -> list[Reply] | None:
    """_log() and the conversation's write together, in one statement (PostgreSQL, on a
    connection whose statements commit as they run); None, and nothing written, if another
    text changed the conversation since it was read."""
    bodies = [inbound.body, *replies]
    ids = connection.execute(_LOG_AND_REMEMBER, {
        **conversation, "phone": phone, "now": utcnow(), "sid": inbound.message_sid or None,
        "intent": insight.intent, "keyword": insight.keyword, "area": insight.area,
        "result_count": insight.result_count,
        "service_ids": " ".join(insight.service_ids)[:4000] or None,
        "bodies": bodies, "segments": [count_segments(body).segments for body in bodies],
    }).scalars().all()
    if not ids:
        return None
    return [Reply(body, ref) for body, ref in zip(replies, ids[1:], strict=True)]


def _apologise(
    session: Session, inbound: InboundSms, phone: str | None, settings: Settings, intent: str
) -> list[Reply]:
    """The safe answer when the dialogue failed: sorry and the menu, logged as an error."""
    language = "en"
    try:
        templates: TemplateSet = templates_from(settings.templates_dir)
        if phone:
            language, _, opted_out, *_ = _remembered(session.connection(), phone)
            if opted_out:
                return []
        t = templates.get(language)
        texts = pack([t.render("error"), t.render("menu")], t.language)
    except Exception:
        session.rollback()
        log.exception("could not build the apology for %s", mask_phone(phone))
        return [Reply(FALLBACK_APOLOGY)]
    try:
        sent = _log(session, inbound, phone, language, engine.Insight(intent), texts)
        session.commit()
        return sent
    except Exception:
        session.rollback()
        log.exception("could not log the apology for %s", mask_phone(phone))
        return [Reply(text) for text in texts]


# Used only if even the template files can't be read: a family still gets an answer.
FALLBACK_APOLOGY = "Sorry, something went wrong on our side. Please try again later."


def record_status(session: Session, ref: str | None, message_sid: str, status: str) -> bool:
    """Record a delivery status for a logged outbound text; False (and no change) if unknown."""
    row = None
    if ref and ref.isdecimal() and len(ref) < 10:  # a row id, not any number a URL carries
        row = session.get(SmsMessage, int(ref))
        if row is not None and (row.direction != "out" or
                                (row.message_sid and row.message_sid != message_sid)):
            row = None
    if row is None and message_sid:
        row = session.scalar(select(SmsMessage).where(
            SmsMessage.message_sid == message_sid, SmsMessage.direction == "out"))
    status = status.strip().lower()[:32]
    if row is None or not status:
        return False
    if message_sid and not row.message_sid:
        row.message_sid = message_sid[:64]
    # Callbacks can arrive out of order: never move a status backwards.
    if _rank(status) >= _rank(row.status):
        row.status = status
    row.updated_at = utcnow()
    session.commit()
    return True


def _rank(status: str | None) -> int:
    return STATUS_ORDER.index(status) if status in STATUS_ORDER else -1


def settings_for(config: Any) -> Settings:
    """Settings from the Flask config (read on every text: made once for the same values)."""
    return _settings(config["DATA_DIR"], config["SMS_TEMPLATES_DIR"],
                     config.get("LIMIT_SMS_REPLIES_PER_HOUR", 30),
                     config.get("CALLBACK_WORKING_DAYS", 2))


@lru_cache(maxsize=16)
def _settings(data_dir: Any, templates_dir: Any, replies_per_hour: Any, days: Any) -> Settings:
    return Settings(str(Path(data_dir)), str(Path(templates_dir)), max(1, int(replies_per_hour)),
                    int(days))
