from __future__ import annotations

from typing import Any

from flask import Flask

from tests.conftest import HELPLINE_NUMBER, TwilioSigner


def _text(twilio: TwilioSigner, sid: str, sender: str, body: str) -> None:
    response = twilio.post(
        "/twilio/sms",
        {
            "MessageSid": sid,
            "AccountSid": "AC" + "0" * 32,
            "From": sender,
            "To": HELPLINE_NUMBER,
            "Body": body,
            "NumMedia": "0",
        },
    )
    assert response.status_code == 200


def test_the_report_counts_asks_and_shows_unmet_words_without_numbers(
    app: Flask, runner: Any, twilio: TwilioSigner
) -> None:
    assert runner.invoke(args=["seed"]).exit_code == 0
    _text(twilio, "SM" + "1" * 32, "+447700900101", "SHORTBREAKS")
    _text(twilio, "SM" + "2" * 32, "+447700900102", "short breaks 12")
    _text(twilio, "SM" + "3" * 32, "+447700900103", "swimming lessons for my son LN2")
    _text(twilio, "SM" + "4" * 32, "+447700900104", "Hi is there swimming near me")

    result = runner.invoke(args=["insight", "--days", "7"])

    assert result.exit_code == 0, result.output
    assert "Texts received since" in result.output and ": 4" in result.output
    area_lines = [line for line in result.output.splitlines() if "Short breaks" in line]
    assert area_lines and area_lines[0].split()[0] == "2"
    assert "Texts that matched no keyword: 2" in result.output
    swimming = [line for line in result.output.splitlines() if line.strip().endswith("swimming")]
    assert swimming and swimming[0].split()[0] == "2"
    assert "7700900" not in result.output and "ln2" not in result.output.lower().split()
