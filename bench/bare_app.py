"""Baseline for bench/webhook_load.py: a bare Flask endpoint answering one fixed TwiML message."""

from __future__ import annotations

from flask import Flask, Response
from twilio.twiml.messaging_response import MessagingResponse

app = Flask(__name__)
_REPLY = str(MessagingResponse().message("Local Offer help. Text SHORTBREAKS, EHC or TRANSPORT."))


@app.post("/twilio/sms")
@app.post("/twilio/voice")
@app.post("/twilio/voice/step")
def fixed_reply() -> Response:
    """The same TwiML every time: no signature check, database or dialogue."""
    return Response(_REPLY, mimetype="text/xml")
