"""Demo mode: the helpline on embedded defaults, with texts and calls captured on this machine.

`scripts/serve` sets HELPLINE_MODE=demo. The app then signs and checks webhooks with a demo auth
token kept under instance/ (made once, readable by this user only), runs jobs in-process, and
hands every outbound text and call to the local transport instead of Twilio. Demo mode is never
on when real Twilio credentials are set: then the app runs as configured and says so.
"""

from __future__ import annotations

import logging
import os
import secrets
from collections.abc import Callable
from pathlib import Path

from flask import Flask

log = logging.getLogger(__name__)

MODES = ("production", "development", "demo")
# Ofcom's drama range: a number that can never ring anyone.
DEMO_HELPLINE_NUMBER = "+441632960000"
TOKEN_FILE = "demo_auth_token"

# Lines other packages add to the demo's welcome (the console adds its adviser's sign-in).
DemoNote = Callable[[Flask], list[str]]
_NOTES: list[DemoNote] = []


def register_demo_note(note: DemoNote) -> None:
    """Add lines to what `helpline demo` prints when the demo starts."""
    if note not in _NOTES:
        _NOTES.append(note)


def demo_notes(app: Flask) -> list[str]:
    """Every registered line for the demo's welcome."""
    return [line for note in _NOTES for line in note(app)]


def is_trial(app: Flask) -> bool:
    """True in demo and development: the simulator and live data-file reloads are on."""
    return app.config.get("HELPLINE_MODE") in ("demo", "development")


def demo_token(token_file: str) -> str:
    """The demo's auth token: made on first use and kept in instance/ (mode 0600)."""
    path = Path(token_file)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        token = path.read_text(encoding="ascii").strip()
        if len(token) == 32:
            return token
        # A damaged file: write a fresh token over it.
        fd = os.open(path, os.O_WRONLY | os.O_TRUNC, 0o600)
    token = secrets.token_hex(16)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(token + "\n")
    return token


def configure(app: Flask) -> None:
    """Settle the mode and, in demo, the settings that keep everything on this machine."""
    config = app.config
    mode = str(config.get("HELPLINE_MODE") or "production").lower()
    if mode not in MODES:
        raise ValueError(f"HELPLINE_MODE must be one of {', '.join(MODES)}, not {mode!r}")
    if mode == "demo" and (config.get("TWILIO_ACCOUNT_SID") or config.get("TWILIO_AUTH_TOKEN")):
        log.warning("real Twilio credentials are set: demo mode is off")
        mode = "production"
    config["HELPLINE_MODE"] = mode
    has_twilio = bool(config.get("TWILIO_ACCOUNT_SID") and config.get("TWILIO_AUTH_TOKEN"))
    if mode == "demo" or (mode == "development" and not has_twilio):
        # Development without an account works as the demo does, with its own Redis if set.
        token = demo_token(str(config.get("DEMO_TOKEN_FILE")
                               or Path(app.instance_path) / TOKEN_FILE))
        config.update(
            TWILIO_AUTH_TOKEN=token,
            TWILIO_ACCOUNT_SID="AC" + token,
            TWILIO_PHONE_NUMBER=config.get("TWILIO_PHONE_NUMBER") or DEMO_HELPLINE_NUMBER,
            OUTBOUND_TRANSPORT="local",
        )
    if mode == "demo":
        config["REDIS_URL"] = ""  # jobs in-process: nothing else to start
        if not config.get("PUBLIC_BASE_URL"):
            # Calls the helpline starts (ringing an adviser) need absolute addresses.
            port = os.environ.get("PORT", "").strip() or "5000"
            config["PUBLIC_BASE_URL"] = f"http://127.0.0.1:{port}"
    if config.get("OUTBOUND_TRANSPORT") == "local" and mode == "production":
        # Texts to real families must never vanish into a file.
        raise ValueError("OUTBOUND_TRANSPORT=local is for HELPLINE_MODE=demo or development")
