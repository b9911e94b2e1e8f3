"""Twilio's SMS webhooks: parse the form, call one domain function, answer TwiML."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, request, url_for
from twilio.twiml.messaging_response import MessagingResponse

from helpline.extensions import db, once_more_if_connection_lost
from helpline.sms.conversations import (
    InboundSms,
    answer_text_message,
    record_status,
    settings_for,
)
from helpline.twilio_webhooks import twilio_request

blueprint = Blueprint("sms", __name__)


def _twiml(response: MessagingResponse) -> Response:
    return Response(str(response), status=200, mimetype="text/xml")


def _status_url() -> str:
    # Twilio posts the delivery status of each reply here, ?ref= the reply's log row.
    base = current_app.config.get("PUBLIC_BASE_URL", "")
    key = (base, request.script_root)
    url = _STATUS_URLS.get(key)
    if url is None:  # the same for every text: url_for cost more than the reply's TwiML
        if len(_STATUS_URLS) > 16:  # a proxy's prefix could vary: never an unbounded store
            _STATUS_URLS.clear()
        path = url_for("sms.message_status")
        url = _STATUS_URLS[key] = base + path if base else path
    return url


_STATUS_URLS: dict[tuple[str, str], str] = {}


@blueprint.post("/twilio/sms")
@twilio_request
def incoming_message() -> Response:
    """Answer a family's text with TwiML: the replies, or an empty Response when none is due."""
    inbound = InboundSms.from_form(request.form)
    replies = answer_text_message(db.session(), inbound, settings_for(current_app.config))
    response = MessagingResponse()
    status_url = _status_url() if replies else ""
    for reply in replies:
        if reply.ref is None:
            response.message(reply.body)
        else:
            # ref is a row id (an int): nothing in it needs quoting.
            response.message(reply.body, action=f"{status_url}?ref={int(reply.ref)}",
                             method="POST")
    return _twiml(response)


@blueprint.post("/twilio/sms/status")
@twilio_request
def message_status() -> Response:
    """Record a delivery status; unknown or old ids still get 200 so Twilio never retries."""
    status = request.form.get("MessageStatus") or request.form.get("SmsStatus") or ""
    sid = request.form.get("MessageSid") or request.form.get("SmsSid") or ""
    try:
        session = db.session()
        once_more_if_connection_lost(
            lambda: record_status(session, request.args.get("ref"), sid, status), session
        )
    except Exception:
        db.session.rollback()
        current_app.logger.exception("could not record an SMS status")
    return _twiml(MessagingResponse())
