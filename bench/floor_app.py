"""A second baseline for bench/webhook_load.py: the least a correct webhook must do.

It checks Twilio's signature with RequestValidator and logs the text with one SQLAlchemy Core
INSERT and a commit into the helpline's own sms_message table, then answers one fixed TwiML
message: no dialogue, no conversation memory, no directory. The helpline's cost above this
line is the dialogue's; below it, no implementation that checks and logs can go.
"""

from __future__ import annotations

import os

from flask import Flask, Response, request
from sqlalchemy import MetaData, Table, create_engine, insert
from twilio.request_validator import RequestValidator
from twilio.twiml.messaging_response import MessagingResponse

import helpline.extensions  # noqa: F401 - registers the helpline's SQLite settings (WAL, timeouts)
from helpline.config import load_settings
from helpline.directory.models import utcnow

app = Flask(__name__)
_SETTINGS = load_settings(os.environ, app.instance_path)
_ENGINE = create_engine(_SETTINGS["SQLALCHEMY_DATABASE_URI"])
_LOG = Table("sms_message", MetaData(), autoload_with=_ENGINE)
_INSERT = insert(_LOG)
_VALIDATOR = RequestValidator(_SETTINGS["TWILIO_AUTH_TOKEN"])
_REPLY = str(MessagingResponse().message("Local Offer help. Text SHORTBREAKS, EHC or TRANSPORT."))


@app.post("/twilio/sms")
@app.post("/twilio/voice")
@app.post("/twilio/voice/step")
def checked_and_logged() -> Response:
    """403 for a bad signature; else log the request in one INSERT and answer the fixed TwiML."""
    url = _SETTINGS["PUBLIC_BASE_URL"] + request.full_path.rstrip("?")
    if not _VALIDATOR.validate(url, request.form, request.headers.get("X-Twilio-Signature", "")):
        return Response("", status=403)
    form = request.form
    now = utcnow()
    with _ENGINE.begin() as connection:
        connection.execute(_INSERT, {
            "direction": "in", "message_sid": form.get("MessageSid") or None,
            "phone_number": form.get("From"), "body": form.get("Body", form.get("Digits", "")),
            "language": "en", "intent": "floor", "created_at": now, "updated_at": now,
        })
    return Response(_REPLY, mimetype="text/xml")
