"""The period a manager looks at: from one day to another, in the council's own days."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

# The choices offered above the date fields: (days back, words); "today" counts as one.
PRESETS = ((7, "Last 7 days"), (30, "Last 30 days"), (90, "Last 90 days"),
           (365, "Last 12 months"))
DEFAULT_DAYS = 30
# Longer than this is a typo, not a question (and would read years of texts).
MAX_DAYS = 3660


@dataclass(frozen=True)
class Period:
    """A half-open stretch of time, [start, end), in UTC, and how to name it."""

    start: datetime
    end: datetime
    label: str

    def holds(self, moment: datetime) -> bool:
        """True when the moment (naive means UTC, as SQLite gives it back) is in the period."""
        aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
        return self.start <= aware < self.end


def last_days(days: int, now: datetime) -> Period:
    """The `days` days up to now (the command's --days)."""
    start = now - timedelta(days=days)
    return Period(start, now, f"the last {days} days")


def between(first: date, last: date, zone: str) -> Period:
    """From the start of `first` to the end of `last`, both days in the council's time zone."""
    tz = ZoneInfo(zone)
    start = datetime.combine(first, time(), tz).astimezone(UTC)
    end = datetime.combine(last + timedelta(days=1), time(), tz).astimezone(UTC)
    return Period(start, end, f"{first:%-d %B %Y} to {last:%-d %B %Y}")


def chosen(first: str, last: str, days: str, today: date, zone: str) -> tuple[Period, list[str]]:
    """The period a manager's form asks for, and what is wrong with it (then the default).

    `first` and `last` are ISO dates from the date fields; `days` is a preset. Dates win over a
    preset, so a manager who changes a date gets the dates they typed.
    """
    problems: list[str] = []
    if first or last:
        try:
            start_day = date.fromisoformat(first) if first else today - timedelta(days=29)
            end_day = date.fromisoformat(last) if last else today
        except ValueError:
            problems.append("Enter dates as year, month and day, like 2026-11-01")
        else:
            if end_day < start_day:
                problems.append("The end date must be the same as or after the start date")
            elif (end_day - start_day).days >= MAX_DAYS:
                problems.append("Choose a period of 10 years or less")
            else:
                return between(start_day, end_day, zone), problems
    count = int(days) if days.isdecimal() and 1 <= int(days) <= MAX_DAYS else DEFAULT_DAYS
    period = between(today - timedelta(days=count - 1), today, zone)
    words = dict(PRESETS).get(count, f"Last {count} days")
    return Period(period.start, period.end, f"{words.lower()} ({period.label})"), problems
