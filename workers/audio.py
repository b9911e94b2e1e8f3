"""Render phone audio into the store: one missing prompt (enqueued by the voice webhook), or
every service's spoken line after an import (enqueued by the import)."""

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


def render_service_lines(engine: str) -> int:
    """Render every active service's spoken line in every language that is not stored yet;
    returns how many were rendered (a line that fails is said by <Say> until the next run)."""
    from helpline.jobs import job_app_context
    from helpline.speech.commands import render_service_audio

    with job_app_context():
        rendered, _stored, problems = render_service_audio(engine)
        for problem in problems[:20]:
            log.warning("service line not rendered: %s", problem)
        return rendered
