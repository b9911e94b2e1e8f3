"""A PostgreSQL statement that stalls is cancelled after DATABASE_STATEMENT_TIMEOUT seconds, so a
family gets the safe answer in time instead of Twilio giving up on a webhook that never ends."""

from __future__ import annotations

import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from helpline.config import load_settings
from helpline.extensions import db
from tests.conftest import TWILIO_TEST_SID, TwilioSigner
from tests.integration.conftest import make_app

FAMILY = "+447700900321"


def _app_timing_out_after_a_second(app: Flask, tmp_path: Path) -> Flask:
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    if not url.startswith("postgresql"):
        pytest.skip("a statement timeout is PostgreSQL's")
    settings = load_settings(
        {"DATABASE_URL": url, "DATABASE_STATEMENT_TIMEOUT": "1"}, str(tmp_path)
    )
    return make_app(app, tmp_path, SQLALCHEMY_ENGINE_OPTIONS=settings["SQLALCHEMY_ENGINE_OPTIONS"])


def test_a_statement_longer_than_the_timeout_is_cancelled_not_waited_for(
    app: Flask, tmp_path: Path
) -> None:
    made = _app_timing_out_after_a_second(app, tmp_path)
    with made.app_context():
        started = time.monotonic()
        with pytest.raises(OperationalError, match="statement timeout"):
            db.session.execute(text("SELECT pg_sleep(5)"))
        assert time.monotonic() - started < 3
        db.session.rollback()
        assert db.session.execute(text("SELECT 1")).scalar() == 1  # the connection still serves


def test_a_text_held_up_by_a_stuck_session_gets_the_apology_and_the_menu_in_time(
    app: Flask, tmp_path: Path
) -> None:
    made = _app_timing_out_after_a_second(app, tmp_path)
    stuck = create_engine(app.config["SQLALCHEMY_DATABASE_URI"])
    try:
        with stuck.connect() as session:
            # Another session that took the texts' table and stopped: every statement that
            # reads or writes it waits. (The server ends it after 10 s, so without the timeout
            # this test fails on the time taken rather than hanging.)
            session.execute(text("SET idle_in_transaction_session_timeout = 10000"))
            session.execute(text("LOCK TABLE sms_message IN ACCESS EXCLUSIVE MODE"))
            started = time.monotonic()
            response = TwilioSigner(made.test_client()).post(
                "/twilio/sms",
                {
                    "MessageSid": "SM" + "7" * 32,
                    "AccountSid": TWILIO_TEST_SID,
                    "From": FAMILY,
                    "To": "+447700900000",
                    "Body": "MENU",
                },
            )
            took = time.monotonic() - started
            session.rollback()
    finally:
        stuck.dispose()
    assert response.status_code == 200
    said = " ".join(m.text or "" for m in ET.fromstring(response.data).iter("Message"))
    assert "something went wrong" in said and "SHORTBREAKS" in said
    assert took < 8  # a few one-second timeouts at most, far inside Twilio's 15 s
