"""`helpline smoke` against a running helpline: gunicorn serving the app, as in production."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select

from helpline.extensions import db
from helpline.sms.models import SmsMessage
from tests.conftest import PROJECT_ROOT, PUBLIC_BASE_URL, TWILIO_TEST_SID, TWILIO_TEST_TOKEN
from tests.prism import free_port, wait_until_serving

HELPLINE = str(Path(sys.executable).parent / "helpline")


def _env(app: Flask, **extra: str) -> dict[str, str]:
    keep = {k: v for k, v in os.environ.items() if not k.startswith(("TWILIO_", "REDIS"))}
    return {**keep, "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
            "PUBLIC_BASE_URL": PUBLIC_BASE_URL, "TWILIO_ACCOUNT_SID": TWILIO_TEST_SID,
            "TWILIO_AUTH_TOKEN": TWILIO_TEST_TOKEN, "TWILIO_API_BASE_URL": "http://127.0.0.1:9",
            "TTS_ENGINE": "say", **extra}


@pytest.fixture
def running(app: Flask) -> Iterator[str]:
    """The helpline with the sample Local Offer, served by gunicorn on a free port."""
    from helpline.directory.commands import run_import

    with app.app_context():
        run_import([str(PROJECT_ROOT / "data" / "local-offer")], "sample-local-offer")
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", "1",
         "helpline.wsgi:app"], env=_env(app), cwd=PROJECT_ROOT,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_serving(url + "/healthz", server)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=20)


def _smoke(app: Flask, url: str, **extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([HELPLINE, "smoke", "--base-url", url], env=_env(app, **extra),
                          cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120)


def test_smoke_texts_a_keyword_and_walks_a_call_through_signed_requests(
    app: Flask, running: str
) -> None:
    done = _smoke(app, running)
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    steps = [line for line in lines if line[:4] in ("ok  ", "FAIL")]
    assert [line[5:21].strip() for line in steps] == [
        "health", "text SHORTBREAKS", "call", "press 1", "press 1", "press 1", "hang up"
    ]
    assert all(line.startswith("ok") for line in steps)
    assert any("text SHORTBREAKS" in line and "repl" in line for line in lines)
    assert "erased" in lines[-1]
    with app.app_context():  # the smoke number's texts are gone again
        assert db.session.scalar(select(func.count()).select_from(SmsMessage)
                                 .where(SmsMessage.phone_number.is_not(None))) == 0


def test_smoke_fails_loudly_when_the_deployment_rejects_its_signature(
    app: Flask, running: str
) -> None:
    done = _smoke(app, running, TWILIO_AUTH_TOKEN="not-the-deployments-token")
    assert done.returncode == 1
    assert "FAIL text SHORTBREAKS" in done.stdout and "HTTP 403" in done.stdout
    assert "ok   health" in done.stdout
    assert "steps failed" in done.stderr


def test_smoke_fails_when_nothing_answers(app: Flask) -> None:
    done = _smoke(app, f"http://127.0.0.1:{free_port()}")
    assert done.returncode == 1
    assert "FAIL health" in done.stdout and "no answer (ConnectionError)" in done.stdout
