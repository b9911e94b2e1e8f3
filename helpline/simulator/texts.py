"""Texting the helpline as Twilio delivers a text: a signed webhook, then the replies' statuses."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

from helpline.simulator.exchange import Exchange, new_sid
from helpline.sms.segments import count_segments

# Twilio's Advanced Opt-Out (on for the helpline's number, README) answers these words itself,
# before and besides the helpline: its default English replies.
TWILIO_OPT_OUT_REPLIES = {
    **dict.fromkeys(("STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT"),
                    "You have successfully been unsubscribed. You will not receive any more "
                    "messages from this number. Reply START to resubscribe."),
    **dict.fromkeys(("START", "UNSTOP"),
                    "You have successfully been re-subscribed to messages from this number. "
                    "Reply HELP for help. Reply STOP to unsubscribe. Msg&Data Rates May Apply."),
}


def describe(body: str) -> dict[str, Any]:
    """A text as the simulator shows it: words, segments and encoding."""
    count = count_segments(body)
    return {"body": body, "segments": count.segments, "encoding": count.encoding}


def send(exchange: Exchange, from_number: str, body: str) -> dict[str, Any]:
    """Text the helpline; returns the text sent and the replies, each with its segments.

    Each reply that asks for its delivery status (<Message action>) is told it was delivered,
    as Twilio would tell it.
    """
    sid = new_sid("SM")
    sent = describe(body)
    answer = exchange.post(exchange.url("/twilio/sms"), {
        "MessageSid": sid, "SmsSid": sid, "SmsMessageSid": sid, "From": from_number,
        "To": exchange.helpline_number, "Body": body, "NumMedia": "0",
        "NumSegments": str(sent["segments"]), "SmsStatus": "received",
        "FromCountry": "GB", "ToCountry": "GB",
    })
    if answer.status != 200:
        return {"sent": sent, "replies": [], "error": f"The helpline answered {answer.status}."}
    replies = []
    by_twilio = TWILIO_OPT_OUT_REPLIES.get(body.strip().upper())
    if by_twilio:
        replies.append({**describe(by_twilio), "by": "Twilio (Advanced Opt-Out)"})
    for message in _messages(answer.text):
        body_element = message.find("Body")
        text = (body_element.text if body_element is not None else message.text) or ""
        replies.append({**describe(text), "by": "the helpline"})
        action = message.get("action")
        if action:
            reply_sid = new_sid("SM")
            for status in ("sent", "delivered"):
                exchange.post(exchange.url(action, answer.url), {
                    "MessageSid": reply_sid, "SmsSid": reply_sid, "MessageStatus": status,
                    "SmsStatus": status, "From": exchange.helpline_number, "To": from_number,
                }, message.get("method", "POST"))
    return {"sent": sent, "replies": replies}


def _messages(twiml: str) -> list[ET.Element]:
    try:
        root = ET.fromstring(twiml)
    except ET.ParseError:
        return []
    return [element for element in root if element.tag == "Message"]
