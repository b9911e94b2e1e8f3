"""The one way out: every text, call and recording deletion the helpline asks of Twilio.

It uses twilio-python's REST client with a timeout, and sends every request to
TWILIO_API_BASE_URL (tests point it at a mock of Twilio's API) by rewriting the *.twilio.com host
in a custom http_client, so TWILIO_EDGE or TWILIO_REGION can't send it elsewhere. With
OUTBOUND_TRANSPORT=local (demo and development) that http_client is the local transport instead,
which answers on this machine and keeps what was sent for the simulator to show.
"""

from __future__ import annotations

import logging
import re
import threading
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import requests
from flask import current_app
from twilio.base.exceptions import TwilioRestException
from twilio.http import HttpClient
from twilio.http.http_client import TwilioHttpClient
from twilio.http.response import Response
from twilio.rest import Client

from helpline.logs import mask_phone

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT_SECONDS = 10.0

# Error codes that will fail the same way however often we try.
PERMANENT_CODES = frozenset(
    {
        21211,  # invalid 'To' number
        21214,  # 'To' number cannot be reached
        21407,  # this number type can't receive messages
        21408,  # no permission to send to this region
        21610,  # recipient replied STOP
        21612,  # 'To' number can't be reached from this 'From' number
        21614,  # 'To' is not a mobile number
        30004,  # message blocked
        30005,  # unknown destination handset
        30006,  # landline or unreachable carrier
    }
)


