"""Adviser call webhooks: whisper, connect and call status.

URLs (all POST, signed by Twilio, ?escalation=<id> set by the escalation job):
  /twilio/adviser/whisper      TwiML for the adviser's call: the caller's context, press a key
  /twilio/adviser/connect      the key press: the adviser waits in a conference of their own
                               while this caller's call is moved out of the queue into it
  /twilio/adviser/caller-joins TwiML for the caller's call, moved there: the same conference
  /twilio/adviser/status       the adviser call's status callback (&attempt=<n>)

Not <Dial><Queue>: that takes whoever waits longest, so an adviser rung for one caller would be
joined to another, and the first caller's escalation would pull them out of that conversation.

When nobody answers, the caller is sent back to the phone menu (/twilio/voice/no-adviser).
"""

from __future__ import annotations

import logging

from flask import Blueprint, Flask, Response, current_app, request
from twilio.twiml.voice_response import Gather, VoiceResponse

from helpline.advisers import escalation as escalations
from helpline.advisers.models import Escalation
from helpline.extensions import db
from helpline.outbound.wording import words
from helpline.twilio_webhooks import twilio_request

log = logging.getLogger(__name__)
bp = Blueprint("advisers", __name__, url_prefix="/twilio/adviser")

# Twilio's voices for <Say>; other languages are spoken in English until a recording exists.
SAY_LANGUAGE = {"en": "en-GB", "cy": "cy-GB", "pl": "pl-PL", "ro": "ro-RO", "ar": "arb"}


def _twiml(response: VoiceResponse) -> Response:
    return Response(str(response), mimetype="text/xml")


def _escalation() -> Escalation | None:
    raw = request.args.get("escalation", "")
    # isdecimal: "²" is a digit int() refuses; and no id is longer than a database integer
    return db.session.get(Escalation, int(raw)) if raw.isdecimal() and len(raw) < 10 else None


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
    escalation = _escalation()
    if escalation is None or escalation.status != "ringing":
        return _caller_gone()
    response = VoiceResponse()
    gather = response.gather(
        num_digits=1, timeout=10, action=_path("connect", escalation=escalation.id), method="POST"
    )
    _say(gather, words("whisper", **escalations.context(escalation, spoken=True)))
    _say(response, words("whisper_no_key"))
    response.hangup()
    return _twiml(response)


@bp.post("/connect")
@twilio_request
def connect() -> Response:
    """The adviser pressed a key: join them to the waiting caller, if the caller is still there."""
    response = VoiceResponse()
    escalation = _escalation()
    conference = None
    if escalation is not None:
        conference = escalations.adviser_accepted(
            db.session(), escalation.id, request.form.get("CallSid", "")
        )
    if conference is None:
        return _caller_gone()
    from helpline.outbound.gateway import OutboundError, redirect_call

    assert escalation is not None  # adviser_accepted found it
    try:
        # Out of the shared queue, this caller and no other: into the adviser's conference.
        redirect_call(escalation.call_sid, _path("caller-joins", escalation=escalation.id))
    except OutboundError as exc:
        log.info("caller for escalation %s has gone: %s", escalation.id, exc)
        escalations.caller_left(db.session(), escalation.call_sid, connected=True)
        return _caller_gone()
    _say(response, words("adviser_connecting"))
    _meet(response, conference)
    return _twiml(response)


def _caller_gone() -> Response:
    response = VoiceResponse()
    _say(response, words("adviser_caller_gone"))
    response.hangup()
    return _twiml(response)


def _meet(response: VoiceResponse, conference: str) -> None:
    # Either side hanging up ends it for both: nobody is left in an empty conference.
    response.dial().conference(
        conference, start_conference_on_enter=True, end_conference_on_exit=True, beep=False
    )


@bp.post("/caller-joins")
@twilio_request
def caller_joins() -> Response:
    """The caller, moved out of the queue: into the conference where their adviser waits."""
    response = VoiceResponse()
    escalation = _escalation()
    if escalation is None or escalation.status != "connected":
        # Not for any adviser: back to the phone menu's offer of a message or a call back.
        response.redirect(f"{current_app.config['PUBLIC_BASE_URL']}/twilio/voice/no-adviser",
                          method="POST")
        return _twiml(response)
    _meet(response, escalations.conference_name(escalation))
    response.hangup()  # the adviser has finished: nothing more to hear
    return _twiml(response)


@bp.post("/status")
@twilio_request
def status() -> Response:
    """The adviser's call ended (no answer, busy, hung up before the key): ring the next one."""
    escalation = _escalation()
    attempt = request.args.get("attempt", "")
    if escalation is not None and attempt.isdecimal() and len(attempt) < 9:
        try:
            escalations.adviser_call_ended(db.session(), escalation.id, int(attempt))
        except Exception:  # noqa: BLE001 - Twilio must get its 200; the timeout job still runs
            db.session.rollback()
            log.exception("moving escalation %s on failed", escalation.id)
    return Response("", status=204)


def init_app(app: Flask) -> None:
    """Register the adviser webhooks."""
    app.register_blueprint(bp)
