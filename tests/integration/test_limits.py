"""Limits per number and per hour, and the ceiling on everything sent: abuse costs the council
little, and never stops STOP or a family's first text."""

from __future__ import annotations

import logging
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select, update

from helpline.advisers.escalation import caller_waiting
from helpline.advisers.models import Adviser, Escalation, RotaSlot
from helpline.extensions import db
from helpline.families.callbacks import request_callback
from helpline.families.models import CallbackRequest, OptOut
from helpline.limits import hour_of
from helpline.outbound.models import OutboundMessage
from helpline.outbound.outbox import queue_text
from helpline.sms.models import SmsConversation
from helpline.sms.templates import templates_from
from helpline.voice.models import CallLog
from tests.conftest import TwilioSigner
from tests.integration.conftest import make_app
from tests.integration.test_outbox_worker import run_worker
from tests.prism import TwilioApi

FAMILY = "+447700900123"
ADVISER = "+447700900201"


def text(signer: TwilioSigner, body: str, n: int, sender: str = FAMILY) -> list[str]:
    response = signer.post("/twilio/sms", {"MessageSid": f"SM{n:032d}", "From": sender,
                                           "To": "+447700900000", "Body": body})
    assert response.status_code == 200
    return [m.text or "" for m in ET.fromstring(response.data).iter("Message")]


def too_many(language: str) -> str:
    from flask import current_app

    return templates_from(current_app.config["SMS_TEMPLATES_DIR"]).get(language).render(
        "too_many")


@pytest.mark.parametrize("language", ["en", "pl", "ur"])
def test_past_the_hours_limit_one_notice_then_silence(
    app: Flask, make_app: Any, language: str
) -> None:
    app = make_app(LIMIT_SMS_REPLIES_PER_HOUR=3)
    signer = TwilioSigner(app.test_client())
    switch = {"en": "MENU", "pl": "POLSKI", "ur": "URDU"}[language]
    assert text(signer, switch, 1)  # the first text: answered
    assert text(signer, "SHORTBREAKS", 2)
    assert text(signer, "MENU", 3)
    with app.app_context():
        notice = too_many(language)
    assert text(signer, "SHORTBREAKS", 4) == [notice]
    for n in range(5, 9):
        assert text(signer, "SHORTBREAKS", n) == []
    # Another family's first text is answered as ever.
    assert text(signer, "MENU", 9, sender="+447700900124")
    # STOP is always done, however many texts came first.
    assert text(signer, "STOP", 10) == []
    with app.app_context():
        assert db.session.get(OptOut, FAMILY) is not None
        # Next hour the family is answered again, where they left off.
        db.session.execute(update(SmsConversation).values(counted_hour=hour_of() - 1))
        db.session.commit()
    assert text(signer, "START", 11)
    assert text(signer, "MENU", 12)


def test_a_redelivered_text_is_not_counted_twice(app: Flask, make_app: Any) -> None:
    app = make_app(LIMIT_SMS_REPLIES_PER_HOUR=2)
    signer = TwilioSigner(app.test_client())
    first = text(signer, "MENU", 1)
    assert text(signer, "MENU", 1) == first  # Twilio retrying the same MessageSid
    assert text(signer, "MENU", 2)  # the second text of the hour is still answered


def open_callbacks(app: Flask) -> list[CallbackRequest]:
    with app.app_context():
        rows = db.session.scalars(select(CallbackRequest)).all()
        for row in rows:
            db.session.expunge(row)
        return list(rows)


def test_one_open_callback_request_per_number_whatever_the_channel(app: Flask) -> None:
    with app.app_context():
        first, made = request_callback(db.session, cause="call:CA1:callback", phone_number=FAMILY,
                                       channel="voice", summary="Phone menu: short breaks")
        assert made
        again, made_again = request_callback(
            db.session, cause="sms:SM2", phone_number=FAMILY, channel="sms",
            summary="Text: please call about transport")
        assert not made_again and again.id == first.id
        request_callback(db.session, cause="call:CA3:message", phone_number=FAMILY,
                         channel="voicemail", summary="Phone menu", recording_url="https://r/1")
        other, made_other = request_callback(db.session, cause="sms:SM4",
                                             phone_number="+447700900124", channel="sms",
                                             summary="Text: call me")
        assert made_other and other.id != first.id
        db.session.commit()
        texts = db.session.scalar(select(func.count()).select_from(OutboundMessage))
    rows = open_callbacks(app)
    assert len(rows) == 2
    mine = next(r for r in rows if r.phone_number == FAMILY)
    # The repeats updated it: the adviser sees every request's words and the message left.
    assert mine.summary.split("\n") == ["Phone menu: short breaks",
                                         "Text: please call about transport", "Phone menu"]
    assert mine.recording_url == "https://r/1"
    assert texts == 1  # one "we have your request" text, not three


def test_a_new_request_is_taken_once_the_last_one_is_done(app: Flask) -> None:
    with app.app_context():
        first, _ = request_callback(db.session, cause="sms:SM1", phone_number=FAMILY,
                                    channel="sms", summary="call me")
        first.status = "done"
        db.session.commit()
        second, made = request_callback(db.session, cause="sms:SM2", phone_number=FAMILY,
                                        channel="sms", summary="call me again")
        db.session.commit()
        assert made and second.id != first.id


