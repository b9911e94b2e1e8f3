"""A comment left at the phone menu ("4 to tell us what is missing" at a services menu): the
caller's words are recorded and kept as feedback for managers to answer and publish."""

from __future__ import annotations

from flask import current_app
from twilio.twiml.voice_response import VoiceResponse

from helpline.flows.engine import said
from helpline.flows.model import Flow
from helpline.voice.twiml import Speaker, url

RECORDED_PATH = "/twilio/voice/comment-recorded"
# A comment, not a story: long enough to say what is missing and why.
COMMENT_MAX_SECONDS = 120


def ask_for_comment(response: VoiceResponse, speaker: Speaker, flow: Flow, language: str) -> None:
    """Say what to do after the beep, then record the caller's comment."""
    speaker.line(response, said(flow, "phrase:feedback_prompt", language))
    action = url(RECORDED_PATH, lang=language)
    response.record(
        action=action, method="POST", timeout=8, play_beep=True,
        max_length=min(COMMENT_MAX_SECONDS, current_app.config["VOICEMAIL_MAX_SECONDS"]),
        finish_on_key="1234567890*#",
    )
    # Twilio skips the action when nothing was recorded and runs the next verb instead.
    response.redirect(action, method="POST")
