"""The text channel: families text a keyword and get Local Offer services back."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the SMS webhooks and the template check."""
    from helpline.sms import models as _models  # noqa: F401 - tables for Alembic