@pytest.fixture
def adviser_app(app: Flask, tmp_path: Path, redis_url: str,
                twilio_api: TwilioApi) -> Iterator[Flask]:
    application = make_app(app, tmp_path, REDIS_URL=redis_url,
                           TWILIO_API_BASE_URL=twilio_api.url)
    add_adviser_on_duty(application)
    yield application


def add_adviser_on_duty(app: Flask) -> None:
    with app.app_context():
        adviser = Adviser(name="Asha", mobile=ADVISER)
        adviser.hours = [RotaSlot(weekday=d, start_minute=0, end_minute=24 * 60)
                         for d in range(7)]
        db.session.add(adviser)
        db.session.commit()


def call_asks_for_adviser(app: Flask, call_sid: str, number: str = FAMILY) -> None:
    with app.app_context():
        db.session.add(CallLog(call_sid=call_sid, phone_number=number, path="main"))
        db.session.commit()
        caller_waiting(db.session, call_sid=call_sid, queue_name="advisers",
                       menu_path=["main"], language="en")
    run_worker(app)


def test_a_number_already_waiting_is_not_rung_for_again(
    adviser_app: Flask, twilio_api: TwilioApi
) -> None:
    call_asks_for_adviser(adviser_app, "CA" + "1" * 32)
    for n in range(2, 6):  # the same number calling again and pressing 0, four times
        call_asks_for_adviser(adviser_app, "CA" + str(n) * 32)
    assert [r.form["To"] for r in twilio_api.posts_to("/Calls.json")] == [ADVISER]
    assert [r.form["To"] for r in twilio_api.posts_to("/Messages.json")] == [ADVISER]
    with adviser_app.app_context():
        statuses = db.session.scalars(select(Escalation.status).order_by(Escalation.id)).all()
    assert statuses == ["ringing", "unanswered", "unanswered", "unanswered", "unanswered"]
    # Each later call was sent on to leave a message or ask for a call back.
    redirects = [r for r in twilio_api.requests if r.method == "POST" and "/Calls/CA" in r.path]
    assert len(redirects) == 4
    # Another family still reaches an adviser... once the adviser is free of the first.
    call_asks_for_adviser(adviser_app, "CA" + "7" * 32, number="+447700900124")
    assert len(twilio_api.posts_to("/Calls.json")) == 2


def test_a_number_just_rung_is_not_rung_again_within_the_hour(
    app: Flask, make_app: Any, redis_url: str, twilio_api: TwilioApi
) -> None:
    app = make_app(REDIS_URL=redis_url, TWILIO_API_BASE_URL=twilio_api.url,
                   LIMIT_ESCALATIONS_PER_HOUR=1)
    add_adviser_on_duty(app)
    call_asks_for_adviser(app, "CA" + "1" * 32)
    with app.app_context():  # that call ended: nobody is waiting now
        db.session.execute(update(Escalation).values(status="ended"))
        db.session.commit()
    call_asks_for_adviser(app, "CA" + "2" * 32)
    assert len(twilio_api.posts_to("/Calls.json")) == 1


def follow_up(app: Flask, n: int, purpose: str = "voice-services") -> bool:
    with app.app_context():
        row = queue_text(db.session, to=FAMILY, body="Short breaks: 01632 960550",
                         cause=f"call:CA{n}:services", purpose=purpose)
        db.session.commit()
        return row is not None


@pytest.mark.parametrize("store", ["database", "redis"])
def test_follow_up_texts_per_number_per_hour(
    app: Flask, make_app: Any, redis_url: str, store: str
) -> None:
    app = make_app(LIMIT_FOLLOW_UP_TEXTS_PER_HOUR=2,
                   REDIS_URL=redis_url if store == "redis" else "")
    assert follow_up(app, 1) and follow_up(app, 2)
    assert follow_up(app, 2)  # the same cause again is the same text, not a new one
    assert not follow_up(app, 3)
    assert follow_up(app, 4, purpose="adviser-alert")  # staff alerts are never held back
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(OutboundMessage)) == 3


@pytest.mark.parametrize("store", ["database", "redis"])
def test_the_hourly_ceiling_holds_texts_back_with_an_alert(
    app: Flask, make_app: Any, redis_url: str, twilio_api: TwilioApi, store: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    app = make_app(OUTBOUND_CEILING_PER_HOUR=2, TWILIO_API_BASE_URL=twilio_api.url,
                   REDIS_URL=redis_url if store == "redis" else "",
                   OUTBOUND_RETRY_INTERVALS=[0])
    caplog.set_level(logging.WARNING)
    logging.getLogger("helpline.limits").disabled = False  # Alembic's fileConfig turns it off
    for n in range(4):
        follow_up(app, n, purpose="adviser-alert")  # not held back per number
    if store == "redis":
        run_worker(app)
    assert len(twilio_api.posts_to("/Messages.json")) == 2
    with app.app_context():
        statuses = sorted(db.session.scalars(select(OutboundMessage.status)).all())
    assert statuses == ["pending", "pending", "sent", "sent"]  # held, not dropped
    assert [r for r in caplog.records if "ceiling" in r.getMessage()]
    answer = app.test_client().get("/healthz")
    health = answer.get_json()
    assert health["outbound"]["reached"] is True and health["outbound"]["ceiling"] == 2
    assert any("outbound ceiling reached" in w for w in health["warnings"])
    assert app.test_client().get("/healthz?strict=1").status_code == 503  # for a monitor
