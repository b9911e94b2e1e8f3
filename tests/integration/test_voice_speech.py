"""The audio cache: gTTS (against a local fake of its endpoint), espeak-ng, the render job, CLIs."""

from __future__ import annotations

import base64
import os
import shutil
import threading
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import pytest
from flask import Flask

from helpline.speech.cache import audio_name, audio_path
from helpline.speech.engines import espeak_available, render
from helpline.speech.store import audio_store
from tests.conftest import TwilioSigner

FAKE_MP3 = b"ID3\x04\x00\x00\x00\x00\x00\x00fake-gtts-audio"
CALL = {"CallSid": "CA" + "2" * 32, "From": "+447700900123", "To": "+447700900000",
        "CallStatus": "ringing", "Direction": "inbound"}
GREETING = "Local Offer Helpline, for children with special needs."

needs_espeak = pytest.mark.skipif(
    not espeak_available() and os.environ.get("CI") != "true",
    reason="espeak-ng and lame are not installed (scripts/lib/setup.sh installs them in CI)",
)


class FakeGoogleTts:
    """Google Translate's TTS endpoint as gTTS calls it, answering every request with FAKE_MP3."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, str]] = []  # (text, language)
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                length = int(self.headers.get("Content-Length", "0"))
                form = parse_qs(self.rfile.read(length).decode())
                import json

                rpc = json.loads(form["f.req"][0])
                text, language = json.loads(rpc[0][0][1])[:2]
                fake.requests.append((text, language))
                audio = base64.b64encode(FAKE_MP3).decode()
                body = (')]}\'\n\n[["wrb.fr","jQ1olc","[\\"' + audio + '\\"]",null,null,null,'
                        '"generic"]]\n').encode()
                self.send_response(200 if self.path.endswith("/batchexecute") else 404)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def google_tts() -> Iterator[FakeGoogleTts]:
    fake = FakeGoogleTts()
    yield fake
    fake.server.shutdown()
    fake.server.server_close()


def test_gtts_renders_through_its_endpoint(google_tts: FakeGoogleTts, tmp_path: Path) -> None:
    dest = render("gtts", "Dzień dobry", "pl", tmp_path / "pl" / "x.mp3", gtts_url=google_tts.url)
    assert dest.read_bytes() == FAKE_MP3
    assert google_tts.requests == [("Dzień dobry", "pl")]
    assert list((tmp_path / "pl").iterdir()) == [dest]  # no half-written files left behind


def test_audio_build_renders_every_prompt_in_every_language_once(
    app: Flask, runner: Any, google_tts: FakeGoogleTts
) -> None:
    app.config["GTTS_URL"] = google_tts.url
    result = runner.invoke(args=["audio", "build", "--engine", "gtts"])
    assert result.exit_code == 0, result.output
    rendered = int(result.output.split()[0])
    assert rendered > 100
    assert len(google_tts.requests) >= rendered  # gTTS splits long prompts into parts
    assert {language for _, language in google_tts.requests} == {"en", "pl", "ur"}
    with app.app_context():
        greeting = audio_store().get("en", audio_name("gtts", "en", GREETING))
    assert greeting is not None
    assert greeting.data.startswith(FAKE_MP3)  # one part per chunk gTTS sent
    assert not Path(app.config["AUDIO_CACHE_DIR"]).exists()  # in the database, not a folder
    again = runner.invoke(args=["audio", "build", "--engine", "gtts"])
    assert again.output.startswith(f"0 rendered, {rendered} already cached")


def test_audio_build_takes_an_earlier_versions_files_and_force_renders_anew(
    app: Flask, runner: Any, google_tts: FakeGoogleTts
) -> None:
    app.config["GTTS_URL"] = google_tts.url
    old = audio_path(app.config["AUDIO_CACHE_DIR"], "gtts", "en", GREETING)
    old.parent.mkdir(parents=True)
    old.write_bytes(b"ID3 rendered by an earlier version")
    assert runner.invoke(args=["audio", "build", "--engine", "gtts"]).exit_code == 0
    assert GREETING not in [text for text, _ in google_tts.requests]
    with app.app_context():
        kept = audio_store().get("en", old.name)
    assert kept is not None and kept.data == b"ID3 rendered by an earlier version"
    assert runner.invoke(args=["audio", "build", "--engine", "gtts", "--force"]).exit_code == 0
    with app.app_context():
        renewed = audio_store().get("en", old.name)
    assert renewed is not None and renewed.data.startswith(FAKE_MP3)
    assert renewed.etag != kept.etag


def test_audio_build_reports_an_unreachable_engine(app: Flask, runner: Any) -> None:
    app.config["GTTS_URL"] = "http://127.0.0.1:9"
    result = runner.invoke(args=["audio", "build", "--engine", "gtts"])
    assert result.exit_code == 1
    assert "failed" in result.output.splitlines()[0]


@needs_espeak
def test_espeak_renders_mp3_offline(tmp_path: Path) -> None:
    dest = render("espeak", "Witamy na infolinii", "pl", tmp_path / "pl" / "a.mp3")
    data = dest.read_bytes()
    assert len(data) > 1000
    assert data[:3] == b"ID3" or data[0] == 0xFF  # an ID3 tag or an MPEG frame


@needs_espeak
def test_a_missing_prompt_is_said_now_and_rendered_by_a_worker_for_the_next_call(
    app: Flask, twilio: TwilioSigner, redis_url: str
) -> None:
    from rq import SimpleWorker

    from helpline import jobs

    app.config.update(TTS_ENGINE="espeak", REDIS_URL=redis_url)
    jobs.init_app(app)
    first = ET.fromstring(twilio.post("/twilio/voice", CALL).get_data(as_text=True))
    assert first[0][0].tag == "Say" and first[0][0].text == GREETING  # inside the <Gather>
    queues = jobs.queues(app)
    assert queues is not None and queues[jobs.DEFAULT_QUEUE].count >= 4
    with app.app_context():
        SimpleWorker(list(queues.values()), connection=queues[jobs.DEFAULT_QUEUE].connection).work(
            burst=True)
    with app.app_context():
        assert audio_store().exists("en", audio_name("espeak", "en", GREETING))
    again = ET.fromstring(twilio.post("/twilio/voice", {**CALL, "CallSid": "CA" + "3" * 32})
                          .get_data(as_text=True))
    assert again[0][0].tag == "Play" and again[0][0].text is not None
    assert again[0][0].text.endswith(".mp3")


def test_a_queue_that_fails_is_not_asked_again_on_every_prompt_or_call(
    app: Flask, twilio: TwilioSigner, redis_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A hung Redis costs each ask its socket timeout: a call of many prompts, asked one by
    # one, would outlast Twilio's 15 seconds. One failed ask stops the asking for a while.
    from helpline import jobs
    from helpline.voice import twiml

    app.config.update(TTS_ENGINE="espeak", REDIS_URL=redis_url)
    jobs.init_app(app)
    asked: list[str] = []

    def unreachable(*args: Any, job_id: str | None = None, **kwargs: Any) -> None:
        asked.append(str(job_id))
        raise jobs.EnqueueFailed("TimeoutError")

    monkeypatch.setattr(jobs, "enqueue", unreachable)
    monkeypatch.setattr(twiml, "_queue_failed_at", {})
    monkeypatch.setattr(twiml, "_asked_to_render", {})
    first = ET.fromstring(twilio.post("/twilio/voice", CALL).get_data(as_text=True))
    again = ET.fromstring(twilio.post("/twilio/voice", {**CALL, "CallSid": "CA" + "4" * 32})
                          .get_data(as_text=True))
    assert first[0][0].tag == again[0][0].tag == "Say" and first[0][0].text == GREETING
    assert len(asked) == 1
    # Once the wait is over the prompts are asked for again.
    monkeypatch.setattr(twiml, "_queue_failed_at", {"queue": -1e9})
    twilio.post("/twilio/voice", {**CALL, "CallSid": "CA" + "5" * 32})
    assert len(asked) == 2


def test_without_a_queue_the_webhook_never_renders_during_a_call(
    app: Flask, twilio: TwilioSigner
) -> None:
    app.config["TTS_ENGINE"] = "gtts"
    app.config["GTTS_URL"] = "http://127.0.0.1:9"  # would fail loudly if it were called
    root = ET.fromstring(twilio.post("/twilio/voice", CALL).get_data(as_text=True))
    assert root[0][0].tag == "Say"
    with app.app_context():
        assert not audio_store().exists("en", audio_name("gtts", "en", GREETING))


def test_a_prompt_found_missing_is_not_looked_for_again_on_every_step(
    app: Flask, twilio: TwilioSigner, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Each look-up is a round trip to the store: with the prompts not yet rendered, three a
    # step were half of a voice step's server time (bench/README.md, issue 16).
    from sqlalchemy import event

    from helpline.extensions import db
    from helpline.speech import store as stores

    app.config["TTS_ENGINE"] = "gtts"
    looked: list[str] = []
    with app.app_context():
        engine = db.engine

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if "FROM audio_clip" in statement:
            looked.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        first = ET.fromstring(twilio.post("/twilio/voice", CALL).get_data(as_text=True))
        assert first[0][0].tag == "Say" and looked  # missing: said, and looked for
        looked.clear()
        again = ET.fromstring(twilio.post("/twilio/voice", {**CALL, "CallSid": "CA" + "6" * 32})
                              .get_data(as_text=True))
        assert again[0][0].tag == "Say" and looked == []
        # Rendered by another process (a worker): found once the recheck time has passed.
        with app.app_context():
            name = audio_name("gtts", "en", GREETING)
            db.session.execute(stores.AudioClip.__table__.insert().values(
                language="en", name=name, engine="gtts", content=FAKE_MP3, sha256="0" * 64))
            db.session.commit()
        monkeypatch.setattr(stores, "MISSING_RECHECK_SECONDS", 0.0)
        later = ET.fromstring(twilio.post("/twilio/voice", {**CALL, "CallSid": "CA" + "7" * 32})
                              .get_data(as_text=True))
        assert later[0][0].tag == "Play" and str(later[0][0].text).endswith(f"/{name}")
    finally:
        event.remove(engine, "before_cursor_execute", count)


def test_flows_check_passes_on_the_shipped_flows(runner: Any) -> None:
    result = runner.invoke(args=["flows", "check"])
    assert result.exit_code == 0, result.output
    assert "ivr_flows: ok" in result.output
    # The times a caller waits, as `helpline flows check` prints them.
    assert "Time to the first phone number" in result.output
    assert "  en: shortest " in result.output and "/ 25 s" in result.output
    assert "ivr_flows: ok" in runner.invoke(args=["check"]).output


def test_flows_check_fails_on_a_broken_flow(app: Flask, runner: Any, tmp_path: Path) -> None:
    folder = tmp_path / "flows"
    shutil.copytree(Path(app.config["IVR_FLOWS_DIR"]), folder)
    main = folder / "main.yaml"
    main.write_text(main.read_text().replace("goto: health", "goto: wellbeing"))
    (folder / "hours.yaml").write_text("weekly: {funday: ['09:00-17:00']}\n")
    app.config["IVR_FLOWS_DIR"] = str(folder)
    result = runner.invoke(args=["flows", "check"])
    assert result.exit_code == 1
    assert "node main key 3: unknown target 'wellbeing'" in result.output
    assert "node health: unreachable from main" in result.output
    assert "hours.yaml: weekly: 'funday' is not a day of the week" in result.output.replace(
        "weekly: Value error, ", "weekly: ")
    assert runner.invoke(args=["check"]).exit_code == 1
