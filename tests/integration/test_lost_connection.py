"""A database restart or failover between two requests: the next family still gets a real answer.

PostgreSQL only (SQLite has no server connection to lose). The app's pooled connections are
ended from outside, as a restart or a failover ends them, between two signed webhook requests.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from flask import Flask
from sqlalchemy import create_engine, func, select

from helpline.extensions import db
from helpline.sms.models import SmsMessage
from tests.conftest import TWILIO_TEST_SID, TwilioSigner, end_other_sessions

APOLOGY = "something went wrong"


def end_the_apps_connections(app: Flask) -> int:
    """Terminate every other server connection to the app's database; how many there were."""
    outside = create_engine(app.config["SQLALCHEMY_DATABASE_URI"])
    try:
        with outside.begin() as conn:
            return end_other_sessions(conn)
    finally:
        outside.dispose()


@pytest.fixture
def postgres_app(app: Flask) -> Flask:
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        pytest.skip("only a server database has a connection to lose")
    return app


def sms(sid: str, body: str) -> dict[str, str]:
    return {"MessageSid": sid, "AccountSid": TWILIO_TEST_SID, "From": "+447700900123",
            "To": "+447700900000", "Body": body, "NumMedia": "0"}


def test_a_text_after_the_database_restarted_gets_its_real_reply(
    postgres_app: Flask, twilio: TwilioSigner
) -> None:
    assert APOLOGY not in twilio.post("/twilio/sms", sms("SM" + "1" * 32, "HELP")).data.decode()
    assert end_the_apps_connections(postgres_app) >= 1
    reply = twilio.post("/twilio/sms", sms("SM" + "2" * 32, "HELP")).data.decode()
    assert APOLOGY not in reply and "SHORTBREAKS" in reply
    with postgres_app.app_context():
        errors = select(func.count()).where(SmsMessage.intent == "error")
        assert db.session.scalar(errors) == 0
        assert db.session.scalar(select(func.count()).select_from(SmsMessage)) == 4


def test_a_call_after_the_database_restarted_hears_the_menu_not_an_apology(
    postgres_app: Flask, twilio: TwilioSigner
) -> None:
    call = {"CallSid": "CA" + "3" * 32, "AccountSid": TWILIO_TEST_SID, "From": "+447700900123",
            "To": "+447700900000", "CallStatus": "ringing", "Direction": "inbound"}
    assert twilio.post("/twilio/voice", call).status_code == 200
    assert end_the_apps_connections(postgres_app) >= 1
    again = {**call, "CallSid": "CA" + "4" * 32}
    answer = ET.fromstring(twilio.post("/twilio/voice", again).data)
    assert answer.find("Gather") is not None
    assert APOLOGY not in "".join(answer.itertext()).lower()


def test_a_delivery_status_after_the_database_restarted_is_still_recorded(
    postgres_app: Flask, twilio: TwilioSigner
) -> None:
    reply = twilio.post("/twilio/sms", sms("SM" + "5" * 32, "HELP")).data
    action = ET.fromstring(reply).find("Message").attrib["action"]  # type: ignore[union-attr]
    path = action.split("example.org", 1)[1]
    assert end_the_apps_connections(postgres_app) >= 1
    status = {"MessageSid": "SM" + "6" * 32, "MessageStatus": "delivered",
              "AccountSid": TWILIO_TEST_SID}
    assert twilio.post(path, status).status_code == 200
    with postgres_app.app_context():
        delivered = select(func.count()).where(SmsMessage.status == "delivered")
        assert db.session.scalar(delivered) == 1
