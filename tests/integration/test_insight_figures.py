"""Every insight figure pinned on a fixture of texts, calls, the queue and call backs (on SQLite
and PostgreSQL): the page, its CSV and `helpline insight` all count with insight_for."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from flask import Flask

from helpline.advisers.models import Escalation
from helpline.extensions import db
from helpline.families.models import CallbackAttempt, CallbackRequest
from helpline.insight import tables
from helpline.insight.figures import OWN_WORDS
from helpline.insight.period import between
from helpline.insight.records import insight_for
from helpline.outbound.models import OutboundMessage
from helpline.sms.models import SmsMessage
from helpline.voice.models import CallLog

# Monday 2 November 2026 to Sunday 8 November 2026 (UK time is UTC in November).
PERIOD = between(date(2026, 11, 2), date(2026, 11, 8), "Europe/London")
IN = datetime(2026, 11, 3, 10, 0, tzinfo=UTC)  # a Tuesday
BEFORE = datetime(2026, 11, 1, 23, 59, tzinfo=UTC)
AFTER = datetime(2026, 11, 9, 0, 0, tzinfo=UTC)
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def _text(direction: str, body: str, *, intent: str = "", keyword: str | None = None,
          area: str | None = None, found: int | None = None, language: str = "en",
          segments: int = 1, at: datetime = IN) -> SmsMessage:
    return SmsMessage(direction=direction, phone_number="+447700900123", body=body,
                      language=language, intent=intent, keyword=keyword, area=area,
                      result_count=found, segments=segments, created_at=at, updated_at=at)


def _fixture() -> None:
    session = db.session()
    session.add_all([
        _text("in", "SHORTBREAKS", intent="keyword", keyword="SHORTBREAKS", area="Short breaks",
              found=6),
        _text("in", "short breaks 12", intent="keyword", keyword="SHORTBREAKS",
              area="Short breaks", found=0),
        _text("in", "horse riding for my son LN2 07700900123", intent="no_match", found=0),
        _text("in", "Hi is there horse riding", intent="no_match", found=0,
              area="Short breaks"),
        _text("in", "speech therapy", intent="search", found=4),
        _text("in", "STOP", intent="opt_out"),
        _text("in", "STOP", intent="opt_out"),
        _text("in", "START", intent="opt_in"),
        _text("in", "MORE", intent="more", keyword="SHORTBREAKS"),
        _text("in", "SHORTBREAKS", intent="keyword", keyword="SHORTBREAKS",
              area="Short breaks", found=6, at=BEFORE),  # outside the period
        _text("in", "riding", intent="no_match", found=0, at=AFTER),
        _text("out", "reply", segments=2),
        _text("out", "reply", segments=3),
        _text("out", "odpowiedź", language="pl", segments=4),
        _text("out", "reply", segments=5, at=AFTER),
    ])
    session.add_all([
        OutboundMessage(cause="a", purpose="text-me-this", body="x", language="en",
                        status="delivered", segments=2, created_at=IN),
        OutboundMessage(cause="b", purpose="text-me-this", body="x", language="ur",
                        status="sent", segments=3, created_at=IN),
        OutboundMessage(cause="c", purpose="text-me-this", body="x", language="en",
                        status="refused", segments=9, created_at=IN),  # never sent
    ])
    session.add_all([
        CallLog(call_sid="CA1", path="language:en > main > breaks > shortbreaks > text",
                created_at=IN),
        # Back to the same menu twice: one request; and a spoken search.
        CallLog(call_sid="CA2", path="language:en > main > breaks > shortbreaks > # > "
                "shortbreaks > @search", body="horse riding please", created_at=IN),
        CallLog(call_sid="CA3", path="language:pl > main > health", created_at=IN),
        CallLog(call_sid="CA4", path="language:en > adviser", created_at=IN),
        CallLog(call_sid="CA5", path="language:en > main > health", created_at=AFTER),
    ])
    minute = timedelta(minutes=1)
    session.add_all([
        Escalation(call_sid="CA1", queue_name="q", status="connected", created_at=IN,
                   answered_at=IN + 2 * minute, updated_at=IN + 2 * minute),
        Escalation(call_sid="CA2", queue_name="q", status="ended", created_at=IN,
                   answered_at=IN + 4 * minute, updated_at=IN + 9 * minute),
        Escalation(call_sid="CA3", queue_name="q", status="connected", created_at=IN,
                   answered_at=IN + 10 * minute, updated_at=IN + 10 * minute),
        Escalation(call_sid="CA4", queue_name="q", status="ended", created_at=IN,
                   updated_at=IN + 1 * minute),
        Escalation(call_sid="CA6", queue_name="q", status="ended", created_at=IN,
                   updated_at=IN + 3 * minute),
        Escalation(call_sid="CA7", queue_name="q", status="unanswered", created_at=IN,
                   updated_at=IN + 5 * minute),
        Escalation(call_sid="CA8", queue_name="q", status="connected", created_at=AFTER,
                   answered_at=AFTER + minute, updated_at=AFTER + minute),
    ])
    # Asked Tuesday 3 November 10:00: promised by Thursday 5 November 10:00 (2 working days).
    on_time = CallbackRequest(cause="1", channel="sms", status="done", created_at=IN)
    late = CallbackRequest(cause="2", channel="voice", status="done", created_at=IN)
    overdue = CallbackRequest(cause="3", channel="sms", status="new", created_at=IN)
    closed = CallbackRequest(cause="4", channel="sms", status="done", created_at=IN)
    not_due = CallbackRequest(cause="5", channel="sms", status="new",
                              created_at=datetime(2026, 11, 8, 20, tzinfo=UTC))
    elsewhere = CallbackRequest(cause="6", channel="sms", status="new", created_at=AFTER)
    session.add_all([on_time, late, overdue, closed, not_due, elsewhere])
    session.flush()
    session.add_all([
        CallbackAttempt(callback_id=on_time.id, outcome="no-answer",
                        created_at=datetime(2026, 11, 5, 9, 59, tzinfo=UTC)),
        CallbackAttempt(callback_id=on_time.id, outcome="reached",
                        created_at=datetime(2026, 11, 6, 9, tzinfo=UTC)),
        CallbackAttempt(callback_id=late.id, outcome="reached",
                        created_at=datetime(2026, 11, 5, 10, 1, tzinfo=UTC)),
    ])
    session.commit()


def test_each_insight_figure_counts_exactly_what_happened_in_the_period(app: Flask) -> None:
    with app.app_context():
        _fixture()
        # not_due was asked Sunday 8 November: promised by Tuesday 10th, after "now" here.
        figures = insight_for(db.session(), PERIOD, now=datetime(2026, 11, 9, 12, tzinfo=UTC))

    assert figures.texts_received == 9
    assert figures.calls_received == 4
    requests = {(r.area, r.keyword): (r.texts, r.calls, r.found_nothing)
                for r in figures.requests}
    assert requests == {
        ("Short breaks", "SHORTBREAKS"): (2, 2, 1),
        ("Short breaks", OWN_WORDS): (1, 0, 1),  # nothing close; Short breaks was nearest
        (OWN_WORDS, OWN_WORDS): (2, 1, 2),  # the caller's own words found nothing too
        ("Health", "HEALTH"): (0, 1, 0),
    }
    assert (figures.searches_found_nothing, figures.calls_found_nothing) == (3, 1)
    assert figures.missed_words[:2] == [("horse", 3), ("riding", 3)]
    found_words = {w for w, _ in figures.missed_words}
    assert not any(any(c.isdigit() for c in w) for w in found_words)
    assert "ln2" not in found_words and "hi" not in found_words

    queue = figures.queue
    assert (queue.asked, queue.answered, queue.abandoned, queue.no_adviser_free,
            queue.waiting) == (6, 3, 2, 1, 0)
    assert queue.median_wait_answered == 240.0  # 2, 4 and 10 minutes
    assert queue.median_wait_abandoned == 120.0  # 1 and 3 minutes

    callbacks = figures.callbacks
    assert (callbacks.requested, callbacks.on_time, callbacks.late, callbacks.overdue,
            callbacks.not_yet_due, callbacks.closed_without_a_call) == (5, 1, 1, 1, 1, 1)

    assert (figures.opt_outs, figures.opt_ins) == (2, 1)
    sent = {s.language: (s.texts, s.segments) for s in figures.sent}
    assert sent == {"en": (3, 7), "pl": (1, 4), "ur": (1, 3)}


def test_the_csv_holds_the_same_figures_and_no_number(app: Flask) -> None:
    with app.app_context():
        _fixture()
        figures = insight_for(db.session(), PERIOD, now=NOW)
    lines = tables.as_csv(figures).splitlines()
    assert "requests,2026-11-02T00:00:00+00:00,2026-11-09T00:00:00+00:00,Short breaks /" \
           " SHORTBREAKS,Calls,2" in lines
    assert any(line.startswith("calls,") and line.endswith("Median wait,4 min 00 s")
               for line in lines)
    assert any(line.startswith("texts_sent,") and line.endswith(",Polish,SMS segments,4")
               for line in lines)
    assert any(line.startswith("callbacks,") and line.endswith('"Not made, overdue",Number,2')
               for line in lines)  # by 20 November, not_due is overdue too
    assert "7700900" not in "\n".join(lines)
