"""The check every Twilio webhook passes: a valid X-Twilio-Signature, or 403 and nothing done;
then every field it carries cut to a sane length, with control characters taken out."""

from __future__ import annotations

import functools
import hmac
import logging
from collections.abc import Callable
from typing import Any, TypeVar, cast
from urllib.parse import parse_qs, urlparse, urlsplit

from flask import abort, current_app, request
from twilio.request_validator import (
    HMAC_SHA1,
    HMAC_SHA256,
    SIGNATURE_HEADER,
    SIGNATURE_SETTINGS_HEADER,
    RequestValidator,
    add_port,
    get_signature_algorithm,
    remove_port,
)
from werkzeug.datastructures import ImmutableMultiDict, MultiDict

log = logging.getLogger(__name__)

F = TypeVar("F", bound=Callable[..., Any])

# Longest value kept of each field; anything longer is cut before a view sees it. Twilio's sids
# are 34 characters; a message is at most 1600; a spoken answer to a menu is a few words.
FIELD_CAPS: dict[str, int] = {
    "Body": 1600,
    "SpeechResult": 300,
    "Digits": 32,
    "From": 64,
    "To": 64,
    "RecordingUrl": 512,
    "node": 64,
    "lang": 8,
}
SID_CAP = 64  # every *Sid field, and the database's sid columns
DEFAULT_CAP = 256

# Control characters other than tab and line breaks: no phone sends them, and PostgreSQL
# refuses NUL in text, which would turn a request into an error.
_CONTROLS = dict.fromkeys(c for c in range(32) if chr(c) not in "\t\n\r")
_CONTROLS.update({127: None})


def cap(name: str, value: str) -> str:
    """A field's value without control characters, cut to its field's longest length."""
    limit = FIELD_CAPS.get(name, SID_CAP if name.endswith("Sid") else DEFAULT_CAP)
    value = value[: limit * 2]
    # A printable value has no control character: nearly every field, so no translate().
    return (value if value.isprintable() else value.translate(_CONTROLS))[:limit]


def capped(fields: MultiDict[str, str]) -> ImmutableMultiDict[str, str]:
    """Every value of a form or query string made safe with cap(); names are capped too."""
    return ImmutableMultiDict(
        [(cap("", name)[:64], cap(name, value)) for name, value in fields.items(multi=True)]
    )


def signed_url() -> str:
    """The URL Twilio signed: PUBLIC_BASE_URL + path + query string, else the request's own URL."""
    base = current_app.config.get("PUBLIC_BASE_URL", "")
    # The query string exactly as it came: request.url decodes it ("%40" becomes "@"), and
    # Twilio signs the URL as we gave it.
    query = request.query_string.decode("latin-1")
    if not base:
        # Behind a proxy this is only right with TRUST_PROXY (ProxyFix) switched on.
        return request.base_url + (f"?{query}" if query else "")
    return base.rstrip("/") + request.path + (f"?{query}" if query else "")


def is_signed_by_twilio() -> bool:
    """True when the current request carries a valid Twilio signature for our auth token.

    While the token is being rotated, TWILIO_PREVIOUS_AUTH_TOKEN is accepted too: Twilio signs
    with the old one until the new one is promoted in its console.
    """
    config = current_app.config
    tokens = [t for t in (config.get("TWILIO_AUTH_TOKEN", ""),
                          config.get("TWILIO_PREVIOUS_AUTH_TOKEN", "")) if t]
    signature = request.headers.get(SIGNATURE_HEADER, "")
    if not tokens or not signature:
        return False
    algorithm = get_signature_algorithm(request.headers.get(SIGNATURE_SETTINGS_HEADER, ""))
    url = signed_url()
    params: Any
    try:
        # The validator takes a body hash only when its own parse of the URL finds one (a blank
        # ?bodySHA256= is no hash): asked any other way, a raw body makes it fail with an error.
        if "bodySHA256" in parse_qs(urlsplit(url).query):
            # JSON bodies are signed by a hash of the raw body carried in the query string.
            params = request.get_data(as_text=True)
            return any(RequestValidator(token).validate(url, params, signature, algorithm)
                       for token in tokens)
        params = request.form if request.method == "POST" else {}  # MultiDict: all repeats
        return any(_form_signed(token, url, params, signature, algorithm) for token in tokens)
    except (TypeError, ValueError, UnicodeError):  # a forged request shaped to break the check
        return False


def _form_signed(token: str, url: str, params: Any, signature: str, algorithm: str) -> bool:
    """RequestValidator.validate() for a form: the signature of the URL with or without its
    port, compared in constant time; the form the URL has is tried first and the other only
    if it fails (validate() signs both every time, a third of a voice step's check)."""
    validator = RequestValidator(token)
    if (algorithm or HMAC_SHA1).upper() not in (HMAC_SHA1, HMAC_SHA256):
        return bool(validator.validate(url, params, signature, algorithm))  # logs it: False
    parsed = urlparse(url)
    forms = (add_port(parsed), remove_port(parsed)) if parsed.port else (
        remove_port(parsed), add_port(parsed))
    expected = signature.encode()
    return any(
        hmac.compare_digest(validator.compute_signature(form, params, algorithm).encode(),
                            expected)
        for form in forms
    )


def twilio_request(view: F) -> F:
    """Decorate a webhook view: unsigned or wrongly signed requests get 403 before it runs; the
    view then sees only capped fields (see cap())."""

    @functools.wraps(view)
    def checked(*args: Any, **kwargs: Any) -> Any:
        if not is_signed_by_twilio():
            log.warning("rejected a Twilio webhook with a bad signature on %s", request.path)
            abort(403)
        # Werkzeug caches both on the request: what the view reads from here on is safe.
        request.form = capped(request.form)  # type: ignore[misc]
        request.args = capped(request.args)  # type: ignore[misc]
        return view(*args, **kwargs)

    return cast(F, checked)
