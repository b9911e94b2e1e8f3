"""What the caller hears for each turn of the flow: menus, services, texts, the queue, messages."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path

from flask import current_app
from twilio.twiml.voice_response import VoiceResponse

from helpline.extensions import autocommit_connection, db, each_statement_commits
from helpline.flows.engine import SEARCH_NODE, Line, Turn, offer_message, said
from helpline.flows.model import Flow, load_flow
from helpline.looked_at import looked_at
from helpline.voice import calls
from helpline.voice.closed import hours_line, promise_days, silent_out_of_hours, while_closed
from helpline.voice.models import CallLog
from helpline.voice.services import TEXTED, services_for, services_with_hours, text_bodies
from helpline.voice.spoken import service_line
from helpline.voice.twiml import Speaker, gather, join_adviser_queue, url

log = logging.getLogger(__name__)


@lru_cache(maxsize=4)
def _flow_at(flows_dir: str, stamp: tuple[float, ...]) -> Flow:
    return load_flow(Path(flows_dir))


def current_flow() -> Flow:
    """The main flow, read again only when one of its files changes (looked at once a second)."""
    folder = str(current_app.config["IVR_FLOWS_DIR"])

    def stamps() -> tuple[float, ...]:
        path = Path(folder)
        files = [path / "main.yaml", *sorted((path / "prompts").glob("*.yaml"))]
        return tuple(f.stat().st_mtime for f in files)

    return _flow_at(folder, looked_at(f"flow|{folder}", stamps))


def now() -> datetime:
    """The time, from HELPLINE_CLOCK when a test sets one."""
    clock = current_app.config.get("HELPLINE_CLOCK")
    return clock() if clock else datetime.now(UTC)


def is_open() -> bool:
    """True when advisers are answering the phone now (ivr_flows/hours.yaml)."""
    from helpline.opening_hours import hours_in

    return hours_in(current_app.config["IVR_FLOWS_DIR"]).is_open(now())


def summary(flow: Flow, call: CallLog) -> str:
    """What the adviser reads about the call: language and path through the menu (no number)."""
    return f"Phone menu in {flow.language(call.language).name} ({call.language}): " + (
        " > ".join(call.steps) or "no choices made"
    )


def answer(
    flow: Flow,
    call_sid: str,
    turn: Turn,
    *,
    from_number: str | None = None,
    before: list[Line] | None = None,
    came_from: tuple[str, str] | None = None,
    step_key: str | None = None,
) -> VoiceResponse:
    """TwiML for a turn, with its effects (texts, callbacks, the queue) and the call's new state.

    `step_key` names the request: the same request again gets the same TwiML and causes nothing
    a second time (texts and callbacks are kept once per cause; the queue rings no one again).
    """
    open_now = is_open()
    if turn.action == "adviser" and not open_now and not turn.silent:
        turn = offer_message(flow, turn.state, "closed")
        turn = replace(turn, say=(*turn.say, hours_line(flow, turn.state.language)))
    if not open_now:
        # Nobody is working: 0 takes a message, and no menu promises a person.
        turn = while_closed(flow, turn)
    speaker = Speaker(flow)
    response = VoiceResponse()
    lang = turn.state.language
    for line in [*(before or []), *turn.say]:
        speaker.line(response, line)
    session = db.session()
    # A menu step's one write is the call's row (an UPDATE, or the INSERT that starts it): on
    # PostgreSQL it needs no BEGIN and COMMIT of its own. With a read-out it runs on the
    # session (which reads the directory's revision first); else on a connection of its own,
    # without the session's bookkeeping; a re-prompt that reads nothing out writes nothing.
    own = None
    if turn.action == "menu" and turn.state.node != SEARCH_NODE:
        if turn.menu is not None and turn.menu.read_services:
            each_statement_commits(session)
        elif not calls.stays_put(turn, came_from):
            own = autocommit_connection(session)
    try:
        readout, informed, heard = _read_out(flow, turn)
        fresh = calls.advance(session, call_sid, turn, informed=informed,
                              from_number=from_number, came_from=came_from, step_key=step_key,
                              heard=heard, connection=own)
    finally:
        if own is not None:
            own.close()
    if readout and not informed and turn.state.node == SEARCH_NODE and fresh:
        calls.found_nothing(session, call_sid, turn.state.query)
    # The call's place is kept first: a failing text or callback below can't lose it. (A step
    # written on its own connection left the session untouched: nothing to commit.)
    if session.in_transaction():
        session.commit()
    if turn.action == "menu" and turn.menu is not None:
        menu = turn.menu
        if readout and not informed:
            # Nothing found: "press 1 to get these by text" would offer nothing.
            menu = replace(menu, lines=(said(flow, "phrase:no_services_menu", lang),
                                        *menu.lines[-1:]))
        gather(response, speaker, menu, turn.state.tries, readout)
        return response
    call = calls.find_call(session, call_sid)
    assert call is not None  # advance() made sure of it
    if turn.silent and not open_now:
        silent_out_of_hours(flow, call, turn, response, summary(flow, call))
        session.commit()
        return response
    if turn.action == "text" and turn.menu is not None:
        gather(response, speaker, turn.menu, 0, [_text_me_this(flow, call, turn)])
    elif turn.action == "adviser":
        queue = join_adviser_queue(response, lang)
        if fresh:
            calls.caller_joined_adviser_queue(session, call, queue)
        return response
    elif turn.action == "callback" and call.phone_number:
        from helpline.families.callbacks import request_callback

        request_callback(
            session,
            cause=f"call:{call_sid}:callback",
            phone_number=call.phone_number,
            channel="voice",
            summary=summary(flow, call),
            language=lang,
        )
        call.reached("callback")
        speaker.line(response, said(flow, "phrase:callback_booked", lang, days=promise_days()))
        response.hangup()
    elif turn.action == "feedback":
        from helpline.voice.comments import ask_for_comment

        ask_for_comment(response, speaker, flow, lang)
    elif turn.action in ("message", "callback"):
        if turn.action == "callback":  # no number to call back: a message can carry one
            speaker.line(response, said(flow, "phrase:number_hidden", lang))
        _record(response, speaker, flow, lang)
    else:
        response.hangup()
    session.commit()
    return response


def _record(response: VoiceResponse, speaker: Speaker, flow: Flow, lang: str) -> None:
    speaker.line(response, said(flow, "phrase:record_prompt", lang))
    action = url("/twilio/voice/recorded", lang=lang, **{"try": 0})
    response.record(
        action=action,
        method="POST",
        timeout=8,
        play_beep=True,
        max_length=current_app.config["VOICEMAIL_MAX_SECONDS"],
        finish_on_key="1234567890*#",
    )
    # Twilio skips the action when nothing was recorded and runs the next verb instead.
    response.redirect(action, method="POST")


def record_message(flow: Flow, call: CallLog, recording_url: str) -> VoiceResponse:
    """Keep the caller's message as a callback request for the advisers, then say goodbye."""
    from helpline.families.callbacks import request_callback

    request_callback(
        db.session(),
        cause=f"call:{call.call_sid}:message",
        phone_number=call.phone_number,
        channel="voicemail",
        summary=summary(flow, call),
        language=call.language,
        recording_url=recording_url,
    )
    call.recording_url = recording_url
    call.reached("message left")
    if not call.steps or call.steps[-1] != "message left":
        call.path = " > ".join((*call.steps, "message left"))
    db.session.commit()
    response = VoiceResponse()
    Speaker(flow).line(
        response, said(flow, "phrase:message_saved", call.language, days=promise_days())
    )
    response.hangup()
    return response


