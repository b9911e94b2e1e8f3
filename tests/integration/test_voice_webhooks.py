"""Voice webhooks at the HTTP level: signatures, status callbacks, audio, and failing safely."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from sqlalchemy import func, select

from helpline.extensions import db, statement_engines
from helpline.speech.cache import audio_name
from helpline.speech.store import audio_store
from helpline.voice.models import CallLog
from tests.conftest import PUBLIC_BASE_URL, TwilioSigner

CALL = {"CallSid": "CA" + "1" * 32, "From": "+447700900123", "To": "+447700900000",
        "CallStatus": "ringing", "Direction": "inbound", "AccountSid": "AC" + "0" * 32}
WEDNESDAY_MORNING = datetime(2026, 12, 2, 11, 0, tzinfo=ZoneInfo("Europe/London"))  # advisers in
VOICE_ROUTES = ["/twilio/voice", "/twilio/voice/step?node=main&try=0", "/twilio/voice/queue-wait",
                "/twilio/voice/queue-done", "/twilio/voice/recorded", "/twilio/voice/status"]


def twiml(response) -> ET.Element:  # type: ignore[no-untyped-def]
    assert response.status_code == 200
    assert response.mimetype == "text/xml"
    return ET.fromstring(response.get_data(as_text=True))


def call_rows(app: Flask) -> int:
    with app.app_context():
        return int(db.session.scalar(select(func.count()).select_from(CallLog)) or 0)


@pytest.mark.parametrize("path", VOICE_ROUTES)
def test_unsigned_or_wrongly_signed_requests_are_refused(
    app: Flask, twilio: TwilioSigner, path: str
) -> None:
    assert twilio.post(path, CALL, signature="").status_code == 403
    assert twilio.post(path, CALL, signature="bm90IGEgc2lnbmF0dXJl").status_code == 403
    assert call_rows(app) == 0


def test_a_signed_call_is_answered_and_logged(app: Flask, twilio: TwilioSigner) -> None:
    root = twiml(twilio.post("/twilio/voice", CALL))
    gather = root.find("Gather")
    assert gather is not None
    action = f"{PUBLIC_BASE_URL}/twilio/voice/step?node=%40language&lang=en&try=0"
    assert gather.get("action") == action
    assert root.find("Redirect") is not None  # silence goes somewhere
    assert call_rows(app) == 1
    twiml(twilio.post("/twilio/voice", CALL))  # Twilio retrying the same request
    assert call_rows(app) == 1


def test_status_callbacks_for_unknown_calls_still_get_200(twilio: TwilioSigner) -> None:
    response = twilio.post("/twilio/voice/status", {**CALL, "CallSid": "CA" + "9" * 32,
                                                    "CallStatus": "completed"})
    assert response.status_code == 200


def test_a_failure_inside_the_menu_still_answers_the_caller(
    app: Flask, twilio: TwilioSigner, tmp_path: Path
) -> None:
    app.config["IVR_FLOWS_DIR"] = str(tmp_path / "missing")
    root = twiml(twilio.post("/twilio/voice", CALL))
    said = root.find("Say")
    assert said is not None and said.text is not None
    assert said.text.startswith("Sorry, something went wrong on our side.")
    assert "Traceback" not in ET.tostring(root, encoding="unicode")


def test_a_failure_in_hours_apologises_in_the_callers_language_and_queues_with_a_way_out(
    app: Flask, twilio: TwilioSigner, monkeypatch: pytest.MonkeyPatch
) -> None:
    from helpline.voice import views

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(views, "step", broken)
    app.config["HELPLINE_CLOCK"] = lambda: WEDNESDAY_MORNING
    root = twiml(twilio.post("/twilio/voice/step?node=main&lang=pl&try=0", CALL))
    said = root.find("Say")
    assert said is not None and (said.text or "").startswith("Przepraszam, wystąpił błąd")
    enqueue = root.find("Enqueue")
    assert enqueue is not None
    # After the longest wait Twilio goes to the action: the offer of a message or a call back.
    assert enqueue.get("action") == f"{PUBLIC_BASE_URL}/twilio/voice/queue-done?lang=pl"
    assert enqueue.get("waitUrl") == f"{PUBLIC_BASE_URL}/twilio/voice/queue-wait?lang=pl"
    with app.app_context():
        call = db.session.scalar(select(CallLog))
        assert call is not None and call.outcome == "queued"  # advisers are rung for it
    # Failing again as the caller leaves the queue: goodbye, not round the queue again.
    monkeypatch.setattr(views, "_no_adviser_free", broken)
    root = twiml(twilio.post("/twilio/voice/queue-done?lang=pl", {**CALL, "QueueResult": "leave"}))
    assert [verb.tag for verb in root] == ["Say", "Hangup"]


def test_stored_prompts_are_played_and_served_as_mpeg_with_an_etag(
    app: Flask, twilio: TwilioSigner
) -> None:
    app.config["TTS_ENGINE"] = "espeak"
    greeting = "Local Offer Helpline, for children with special needs."
    name = audio_name("espeak", "en", greeting)
    with app.app_context():  # as the worker stores it: in the database, no folder shared
        audio_store().put("en", name, "espeak", b"ID3\x03\x00fake mp3")
    root = twiml(twilio.post("/twilio/voice", CALL))
    play = root.find("Gather/Play")  # inside the menu: a key skips it
    assert play is not None
    assert play.text == f"{PUBLIC_BASE_URL}/audio/en/{name}"
    # Everything not yet rendered is said by Twilio meanwhile, in the language's own voice.
    polish = [s for s in root.iter("Say") if s.get("language") == "pl-PL"]
    assert polish and polish[0].get("voice") == "Polly.Ewa"
    client = app.test_client()
    with client.get(f"/audio/en/{name}") as audio:
        assert audio.status_code == 200 and audio.mimetype == "audio/mpeg"
        assert audio.data == b"ID3\x03\x00fake mp3"
        etag = audio.headers["ETag"]
        assert etag and {"public", "max-age=86400"} <= {
            part.strip() for part in audio.headers["Cache-Control"].split(",")
        }
    with client.get(f"/audio/en/{name}", headers={"If-None-Match": etag}) as again:
        assert again.status_code == 304 and again.data == b""
    assert client.get("/audio/en/" + "0" * 32 + ".mp3").status_code == 404
    assert client.get("/audio/en/..%2F..%2Fhelpline.sqlite3").status_code == 404


def test_with_tts_engine_say_nothing_is_played(app: Flask, twilio: TwilioSigner) -> None:
    root = twiml(twilio.post("/twilio/voice", CALL))
    assert root.find(".//Play") is None
    english = root.find("Gather/Say")
    assert english is not None
    assert (english.get("language"), english.get("voice")) == ("en-GB", "Polly.Amy")
    urdu = root.findall("Gather/Say")[-1]  # never an English voice reading Urdu
    assert urdu.get("language") == "ur-IN" and urdu.get("voice") == "Google.ur-IN-Standard-A"


def test_a_failing_hold_message_keeps_the_caller_in_the_queue(
    app: Flask, twilio: TwilioSigner, tmp_path: Path
) -> None:
    app.config["IVR_FLOWS_DIR"] = str(tmp_path / "missing")
    root = twiml(twilio.post("/twilio/voice/queue-wait", {**CALL, "QueuePosition": "1",
                                                          "QueueTime": "5"}))
    assert [verb.tag for verb in root] == ["Say", "Pause"]  # no <Enqueue> inside a queue


def test_the_hold_message_says_the_place_in_the_callers_language(
    app: Flask, twilio: TwilioSigner
) -> None:
    root = twiml(twilio.post("/twilio/voice/queue-wait?lang=pl",
                             {**CALL, "QueuePosition": "4", "QueueTime": "30"}))
    said = [verb.text for verb in root.iter("Say")]
    assert said[0] == "Jesteś numer 4 w kolejce."
    assert root.find("Pause") is not None


def test_each_step_of_a_call_writes_its_row_in_one_statement_without_a_transaction(
    app: Flask, twilio: TwilioSigner
) -> None:
    # The call's first request inserts its row whole; a menu step is one UPDATE; a step whose
    # call has no row yet (lost, or the first seen) inserts it. On PostgreSQL none of them
    # needs a BEGIN and COMMIT of its own (issue 16: round trips are most of a step's cost).
    from typing import Any

    from sqlalchemy import event

    with app.app_context():
        engine = db.engine
    seen: list[tuple[str, bool]] = []

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if "call_log" in statement:
            autocommit = getattr(conn.connection.dbapi_connection, "autocommit", False)
            seen.append((" ".join(statement.split()[:3]).upper(), bool(autocommit)))

    postgres = engine.dialect.name == "postgresql"
    with app.app_context():
        engines = statement_engines(engine)
    for each in engines:
        event.listen(each, "before_cursor_execute", count)
    try:
        twiml(twilio.post("/twilio/voice", CALL))
        assert seen == [("INSERT INTO CALL_LOG", postgres)]
        seen.clear()
        twiml(twilio.post("/twilio/voice/step?node=%40language&lang=en&try=0",
                          {**CALL, "Digits": "1"}))
        assert seen == [("UPDATE CALL_LOG SET", postgres)]
        seen.clear()
        lost = {**CALL, "CallSid": "CA" + "5" * 32}
        step = "/twilio/voice/step?node=main&lang=en&try=0"
        twiml(twilio.post(step, {**lost, "Digits": "1"}))
        assert seen == [("UPDATE CALL_LOG SET", postgres), ("INSERT INTO CALL_LOG", postgres)]
        twiml(twilio.post(step, {**lost, "Digits": "1"}))  # replayed: changes nothing
    finally:
        for each in engines:
            event.remove(each, "before_cursor_execute", count)
    with app.app_context():
        started = db.session.scalars(select(CallLog).where(
            CallLog.call_sid == lost["CallSid"])).all()
    assert len(started) == 1
    assert (started[0].phone_number, started[0].status, started[0].language) == (
        "+447700900123", "in-progress", "en")
    assert started[0].node != "main" and started[0].path and started[0].last_step
