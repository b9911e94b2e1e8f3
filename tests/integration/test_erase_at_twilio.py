"""`helpline erase NUMBER` deletes the family's texts and calls at Twilio too (prism checks each
request against Twilio's API), and says which it could not."""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from sqlalchemy import select

from helpline.extensions import db
from helpline.outbound.models import OutboundMessage
from helpline.sms.models import SmsMessage
from helpline.voice.models import CallLog
from tests.integration.conftest import make_app
from tests.prism import TwilioApi

FAMILY, OTHER = "+447700900111", "+447700900222"
INBOUND, REPLY, FOLLOW_UP = "SM" + "a" * 32, "SM" + "b" * 32, "SM" + "c" * 32
CALL, OTHER_CALL = "CA" + "d" * 32, "CA" + "e" * 32


def add_records() -> None:
    db.session.add_all([
        SmsMessage(direction="in", message_sid=INBOUND, phone_number=FAMILY, body="EHC"),
        SmsMessage(direction="out", message_sid=REPLY, replying_to=INBOUND, phone_number=FAMILY,
                   body="EHC plan: ..."),
        SmsMessage(direction="out", message_sid=None, phone_number=FAMILY, body="no sid yet"),
        OutboundMessage(cause="c1", purpose="voice-services", phone_number=FAMILY, body="x",
                        twilio_sid=FOLLOW_UP, status="delivered"),
        CallLog(call_sid=CALL, phone_number=FAMILY, path="main"),
        CallLog(call_sid=OTHER_CALL, phone_number=OTHER, path="main"),
    ])
    db.session.commit()


def deleted(api: TwilioApi) -> dict[str, int]:
    return {r.path.rsplit("/", 1)[1].removesuffix(".json"): r.status
            for r in api.requests if r.method == "DELETE"}


def test_erase_deletes_the_familys_texts_and_calls_at_twilio(
    app: Flask, tmp_path: Path, twilio_api: TwilioApi
) -> None:
    made = make_app(app, tmp_path, TWILIO_API_BASE_URL=twilio_api.url)
    with made.app_context():
        add_records()
    result = made.test_cli_runner().invoke(args=["erase", FAMILY])
    assert result.exit_code == 0, result.output
    assert "Deleted 4 of 4 text and call record(s) at Twilio" in result.output
    # prism answered 204 to each: valid deletes of Messages and Calls in Twilio's API.
    assert deleted(twilio_api) == {INBOUND: 204, REPLY: 204, FOLLOW_UP: 204, CALL: 204}
    paths = sorted(r.path.split("/Accounts/")[1].split("/")[1] for r in twilio_api.requests)
    assert paths == ["Calls", "Messages", "Messages", "Messages"]
    with made.app_context():
        assert set(db.session.scalars(select(SmsMessage.phone_number))) == {None}
        assert db.session.scalar(select(CallLog.phone_number).where(
            CallLog.call_sid == OTHER_CALL)) == OTHER  # another family's call is untouched


def test_erase_says_which_records_twilio_would_not_delete(
    app: Flask, tmp_path: Path, twilio_api: TwilioApi
) -> None:
    made = make_app(app, tmp_path, TWILIO_API_BASE_URL=twilio_api.url)
    with made.app_context():
        add_records()
    twilio_api.fail_next(500, 20500)  # the first delete fails; the rest go on
    twilio_api.fail_next(404, 20404)  # gone already: counts as deleted
    result = made.test_cli_runner().invoke(args=["erase", FAMILY])
    assert result.exit_code == 1
    assert "Deleted 3 of 4 text and call record(s) at Twilio" in result.output
    assert "Could not delete at Twilio" in result.output
    [failed] = [r for r in twilio_api.requests if r.status == 500]
    assert failed.path.rsplit("/", 1)[1].removesuffix(".json") in result.output
