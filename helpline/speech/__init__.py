"""Spoken prompts: an audio cache rendered ahead of time (gTTS or espeak-ng), never per request."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register `helpline audio`."""
    from helpline.speech import models  # noqa: F401 - the audio_clip table
    from helpline.speech.commands import audio

    app.cli.add_command(audio)
