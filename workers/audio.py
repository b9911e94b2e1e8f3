"""Render one missing phone prompt into the audio cache (enqueued by the voice webhook)."""

from __future__ import annotations

import logging

log = logging.getLogger(__name__)


def render_prompt(engine: str, language: str, tts_language: str, text: str) -> str:
    """Render the prompt unless it is already cached; returns the cache file name."""
    from flask import current_app

    from helpline.jobs import job_app_context
    from helpline.speech.cache import audio_path
    from helpline.speech.engines import render

    with job_app_context():
        config = current_app.config
        dest = audio_path(config["AUDIO_CACHE_DIR"], engine, language, text)
        if not dest.exists():
            render(engine, text, tts_language, dest, gtts_url=config.get("GTTS_URL", ""))
            log.info("rendered a %s prompt with %s: %s", language, engine, dest.name)
        return dest.name
