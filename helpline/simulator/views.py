"""/simulator: the page, and the few JSON calls it makes (each one a real, signed webhook)."""

from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, Response, abort, current_app, jsonify, render_template, request

from helpline.demo import is_trial
from helpline.simulator import call, texts
from helpline.simulator.exchange import Exchange, as_twilio_gives_it

bp = Blueprint("simulator", __name__, template_folder="templates", static_folder="static",
               static_url_path="/simulator/static")

# The page's first phones: Ofcom's drama range, numbers that can never ring anyone.
FIRST_NUMBERS = ("+447700900101", "+447700900102", "+447700900103")
# What a call's state must hold for the next move (the page keeps it between moves).
CALL_STATE = {"sid", "from", "to", "doc", "url", "pos", "elapsed", "ended"}


@bp.before_request
def only_in_demo_or_development() -> None:
    """Outside demo and development the simulator does not exist."""
    if not is_trial(current_app):
        abort(404)


@bp.get("/simulator")
def page() -> str:
    """A phone on the page: the message thread, the call, the keypad."""
    return render_template("simulator.html", numbers=FIRST_NUMBERS,
                           helpline_number=current_app.config.get("TWILIO_PHONE_NUMBER", ""),
                           mode=current_app.config["HELPLINE_MODE"])


def _exchange() -> Exchange:
    return Exchange(current_app._get_current_object(), request.host_url)  # type: ignore[attr-defined]


def _body() -> dict[str, Any]:
    # JSON only: a form on another site can't post it to a demo running on someone's machine.
    data = request.get_json(silent=True) if request.is_json else None
    if not isinstance(data, dict):
        abort(400, "Send JSON.")
    return data


def _number(raw: Any) -> str:
    number = as_twilio_gives_it(str(raw or ""))
    if number is None:
        abort(400, "That is not a phone number.")
    return number


@bp.post("/simulator/api/text")
def text() -> Response:
    """Text the helpline from a number; the replies come back with their segments."""
    data = _body()
    body = str(data.get("body") or "")[:1600]
    return jsonify(texts.send(_exchange(), _number(data.get("from")), body))


@bp.post("/simulator/api/call")
def dial() -> Response:
    """Ring the helpline from a number."""
    return jsonify(call.dial(_exchange(), _number(_body().get("from"))).as_json())


@bp.post("/simulator/api/call/move")
def call_move() -> Response:
    """The caller's next move on a call the page holds the state of."""
    data = _body()
    state, action = data.get("state"), data.get("action")
    if not isinstance(state, dict) or not isinstance(action, dict) or not CALL_STATE <= set(state):
        abort(400, "Send the call's state and an action.")
    return jsonify(call.move(_exchange(), state, action).as_json())


@bp.post("/simulator/api/call/answer")
def answer() -> Response:
    """Pick up a call the helpline started (captured by the local transport)."""
    data = _body()
    sid, url = str(data.get("sid") or ""), str(data.get("url") or "")
    if not re.fullmatch(r"CA[0-9a-f]{32}", sid) or not url:
        abort(400, "Send the call's sid and url.")
    found = {"sid": sid, "to": _number(data.get("to")), "url": url,
             "method": str(data.get("method") or "POST"),
             "status_callback": str(data.get("status_callback") or "")}
    return jsonify(call.answer(_exchange(), found).as_json())


@bp.get("/simulator/api/sent")
def sent() -> Response:
    """Texts and calls the helpline sent through the local transport since `after`."""
    from helpline.outbound.local_transport import capture_path, captured

    after = request.args.get("after", "0")
    found = captured(capture_path(current_app), after=int(after) if after.isdecimal() else 0)
    items = []
    for entry in found:
        item = {k: entry.get(k) for k in ("seq", "kind", "to", "from", "sid", "at", "status",
                                          "url", "method", "status_callback")}
        if entry.get("kind") == "text":
            item.update(texts.describe(str(entry.get("body") or "")))
        items.append(item)
    last = max((int(e.get("seq", 0)) for e in found), default=int(after or 0)
               if after.isdecimal() else 0)
    return jsonify({"items": items, "last": last})
