"""Adviser opening hours: weekly spans in London time, closed on England and Wales bank holidays."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from helpline.opening_hours import load_hours, parse_hours

LONDON = ZoneInfo("Europe/London")
SHIPPED = Path(__file__).resolve().parents[2] / "ivr_flows" / "hours.yaml"


@pytest.fixture(scope="module")
def hours():  # type: ignore[no-untyped-def]
    return load_hours(SHIPPED)


@pytest.mark.parametrize(
    ("moment", "open_"),
    [
        (datetime(2026, 12, 2, 9, 0, tzinfo=LONDON), True),  # Wednesday, opening time
        (datetime(2026, 12, 2, 8, 59, tzinfo=LONDON), False),
        (datetime(2026, 12, 2, 16, 59, tzinfo=LONDON), True),
        (datetime(2026, 12, 2, 17, 0, tzinfo=LONDON), False),  # closing time is closed
        (datetime(2026, 12, 4, 16, 45, tzinfo=LONDON), False),  # Friday closes at 16:30
        (datetime(2026, 12, 5, 11, 0, tzinfo=LONDON), False),  # Saturday
        (datetime(2026, 12, 25, 11, 0, tzinfo=LONDON), False),  # Christmas Day, a Friday
        (datetime(2026, 12, 28, 11, 0, tzinfo=LONDON), False),  # Boxing Day (substitute), Monday
        (datetime(2026, 8, 31, 11, 0, tzinfo=LONDON), False),  # summer bank holiday, England
        (datetime(2026, 8, 3, 11, 0, tzinfo=LONDON), True),  # Scotland's August holiday: open
    ],
)
def test_open_in_working_hours_only(hours, moment: datetime, open_: bool) -> None:  # type: ignore[no-untyped-def]
    assert hours.is_open(moment) is open_


def test_summer_time_is_london_time_not_utc(hours) -> None:  # type: ignore[no-untyped-def]
    # 08:30 UTC in July is 09:30 in London: open. 16:30 UTC is 17:30 in London: closed.
    assert hours.is_open(datetime(2026, 7, 15, 8, 30, tzinfo=UTC))
    assert not hours.is_open(datetime(2026, 7, 15, 16, 30, tzinfo=UTC))


def test_closure_days_and_open_bank_holidays_can_be_set() -> None:
    hours = parse_hours({"weekly": {"monday": ["10:00-12:00", "13:00-15:00"]},
                         "closed_on_bank_holidays": False, "closed_dates": ["2026-12-07"]})
    assert hours.is_open(datetime(2026, 8, 31, 11, 0, tzinfo=LONDON))  # bank holiday, open
    assert not hours.is_open(datetime(2026, 8, 31, 12, 30, tzinfo=LONDON))  # lunch
    assert not hours.is_open(datetime(2026, 12, 7, 11, 0, tzinfo=LONDON))  # closure day


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        ({"weekly": {"mondays": ["09:00-17:00"]}}, "not a day of the week"),
        ({"weekly": {"monday": ["9 till 5"]}}, "not a time span"),
        ({"weekly": {"monday": ["17:00-09:00"]}}, "ends before it starts"),
        ({"timezone": "Europe/Londres"}, "unknown timezone"),
    ],
)
def test_mistakes_in_the_hours_file_are_reported(data: dict, problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        parse_hours(data)
