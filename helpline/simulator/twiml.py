"""Reading TwiML as Twilio reads it: a document's verbs, a <Gather>'s options, a hold's length."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

SPOKEN = ("Say", "Play", "Pause")
KEYPAD = "0123456789*#"


def hold_seconds(raw: Any) -> float:
    """Seconds to hold on: a number from 0 to an hour; anything else is one round."""
    try:
        return min(max(float(raw or 0), 0.0), 3600.0)
    except (TypeError, ValueError):
        return 0.0


def gather_options(verb: ET.Element) -> dict[str, Any]:
    """What a <Gather> listens for, with Twilio's defaults (keys only, ended by #, 5 s)."""
    timeout = verb.get("timeout", "5")
    inputs = verb.get("input", "dtmf").split()
    digits = verb.get("numDigits", "")
    return {"for": "gather", "keys": "dtmf" in inputs, "speech": "speech" in inputs,
            "numDigits": int(digits) if digits.isdecimal() else 0,
            "finishOnKey": verb.get("finishOnKey", "#"),
            "timeout": int(timeout) if timeout.isdecimal() else 5,
            "language": verb.get("language", "")}


def parse(text: str) -> ET.Element | None:
    """The document's root element, or None for no TwiML at all."""
    try:
        return ET.fromstring(text) if text.strip() else None
    except ET.ParseError:
        return None
