"""Requests to the helpline's own webhooks, signed and formed exactly as Twilio makes them.

The simulator never calls a webhook's Python function: it posts the form Twilio would post, with
an X-Twilio-Signature made from the app's auth token, through the app's whole WSGI stack (in this
process, so a demo needs no second server), and reads back the TwiML the app answers with.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from urllib.parse import urlencode, urljoin, urlsplit

from flask import Flask
from twilio.request_validator import RequestValidator

API_VERSION = "2010-04-01"
LOCAL_BASE = "http://localhost"


def as_twilio_gives_it(number: str) -> str | None:
    """A caller's number as Twilio writes it in From: E.164, or "anonymous" when withheld;
    None for something that is no phone number."""
    from helpline.families.phone_numbers import is_withheld, to_e164

    text = number.strip()
    return "anonymous" if is_withheld(text) else to_e164(text)


def new_sid(prefix: str) -> str:
    """A Twilio-shaped id: two letters and 32 hex digits."""
    return prefix + secrets.token_hex(16)


@dataclass(frozen=True)
class Answer:
    """What the helpline answered: the status, the body, and the URL that was posted."""

    status: int
    text: str
    url: str


class Exchange:
    """Signed posts from "Twilio" to one app."""

    def __init__(self, app: Flask, base_url: str | None = None) -> None:
        self.app = app
        # Twilio posts to the number's webhook: PUBLIC_BASE_URL when set, else where we are.
        self.base = (app.config.get("PUBLIC_BASE_URL") or base_url or LOCAL_BASE).rstrip("/")
        self.validator = RequestValidator(app.config.get("TWILIO_AUTH_TOKEN") or "")
        self.account_sid = str(app.config.get("TWILIO_ACCOUNT_SID") or "")
        self.helpline_number = str(app.config.get("TWILIO_PHONE_NUMBER") or "")

    def url(self, path_or_url: str, current: str | None = None) -> str:
        """An absolute URL for a webhook path, or a TwiML URL resolved as Twilio resolves it."""
        return urljoin((current or self.base) + ("" if current else "/"), path_or_url)

    def post(self, url: str, params: dict[str, str], method: str = "POST") -> Answer:
        """POST (or GET) the params to the URL, signed; only this app's own URLs are followed."""
        params = {"AccountSid": self.account_sid, "ApiVersion": API_VERSION, **params}
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            return Answer(400, "", url)
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        client = self.app.test_client()
        base_url = f"{parts.scheme}://{parts.netloc}"
        if method.upper() == "GET":  # Twilio puts the parameters in the query string and signs it
            joined = url + ("&" if parts.query else "?") + urlencode(params)
            signature = self.validator.compute_signature(joined, {})
            response = client.get(joined[len(base_url):], base_url=base_url,
                                  headers={"X-Twilio-Signature": signature})
        else:
            signature = self.validator.compute_signature(url, params)
            response = client.post(target, base_url=base_url, data=params,
                                   headers={"X-Twilio-Signature": signature})
        return Answer(response.status_code, response.get_data(as_text=True), url)
