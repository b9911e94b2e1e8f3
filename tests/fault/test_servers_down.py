"""Redis and PostgreSQL going down and coming back, with real servers of the test's own.

Marked `fault`: `scripts/test -m fault` runs only these (they also run in the full suite).
"""

from __future__ import annotations

import threading
import time
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import func, select

from helpline import create_app
from helpline.extensions import db
from helpline.jobs import run_now
from helpline.outbound.models import OutboundMessage
from helpline.outbound.outbox import queue_text
from helpline.sms.models import SmsConversation, SmsMessage
from tests.conftest import TWILIO_TEST_SID, TwilioSigner, base_config
from tests.fault.servers import private_postgres, private_redis, restart_under_load
from tests.integration.conftest import make_app
from tests.integration.test_outbox_worker import run_worker
from tests.prism import TwilioApi

pytestmark = pytest.mark.fault

FAMILY = "+447700900123"
APOLOGY = "something went wrong"
CALL = {"CallSid": "CA" + "1" * 32, "AccountSid": TWILIO_TEST_SID, "From": FAMILY,
        "To": "+447700900000", "CallStatus": "ringing"}


def sms(n: int, body: str = "MENU", sender: str = FAMILY) -> dict[str, str]:
    return {"MessageSid": f"SM{n:032x}", "AccountSid": TWILIO_TEST_SID, "From": sender,
            "To": "+447700900000", "Body": body}


def replies(response: Any) -> list[str]:
    assert response.status_code == 200
    return [m.text or "" for m in ET.fromstring(response.data).iter("Message")]


def test_redis_down_then_back_webhooks_answer_and_follow_ups_go_once(
    app: Flask, tmp_path: Path, twilio_api: TwilioApi
) -> None:
    with private_redis(tmp_path) as redis_server:
        made = make_app(app, tmp_path, REDIS_URL=redis_server.url,
                        TWILIO_API_BASE_URL=twilio_api.url)
        signer = TwilioSigner(made.test_client())
        redis_server.stop()
        started = time.monotonic()
        assert "SHORTBREAKS" in " ".join(replies(signer.post("/twilio/sms", sms(1))))
        call = signer.post("/twilio/voice", CALL)
        assert call.status_code == 200 and ET.fromstring(call.data).find("Gather") is not None
        assert time.monotonic() - started < 10  # no waiting on a dead Redis
        health = made.test_client().get("/healthz")
        assert health.status_code == 503 and health.get_json()["redis"] == "unreachable"
        with made.app_context():  # what a phone step's text-me-this writes, in its transaction
            row = queue_text(db.session, to=FAMILY, body="Short breaks: 01632 960550",
                             cause="call:CA1:services:breaks", purpose="voice-services")
            db.session.commit()
            assert row is not None and row.status == "pending"
        assert twilio_api.posts_to("/Messages.json") == []

        redis_server.start()
        assert made.test_client().get("/healthz").status_code == 200
        for _ in range(2):  # the sweep runs again later: the text still goes once
            with made.app_context():
                run_now("workers.outbound.enqueue_pending")
            run_worker(made)
        assert [r.form["To"] for r in twilio_api.posts_to("/Messages.json")] == [FAMILY]
        with made.app_context():
            assert db.session.scalars(select(OutboundMessage.status)).all() == ["sent"]


def _app_on(url: str, tmp_path: Path) -> Flask:
    made = create_app({**base_config(url, tmp_path), "SQLALCHEMY_ENGINE_OPTIONS": {
        "hide_parameters": True, "pool_size": 4,
        # What a production deployment sets: a dead server's socket fails fast.
        "connect_args": {"connect_timeout": 2}}})
    with made.app_context():
        upgrade()
    return made


def test_postgresql_restarted_under_load_answers_safely_and_recovers(tmp_path: Path) -> None:
    with private_postgres() as server:
        made = _app_on(server.url, tmp_path)
        results: list[tuple[float, int, str]] = []
        stop = threading.Event()

        def family(worker: int) -> None:
            signer = TwilioSigner(made.test_client())
            n = 0
            while not stop.is_set():
                n += 1
                number = f"+4477009{worker:02d}{n % 50:03d}"
                response = signer.post("/twilio/sms", sms(worker * 100_000 + n, "MENU", number))
                results.append((time.monotonic(), response.status_code,
                                " ".join(replies(response)) if response.status_code == 200
                                else ""))

        threads = [threading.Thread(target=family, args=(w,)) for w in range(3)]
        restarted_at, back_at = restart_under_load(server, threads, stop, 1.5, 2.0)

        assert {status for _, status, _ in results} == {200}  # never a 500, never a trace
        before = [text for at, _, text in results if at < restarted_at]
        after = [text for at, _, text in results if at > back_at + 0.5]
        assert before and after
        # Recovery without restarting the web process: every text after is really answered.
        assert all("SHORTBREAKS" in text and APOLOGY not in text for text in after)
        # While it was down: the apology and the menu, a safe answer.
        assert all("SHORTBREAKS" in text for text in before + after)
        with made.app_context():
            # Nothing half-written: each text logged has its replies, and its number a
            # conversation, or none of it was kept.
            inbound = db.session.scalars(select(SmsMessage.message_sid).where(
                SmsMessage.direction == "in", SmsMessage.intent != "error")).all()
            answered = set(db.session.scalars(select(SmsMessage.replying_to).where(
                SmsMessage.direction == "out")))
            assert inbound and set(inbound) <= answered
            numbers = db.session.scalar(select(func.count(func.distinct(
                SmsMessage.phone_number))).where(SmsMessage.intent != "error"))
            conversations = db.session.scalar(select(func.count()).select_from(SmsConversation))
            assert conversations == numbers
            db.session.remove()
            db.engine.dispose()
