"""Voice webhooks: thin handlers that ask the flow engine what to do and answer TwiML.

POST /twilio/voice              an incoming call
POST /twilio/voice/step         a menu's answer (?node=&try=), or its silence (the <Redirect>)
POST /twilio/voice/queue-wait   the adviser queue's hold message (<Enqueue waitUrl>)
POST /twilio/voice/queue-done   the caller left the queue (<Enqueue action>)
POST /twilio/voice/recorded     a message was recorded, or none was (<Record action>)
POST /twilio/voice/comment-recorded  a comment on the Local Offer was recorded, or none was
POST /twilio/voice/no-adviser   no adviser answered: the escalation redirects the call here
POST /twilio/voice/status       call status callbacks
GET  /audio/<lang>/<file>.mp3   pre-rendered prompts
"""

from __future__ import annotations

import functools
import hashlib
import logging
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from flask import Blueprint, Response, abort, current_app, request
from twilio.twiml.voice_response import VoiceResponse

from helpline.extensions import db, once_more_if_connection_lost
from helpline.flows.engine import (
    MAX_QUERY_CHARACTERS,
    MESSAGE_MENU,
    CallState,
    Heard,
    Line,
    Turn,
    begin,
    enter,
    offer_message,
    said,
    step,
)
from helpline.flows.model import Flow
from helpline.twilio_webhooks import twilio_request
from helpline.voice import calls
from helpline.voice.answers import answer, current_flow, is_open, record_message
from helpline.voice.services import SERVICES_LISTED
from helpline.voice.twiml import Speaker, join_adviser_queue

log = logging.getLogger(__name__)
bp = Blueprint("voice", __name__)


def _twiml(response: VoiceResponse) -> Response:
    return Response(str(response), mimetype="text/xml")


def _never_silent(view: Callable[..., Response]) -> Callable[..., Response]:
    """Any failure still answers the caller: an apology, then an adviser when they are working."""

    @functools.wraps(view)
    def guarded(*args: Any, **kwargs: Any) -> Response:
        try:
            # A step's writes and queued texts are one transaction: safe to take again.
            return once_more_if_connection_lost(lambda: view(*args, **kwargs), db.session)
        except Exception:  # noqa: BLE001 - a caller must never hear silence or a dead line
            db.session.rollback()
            log.exception("voice webhook %s failed", request.path)
            return _twiml(_trouble())

    return guarded


def _trouble() -> VoiceResponse:
    """Sorry, in the caller's language; then the advisers' queue when they are working (with
    its way out to a message), else goodbye. Each part is guarded: any may be what failed."""
    response = VoiceResponse()
    try:
        flow = current_flow()
        language = request.args.get("lang", "")
        language = language if language in flow.languages else flow.languages[0]
        apology = VoiceResponse()
        Speaker(flow).line(apology, said(flow, "phrase:trouble", language))
        response = apology
    except Exception:  # noqa: BLE001 - the flow files themselves may be what failed
        log.exception("could not say the apology in the caller's language")
        language = ""
        response.say(TROUBLE, language="en-GB", voice="Polly.Amy")
    try:
        # Not back into the queue the caller has just left: that could go round for ever.
        if is_open() and request.path != "/twilio/voice/queue-done":
            # The same queue as asking for an adviser: its action still offers a message
            # after the longest wait, where without one Twilio would end the call.
            _ring_advisers(language, join_adviser_queue(response, language))
            return response
    except Exception:  # noqa: BLE001 - the hours file itself may be what failed
        log.exception("opening hours unreadable while recovering a call")
    response.hangup()
    return response


def _ring_advisers(language: str, queue: str) -> None:
    """Announce the recovered caller to the advisers, if the database lets us."""
    try:
        session = db.session()
        call = calls.open_call(session, request.form.get("CallSid", ""), request.form.get("From"),
                               language or "en")
        calls.caller_joined_adviser_queue(session, call, queue)
    except Exception:  # noqa: BLE001 - the caller still waits in the queue advisers can see
        db.session.rollback()
        log.exception("could not ring advisers for a recovered call")


# Said if even the flow files can't be read.
TROUBLE = "Sorry, something went wrong on our side. Please try again, or call back later."


def _language(flow: Flow) -> str:
    """The call's language: from the URL we gave Twilio, else the call log, else the first."""
    language = request.args.get("lang", "")
    if language in flow.languages:
        return language
    call = calls.find_call(db.session(), request.form.get("CallSid", ""))
    return (
        call.language
        if call is not None and call.language in flow.languages
        else (flow.languages[0])
    )


