"""Errors answer plainly: no stack trace and no personal data ever reach the caller."""

from __future__ import annotations

import logging

from flask import Flask, Response, jsonify, request
from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)


def init_app(app: Flask) -> None:
    """Register handlers that turn any failure into a short, safe response."""

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> tuple[Response, int]:
        return jsonify(error=exc.name, status=exc.code), exc.code or 500

    @app.errorhandler(Exception)
    def unexpected_error(exc: Exception) -> tuple[Response, int]:
        # The trace goes to the log (numbers masked there); the caller sees one plain line.
        log.exception("unhandled error on %s %s", request.method, request.path)
        return jsonify(error="Something went wrong on our side. Please try again.", status=500), 500
