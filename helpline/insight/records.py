"""Reading one period's rows for the insight figures: the only part that touches the database."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import current_app
from sqlalchemy import ColumnElement, and_, func, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from helpline.advisers.models import Escalation
from helpline.directory.keywords import keywords_from
from helpline.directory.models import utcnow
from helpline.families.callbacks import promised_by
from helpline.families.models import CallbackAttempt, CallbackRequest
from helpline.insight.figures import (
    Call,
    Callback,
    Figures,
    QueuedCall,
    Records,
    TextIn,
    TextOut,
    figures_from,
    found_nothing,
)
from helpline.insight.period import Period
from helpline.outbound.models import OutboundMessage
from helpline.sms.models import SmsMessage
from helpline.sms.segments import count_segments
from helpline.voice.models import CallLog

# Texts the helpline sent on its own that left it (a refused or failed one cost nothing).
WENT_OUT = ("sending", "sent", "delivered", "undelivered")


def insight_for(session: Session, period: Period, now: datetime | None = None) -> Figures:
    """The insight figures for a period: what the page, its CSV and `helpline insight` show."""
    return figures_from(load(session, period, now))


def load(session: Session, period: Period, now: datetime | None = None) -> Records:
    """The period's texts, calls, queue, callbacks and sent texts, as plain rows."""
    records = Records(period=period, now=now or utcnow())
    _texts(session, records)
    _calls(session, records)
    _callbacks(session, records)
    records.node_keywords, records.keyword_areas = _menu_keywords()
    return records


def _in(column: InstrumentedAttribute[datetime], period: Period) -> ColumnElement[bool]:
    return and_(column >= period.start, column < period.end)


def _texts(session: Session, records: Records) -> None:
    period = records.period
    for intent, keyword, area, result_count, body in session.execute(
        select(SmsMessage.intent, SmsMessage.keyword, SmsMessage.area, SmsMessage.result_count,
               SmsMessage.body)
        .where(SmsMessage.direction == "in", _in(SmsMessage.created_at, period))
    ):
        text = TextIn(intent or "", keyword, area, result_count, None)
        # The words are kept only where a search found nothing: the gaps, not what was said.
        records.texts_in.append(TextIn(intent or "", keyword, area, result_count, body)
                                if found_nothing(text) else text)
    replies = session.execute(
        select(SmsMessage.language, func.count(), func.coalesce(func.sum(SmsMessage.segments), 0))
        .where(SmsMessage.direction == "out", _in(SmsMessage.created_at, period))
        .group_by(SmsMessage.language)
    ).all()
    records.texts_out += [TextOut(language or "en", int(segments or 0), int(count or 0))
                          for language, count, segments in replies]
    for language, segments, body in session.execute(
        select(OutboundMessage.language, OutboundMessage.segments, OutboundMessage.body)
        .where(OutboundMessage.status.in_(WENT_OUT), _in(OutboundMessage.created_at, period))
    ):
        # Rows from before segments were recorded: count them from the body while it is kept.
        cost = segments if segments is not None else (count_segments(body).segments if body
                                                      else 1)
        records.texts_out.append(TextOut(language or "en", int(cost or 0)))


def _calls(session: Session, records: Records) -> None:
    period = records.period
    records.calls = [
        Call(tuple(s for s in (path or "").split(" > ") if s), unmet)
        for path, unmet in session.execute(
            select(CallLog.path, CallLog.body).where(_in(CallLog.created_at, period)))
    ]
    records.queued = [
        QueuedCall(status, created, answered, updated or created)
        for status, created, answered, updated in session.execute(
            select(Escalation.status, Escalation.created_at, Escalation.answered_at,
                   Escalation.updated_at)
            # A caller gone before advisers were rung leaves a row with no queue name: they
            # still waited, so they count as abandoned.
            .where(_in(Escalation.created_at, period))
        )
    ]


def _callbacks(session: Session, records: Records) -> None:
    working = int(current_app.config.get("CALLBACK_WORKING_DAYS", 2))
    first_call = (
        select(CallbackAttempt.callback_id, func.min(CallbackAttempt.created_at).label("at"))
        .group_by(CallbackAttempt.callback_id).subquery()
    )
    for created, status, first in session.execute(
        select(CallbackRequest.created_at, CallbackRequest.status, first_call.c.at)
        .outerjoin(first_call, first_call.c.callback_id == CallbackRequest.id)
        .where(_in(CallbackRequest.created_at, records.period))
    ):
        records.callbacks.append(Callback(status, promised_by(_aware(created), working), first))


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _menu_keywords() -> tuple[dict[str, str], dict[str, str]]:
    """The phone menu's services nodes and their keywords; every keyword's area."""
    from helpline.voice.answers import current_flow

    keywords = keywords_from(current_app.config["DATA_DIR"])
    areas = {area.keyword: area.area for area in keywords.areas}
    nodes = {name: node.services for name, node in current_flow().nodes.items()
             if node.services}
    return nodes, areas
