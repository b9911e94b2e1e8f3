"""Demo mode: its own auth token, jobs in-process, texts and calls captured by the local
transport at the gateway; never on with real Twilio credentials; the simulator only in demo and
development."""

from __future__ import annotations

import json
import stat
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from helpline import create_app
from helpline.outbound import gateway
from helpline.outbound.local_transport import captured


def demo_settings(tmp_path: Path, **more: Any) -> dict[str, Any]:
    return {"HELPLINE_MODE": "demo", "TWILIO_ACCOUNT_SID": "", "TWILIO_AUTH_TOKEN": "",
            "PUBLIC_BASE_URL": "", "DEMO_TOKEN_FILE": str(tmp_path / "instance" / "token"),
            "OUTBOUND_CAPTURE_FILE": str(tmp_path / "captured.jsonl"), **more}


def test_the_demo_makes_its_token_once_and_keeps_everything_local(
    make_app, tmp_path: Path  # type: ignore[no-untyped-def]
) -> None:
    app = make_app(**demo_settings(tmp_path), REDIS_URL="redis://127.0.0.1:6379/4")
    token_file = tmp_path / "instance" / "token"
    token = token_file.read_text().strip()
    assert len(token) == 32 and stat.S_IMODE(token_file.stat().st_mode) == 0o600
    assert app.config["TWILIO_AUTH_TOKEN"] == token
    assert app.config["TWILIO_ACCOUNT_SID"] == "AC" + token
    assert app.config["OUTBOUND_TRANSPORT"] == "local"
    assert app.config["REDIS_URL"] == ""  # jobs run in-process: nothing else to start
    again = make_app(**demo_settings(tmp_path))
    assert again.config["TWILIO_AUTH_TOKEN"] == token


