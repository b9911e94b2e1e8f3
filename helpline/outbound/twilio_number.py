"""The helpline number's settings at Twilio: what they must be, what they are, and setting them.

`helpline twilio connect` points the number's SMS and voice webhooks and its call status callback
at PUBLIC_BASE_URL; `helpline twilio check` compares what Twilio holds with what the helpline
needs and names every difference. Both go through the gateway's client (TWILIO_API_BASE_URL).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from flask import current_app
from twilio.base.exceptions import TwilioException

from helpline.outbound.gateway import OutboundError, account_request, client

# Number field -> the path under PUBLIC_BASE_URL it must hold (methods are all POST).
WEBHOOKS = {
    "sms_url": "/twilio/sms",
    "voice_url": "/twilio/voice",
    "status_callback": "/twilio/voice/status",
}
METHODS = {"sms_url": "sms_method", "voice_url": "voice_method",
           "status_callback": "status_callback_method"}
# Set on the number, these take its calls or texts away from the webhooks above.
OVERRIDES = {
    "voice_application_sid": "a TwiML App takes its calls",
    "sms_application_sid": "a TwiML App takes its texts",
    "trunk_sid": "a SIP trunk takes its calls",
}
OVERRIDE_FIX = {
    "voice_application_sid": "remove the TwiML App from the number in the Console",
    "sms_application_sid": "remove the TwiML App from the number in the Console",
    "trunk_sid": "take the number out of the SIP trunk in the Console",
}
ADVANCED_OPT_OUT = (
    "Advanced Opt-Out can't be read through Twilio's API: in the Console, put the number in a "
    "Messaging Service with Opt-Out Management on (STOP/START confirmed by Twilio), and keep the "
    "service's inbound setting on 'Defer to sender's webhook'"
)


@dataclass
class Finding:
    """One line of the check: what it looked at, whether it is right, and what to do."""

    what: str
    state: str  # "ok", "wrong", or "unchecked" (Twilio's API can't tell)
    detail: str = ""


class NumberNotFound(OutboundError):
    """TWILIO_PHONE_NUMBER is not a number in this Twilio account."""


def wanted_settings(base_url: str) -> dict[str, str]:
    """The number's webhook fields and methods, as the helpline at `base_url` needs them."""
    wanted = {field: base_url + path for field, path in WEBHOOKS.items()}
    wanted.update({method: "POST" for method in METHODS.values()})
    return wanted


def settings_problems() -> list[str]:
    """What in the helpline's own settings stops it connecting its number."""
    config = current_app.config
    problems = [f"{name} is not set" for name in
                ("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_PHONE_NUMBER",
                 "PUBLIC_BASE_URL") if not config.get(name)]
    base = config.get("PUBLIC_BASE_URL") or ""
    if base and urlsplit(base).scheme != "https":
        problems.append(f"PUBLIC_BASE_URL must be https:// (texts and calls are personal data), "
                        f"not {base}")
    return problems


def find_number() -> Any:
    """The account's IncomingPhoneNumber for TWILIO_PHONE_NUMBER."""
    number = current_app.config["TWILIO_PHONE_NUMBER"]
    try:
        found = account_request(
            lambda: client().incoming_phone_numbers.list(phone_number=number, limit=20),
            "list the account's numbers",
        )
    except TwilioException as exc:  # a listing's error is not a TwilioRestException
        raise OutboundError("Twilio refused to list the account's numbers: "
                            + " ".join(str(exc).split()), permanent=True) from exc
    for candidate in found:
        if candidate.phone_number == number:
            return candidate
    raise NumberNotFound(f"{number} is not a number in Twilio account "
                         f"{current_app.config['TWILIO_ACCOUNT_SID']}", permanent=True)


def connect() -> dict[str, str]:
    """Point the helpline number's webhooks at PUBLIC_BASE_URL; returns what was set."""
    number = find_number()
    wanted = wanted_settings(current_app.config["PUBLIC_BASE_URL"])
    # A TwiML App or SIP trunk on the number is left alone (Twilio's API can't clear one with
    # an empty value); the check after connecting names it.
    account_request(lambda: client().incoming_phone_numbers(number.sid).update(**wanted),
                    f"update number {number.sid}")
    return wanted


def check() -> list[Finding]:
    """Every difference between the number at Twilio and what the helpline needs."""
    problems = settings_problems()
    if problems:
        return [Finding("settings", "wrong", problem) for problem in problems]
    number = find_number()
    base = current_app.config["PUBLIC_BASE_URL"]
    findings = [Finding("number", "ok", f"{number.phone_number} ({number.sid})")]
    for field, url in wanted_settings(base).items():
        if field in METHODS.values():
            continue
        held = getattr(number, field, None) or ""
        method = getattr(number, METHODS[field], None) or ""
        if held != url:
            hint = " (not under PUBLIC_BASE_URL)" if held and not held.startswith(base) else ""
            detail = f"is {held or 'not set'}{hint}; should be {url}"
            findings.append(Finding(field, "wrong", detail))
        elif method.upper() != "POST":
            findings.append(Finding(field, "wrong", f"{url} by {method or '?'}; should be POST"))
        elif urlsplit(held).scheme != "https":
            findings.append(Finding(field, "wrong", f"{held} is not https"))
        else:
            findings.append(Finding(field, "ok", f"{held} (POST)"))
    for field, meaning in OVERRIDES.items():
        if getattr(number, field, None):
            detail = f"{getattr(number, field)} is set: {meaning}; {OVERRIDE_FIX[field]}"
            findings.append(Finding(field, "wrong", detail))
    capabilities = getattr(number, "capabilities", None) or {}
    for capability in ("sms", "voice"):
        if capabilities and not capabilities.get(capability):
            findings.append(Finding("capabilities", "wrong", f"the number can't take {capability}"))
    if number.phone_number.startswith("+44") and not getattr(number, "bundle_sid", None):
        findings.append(Finding("regulatory bundle", "unchecked", "none on the number: a UK "
                                "number needs an approved bundle (README, going live)"))
    findings.append(Finding("advanced opt-out", "unchecked", ADVANCED_OPT_OUT))
    return findings