class OutboundError(Exception):
    """A text or call could not be started; `.permanent` says whether trying again can help."""

    def __init__(
        self, message: str, *, permanent: bool, code: int | None = None, status: int | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.permanent = permanent
        self.code = code
        self.status = status
        # Seconds Twilio asked us to wait (429's Retry-After), when it said.
        self.retry_after = retry_after


class BaseUrlHttpClient(TwilioHttpClient):
    """Sends requests meant for any *.twilio.com host to one base URL instead."""

    def __init__(self, base_url: str, timeout: float) -> None:
        super().__init__(timeout=timeout)
        self.base = urlsplit(base_url.rstrip("/"))

    def rewrite(self, url: str) -> str:
        """The same path and query on the configured base URL, for a *.twilio.com URL."""
        parts = urlsplit(url)
        host = parts.hostname or ""
        if host != "twilio.com" and not host.endswith(".twilio.com"):
            return url
        path = self.base.path + parts.path
        return urlunsplit((self.base.scheme, self.base.netloc, path, parts.query, parts.fragment))

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> Response:
        """Make the request against the base URL; keep a 429's Retry-After for _call."""
        response = super().request(method, self.rewrite(url), *args, **kwargs)
        _last.retry_after = _seconds(response.headers) if response.status_code == 429 else None
        return response


# What the last response on this thread asked (Retry-After): twilio's exceptions don't carry it.
_last = threading.local()
MAX_RETRY_AFTER = 3600.0


def _seconds(headers: Any) -> float | None:
    raw = str((headers or {}).get("Retry-After", "")).strip()
    try:
        return min(max(float(raw), 0.0), MAX_RETRY_AFTER) if raw else None
    except ValueError:  # an HTTP date: rarer from Twilio; the usual backoff will do
        return None


class CeilingReached(OutboundError):
    """OUTBOUND_CEILING_PER_HOUR texts and calls have gone this hour: this one waits."""

    def __init__(self) -> None:
        super().__init__("the hourly ceiling on outbound texts and calls is reached",
                         permanent=False)


def _within_ceiling() -> None:
    from helpline.limits import outbound_allowed

    if not outbound_allowed():
        raise CeilingReached


def client() -> Client:
    """A Twilio REST client for the current app's account, base URL and timeout."""
    config = current_app.config
    sid, token = config.get("TWILIO_ACCOUNT_SID"), config.get("TWILIO_AUTH_TOKEN")
    if not (sid and token):
        raise OutboundError("TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN are not set", permanent=False)
    clients: dict[str, Client] = current_app.extensions.setdefault("twilio_clients", {})
    transport = config.get("OUTBOUND_TRANSPORT", "twilio")
    key = f"{sid}|{config['TWILIO_API_BASE_URL']}|{transport}"
    if key not in clients:
        clients[key] = Client(sid, token, http_client=_transport(transport))
    return clients[key]


def _transport(name: str) -> HttpClient:
    """Twilio's API over the network, or (demo and development) the local transport."""
    config = current_app.config
    if name == "local":
        from helpline.outbound.local_transport import LocalTransport, capture_path

        return LocalTransport(capture_path(current_app))
    timeout = float(config.get("OUTBOUND_TIMEOUT_SECONDS", DEFAULT_TIMEOUT_SECONDS))
    return BaseUrlHttpClient(config["TWILIO_API_BASE_URL"], timeout)


def _status_callback(path: str) -> str | None:
    base = current_app.config.get("PUBLIC_BASE_URL")
    return f"{base}{path}" if base else None


def send_text(to: str, body: str, *, status_callback_path: str = "/twilio/outbound/status") -> str:
    """Send one SMS from the helpline number; returns Twilio's MessageSid."""
    options: dict[str, Any] = {
        "to": to,
        "from_": current_app.config["TWILIO_PHONE_NUMBER"],
        "body": body,
    }
    callback = _status_callback(status_callback_path)
    if callback:
        options["status_callback"] = callback
    _within_ceiling()
    message = _call(lambda: client().messages.create(**options), f"text to {mask_phone(to)}")
    return str(message.sid)


def start_call(
    to: str, *, url: str, status_callback: str | None = None, ring_seconds: int = 25
) -> str:
    """Ring a number; when answered, Twilio fetches TwiML from `url`. Returns the CallSid."""
    options: dict[str, Any] = {
        "to": to,
        "from_": current_app.config["TWILIO_PHONE_NUMBER"],
        "url": url,
        "timeout": ring_seconds,
    }
    if status_callback:
        options["status_callback"] = status_callback
        # Twilio's default event is "completed" alone, which is all escalation needs.
    _within_ceiling()
    call = _call(lambda: client().calls.create(**options), f"call to {mask_phone(to)}")
    return str(call.sid)


def end_call(call_sid: str) -> None:
    """Stop a call: hang it up if answered, stop it ringing if not (Twilio's status "completed"
    does both; "canceled" would leave an answered call up)."""
    _call(lambda: client().calls(call_sid).update(status="completed"), f"end {call_sid}")


def redirect_call(call_sid: str, url: str) -> None:
    """Send a live call to new TwiML (for example out of a queue nobody is answering)."""
    _call(lambda: client().calls(call_sid).update(url=url, method="POST"), f"redirect {call_sid}")


# Twilio's recording addresses end .../Recordings/RE<32 hex>, with or without a media suffix.
_RECORDING_SID = re.compile(r"/Recordings/(RE[0-9a-fA-F]{32})(?:\.\w+)?/?$")


def recording_sid(recording_url: str) -> str | None:
    """The RecordingSid in a Twilio recording address; None for any other address."""
    found = _RECORDING_SID.search(urlsplit(recording_url.strip()).path)
    return found.group(1) if found else None


def delete_recording(recording_url: str) -> None:
    """Delete a recording (a family's voice) from the Twilio account; gone already is fine.

    An address that is not a Twilio recording has nothing at Twilio to delete.
    """
    sid = recording_sid(recording_url)
    if sid is None:
        return
    try:
        _call(lambda: client().recordings(sid).delete(), f"delete recording {sid}")
    except OutboundError as exc:
        if exc.status != 404:
            raise


def fetch_recording(recording_url: str) -> tuple[bytes, str]:
    """A recording's audio (MP3) and content type, fetched with the account's credentials, for
    the console to play to an adviser without showing them Twilio's address."""
    sid = recording_sid(recording_url)
    config = current_app.config
    account, token = config.get("TWILIO_ACCOUNT_SID"), config.get("TWILIO_AUTH_TOKEN")
    if sid is None or not (account and token):
        raise OutboundError("not a recording this account can fetch", permanent=True)
    url = f"{config['TWILIO_API_BASE_URL']}/2010-04-01/Accounts/{account}/Recordings/{sid}.mp3"
    timeout = float(config.get("OUTBOUND_TIMEOUT_SECONDS", DEFAULT_TIMEOUT_SECONDS))
    try:
        answer = requests.get(url, auth=(account, token), timeout=timeout)
    except requests.RequestException as exc:
        log.warning("could not reach Twilio for recording %s: %s", sid, exc.__class__.__name__)
        raise OutboundError(f"network error fetching {sid}", permanent=False) from exc
    if answer.status_code != 200:
        log.warning("Twilio refused recording %s: status %s", sid, answer.status_code)
        raise OutboundError(f"Twilio refused recording {sid}", permanent=answer.status_code == 404,
                            status=answer.status_code)
    kind = answer.headers.get("Content-Type", "").split(";")[0].strip()
    return answer.content, kind if kind.startswith("audio/") else "audio/mpeg"


def delete_message(message_sid: str) -> None:
    """Delete a text (its body and number) from the Twilio account; gone already is fine."""
    _delete(lambda: client().messages(message_sid).delete(), f"delete message {message_sid}")


def delete_call(call_sid: str) -> None:
    """Delete a call's record (the number, times and price) from the Twilio account; gone
    already is fine."""
    _delete(lambda: client().calls(call_sid).delete(), f"delete call {call_sid}")


def _delete(action: Any, what: str) -> None:
    try:
        _call(action, what)
    except OutboundError as exc:
        if exc.status != 404:
            raise


def _call(action: Any, what: str) -> Any:
    _last.retry_after = None
    try:
        return action()
    except TwilioRestException as exc:
        permanent = exc.code in PERMANENT_CODES or (
            exc.status is not None
            and 400 <= exc.status < 500
            and exc.status not in (401, 403, 408, 429)
        )
        log.warning("Twilio refused %s: status %s code %s", what, exc.status, exc.code)
        raise OutboundError(
            f"Twilio refused {what}: {exc.status} {exc.code}",
            permanent=permanent,
            code=exc.code,
            status=exc.status,
            retry_after=getattr(_last, "retry_after", None) if exc.status == 429 else None,
        ) from exc
    except (requests.RequestException, OSError) as exc:
        log.warning("could not reach Twilio for %s: %s", what, exc.__class__.__name__)
        raise OutboundError(f"network error on {what}", permanent=False) from exc


def account_request(action: Any, what: str) -> Any:
    """One request about the account itself (its numbers), with the same errors as a send."""
    return _call(action, what)
