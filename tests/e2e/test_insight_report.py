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


def test_the_report_counts_asks_and_shows_unmet_words_without_numbers_also_as_csv(
    app: Flask, runner: Any, twilio: TwilioSigner
) -> None:
    assert runner.invoke(args=["seed"]).exit_code == 0
    _text(twilio, "SM" + "1" * 32, "+447700900101", "SHORTBREAKS")
    _text(twilio, "SM" + "2" * 32, "+447700900102", "short breaks 12")
    _text(twilio, "SM" + "3" * 32, "+447700900103", "horse riding for my son LN2")
    _text(twilio, "SM" + "4" * 32, "+447700900104", "Hi is there horse riding near me")

    result = runner.invoke(args=["insight", "--days", "7"])

    assert result.exit_code == 0, result.output
    assert "Insight for the last 7 days: 4 texts received, 0 calls." in result.output
    rows = [line.split(" | ") for line in result.output.splitlines()]
    breaks = [row for row in rows if row[:2] == ["  Short breaks", "SHORTBREAKS"]]
    assert breaks and breaks[0][2] == "2"  # two texts asked for short breaks
    riding = [row for row in rows if row[0].strip() == "riding"]
    assert riding and riding[0][1] == "2"  # both riding texts found nothing close
    assert "7700900" not in result.output and "ln2" not in result.output.lower().split()

    as_csv = runner.invoke(args=["insight", "--days", "7", "--csv"])
    assert as_csv.exit_code == 0, as_csv.output
    lines = as_csv.output.splitlines()
    assert lines[0] == "figure,period_start,period_end,label,column,value"
    assert any(line.startswith("nothing_found,") and line.endswith(",riding,Texts and calls,2")
               for line in lines), lines


def test_a_call_counts_the_services_its_caller_heard_and_the_words_that_found_nothing(
    app: Flask, runner: Any,
) -> None:
    from helpline.directory.models import Service, utcnow
    from helpline.extensions import db
    from helpline.insight.directory_health import directory_health
    from helpline.insight.period import last_days
    from helpline.voice.models import CallLog
    from tests.e2e.test_voice_caller import Caller

    assert runner.invoke(args=["seed"]).exit_code == 0
    heard = Caller(app.test_client(), "+447700900105").dial().press("1").press("1").press("1")
    missed = Caller(app.test_client(), "+447700900106").dial().press("1").speak(
        "horse riding lessons")

    with app.app_context():
        rows = {c.call_sid: c for c in db.session.scalars(db.select(CallLog))}
        read = (rows[heard.call_sid].service_ids or "").split()
        assert len(read) == 1 and db.session.get(Service, read[0]) is not None
        assert rows[missed.call_sid].body == "horse riding lessons"
        health = directory_health(db.session(), last_days(1, utcnow()))
        assert read[0] not in {s.id for s in health.never_returned}

    result = runner.invoke(args=["insight", "--days", "1"])
    rows_out = [line.split(" | ") for line in result.output.splitlines()]
    riding = [row for row in rows_out if row[0].strip() == "riding"]
    assert riding and riding[0][1] == "1", result.output  # the caller's words, counted
    assert "0 texts and 1 caller’s own words found no service" in result.output
