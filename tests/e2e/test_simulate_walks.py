"""`helpline simulate` walks the demo as a family would: a keyword and its details by text; a
call through language, menu, services and text-me-this, with the text arriving after; a silent
call down the ladder to the offer of an adviser. The walks follow the menu's own files."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from tests.e2e.test_call_walk import SAMPLE_OFFER, WEDNESDAY_EVENING, WEDNESDAY_MORNING
from tests.walks import keys_to_text_me_this, said

PHONE = re.compile(r"\b0\d{4} \d{6}\b")


@pytest.fixture
def demo(app: Flask, make_app, tmp_path: Path) -> Iterator[Flask]:  # type: ignore[no-untyped-def]
    """The demo (no Twilio account, texts captured) on the test database, with the sample
    Local Offer loaded."""
    from helpline.directory.commands import run_import

    demo_app = make_app(HELPLINE_MODE="demo", TWILIO_ACCOUNT_SID="", TWILIO_AUTH_TOKEN="",
                        PUBLIC_BASE_URL="", DEMO_TOKEN_FILE=str(tmp_path / "token"),
                        OUTBOUND_CAPTURE_FILE=str(tmp_path / "captured.jsonl"))
    assert demo_app.config["HELPLINE_MODE"] == "demo"
    with demo_app.app_context():
        run_import([str(SAMPLE_OFFER)], "sample-local-offer")
    demo_app.config["HELPLINE_CLOCK"] = lambda: WEDNESDAY_MORNING
    yield demo_app


def simulate(app: Flask, *args: str) -> str:
    result = app.test_cli_runner().invoke(args=["simulate", *args])
    assert result.exit_code == 0, result.output
    return result.output


def test_a_keyword_and_then_its_details_by_text(demo: Flask) -> None:
    listed = simulate(demo, "sms", "SHORTBREAKS 12")
    assert "> +447700900101 texts (1 segment, GSM-7):" in listed
    reply = listed.split("< reply", 1)[1]
    assert re.match(r" \(\d segments?, GSM-7\):", reply)
    first_phone = PHONE.search(reply)
    assert first_phone is not None
    details = simulate(demo, "sms", "1")
    assert "< reply" in details and first_phone.group(0) in details.split("< reply", 1)[1]


def test_a_text_in_polish_starts_with_the_word_that_switches_language(demo: Flask) -> None:
    out = simulate(demo, "sms", "SHORTBREAKS", "--lang", "pl", "--from", "07700 900222")
    assert out.count("> +447700900222 texts") == 2
    assert out.index("POLSKI") < out.index("SHORTBREAKS")
    assert "UCS-2" in out or "GSM-7" in out


def test_a_call_to_the_services_and_text_me_this_then_the_text_arrives(demo: Flask) -> None:
    keys = keys_to_text_me_this()
    out = simulate(demo, "call", *keys)
    heard = out.split("Texts sent after the call:")[0]
    assert re.search(r"\[\s*\d+\.\d s\] " + re.escape(said("phrase:greeting")), heard)
    assert said("phrase:texted") in heard
    assert out.count("> press ") == len(keys)
    texts = out.split("Texts sent after the call:")[1]
    assert texts.startswith(" 1\n") or texts.startswith(" 2\n")
    assert "< text to +447700900101 (" in texts and PHONE.search(texts)


def test_words_said_choose_from_a_menu_that_listens(demo: Flask) -> None:
    out = simulate(demo, "call", "1", "--say", "short breaks")
    assert '> say "short breaks"' in out
    assert said("node:breaks:prompt") in out.split('> say "short breaks"')[1]


def test_a_silent_call_is_offered_an_adviser_then_held_in_the_queue(demo: Flask) -> None:
    out = simulate(demo, "call", "--silent")
    assert said("phrase:sorry") in out and said("phrase:offer_adviser") in out
    after_offer = out.split(said("phrase:offer_adviser"))[1]
    assert "-- on hold in queue 'advisers'" in after_offer
    # No adviser is on duty: the escalation moves the caller on to leave a message.
    assert said("phrase:no_adviser_free") in after_offer


def test_a_silent_call_out_of_hours_is_called_back_and_texted_the_hours(demo: Flask) -> None:
    demo.config["HELPLINE_CLOCK"] = lambda: WEDNESDAY_EVENING
    out = simulate(demo, "call", "--silent", "--from", "+447700900333")
    assert said("phrase:offer_adviser") not in out  # nobody is working: no person promised
    after_offer = out.split(said("phrase:offer_callback_closed"))[1]
    assert said("phrase:callback_booked") in after_offer and "on hold" not in after_offer
    assert not out.rstrip().endswith("Texts sent after the call: 0")
    assert "SHORTBREAKS" in after_offer  # the text with the hours and the words to text


def test_an_edited_template_or_keyword_shows_on_the_next_text(
    app: Flask, make_app, tmp_path: Path, monkeypatch: pytest.MonkeyPatch  # type: ignore[no-untyped-def]
) -> None:
    from helpline import looked_at

    monkeypatch.setattr(looked_at, "RECHECK_SECONDS", 0.0)  # look at the files on every request
    from helpline.config import PROJECT_ROOT
    from helpline.directory.commands import run_import

    templates, data = tmp_path / "sms_templates", tmp_path / "data"
    shutil.copytree(PROJECT_ROOT / "sms_templates", templates)
    data.mkdir()
    for shipped in (PROJECT_ROOT / "data").iterdir():  # the keywords copied, the rest as shipped
        if shipped.name == "keywords.yaml":
            shutil.copy(shipped, data / shipped.name)
        else:
            (data / shipped.name).symlink_to(shipped)
    demo_app = make_app(HELPLINE_MODE="demo", TWILIO_ACCOUNT_SID="", TWILIO_AUTH_TOKEN="",
                        DEMO_TOKEN_FILE=str(tmp_path / "token"), PUBLIC_BASE_URL="",
                        OUTBOUND_CAPTURE_FILE=str(tmp_path / "captured.jsonl"),
                        SMS_TEMPLATES_DIR=str(templates), DATA_DIR=str(data))
    with demo_app.app_context():
        run_import([str(SAMPLE_OFFER)], "sample-local-offer")
    assert "MORE for 3 more" in simulate(demo_app, "sms", "SHORTBREAKS")
    assert "Short breaks" not in simulate(demo_app, "sms", "KIPPERZ", "--from", "+447700900444")

    english = templates / "en.yaml"
    english.write_text(english.read_text().replace("MORE for 3 more", "MORE for the next 3"))
    keywords = data / "keywords.yaml"
    keywords.write_text(keywords.read_text().replace(
        "synonyms: [short breaks, short break,", "synonyms: [kipperz, short breaks, short break,"))
    assert "MORE for the next 3" in simulate(demo_app, "sms", "SHORTBREAKS")
    assert "Short breaks" in simulate(demo_app, "sms", "KIPPERZ", "--from", "+447700900555")


def test_a_message_left_out_of_hours_becomes_a_callback_with_its_recording(demo: Flask) -> None:
    from sqlalchemy import select

    from helpline.extensions import db
    from helpline.families.models import CallbackRequest

    demo.config["HELPLINE_CLOCK"] = lambda: WEDNESDAY_EVENING
    out = simulate(demo, "call", "0", "1", "--say", "Please ring me about school transport",
                   "--from", "+447700900666")
    assert "-- Recorded: Please ring me about school transport" in out
    assert said("phrase:message_saved") in out
    with demo.app_context():
        callback = db.session.scalars(select(CallbackRequest)).one()
        assert callback.phone_number == "+447700900666"
        assert re.search(r"/Recordings/RE[0-9a-f]{32}$", callback.recording_url or "")


def test_the_adviser_answers_the_helplines_call_and_meets_the_caller(demo: Flask) -> None:
    """The page's 'Answer' on a call the helpline made: the whisper, a key, and both people in
    one conference, the caller moved there out of the queue as Twilio's API would move them."""
    from helpline.advisers.models import Adviser, RotaSlot
    from helpline.extensions import db
    from helpline.outbound.local_transport import capture_path, captured
    from helpline.simulator import call
    from helpline.simulator.exchange import Exchange

    adviser_mobile = "+447700900201"
    with demo.app_context():
        adviser = Adviser(name="Asha", mobile=adviser_mobile)
        adviser.hours = [RotaSlot(weekday=d, start_minute=0, end_minute=24 * 60, priority=0)
                         for d in range(7)]
        db.session.add(adviser)
        db.session.commit()
    exchange = Exchange(demo)
    caller = call.move(exchange, call.dial(exchange, "+447700900123").state, {"keys": "0"})
    assert caller.waiting is not None and caller.waiting["for"] == "queue"

    rung = [e for e in captured(capture_path(demo)) if e["kind"] == "call"]
    assert [e["to"] for e in rung] == [adviser_mobile]
    adviser_call = call.answer(exchange, rung[0])
    assert adviser_call.waiting is not None and adviser_call.waiting["for"] == "gather"
    assert adviser_call.state["direction"] == "outbound-api"
    adviser_call = call.move(exchange, adviser_call.state, {"keys": "1"})
    assert adviser_call.waiting is not None and adviser_call.waiting["for"] == "dial"
    conference = adviser_call.waiting["to"]

    moved = [e for e in captured(capture_path(demo))
             if e["kind"] == "call-update" and e["sid"] == caller.state["sid"]]
    assert len(moved) == 1 and "/caller-joins" in moved[0]["url"]
    caller = call.move(exchange, caller.state, {"update": moved[0]})
    assert caller.waiting == {"for": "dial", "kind": "Conference", "to": conference}

    out = simulate(demo, "call", "0", "--from", "+447700900124")
    assert f"The helpline rang {adviser_mobile} (CA" in out

    ended = call.move(exchange, caller.state, {"hangup": True})
    assert ended.state["ended"]
    ended = call.move(exchange, adviser_call.state, {"hangup": True})
    assert ended.state["ended"]