def _tries() -> int:
    return _small_number("try", 0, 10)


def _small_number(name: str, default: int, highest: int) -> int:
    raw = request.args.get(name, "")
    return min(int(raw), highest) if raw.isdecimal() and len(raw) < 6 else default


def _age() -> int | None:
    raw = request.args.get("age", "")
    return int(raw) if raw.isdecimal() and len(raw) <= 2 and int(raw) <= 25 else None


def _answer(
    flow: Flow,
    turn: Turn,
    before: list[Line] | None = None,
    came_from: tuple[str, str] | None = None,
) -> Response:
    form = request.form
    sid, number = form.get("CallSid", ""), form.get("From")
    return _twiml(answer(flow, sid, turn, from_number=number, before=before, came_from=came_from,
                         step_key=_step_key()))


def _step_key() -> str:
    """A digest of what makes this request one step of the call: the same request sent again
    has the same one."""
    form, args = request.form, request.args
    parts = (request.path, args.get("node", ""), args.get("try", ""), args.get("lang", ""),
             form.get("Digits", ""), form.get("SpeechResult", ""), form.get("QueueResult", ""),
             form.get("RecordingUrl", ""))
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]


@bp.post("/twilio/voice")
@twilio_request
@_never_silent
def incoming_call() -> Response:
    """A call comes in: the greeting, then the language menu (or the main menu)."""
    flow = current_flow()
    return _answer(flow, begin(flow))


@bp.post("/twilio/voice/step")
@twilio_request
@_never_silent
def menu_step() -> Response:
    """The caller pressed, said, or did nothing at the menu named in the URL."""
    flow = current_flow()
    form = request.form
    state = CallState(
        node=request.args.get("node", flow.start)[:64], language=_language(flow), tries=_tries(),
        item=_small_number("item", 0, SERVICES_LISTED), age=_age(),
        query=request.args.get("q", "")[:MAX_QUERY_CHARACTERS],
    )
    heard = Heard(digits=form.get("Digits", ""), speech=form.get("SpeechResult", ""))
    return _answer(flow, step(flow, state, heard), came_from=(state.node, state.language))


def _hold_on_failure(view: Callable[..., Response]) -> Callable[..., Response]:
    """Hold music's stand-in if the hold message fails: <Enqueue> isn't allowed while queued."""

    @functools.wraps(view)
    def guarded(*args: Any, **kwargs: Any) -> Response:
        try:
            return view(*args, **kwargs)
        except Exception:  # noqa: BLE001 - the caller keeps their place in the queue
            db.session.rollback()
            log.exception("queue hold message failed")
            response = VoiceResponse()
            response.say("Please hold.", language="en-GB", voice="Polly.Amy")
            response.pause(length=20)
            return _twiml(response)

    return guarded


@bp.post("/twilio/voice/queue-wait")
@twilio_request
@_hold_on_failure
def queue_wait() -> Response:
    """Hold: the caller's place in the queue; after the longest wait, out to leave a message."""
    flow = current_flow()
    response = VoiceResponse()
    queue_time = request.form.get("QueueTime", "0")
    if queue_time.isdecimal() and int(queue_time) >= current_app.config["QUEUE_MAX_WAIT_SECONDS"]:
        response.leave()  # Twilio then requests the <Enqueue action> with QueueResult=leave
        return _twiml(response)
    language = _language(flow)
    speaker = Speaker(flow)
    position = request.form.get("QueuePosition", "")
    if position.isdecimal():
        speaker.line(response, said(flow, "phrase:position", language, position=int(position)))
    speaker.line(response, said(flow, "phrase:hold", language))
    # When this TwiML ends Twilio asks for it again: the pause sets how often the caller hears it.
    response.pause(length=current_app.config["QUEUE_HOLD_PAUSE_SECONDS"])
    return _twiml(response)


@bp.post("/twilio/voice/queue-done")
@twilio_request
@_never_silent
def queue_done() -> Response:
    """The caller left the queue: spoke to an adviser, hung up, or waited too long."""
    flow = current_flow()
    result = request.form.get("QueueResult", "").lower()
    call_sid = request.form.get("CallSid", "")
    response = VoiceResponse()
    if result in ("hangup", "redirected"):
        calls.caller_left_queue(db.session(), call_sid)
        return _twiml(response)
    language = _language(flow)
    if result == "bridged":
        Speaker(flow).line(response, said(flow, "phrase:goodbye", language))
        response.hangup()
        return _twiml(response)
    # "leave": the longest wait passed (queue_wait); nobody answered, the caller didn't give up.
    calls.caller_left_queue(db.session(), call_sid, timed_out=result == "leave")
    return _no_adviser_free(flow, language)


