"""PostgreSQL restarted while families text and call the helpline as production serves it:
gunicorn's workers, settings from the environment alone, requests over HTTP from other threads.

Every request gets TwiML that says something (never a 500, a trace or an empty answer), nothing
is half-written, and the same worker processes answer properly once the database is back.
Marked `fault`: `scripts/test -m fault` runs it.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlencode

import pytest
import requests
from sqlalchemy import create_engine, func, select
from twilio.request_validator import RequestValidator

from helpline.sms.models import SmsConversation, SmsMessage
from helpline.voice.models import CallLog
from tests.conftest import (
    HELPLINE_NUMBER,
    PROJECT_ROOT,
    PUBLIC_BASE_URL,
    TWILIO_TEST_SID,
    TWILIO_TEST_TOKEN,
)
from tests.fault.servers import private_postgres, restart_under_load
from tests.prism import free_port, wait_until_serving

pytestmark = pytest.mark.fault

HELPLINE = str(Path(sys.executable).parent / "helpline")
APOLOGY = "something went wrong"
SIGNER = RequestValidator(TWILIO_TEST_TOKEN)


@contextmanager
def gunicorn(env: dict[str, str]) -> Iterator[tuple[str, int]]:
    """The helpline under gunicorn (2 sync workers, as the benchmark runs it): (URL, master pid)."""
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", "2",
         "--timeout", "60", "helpline.wsgi:app"], env=env, cwd=PROJECT_ROOT,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_serving(url + "/healthz", server, 90)
        yield url, server.pid
    finally:
        server.terminate()
        server.wait(timeout=30)


def workers_of(master: int) -> set[int]:
    """The gunicorn master's worker processes (Linux /proc)."""
    return {int(pid) for pid in
            Path(f"/proc/{master}/task/{master}/children").read_text().split()}


def post(session: requests.Session, url: str, path: str, params: dict[str, str]) -> str:
    """A webhook signed as Twilio signs it; the answer's body, or '' for a status other than
    200 (counted as a failure by the caller)."""
    signature = SIGNER.compute_signature(PUBLIC_BASE_URL + path, params)
    response = session.post(url + path, data=urlencode(params), timeout=30, headers={
        "X-Twilio-Signature": signature,
        "Content-Type": "application/x-www-form-urlencoded"})
    return response.text if response.status_code == 200 else ""


def says_something(body: str) -> bool:
    """TwiML with something for the family to read or hear: never an empty answer."""
    if not body or "Traceback" in body:
        return False
    root = ET.fromstring(body)
    return root.tag == "Response" and any(
        (element.tag == "Message" and element.text) or element.tag in ("Say", "Play")
        for element in root.iter())


def test_postgresql_restarted_under_texts_and_calls_to_gunicorn(tmp_path: Path) -> None:
    with private_postgres() as database:
        keep = {k: v for k, v in os.environ.items() if not k.startswith(("TWILIO_", "REDIS"))}
        env = {**keep, "DATABASE_URL": database.url, "PUBLIC_BASE_URL": PUBLIC_BASE_URL,
               "TWILIO_ACCOUNT_SID": TWILIO_TEST_SID, "TWILIO_AUTH_TOKEN": TWILIO_TEST_TOKEN,
               "TWILIO_PHONE_NUMBER": HELPLINE_NUMBER, "TWILIO_API_BASE_URL": "http://127.0.0.1:9",
               "TTS_ENGINE": "say", "HELPLINE_INSTANCE_PATH": str(tmp_path)}
        subprocess.run([HELPLINE, "db", "upgrade"], env=env, cwd=PROJECT_ROOT, check=True,
                       capture_output=True, timeout=120)
        answers: list[tuple[float, str, str, str]] = []  # (when, text or call, sid, body)
        stop = threading.Event()

        def family(worker: int) -> None:
            session, n = requests.Session(), 0
            while not stop.is_set():
                n += 1
                sid = f"SM{worker:04d}{n:028d}"
                body = post(session, url, "/twilio/sms", {
                    "MessageSid": sid, "AccountSid": TWILIO_TEST_SID, "Body": "MENU",
                    "From": f"+4477009{worker:02d}{n % 50:03d}", "To": HELPLINE_NUMBER})
                answers.append((time.monotonic(), "text", sid, body))

        def caller(worker: int) -> None:
            session, n = requests.Session(), 0
            while not stop.is_set():
                n += 1
                sid = f"CA{worker:04d}{n:028d}"
                call = {"CallSid": sid, "AccountSid": TWILIO_TEST_SID, "To": HELPLINE_NUMBER,
                        "From": f"+4477008{worker:02d}{n % 50:03d}", "CallStatus": "ringing"}
                answers.append((time.monotonic(), "call", sid,
                                post(session, url, "/twilio/voice", call)))
                step = "/twilio/voice/step?" + urlencode({"node": "@language", "lang": "en",
                                                          "try": 0})
                answers.append((time.monotonic(), "step", sid,
                                post(session, url, step, {**call, "CallStatus": "in-progress",
                                                          "Digits": "1"})))

        with gunicorn(env) as (url, master):
            before = workers_of(master)
            threads = [threading.Thread(target=family, args=(w,)) for w in range(2)]
            threads += [threading.Thread(target=caller, args=(w,)) for w in range(2)]
            restarted_at, back_at = restart_under_load(database, threads, stop, 3.0, 4.0)
            after_workers = workers_of(master)

        assert all(says_something(body) for _, _, _, body in answers), [
            body[:300] for _, _, _, body in answers if not says_something(body)][:3]
        during = [body for at, _, _, body in answers if restarted_at <= at <= back_at]
        later = [(kind, body) for at, kind, _, body in answers if at > back_at + 1.0]
        assert [body for at, _, _, body in answers if at < restarted_at]
        assert later and {kind for kind, _ in later} == {"text", "call", "step"}
        # Recovered in the same worker processes: every answer after is a real one.
        assert after_workers == before
        assert all(APOLOGY not in body for _, body in later)
        assert all("<Gather" in body for kind, body in later if kind != "text")
        # The outage itself was met (requests fell inside it), and answered safely above.
        assert during

        engine = create_engine(database.url)
        try:
            with engine.connect() as db:
                # Nothing half-written: a text kept has its reply, a number its conversation.
                inbound = db.scalars(select(SmsMessage.message_sid).where(
                    SmsMessage.direction == "in", SmsMessage.intent != "error")).all()
                replied = set(db.scalars(select(SmsMessage.replying_to).where(
                    SmsMessage.direction == "out")))
                assert inbound and set(inbound) <= replied
                numbers = db.scalar(select(func.count(func.distinct(SmsMessage.phone_number)))
                                    .where(SmsMessage.intent != "error"))
                assert db.scalar(select(func.count()).select_from(SmsConversation)) == numbers
                # Every call answered with its menu has its log row.
                logged = set(db.scalars(select(CallLog.call_sid)))
                menus = {sid for _, kind, sid, body in answers
                         if kind == "call" and APOLOGY not in body}
                assert menus and menus <= logged
        finally:
            engine.dispose()