def _read_out(flow: Flow, turn: Turn) -> tuple[list[Line], bool, str]:
    """What is read before the menu: that 1 texts them, then one service (the menu's item),
    whether any was found, and the id of the one read."""
    menu = turn.menu
    if turn.action != "menu" or menu is None or not menu.read_services:
        return [], False, ""
    lang = menu.language
    try:
        found, runs = services_with_hours(menu.read_services, menu.age, menu.item)
        if menu.item < len(found):
            service = found[menu.item]
    except Exception:  # noqa: BLE001 - the caller still gets the menu and an adviser
        db.session.rollback()
        log.exception("directory search failed at node %s", menu.node)
        found = []
    if not found:
        return [said(flow, "phrase:no_services", lang)], False, ""
    if menu.item >= len(found):
        return [said(flow, "phrase:last_service", lang)], True, ""
    text = service_line(flow, lang, service, runs)
    lines = [Line(text, lang, "service")]
    if menu.item == 0:  # before the list starts, the caller knows 1 texts them
        lines.insert(0, said(flow, "phrase:texts_first", lang))
    return lines, True, service.id


def _text_me_this(flow: Flow, call: CallLog, turn: Turn) -> Line:
    """Queue the services by text (once per call and menu); the line that says what happened."""
    lang = turn.state.language
    words = turn.services or ""
    try:
        from helpline.outbound.outbox import queue_text

        menu = turn.menu
        found = (services_for(words, menu.age if menu else None) if words else [])[:TEXTED]
        if not found:
            return said(flow, "phrase:no_services", lang)
        cause = f"call:{call.call_sid}:services:{turn.state.node}"
        row = None
        for part, body in enumerate(text_bodies(flow, lang, words, found), start=1):
            # One cause per text: pressing 1 again finds them all already queued.
            queued = queue_text(
                db.session(),
                to=call.phone_number,
                body=body,
                cause=cause if part == 1 else f"{cause}:{part}",
                purpose="voice-services",
                language=lang,
            )
            row = row or queued
    except Exception:  # noqa: BLE001 - say we couldn't, and keep the menu going
        db.session.rollback()
        log.exception("text-me-this failed for call %s", call.call_sid)
        row = None
    if row is None:
        return said(flow, "phrase:cannot_text", lang)
    call.reached("texted")
    return said(flow, "phrase:texted", lang)
