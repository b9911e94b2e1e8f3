"""A family's phone for the SMS end-to-end tests: signed posts to /twilio/sms, replies parsed."""

from __future__ import annotations

import uuid
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from typing import Any

from helpline.sms.segments import count_segments, is_gsm7
from tests.conftest import HELPLINE_NUMBER, TWILIO_TEST_SID, TwilioSigner

# Every English reply the suite sees, for the end-of-suite cost check.
ENGLISH_REPLIES: list[str] = []


def message_texts(twiml: bytes) -> list[str]:
    """The <Message> bodies of a TwiML answer."""
    root = ET.fromstring(twiml)
    assert root.tag == "Response"
    return [m.text or "" for m in root.iter("Message")]


def new_sid() -> str:
    return "SM" + uuid.uuid4().hex


@dataclass
class Phone:
    """Texts the helpline as Twilio would deliver them, and checks every reply it gets back."""

    signer: TwilioSigner
    number: str = "+447700900123"
    english: bool = True
    sids: list[str] = field(default_factory=list)

    def params(self, body: str, sid: str) -> dict[str, str]:
        return {
            "ToCountry": "GB", "SmsMessageSid": sid, "NumMedia": "0", "ToCity": "",
            "FromZip": "", "SmsSid": sid, "FromState": "", "SmsStatus": "received",
            "FromCity": "", "Body": body, "FromCountry": "GB", "To": HELPLINE_NUMBER,
            "ToZip": "", "NumSegments": "1", "MessageSid": sid, "AccountSid": TWILIO_TEST_SID,
            "From": self.number, "ApiVersion": "2010-04-01",
        }

    def post(self, body: str, sid: str | None = None) -> Any:
        sid = sid or new_sid()
        self.sids.append(sid)
        return self.signer.post("/twilio/sms", self.params(body, sid))

    def text(self, body: str, sid: str | None = None) -> list[str]:
        """Send a text; return the reply texts after checking the HTTP answer and their cost."""
        response = self.post(body, sid)
        assert response.status_code == 200
        assert response.mimetype == "text/xml"
        replies = message_texts(response.data)
        # A process's numbered facts ("1. ...") take up to two texts before the services: in
        # Polish and Urdu (UCS-2, 67 characters a part) the same facts as English cost one more.
        explained = bool(replies) and replies[0].startswith("1. ")
        assert len(replies) <= (4 if explained and not self.english else 3)
        for reply in replies:
            assert reply.strip()
            assert count_segments(reply).segments <= 3, reply
            if self.english:
                assert is_gsm7(reply), reply
                ENGLISH_REPLIES.append(reply)
        return replies

    def reply(self, body: str) -> str:
        """All reply texts joined, for assertions about wording."""
        return "\n".join(self.text(body))
