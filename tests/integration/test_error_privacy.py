"""A database error never carries a family's number or text into a log."""

from __future__ import annotations

import io
import logging

import pytest
from flask import Flask
from sqlalchemy import insert
from sqlalchemy.exc import DBAPIError

from helpline.extensions import db
from helpline.logs import MaskPhoneNumbers
from helpline.sms.models import SmsMessage


def test_a_failed_statement_is_logged_without_the_number_or_the_text(app: Flask) -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(MaskPhoneNumbers())  # as helpline.logs.init_app sets up every handler
    logger = logging.getLogger("test-error-privacy")
    logger.handlers, logger.propagate = [handler], False
    logger.disabled = False  # Alembic's fileConfig disables loggers made before a migration
    with app.app_context():
        with pytest.raises(DBAPIError) as failed:
            # direction is NOT NULL: the statement fails on every database.
            db.session.execute(insert(SmsMessage).values(
                direction=None, phone_number="+447700900123", body="my son is 7"))
        db.session.rollback()
    assert "parameters hidden" in str(failed.value)
    try:
        raise failed.value
    except DBAPIError:
        logger.exception("could not log a text")
    logged = stream.getvalue()
    assert "sms_message" in logged  # the error itself is still there to debug
    assert "7700900123" not in logged and "my son is 7" not in logged