def test_real_twilio_credentials_turn_the_demo_off(make_app, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    app = make_app(**demo_settings(tmp_path, TWILIO_ACCOUNT_SID="AC" + "9" * 32,
                                   TWILIO_AUTH_TOKEN="a-real-token"))
    assert app.config["HELPLINE_MODE"] == "production"
    assert app.config["OUTBOUND_TRANSPORT"] == "twilio"
    assert app.config["TWILIO_AUTH_TOKEN"] == "a-real-token"
    assert app.test_client().get("/simulator").status_code == 404
    assert not (tmp_path / "instance" / "token").exists()


def test_the_local_transport_is_refused_in_production(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="OUTBOUND_TRANSPORT=local"):
        create_app({"OUTBOUND_TRANSPORT": "local", "HELPLINE_MODE": "production"})
    with pytest.raises(ValueError, match="HELPLINE_MODE"):
        create_app({"HELPLINE_MODE": "staging"})


@pytest.mark.parametrize("mode, status", [("production", 404), ("development", 200),
                                          ("demo", 200)])
def test_the_simulator_is_only_there_in_demo_and_development(
    make_app, tmp_path: Path, mode: str, status: int  # type: ignore[no-untyped-def]
) -> None:
    app = make_app(**demo_settings(tmp_path, HELPLINE_MODE=mode))
    client = app.test_client()
    assert client.get("/simulator").status_code == status
    assert client.post("/simulator/api/text", json={"from": "+447700900101", "body": "HI"}
                       ).status_code == (200 if status == 200 else 404)
    script = client.get("/simulator/static/simulator.js")
    script.close()
    assert script.status_code == status


def test_development_without_an_account_captures_too(make_app, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    app = make_app(**demo_settings(tmp_path, HELPLINE_MODE="development"),
                   REDIS_URL="redis://127.0.0.1:6379/4")
    assert app.config["OUTBOUND_TRANSPORT"] == "local"
    assert app.config["REDIS_URL"] == "redis://127.0.0.1:6379/4"  # its own worker, if it has one


def test_every_kind_of_outbound_request_is_captured_at_the_gateway(
    make_app, tmp_path: Path  # type: ignore[no-untyped-def]
) -> None:
    app = make_app(**demo_settings(tmp_path))
    with app.app_context():
        message_sid = gateway.send_text("+447700900101", "Zażółć: your services")
        call_sid = gateway.start_call("+447700900201", url="http://localhost/twilio/voice/adviser")
        gateway.redirect_call(call_sid, "http://localhost/twilio/voice/no-adviser")
        gateway.end_call(call_sid)
        account = app.config["TWILIO_ACCOUNT_SID"]
        gateway.delete_recording(
            f"https://api.twilio.com/2010-04-01/Accounts/{account}/Recordings/RE{'a' * 32}")
    entries = captured(tmp_path / "captured.jsonl")
    assert [e["kind"] for e in entries] == ["text", "call", "call-update", "call-update",
                                            "recording-deleted"]
    assert [e["seq"] for e in entries] == [1, 2, 3, 4, 5]
    text, call = entries[0], entries[1]
    assert text["sid"] == message_sid and message_sid.startswith("SM") and len(message_sid) == 34
    assert text["to"] == "+447700900101" and text["from"] == app.config["TWILIO_PHONE_NUMBER"]
    assert text["body"] == "Zażółć: your services"
    assert call["sid"] == call_sid and call["url"].endswith("/twilio/voice/adviser")
    assert entries[3]["status"] == "completed"
    assert captured(tmp_path / "captured.jsonl", after=4, to=None)[0]["kind"] == "recording-deleted"
    assert captured(tmp_path / "captured.jsonl", to="+447700900201") == [call]


def test_the_page_shows_texts_the_helpline_sent_later(make_app, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    app = make_app(**demo_settings(tmp_path))
    client = app.test_client()
    first = client.get("/simulator/api/sent").get_json()
    with app.app_context():
        gateway.send_text("+447700900101", "Your call back is booked.")
    later = client.get(f"/simulator/api/sent?after={first['last']}").get_json()
    assert later["items"][0]["body"] == "Your call back is booked."
    assert later["items"][0]["segments"] == 1 and later["items"][0]["encoding"] == "GSM-7"
    assert client.get(f"/simulator/api/sent?after={later['last']}").get_json()["items"] == []


def test_the_page_refuses_what_is_not_json_or_not_a_phone(make_app, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    client = make_app(**demo_settings(tmp_path)).test_client()
    form = client.post("/simulator/api/text", data={"from": "+447700900101", "body": "HI"})
    assert form.status_code == 400
    bad = client.post("/simulator/api/call", json={"from": "not a number"})
    assert bad.status_code == 400 and "Traceback" not in bad.get_data(as_text=True)
    moved = client.post("/simulator/api/call/move", json={"state": "x", "action": {}})
    assert moved.status_code == 400


def test_a_capture_file_that_grows_is_cut_back(tmp_path: Path) -> None:
    from helpline.outbound import local_transport

    transport = local_transport.LocalTransport(tmp_path / "c.jsonl")
    for _ in range(local_transport.KEEP_LINES + 5):
        transport.capture("text", "SM1", {"To": "+447700900101"}, body="x")
    lines = (tmp_path / "c.jsonl").read_text().splitlines()
    assert len(lines) <= local_transport.KEEP_LINES
    assert json.loads(lines[-1])["seq"] == local_transport.KEEP_LINES + 5


def test_the_demo_says_where_the_simulator_is(make_app, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    app: Flask = make_app(**demo_settings(tmp_path))
    result = app.test_cli_runner().invoke(args=["demo"], env={"PORT": "5123"})
    assert "http://127.0.0.1:5123/simulator" in result.output
    real = make_app(**demo_settings(tmp_path, TWILIO_ACCOUNT_SID="AC1", TWILIO_AUTH_TOKEN="t"))
    assert "/simulator" not in real.test_cli_runner().invoke(args=["demo"]).output
