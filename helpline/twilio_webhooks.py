"""The check every Twilio webhook passes: a valid X-Twilio-Signature, or 403 and nothing done."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any, TypeVar, cast

from flask import abort, current_app, request
from twilio.request_validator import (
    SIGNATURE_HEADER,
    SIGNATURE_SETTINGS_HEADER,
    RequestValidator,
    get_signature_algorithm,
)

log = logging.getLogger(__name__)

F = TypeVar("F", bound=Callable[..., Any])


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
    params: Any
    if "bodySHA256" in request.args:
        # JSON bodies are signed by a hash of the raw body carried in the query string.
        params = request.get_data(as_text=True)
    elif request.method == "POST":
        params = request.form  # a MultiDict: repeated fields are all signed
    else:
        params = {}
    url = signed_url()
    return any(RequestValidator(token).validate(url, params, signature, algorithm)
               for token in tokens)


def twilio_request(view: F) -> F:
    """Decorate a webhook view: unsigned or wrongly signed requests get 403 before it runs."""

    @functools.wraps(view)
    def checked(*args: Any, **kwargs: Any) -> Any:
        if not is_signed_by_twilio():
            log.warning("rejected a Twilio webhook with a bad signature on %s", request.path)
            abort(403)
        return view(*args, **kwargs)

    return cast(F, checked)
