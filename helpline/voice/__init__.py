"""The phone channel: an IVR menu from ivr_flows/, spoken prompts, text-me-this, a person."""

from __future__ import annotations

import os
from pathlib import Path

from flask import Flask

from helpline.checks import register_check
from helpline.config import env_int, env_str


def check_flows(app: Flask) -> list[str]:
    """Problems in ivr_flows/ (the menu, its wording, opening hours), for `helpline check`."""
    from helpline.flows.check import check_flows_dir
    from helpline.opening_hours import load_hours

    folder = Path(app.config["IVR_FLOWS_DIR"])
    keywords: list[str] | None
    try:
        from helpline.directory.keywords import load_keywords

        areas = load_keywords(Path(app.config["DATA_DIR"]) / "keywords.yaml").areas
        keywords = [area.keyword for area in areas]
    except (OSError, ValueError):
        keywords = None  # the keywords check reports it
    problems = check_flows_dir(folder, keywords)
    try:
        load_hours(folder / "hours.yaml")
    except ValueError as exc:
        problems.append(f"hours.yaml: {exc}")
    return problems


def init_app(app: Flask) -> None:
    """Register the voice webhooks, `helpline flows`, `helpline audio` and the flow check."""
    from helpline.speech import init_app as init_speech
    from helpline.voice import models as _models  # noqa: F401 - tables for Alembic
    from helpline.voice.commands import flows
    from helpline.voice.views import bp

    environ = os.environ
    app.config.setdefault("VOICE_QUEUE_NAME", env_str(environ, "VOICE_QUEUE_NAME", "advisers"))
    app.config.setdefault("QUEUE_MAX_WAIT_SECONDS", env_int(environ, "QUEUE_MAX_WAIT_SECONDS", 300))
    app.config.setdefault(
        "QUEUE_HOLD_PAUSE_SECONDS", env_int(environ, "QUEUE_HOLD_PAUSE_SECONDS", 20)
    )
    app.config.setdefault("VOICEMAIL_MAX_SECONDS", env_int(environ, "VOICEMAIL_MAX_SECONDS", 120))
    app.config.setdefault("GTTS_URL", env_str(environ, "GTTS_URL"))
    app.register_blueprint(bp)
    app.cli.add_command(flows)
    init_speech(app)
    register_check("ivr_flows", check_flows)