@bp.post("/twilio/voice/no-adviser")
@twilio_request
@_never_silent
def no_adviser() -> Response:
    """The call, taken out of the queue because no adviser on duty answered (the escalation
    redirects it here with ?lang=): the flow's own offer of a message or a call back, in the
    caller's language, with its recorded prompts and its place in the call log."""
    flow = current_flow()
    return _no_adviser_free(flow, _language(flow))


def _no_adviser_free(flow: Flow, language: str) -> Response:
    """Sorry, no adviser is free: the menu to leave a message or ask for a call back."""
    state = CallState(node=flow.start, language=language)
    return _answer(flow, offer_message(flow, state, "no_adviser_free"))


@bp.post("/twilio/voice/recorded")
@twilio_request
@_never_silent
def recorded() -> Response:
    """Keep a recorded message as a callback request; with nothing recorded, offer again."""
    flow = current_flow()
    form = request.form
    language = _language(flow)
    recording = form.get("RecordingUrl", "").strip()
    duration = form.get("RecordingDuration", "")
    if recording and not (duration.isdecimal() and int(duration) == 0):
        call = calls.open_call(db.session(), form.get("CallSid", ""), form.get("From"), language)
        return _twiml(record_message(flow, call, recording))
    state = CallState(node=MESSAGE_MENU, language=language, tries=_tries())
    # Nothing heard counts as a miss (so the offers can't go round for ever), but "I didn't
    # hear a message" is the only sorry the caller needs, not a second one after it.
    turn = step(flow, state, Heard())
    if turn.action == "menu":
        turn = replace(turn, say=())
    return _answer(flow, turn, before=[said(flow, "phrase:no_message_heard", language)])


@bp.post("/twilio/voice/comment-recorded")
@twilio_request
@_never_silent
def comment_recorded() -> Response:
    """Keep a comment left at the phone menu as feedback; then thanks (or "I didn't hear a
    message") and the main menu again."""
    from helpline.feedback.comments import from_phone_menu

    flow = current_flow()
    form = request.form
    language = _language(flow)
    recording = form.get("RecordingUrl", "").strip()
    duration = form.get("RecordingDuration", "")
    heard = "phrase:no_message_heard"
    if recording and not (duration.isdecimal() and int(duration) == 0):
        call = calls.open_call(db.session(), form.get("CallSid", ""), form.get("From"), language)
        from_phone_menu(db.session(), cause=form.get("RecordingSid", "") or call.call_sid,
                        phone_number=call.phone_number, language=language,
                        recording_url=recording)
        db.session.commit()
        heard = "phrase:feedback_saved"
    state = CallState(node=flow.start, language=language)
    return _answer(flow, enter(flow, state, flow.start), before=[said(flow, heard, language)])


@bp.post("/twilio/voice/status")
@twilio_request
def call_status() -> Response:
    """Twilio's call status callback: 200 always, even for a call we never saw."""
    form = request.form
    try:
        once_more_if_connection_lost(
            lambda: calls.call_ended(db.session(), form.get("CallSid", ""),
                                     form.get("CallStatus", "")),
            db.session,
        )
    except Exception:  # noqa: BLE001 - Twilio must not retry; the log row keeps its last state
        db.session.rollback()
        log.exception("call status callback failed")
    return _twiml(VoiceResponse())


@bp.get("/audio/<language>/<name>")
def audio_file(language: str, name: str) -> Response:
    """A pre-rendered prompt from the audio store, as audio/mpeg, with an ETag.

    A name is the hash of its engine, language and words, so its sound never changes but for a
    forced re-render: Twilio and any cache in between may keep it a day, then ask again.
    """
    from helpline.speech.cache import is_audio_file_name
    from helpline.speech.store import audio_store

    if not is_audio_file_name(language, name):
        abort(404)
    clip = audio_store().get(language, name)
    if clip is None:
        abort(404)
    response = Response(clip.data, mimetype="audio/mpeg")
    response.set_etag(clip.etag)
    response.cache_control.public = True
    response.cache_control.max_age = 86400
    response.make_conditional(request)  # 304 to a matching If-None-Match
    return response
