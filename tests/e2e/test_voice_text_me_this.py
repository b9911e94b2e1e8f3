"""Text-me-this on a call: the services heard are texted once, by a worker, through Twilio's API.

Jobs go through a real Redis and an RQ SimpleWorker; Twilio's REST API is prism serving Twilio's
own OpenAPI spec, behind a recorder that keeps each message it is asked to send.
"""

from __future__ import annotations

import pytest
from flask import Flask

from helpline.extensions import db
from helpline.sms.segments import count_segments, is_gsm7
from tests.e2e.test_call_walk import call, logged, phone_app  # noqa: F401 - the fixture
from tests.integration.test_outbox_worker import run_worker
from tests.prism import TwilioApi

SHORT_BREAKS = ("1", "1")  # main menu 1, then 1: short breaks
LANGUAGE_KEYS = {"en": "1", "pl": "2", "ur": "3"}


def texts_sent(api: TwilioApi) -> list[dict[str, str]]:
    """Every text the gateway asked Twilio's API to send, as the form fields it sent."""
    return [r.form for r in api.posts_to("/Messages.json")]


@pytest.fixture
def texting_app(phone_app: Flask, redis_url: str, twilio_api: TwilioApi) -> Flask:  # noqa: F811
    """The phone app with jobs on Redis and texts going to Twilio's API (prism, recorded)."""
    from helpline import jobs

    phone_app.config.update(REDIS_URL=redis_url, TWILIO_API_BASE_URL=twilio_api.url)
    jobs.init_app(phone_app)
    return phone_app


@pytest.mark.parametrize(
    ("language", "confirmation", "area"),
    [
        ("en", "I have sent these to you by text message.", "Short breaks"),
        ("pl", "Wysłałam te informacje SMS-em.", "Krótkie przerwy"),
        ("ur", "میں نے یہ معلومات آپ کو ٹیکسٹ میسج کر دی ہیں۔", "مختصر وقفے"),
    ],
    ids=["en", "pl", "ur"],
)
def test_pressing_1_twice_texts_the_services_once(
    texting_app: Flask, twilio_api: TwilioApi, language: str, confirmation: str, area: str
) -> None:
    caller = call(texting_app).press(LANGUAGE_KEYS[language])
    for key in SHORT_BREAKS:
        caller.press(key)
    heard_service = caller.latest[1]  # "press 1 for a text", then the first service
    caller.press("1")
    assert caller.latest[0].startswith(confirmation)
    caller.press("1")
    assert caller.latest[0].startswith(confirmation)
    assert texts_sent(twilio_api) == []  # nothing leaves until a worker runs
    run_worker(texting_app)
    messages = texts_sent(twilio_api)
    assert {r.status for r in twilio_api.posts_to("/Messages.json")} == {201}  # prism: valid
    assert {m["To"] for m in messages} == {"+447700900123"}
    bodies = [m["Body"] for m in messages]
    for body in bodies:  # each as cheap as the SMS replies: at most 3 parts, GSM-7 in English
        assert count_segments(body).segments <= 3, body
        assert is_gsm7(body) or language != "en", body
    texted = "\n".join(bodies)
    assert area in bodies[0]
    assert "Short Breaks Team: 01632 960550" in texted
    first_name = heard_service.replace("۔", ".").split(". ")[0]
    assert first_name in texted  # the service heard is among those texted
    row = logged(texting_app, caller)
    assert row.outcome == "texted"
    # The second press is the same request as the first (same call, menu, try and key): one
    # step, as a replayed request is; nothing in the call's path or texts happens twice.
    assert row.path.endswith("shortbreaks > text")
    assert not row.path.endswith("text > text")
    run_worker(texting_app)
    assert len(texts_sent(twilio_api)) == len(messages)  # pressed twice, sent once


def test_a_hidden_number_is_told_no_text_can_be_sent(
    texting_app: Flask, twilio_api: TwilioApi
) -> None:
    caller = call(texting_app, number="anonymous").press("1").press("1").press("1").press("1")
    assert caller.latest[0].startswith("Sorry, I can't send a text to this number.")
    assert caller.waiting_for == "Gather"
    run_worker(texting_app)
    assert texts_sent(twilio_api) == []


def test_a_number_that_opted_out_gets_no_text(
    texting_app: Flask, twilio_api: TwilioApi
) -> None:
    from helpline.families.opt_outs import record_opt_out

    with texting_app.app_context():
        record_opt_out(db.session, "+447700900555")
        db.session.commit()
    caller = call(texting_app, number="+447700900555").press("1").press("1").press("1").press("1")
    assert caller.latest[0].startswith("Sorry, I can't send a text to this number.")
    run_worker(texting_app)
    assert texts_sent(twilio_api) == []
