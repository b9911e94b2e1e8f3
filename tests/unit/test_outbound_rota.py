"""Rota hours as advisers write them, and the gateway's URL rewrite, without a server."""

from __future__ import annotations

import pytest

from helpline.advisers.rota import parse_hours
from helpline.jobs import job_id_for
from helpline.outbound.gateway import BaseUrlHttpClient
from helpline.outbound.wording import WORDING_FILE, validate


def test_weekday_hours_cover_monday_to_friday() -> None:
    hours = parse_hours("Mon-Fri 09:00-17:30")
    assert (hours.weekdays, hours.start_minute, hours.end_minute) == ((0, 1, 2, 3, 4), 540, 1050)


def test_separate_days_and_a_whole_day() -> None:
    hours = parse_hours("sat,sun 00:00-24:00")
    assert (hours.weekdays, hours.start_minute, hours.end_minute) == ((5, 6), 0, 1440)


@pytest.mark.parametrize(
    "text",
    ["mon 17:00-09:00", "fri-mon 09:00-17:00", "monday 9-5", "xyz 09:00-10:00", "mon 25:00-26:00"],
)
def test_hours_that_make_no_sense_are_refused(text: str) -> None:
    with pytest.raises(ValueError):
        parse_hours(text)


@pytest.mark.parametrize(
    "url",
    [
        "https://api.twilio.com/2010-04-01/Accounts/AC1/Messages.json",
        "https://api.dublin.ie1.twilio.com/2010-04-01/Accounts/AC1/Messages.json",
    ],
)
def test_any_twilio_host_goes_to_the_configured_base_url(url: str) -> None:
    client = BaseUrlHttpClient("http://127.0.0.1:4010/mock", timeout=5)
    assert client.rewrite(url) == "http://127.0.0.1:4010/mock/2010-04-01/Accounts/AC1/Messages.json"


def test_other_hosts_are_left_alone() -> None:
    client = BaseUrlHttpClient("http://127.0.0.1:4010", timeout=5)
    assert client.rewrite("https://nottwilio.com/x") == "https://nottwilio.com/x"
    assert client.timeout == 5


def test_job_ids_are_safe_for_rq_and_the_same_for_the_same_cause() -> None:
    first = job_id_for("text", "CA123:follow up/é")
    assert first == job_id_for("text", "CA123:follow up/é")
    assert first != job_id_for("text", "CA123_follow_up__")
    assert all(ch.isascii() and (ch.isalnum() or ch in "_-") for ch in first)


def test_the_shipped_wording_is_valid_and_a_broken_one_is_not() -> None:
    import yaml

    assert validate(yaml.safe_load(WORDING_FILE.read_text())) == []
    problems = validate({"whisper": {"en": "Hello {caller_number}"}})
    assert any("caller_number" in p for p in problems)
    assert any(p.startswith("adviser_alert") for p in problems)
