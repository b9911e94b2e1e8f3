"""Out of hours on the phone: no menu promises a person, and a caller who says nothing is not
simply cut off: they hear when advisers answer, are called back (the ladder offered it) and get
a text with the opening hours and the words to text for services meanwhile."""

from __future__ import annotations

import logging
from dataclasses import replace

from flask import current_app
from twilio.twiml.voice_response import VoiceResponse

from helpline.extensions import db
from helpline.flows.engine import MESSAGE_MENU, Line, Menu, Turn, said
from helpline.flows.model import Flow
from helpline.voice.models import CallLog
from helpline.voice.twiml import Speaker

log = logging.getLogger(__name__)


def promise_days() -> int:
    """The working days within which an adviser calls back: one promise, from settings."""
    return int(current_app.config.get("CALLBACK_WORKING_DAYS", 2))


def hours_line(flow: Flow, language: str) -> Line:
    """When advisers answer the phone (hours.yaml), in the caller's language."""
    from helpline.opening_hours import hours_in
    from helpline.voice.spoken import helpline_hours

    hours = hours_in(current_app.config["IVR_FLOWS_DIR"])
    return Line(helpline_hours(flow, language, hours), language, "open_hours")


def while_closed(flow: Flow, turn: Turn) -> Turn:
    """A turn as said when nobody is working: 0 takes a message, and the third miss offers a
    call back for staying on the line instead of a person."""
    lang = turn.state.language
    offer = said(flow, "phrase:offer_callback_closed", lang, days=promise_days())
    say = tuple(
        offer if line.key == "phrase:offer_adviser"
        or (line.key == "phrase:sorry_again" and turn.state.node == MESSAGE_MENU
            and turn.state.tries >= 3)
        else line
        for line in turn.say
    )
    menu = turn.menu
    if menu is not None:
        menu = _closed_tail(flow, menu)
    return replace(turn, say=say, menu=menu)


def _closed_tail(flow: Flow, menu: Menu) -> Menu:
    lines = tuple(
        said(flow, "phrase:menu_tail_closed", line.language) if line.key == "phrase:menu_tail"
        else line
        for line in menu.lines
    )
    return replace(menu, lines=lines)


def silent_out_of_hours(
    flow: Flow, call: CallLog, turn: Turn, response: VoiceResponse, summary: str
) -> None:
    """The caller said nothing to the offer of a call back: book it, text the opening hours and
    the words to text, say so, and end the call."""
    from helpline.families.callbacks import request_callback

    lang = turn.state.language
    speaker = Speaker(flow)
    speaker.line(response, hours_line(flow, lang))
    if call.phone_number:
        session = db.session()
        request_callback(session, cause=f"call:{call.call_sid}:silent",
                         phone_number=call.phone_number, channel="voice",
                         summary=f"{summary}. Said nothing out of hours: call them back.",
                         language=lang)
        call.reached("callback")
        _text_hours(flow, call, lang)
        speaker.line(response, said(flow, "phrase:callback_booked", lang, days=promise_days()))
    else:
        speaker.line(response, said(flow, "phrase:goodbye", lang))
    response.hangup()


def _text_hours(flow: Flow, call: CallLog, language: str) -> None:
    """The opening hours and the SMS menu (the words to text), in the caller's language."""
    from helpline.outbound.outbox import queue_text
    from helpline.sms.replies import pack
    from helpline.sms.templates import templates_from

    try:
        menu = templates_from(current_app.config["SMS_TEMPLATES_DIR"]).get(language)
        lines = [hours_line(flow, language).text, menu.render("menu")]
        for part, body in enumerate(pack(lines, language), start=1):
            queue_text(db.session(), to=call.phone_number, body=body,
                       cause=f"call:{call.call_sid}:hours:{part}", purpose="voice-hours",
                       language=language)
    except Exception:  # noqa: BLE001 - the call back is booked; the text is a kindness
        log.exception("could not text the opening hours for call %s", call.call_sid)
