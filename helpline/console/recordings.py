"""Families' recordings (voicemails, comments left at the phone menu) played in the console:
fetched from Twilio for one signed-in account, so Twilio's address never reaches the page, by a
link that stops working after 10 minutes."""

from __future__ import annotations

from flask import Response, abort, current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer

from helpline.console.permissions import staff

LINK_SECONDS = 600


def _links(salt: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=salt)


def link_token(salt: str, kind: str, subject_id: int) -> str:
    """A token naming one recording's record (`kind` and id) and the signed-in account."""
    return _links(salt).dumps({kind: subject_id, "u": staff().id})


def check_token(salt: str, kind: str, subject_id: int, token: str) -> None:
    """404 unless the token is fresh and names this record and the signed-in account."""
    try:
        claims = _links(salt).loads(token, max_age=LINK_SECONDS)
    except BadSignature:
        abort(404)
    if not isinstance(claims, dict) or claims.get(kind) != subject_id \
            or claims.get("u") != staff().id:
        abort(404)


def audio(recording_url: str) -> Response:
    """The recording's audio, never cached (502 when Twilio can't give it)."""
    from helpline.outbound.gateway import OutboundError, fetch_recording

    try:
        sound, content_type = fetch_recording(recording_url)
    except OutboundError:
        abort(502)
    return Response(sound, mimetype=content_type, headers={"Cache-Control": "no-store"})
