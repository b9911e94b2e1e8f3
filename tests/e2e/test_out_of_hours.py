"""Out of hours and when nobody answers: when the line is open, one call-back promise, and a
caller who says nothing is called back and texted the hours, never cut off or promised a person.

Also: every service's spoken line is rendered by a worker after an import, in every language.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from helpline.extensions import db
from helpline.flows.model import load_flow
from helpline.opening_hours import hours_in
from helpline.outbound.models import OutboundMessage
from helpline.voice.spoken import helpline_hours
from tests.e2e.test_call_walk import (  # noqa: F401 - the fixture
    SAMPLE_OFFER,
    WEDNESDAY_EVENING,
    call,
    callbacks,
    phone_app,
)

FLOWS = Path(__file__).resolve().parents[2] / "ivr_flows"
FLOW = load_flow(FLOWS)
KEYS = {"en": "1", "pl": "2", "ur": "3"}


def texts(app: Flask, purpose: str) -> list[str]:
    """Bodies of the texts queued for this purpose."""
    with app.app_context():
        return [b or "" for b in db.session.scalars(
            select(OutboundMessage.body).where(OutboundMessage.purpose == purpose)
            .order_by(OutboundMessage.id))]


@pytest.mark.parametrize("language", ["en", "pl", "ur"])
def test_a_silent_caller_out_of_hours_is_called_back_and_texted_the_hours(
    phone_app: Flask, language: str  # noqa: F811
) -> None:
    phone_app.config["HELPLINE_CLOCK"] = lambda: WEDNESDAY_EVENING
    caller = call(phone_app)
    # Nobody is working: the first menu offers no person, only a message, on 0.
    assert FLOW.phrase("en", "menu_tail_closed") in caller.latest
    caller.press(KEYS[language])
    assert caller.latest[-1] == FLOW.phrase(language, "menu_tail_closed")
    for _ in range(3):
        caller.stay_silent()
    offer = FLOW.phrase(language, "offer_callback_closed", days=2)
    assert caller.latest[0] == offer  # a call back for staying on the line, never a person
    caller.stay_silent()
    assert caller.waiting_for is None  # the call ended kindly
    hours = caller.latest[0]
    assert hours == helpline_hours(FLOW, language, hours_in(FLOWS))  # from hours.yaml
    assert caller.latest[1] == FLOW.phrase(language, "callback_booked", days=2)
    [request] = callbacks(phone_app)
    assert request.language == language and request.phone_number == "+447700900123"
    assert "Said nothing out of hours" in request.summary
    sent = "\n".join(texts(phone_app, "voice-hours"))
    assert hours in sent and "SHORTBREAKS" in sent  # the hours and the words to text
    [confirmation] = texts(phone_app, "callback-created")
    assert {"en": "within 2 working days", "pl": "w ciągu 2 dni roboczych",
            "ur": "2 کام کے دنوں"}[language] in confirmation
    everything = " ".join(caller.heard)
    for person in ("A person, 0", "talk to a person", "put you through"):
        assert person not in everything


def test_a_hidden_number_out_of_hours_hears_the_hours_and_no_promise(phone_app: Flask) -> None:  # noqa: F811
    phone_app.config["HELPLINE_CLOCK"] = lambda: WEDNESDAY_EVENING
    caller = call(phone_app, number="anonymous").press("1")
    for _ in range(4):
        caller.stay_silent()
    assert caller.waiting_for is None
    assert caller.latest[-1] == FLOW.phrase("en", "goodbye")
    assert callbacks(phone_app) == [] and texts(phone_app, "voice-hours") == []


def test_in_hours_a_silent_caller_is_still_put_through_to_a_person(phone_app: Flask) -> None:  # noqa: F811
    caller = call(phone_app).press("1")
    for _ in range(4):
        caller.stay_silent()
    assert caller.waiting_for == "Enqueue"


def test_every_services_spoken_line_is_rendered_by_a_worker_after_an_import(
    app: Flask, redis_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from helpline import jobs
    from helpline.directory.commands import run_import
    from helpline.speech import store
    from helpline.speech.cache import audio_name
    from helpline.voice.spoken import every_service_line
    from tests.integration.test_outbox_worker import run_worker

    rendered: list[tuple[str, str]] = []

    def fake_render(engine: str, text: str, tts: str, dest: Path, **kwargs: Any) -> Path:
        rendered.append((tts, text))
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_bytes(b"ID3 stand-in")
        return dest

    monkeypatch.setattr(store, "render", fake_render)
    app.config.update(TTS_ENGINE="espeak", REDIS_URL=redis_url)
    jobs.init_app(app)
    with app.app_context():
        run_import([str(SAMPLE_OFFER)], "sample-local-offer")
        wanted = every_service_line(db.session(), FLOW)
    assert rendered == []  # nothing during the import itself: a worker does it
    run_worker(app)
    assert len(rendered) == len(wanted) > 100
    assert {tts for tts, _ in rendered} == {"en", "pl", "ur"}
    with app.app_context():
        clips = store.audio_store()
        for code, _, text in wanted:
            assert clips.exists(code, audio_name("espeak", code, text))
    # A caller then hears the service's recorded line, in their language.
    app.config["HELPLINE_CLOCK"] = phone_app_clock()
    caller = call(app).press("3").press("3")
    assert caller.latest[1].startswith("[play ") and "/audio/ur/" in caller.latest[1]


def phone_app_clock() -> Any:
    """A working morning."""
    from tests.e2e.test_call_walk import WEDNESDAY_MORNING

    return lambda: WEDNESDAY_MORNING
