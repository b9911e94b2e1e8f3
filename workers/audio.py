"""Render one missing phone prompt into the audio store (enqueued by the voice webhook)."""

from __future__ import annotations

import logging

log = logging.getLogger(__name__)


def render_prompt(engine: str, language: str, tts_language: str, text: str) -> str:
    """Render the prompt unless it is already stored; returns its name."""
    from flask import current_app

    from helpline.jobs import job_app_context
    from helpline.speech.store import render_clip

    with job_app_context():
        config = current_app.config
        name = render_clip(engine, language, tts_language, text,
                           gtts_url=config.get("GTTS_URL", ""))
        log.info("a %s prompt with %s is stored: %s", language, engine, name)
        return name
