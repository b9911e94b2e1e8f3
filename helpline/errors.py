"""Errors answer plainly: no stack trace and no personal data ever reach the caller."""

from __future__ import annotations

import logging

from flask import Flask, Response, abort, jsonify, request
from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)


def init_app(app: Flask) -> None:
    """Register handlers that turn any failure into a short, safe response."""

    @app.before_request
    def refuse_nul() -> None:
        # No URL of ours has a NUL in it, and PostgreSQL refuses one in any text it is given:
        # a plain 400 here, not a 500 from whichever query would have carried it.
        if "\x00" in request.path or b"%00" in request.query_string or b"\x00" in \
                request.query_string:
            abort(400, description="NUL is not allowed in a URL")

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> tuple[Response, int]:
        return jsonify(error=exc.name, status=exc.code), exc.code or 500

    @app.errorhandler(Exception)
    def unexpected_error(exc: Exception) -> tuple[Response, int]:
        # The trace goes to the log (numbers masked there); the caller sees one plain line.
        log.exception("unhandled error on %s %s", request.method, request.path)
        return jsonify(error="Something went wrong on our side. Please try again.", status=500), 500
