"""Twilio webhooks for "Call the family": the adviser's leg, then the family's.

URLs (all POST, signed by Twilio, ?attempt=<id> set by helpline.console.calling):
  /twilio/console/adviser-answers  TwiML for the adviser's phone: who they are calling back,
                                   press a key to ring the family
  /twilio/console/connect          the key press: the family is rung from the helpline's number
                                   while the adviser waits in a conference
  /twilio/console/family-joins     TwiML for the family's phone: into the same conference
"""

from __future__ import annotations

from flask import Blueprint, Flask, Response, current_app, request
from twilio.twiml.voice_response import VoiceResponse

from helpline.advisers import plain_words
from helpline.console import calling
from helpline.extensions import db
from helpline.families.models import CallbackAttempt, CallbackRequest
from helpline.twilio_webhooks import twilio_request

calls_bp = Blueprint("console_calls", __name__, url_prefix="/twilio/console")


def _twiml(response: VoiceResponse) -> Response:
    return Response(str(response), mimetype="text/xml")


def _attempt() -> CallbackAttempt | None:
    raw = request.args.get("attempt", "")
    return db.session.get(CallbackAttempt, int(raw)) if raw.isdecimal() and len(raw) < 10 else None


def _goodbye(text: str) -> Response:
    response = VoiceResponse()
    response.say(text, language="en-GB")
    response.hangup()
    return _twiml(response)


@calls_bp.post("/adviser-answers")
@twilio_request
def adviser_answers() -> Response:
    """The adviser answered: say who they are calling back; a key press rings the family."""
    attempt = _attempt()
    callback = db.session.get(CallbackRequest, attempt.callback_id) if attempt else None
    if attempt is None or callback is None or attempt.outcome or not attempt.phone_number:
        return _goodbye("This call back is no longer needed. Goodbye.")
    about = plain_words.topic(_steps(callback))
    number = plain_words.number_ending(attempt.phone_number, spoken=True)
    base = current_app.config["PUBLIC_BASE_URL"]
    response = VoiceResponse()
    gather = response.gather(num_digits=1, timeout=10, method="POST",
                             action=f"{base}/twilio/console/connect?attempt={attempt.id}")
    gather.say(f"Local Offer Helpline call back. {about}, in "
               f"{plain_words.language_name(callback.language)}, {number}. "
               "Press any key to ring the family.", language="en-GB")
    response.say("No key pressed. Goodbye.", language="en-GB")
    response.hangup()
    return _twiml(response)


def _steps(callback: CallbackRequest) -> list[str]:
    return plain_words.summary_steps(callback.summary) if callback.channel != "sms" else []


@calls_bp.post("/connect")
@twilio_request
def connect() -> Response:
    """The adviser pressed a key: ring the family and wait for them in a conference."""
    attempt = _attempt()
    conference = calling.ring_family(db.session(), attempt.id, request.form.get("CallSid", "")) \
        if attempt else None
    if conference is None:
        return _goodbye("Sorry, we could not ring the family. Record the call as no answer and"
                        " try again later. Goodbye.")
    response = VoiceResponse()
    response.say("Ringing the family now. Please hold.", language="en-GB")
    response.dial().conference(conference, start_conference_on_enter=True,
                               end_conference_on_exit=True, beep=False)
    return _twiml(response)


@calls_bp.post("/family-joins")
@twilio_request
def family_joins() -> Response:
    """The family answered: join the adviser waiting for them."""
    attempt = _attempt()
    if attempt is None or not attempt.family_call_sid:
        return _goodbye("Sorry, this call has ended. Goodbye.")
    response = VoiceResponse()
    response.dial().conference(calling.conference_name(attempt), start_conference_on_enter=True,
                               end_conference_on_exit=True, beep=False)
    return _twiml(response)


def init_app(app: Flask) -> None:
    """Register the call webhooks."""
    app.register_blueprint(calls_bp)
