"""`helpline twilio connect` and `helpline twilio check` against prism serving Twilio's own spec.

Prism checks every update the helpline makes against Twilio's contract; the number listings are
scripted (prism's example number is not the helpline's).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask

from tests.conftest import HELPLINE_NUMBER, PUBLIC_BASE_URL, TWILIO_TEST_SID
from tests.integration.conftest import make_app
from tests.prism import TwilioApi

NUMBER_SID = "PN" + "1" * 32
NUMBERS = f"/2010-04-01/Accounts/{TWILIO_TEST_SID}/IncomingPhoneNumbers"


def _number(**fields: Any) -> dict[str, Any]:
    """An IncomingPhoneNumber as Twilio lists it, with the console's defaults."""
    return {
        "account_sid": TWILIO_TEST_SID, "sid": NUMBER_SID, "phone_number": HELPLINE_NUMBER,
        "friendly_name": "helpline", "capabilities": {"sms": True, "voice": True, "mms": False},
        "sms_url": "https://demo.twilio.com/welcome/sms/reply", "sms_method": "POST",
        "voice_url": "https://demo.twilio.com/welcome/voice/", "voice_method": "POST",
        "status_callback": "", "status_callback_method": "POST", "voice_application_sid": "",
        "sms_application_sid": "", "trunk_sid": None, "bundle_sid": "BU" + "2" * 32,
        "uri": f"{NUMBERS}/{NUMBER_SID}.json", **fields,
    }


def _listing(*numbers: dict[str, Any]) -> dict[str, Any]:
    return {"incoming_phone_numbers": list(numbers), "page": 0, "page_size": 20, "start": 0,
            "end": len(numbers) - 1, "first_page_uri": f"{NUMBERS}.json?PageSize=20&Page=0",
            "next_page_uri": None, "previous_page_uri": None, "uri": f"{NUMBERS}.json"}


def _app(app: Flask, tmp_path: Path, api: TwilioApi, **config: Any) -> Flask:
    return make_app(app, tmp_path, TWILIO_API_BASE_URL=api.url, **config)


def test_connect_sets_the_webhooks_through_twilios_api_and_check_then_finds_them_right(
    app: Flask, tmp_path: Path, twilio_api: TwilioApi
) -> None:
    local = _app(app, tmp_path, twilio_api)
    twilio_api.get_script.append(_listing(_number()))
    connected = _number(sms_url=f"{PUBLIC_BASE_URL}/twilio/sms",
                        voice_url=f"{PUBLIC_BASE_URL}/twilio/voice",
                        status_callback=f"{PUBLIC_BASE_URL}/twilio/voice/status")
    twilio_api.get_script.append(_listing(connected))  # the check after connecting
    # The update itself goes to prism, which answers 200 only if it keeps Twilio's contract.
    result = local.test_cli_runner().invoke(args=["twilio", "connect"])
    assert result.exit_code == 0, result.output
    update = [r for r in twilio_api.posts_to(f"/{NUMBER_SID}.json")]
    assert len(update) == 1 and update[0].status == 200, update
    assert update[0].form == {
        "SmsUrl": f"{PUBLIC_BASE_URL}/twilio/sms", "SmsMethod": "POST",
        "VoiceUrl": f"{PUBLIC_BASE_URL}/twilio/voice", "VoiceMethod": "POST",
        "StatusCallback": f"{PUBLIC_BASE_URL}/twilio/voice/status",
        "StatusCallbackMethod": "POST",
    }
    listed = [r for r in twilio_api.requests if r.method == "GET"]
    assert "PhoneNumber=%2B447700900000" in listed[0].path
    assert f"ok    voice_url: {PUBLIC_BASE_URL}/twilio/voice (POST)" in result.output
    assert "WRONG" not in result.output and "?     advanced opt-out" in result.output


def test_check_names_every_wrong_setting_and_exits_1(
    app: Flask, tmp_path: Path, twilio_api: TwilioApi
) -> None:
    local = _app(app, tmp_path, twilio_api)
    twilio_api.get_script.append(_listing(_number(
        sms_url="https://old-helpline.example.org/twilio/sms",
        voice_url=f"{PUBLIC_BASE_URL}/twilio/voice", voice_method="GET",
        status_callback="", trunk_sid="TK" + "4" * 32, bundle_sid=None,
        voice_application_sid="AP" + "3" * 32,
    )))
    result = local.test_cli_runner().invoke(args=["twilio", "check"])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert (f"WRONG sms_url: is https://old-helpline.example.org/twilio/sms (not under "
            f"PUBLIC_BASE_URL); should be {PUBLIC_BASE_URL}/twilio/sms") in lines
    assert f"WRONG voice_url: {PUBLIC_BASE_URL}/twilio/voice by GET; should be POST" in lines
    assert (f"WRONG status_callback: is not set; should be {PUBLIC_BASE_URL}/twilio/voice/status"
            in lines)
    assert any(line.startswith("WRONG trunk_sid: TK") for line in lines)
    assert any(line.startswith("WRONG voice_application_sid: AP") and "TwiML App" in line
               for line in lines)
    assert any(line.startswith("?     regulatory bundle: none") for line in lines)
    assert "5 settings to fix" in result.output
    assert [r.method for r in twilio_api.requests] == ["GET"]  # a check changes nothing


def test_connect_refuses_a_public_address_that_is_not_https(
    app: Flask, tmp_path: Path, twilio_api: TwilioApi
) -> None:
    local = _app(app, tmp_path, twilio_api, PUBLIC_BASE_URL="http://helpline.example.org")
    result = local.test_cli_runner().invoke(args=["twilio", "connect"])
    assert result.exit_code == 2
    assert "PUBLIC_BASE_URL must be https://" in result.output
    assert twilio_api.requests == []


def test_a_number_not_in_the_account_is_named_without_a_stack_trace(
    app: Flask, tmp_path: Path, twilio_api: TwilioApi
) -> None:
    local = _app(app, tmp_path, twilio_api)
    twilio_api.get_script.append(_listing())
    result = local.test_cli_runner().invoke(args=["twilio", "check"])
    assert result.exit_code == 1
    assert f"{HELPLINE_NUMBER} is not a number in Twilio account" in result.output
    assert "Traceback" not in result.output


def test_wrong_credentials_are_said_plainly(
    app: Flask, tmp_path: Path, twilio_api: TwilioApi
) -> None:
    local = _app(app, tmp_path, twilio_api)
    twilio_api.fail_next(401, 20003, "Authenticate")
    result = local.test_cli_runner().invoke(args=["twilio", "connect"])
    assert result.exit_code == 1
    assert "Twilio refused to list the account's numbers" in result.output
    assert "HTTP 401" in result.output and "Traceback" not in result.output
