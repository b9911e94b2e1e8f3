"""Adviser call webhooks: whisper, connect, call status, and the caller's options if nobody answers.

URLs (all POST, signed by Twilio, ?escalation=<id> set by the escalation job):
  /twilio/adviser/whisper      TwiML for the adviser's call: the caller's context, press a key
  /twilio/adviser/connect      the key press: <Dial><Queue> to the waiting caller
  /twilio/adviser/status       the adviser call's status callback (&attempt=<n>)
  /twilio/adviser/unavailable  the caller, redirected out of the queue: message (1) or callback (2)
  /twilio/adviser/choice       their key press
  /twilio/adviser/voicemail    their recorded message
"""

from __future__ import annotations

import logging

from flask import Blueprint, Flask, Response, current_app, request
from twilio.twiml.voice_response import Gather, VoiceResponse

from helpline.advisers import escalation as escalations
from helpline.advisers.models import Escalation
from helpline.extensions import db
from helpline.families.callbacks import request_callback
from helpline.families.phone_numbers import to_e164
from helpline.outbound.wording import words
from helpline.twilio_webhooks import twilio_request
from helpline.voice import calls

log = logging.getLogger(__name__)
bp = Blueprint("advisers", __name__, url_prefix="/twilio/adviser")

# Twilio's voices for <Say>; other languages are spoken in English until a recording exists.
SAY_LANGUAGE = {"en": "en-GB", "cy": "cy-GB", "pl": "pl-PL", "ro": "ro-RO", "ar": "arb"}


def _twiml(response: VoiceResponse) -> Response:
    return Response(str(response), mimetype="text/xml")


def _escalation() -> Escalation | None:
    raw = request.args.get("escalation", "")
    return db.session.get(Escalation, int(raw)) if raw.isdigit() else None


def _say(response: VoiceResponse | Gather, text: str, language: str = "en") -> None:
    spoken = language if language in SAY_LANGUAGE else "en"
    response.say(text, language=SAY_LANGUAGE[spoken])


def _path(name: str, **params: object) -> str:
    from urllib.parse import urlencode

    return f"{current_app.config['PUBLIC_BASE_URL']}/twilio/adviser/{name}?{urlencode(params)}"


@bp.post("/whisper")
@twilio_request
def whisper() -> Response:
    """What the adviser hears on answering: the caller's context, then press a key to connect."""
    response = VoiceResponse()
    escalation = _escalation()
    if escalation is None or escalation.status != "ringing":
        _say(response, words("adviser_caller_gone"))
        response.hangup()
        return _twiml(response)
    gather = response.gather(
        num_digits=1, timeout=10, action=_path("connect", escalation=escalation.id), method="POST"
    )
    _say(gather, words("whisper", **escalations.context(escalation)))
    _say(response, words("whisper_no_key"))
    response.hangup()
    return _twiml(response)


@bp.post("/connect")
@twilio_request
def connect() -> Response:
    """The adviser pressed a key: join them to the waiting caller, if the caller is still there."""
    response = VoiceResponse()
    escalation = _escalation()
    queue_name = None
    if escalation is not None:
        queue_name = escalations.adviser_accepted(
            db.session(), escalation.id, request.form.get("CallSid", "")
        )
    if queue_name is None:
        _say(response, words("adviser_caller_gone"))
        response.hangup()
        return _twiml(response)
    _say(response, words("adviser_connecting"))
    response.dial().queue(queue_name)
    return _twiml(response)


@bp.post("/status")
@twilio_request
def status() -> Response:
    """The adviser's call ended (no answer, busy, hung up before the key): ring the next one."""
    escalation = _escalation()
    attempt = request.args.get("attempt", "")
    if escalation is not None and attempt.isdigit():
        try:
            escalations.adviser_call_ended(db.session(), escalation.id, int(attempt))
        except Exception:  # noqa: BLE001 - Twilio must get its 200; the timeout job still runs
            db.session.rollback()
            log.exception("moving escalation %s on failed", escalation.id)
    return Response("", status=204)


@bp.post("/unavailable")
@twilio_request
def unavailable() -> Response:
    """The caller, after no adviser answered: 1 for a message, 2 for a call back."""
    escalation = _escalation()
    language = escalation.language if escalation else "en"
    response = VoiceResponse()
    gather = response.gather(
        num_digits=1,
        timeout=8,
        method="POST",
        action=_path("choice", escalation=escalation.id if escalation else ""),
    )
    _say(gather, words("unavailable_offer", language), language)
    _say(response, words("unavailable_goodbye", language), language)
    response.hangup()
    return _twiml(response)


@bp.post("/choice")
@twilio_request
def choice() -> Response:
    """Record a message (1), or book a call back to the caller's number (2)."""
    escalation = _escalation()
    language = escalation.language if escalation else "en"
    summary = (
        f"Asked for an adviser; nobody answered. Menu: {escalation.menu_path if escalation else ''}"
    )
    response = VoiceResponse()
    digit = request.form.get("Digits", "")
    number = to_e164(request.form.get("From"))
    if digit == "2" and number:
        request_callback(
            db.session(),
            cause=f"{request.form.get('CallSid', '')}:callback",
            phone_number=number,
            channel="voice",
            summary=summary,
            language=language,
        )
        calls.note_outcome(db.session(), request.form.get("CallSid", ""), "callback")
        db.session.commit()
        _say(response, words("callback_booked", language), language)
        response.hangup()
        return _twiml(response)
    if digit not in ("1", "2"):
        response.redirect(_path("unavailable", escalation=escalation.id if escalation else ""))
        return _twiml(response)
    _say(response, words("record_prompt" if digit == "1" else "number_hidden", language), language)
    response.record(
        max_length=120,
        finish_on_key="1234567890*#",
        method="POST",
        action=_path("voicemail", escalation=escalation.id if escalation else ""),
    )
    _say(response, words("unavailable_goodbye", language), language)
    return _twiml(response)


@bp.post("/voicemail")
@twilio_request
def voicemail() -> Response:
    """Keep the caller's message as a callback request with its recording."""
    escalation = _escalation()
    language = escalation.language if escalation else "en"
    response = VoiceResponse()
    recording = request.form.get("RecordingUrl")
    if recording:
        request_callback(
            db.session(),
            cause=f"{request.form.get('CallSid', '')}:voicemail",
            phone_number=to_e164(request.form.get("From")),
            channel="voicemail",
            summary="Voicemail after no adviser answered. Menu: "
            + (escalation.menu_path if escalation else ""),
            language=language,
            recording_url=recording,
        )
        calls.note_outcome(db.session(), request.form.get("CallSid", ""), "message left",
                           recording_url=recording)
        db.session.commit()
    _say(response, words("message_saved", language), language)
    response.hangup()
    return _twiml(response)


def init_app(app: Flask) -> None:
    """Register the adviser webhooks."""
    app.register_blueprint(bp)
