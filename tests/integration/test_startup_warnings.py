"""Process logs: the missing-Twilio warning once at web start, JSON lines, a quiet Twilio client."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import PROJECT_ROOT

WARNING = "outbound texts and calls are off"
HELPLINE = str(Path(sys.executable).parent / "helpline")


def _env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TWILIO_", "PUBLIC_BASE"))}
    env["DATABASE_URL"] = "sqlite:///" + str(tmp_path / "helpline.sqlite3")
    env.pop("REDIS_URL", None)
    return env


def test_a_cli_command_does_not_warn_about_twilio(tmp_path: Path) -> None:
    done = subprocess.run(
        [HELPLINE, "check"], cwd=PROJECT_ROOT, env=_env(tmp_path),
        capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert WARNING not in done.stderr + done.stdout


def test_the_web_entry_point_warns_once(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-c", "import helpline.wsgi"], cwd=PROJECT_ROOT, env=_env(tmp_path),
        capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr.count(WARNING) == 1


def test_log_format_json_writes_one_masked_json_object_a_line(tmp_path: Path) -> None:
    env = {**_env(tmp_path), "LOG_FORMAT": "json"}
    script = ("import logging, helpline.wsgi; "
              "logging.getLogger('helpline.probe').warning('text from +447700900123 failed')")
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=PROJECT_ROOT, env=env,
        capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 0, done.stderr
    entries = [json.loads(line) for line in done.stderr.splitlines() if line.strip()]
    assert {"time", "level", "logger", "message"} <= entries[0].keys()
    probe = [e for e in entries if e["logger"] == "helpline.probe"]
    assert probe[0]["level"] == "WARNING" and probe[0]["message"] == "text from *********123 failed"
    assert any(WARNING in e["message"] for e in entries)


def test_twilios_client_logs_only_its_warnings(tmp_path: Path) -> None:
    from tests.prism import TwilioApi

    api = TwilioApi()
    env = {**_env(tmp_path), "TWILIO_API_BASE_URL": api.url, "TWILIO_ACCOUNT_SID": "AC" + "0" * 32,
           "TWILIO_AUTH_TOKEN": "token", "TWILIO_PHONE_NUMBER": "+447700900000"}
    script = ("from helpline import create_app; from helpline.outbound.gateway import send_text\n"
              "with create_app().app_context(): send_text('+447700900123', 'hello')")
    try:
        done = subprocess.run([sys.executable, "-c", script], cwd=PROJECT_ROOT, env=env,
                              capture_output=True, text=True, timeout=120)
    finally:
        api.close()
    assert done.returncode == 0, done.stderr
    assert len(api.requests) == 1
    assert "Twilio API Request" not in done.stderr and "twilio" not in done.stderr.lower()
