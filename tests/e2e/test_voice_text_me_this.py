"""Text-me-this on a call: the services heard are texted once, by a worker, through Twilio's API.

Jobs go through a real Redis and an RQ SimpleWorker; Twilio's REST API is a local fake that
records each message it is asked to send.
"""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

import pytest
from flask import Flask

from helpline.extensions import db
from tests.e2e.test_call_walk import call, logged, phone_app  # noqa: F401 - the fixture

SHORT_BREAKS = ("1", "1")  # main menu 1, then 1: short breaks
LANGUAGE_KEYS = {"en": "1", "pl": "2", "ur": "3"}


class FakeTwilioApi:
    """Twilio's Messages endpoint on a free local port: answers 201 and keeps what was sent."""

    def __init__(self) -> None:
        self.messages: list[dict[str, str]] = []
        api = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                length = int(self.headers.get("Content-Length", "0"))
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                sid = "SM" + uuid.uuid4().hex
                if self.path.endswith("/Messages.json"):
                    api.messages.append(form)
                body = json.dumps({"sid": sid, "status": "queued", "to": form.get("To"),
                                   "body": form.get("Body")}).encode()
                self.send_response(201)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def twilio_api() -> Iterator[FakeTwilioApi]:
    """A fake of Twilio's REST API for the outbound gateway."""
    api = FakeTwilioApi()
    yield api
    api.close()


@pytest.fixture
def texting_app(phone_app: Flask, redis_url: str, twilio_api: FakeTwilioApi) -> Flask:  # noqa: F811
    """The phone app with jobs on Redis and texts going to the fake Twilio API."""
    from helpline import jobs

    phone_app.config.update(REDIS_URL=redis_url, TWILIO_API_BASE_URL=twilio_api.url)
    jobs.init_app(phone_app)
    return phone_app


def run_worker(app: Flask) -> None:
    """Work every queued job, as `helpline worker --burst` would."""
    from rq import SimpleWorker

    from helpline import jobs

    named = jobs.queues(app)
    assert named is not None
    queues = [named[name] for name in jobs.QUEUE_NAMES]
    with app.app_context():
        SimpleWorker(queues, connection=queues[0].connection).work(burst=True)
        db.session.remove()


@pytest.mark.parametrize(
    ("language", "confirmation"),
    [
        ("en", "I have sent these to you by text message."),
        ("pl", "Wysłałam te informacje SMS-em."),
        ("ur", "I have sent these to you by text message."),  # no Urdu voice: English until built
    ],
    ids=["en", "pl", "ur"],
)
def test_pressing_1_twice_texts_the_services_once(
    texting_app: Flask, twilio_api: FakeTwilioApi, language: str, confirmation: str
) -> None:
    caller = call(texting_app).press(LANGUAGE_KEYS[language])
    for key in SHORT_BREAKS:
        caller.press(key)
    heard_services = " ".join(caller.latest[1:4])
    caller.press("1")
    assert caller.latest[0].startswith(confirmation)
    caller.press("1")
    assert caller.latest[0].startswith(confirmation)
    assert twilio_api.messages == []  # nothing leaves until a worker runs
    run_worker(texting_app)
    [message] = twilio_api.messages
    assert message["To"] == "+447700900123"
    assert "Short Breaks Team 01632 960550" in message["Body"]
    for name in ("Short Breaks Team", "Willow House Respite Service"):
        assert name in heard_services and name in message["Body"]
    row = logged(texting_app, caller)
    assert row.outcome == "texted"
    assert row.path.endswith("shortbreaks > text > text")
    run_worker(texting_app)
    assert len(twilio_api.messages) == 1


def test_a_hidden_number_is_told_no_text_can_be_sent(
    texting_app: Flask, twilio_api: FakeTwilioApi
) -> None:
    caller = call(texting_app, number="anonymous").press("1").press("1").press("1").press("1")
    assert caller.latest[0].startswith("Sorry, I can't send a text to this number.")
    assert caller.waiting_for == "Gather"
    run_worker(texting_app)
    assert twilio_api.messages == []


def test_a_number_that_opted_out_gets_no_text(
    texting_app: Flask, twilio_api: FakeTwilioApi
) -> None:
    from helpline.families.opt_outs import record_opt_out

    with texting_app.app_context():
        record_opt_out(db.session, "+447700900555")
        db.session.commit()
    caller = call(texting_app, number="+447700900555").press("1").press("1").press("1").press("1")
    assert caller.latest[0].startswith("Sorry, I can't send a text to this number.")
    run_worker(texting_app)
    assert twilio_api.messages == []
