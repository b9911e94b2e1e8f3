"""The missing-Twilio-credentials warning: once when the web process starts, not per CLI call."""

from __future__ import annotations

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
