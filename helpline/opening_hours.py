"""When advisers answer: weekly hours from ivr_flows/hours.yaml, closed on bank holidays."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from helpline.looked_at import looked_at

DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_SPAN = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")


class HoursFile(BaseModel):
    """ivr_flows/hours.yaml."""

    model_config = ConfigDict(extra="forbid")

    timezone: str = "Europe/London"
    closed_on_bank_holidays: bool = True
    weekly: dict[str, list[str]] = Field(default_factory=dict)
    closed_dates: list[date] = Field(default_factory=list)

    @field_validator("weekly")
    @classmethod
    def _days_and_spans(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        for day, spans in value.items():
            if day not in DAYS:
                raise ValueError(f"{day!r} is not a day of the week")
            for span in spans:
                _parse_span(span)
        return value

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown timezone {value!r}") from exc
        return value


def _parse_span(span: str) -> tuple[time, time]:
    match = _SPAN.match(span)
    if not match:
        raise ValueError(f"{span!r} is not a time span like 09:00-17:00")
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    if h1 > 23 or h2 > 24 or m1 > 59 or m2 > 59:
        raise ValueError(f"{span!r} has an impossible time")
    start = time(h1, m1)
    end = time(23, 59, 59) if h2 == 24 else time(h2, m2)
    if end <= start:
        raise ValueError(f"{span!r} ends before it starts")
    return start, end


@dataclass(frozen=True)
class OpeningHours:
    """Weekly opening spans in a timezone, and the days the line is closed."""

    zone: ZoneInfo
    weekly: dict[int, tuple[tuple[time, time], ...]]
    closed_on_bank_holidays: bool
    closed_dates: frozenset[date]

    def is_open(self, at: datetime) -> bool:
        """True when advisers answer at this moment (an aware datetime, any timezone)."""
        local = at.astimezone(self.zone)
        day = local.date()
        if day in self.closed_dates:
            return False
        if self.closed_on_bank_holidays and day in _bank_holidays(day.year):
            return False
        now = local.time()
        return any(start <= now < end for start, end in self.weekly.get(local.weekday(), ()))


@lru_cache(maxsize=8)
def _bank_holidays(year: int) -> holidays.HolidayBase:
    return holidays.country_holidays("GB", subdiv="ENG", years=year)


def parse_hours(data: object) -> OpeningHours:
    """Opening hours from the parsed YAML; raises ValueError saying what is wrong."""
    try:
        parsed = HoursFile.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()
        )
        raise ValueError(problems) from exc
    weekly = {
        DAYS.index(day): tuple(_parse_span(span) for span in spans)
        for day, spans in parsed.weekly.items()
    }
    return OpeningHours(
        zone=ZoneInfo(parsed.timezone),
        weekly=weekly,
        closed_on_bank_holidays=parsed.closed_on_bank_holidays,
        closed_dates=frozenset(parsed.closed_dates),
    )


def load_hours(path: Path) -> OpeningHours:
    """Read and validate hours.yaml; raises ValueError naming the problem."""
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ValueError(f"{Path(path).name}: {exc}") from exc
    return parse_hours(data)


@lru_cache(maxsize=8)
def _cached(path: str, mtime: float) -> OpeningHours:
    return load_hours(Path(path))


def hours_in(flows_dir: str | Path) -> OpeningHours:
    """The opening hours in a flows folder, re-read when the file changes (looked at once a
    second: every call step asks)."""
    path = str(Path(flows_dir) / "hours.yaml")
    return _cached(path, looked_at(f"hours|{path}", lambda: Path(path).stat().st_mtime))


def weekly_runs(hours: OpeningHours) -> list[tuple[int, int, time, time]]:
    """The week as runs of days with the same hours: (first day, last day, opens, closes),
    Monday being 0; a day with two spans gives two runs."""
    return day_runs(
        (day, start, end) for day in range(7) for start, end in hours.weekly.get(day, ())
    )


def day_runs(spans: Iterable[tuple[int, time, time]]) -> list[tuple[int, int, time, time]]:
    """(day, opens, closes) in day order, joined into runs of days with the same hours."""
    runs: list[tuple[int, int, time, time]] = []
    for day, start, end in spans:
        previous = runs[-1] if runs else None
        if previous and previous[1] == day - 1 and previous[2:] == (start, end):
            runs[-1] = (previous[0], day, start, end)
        else:
            runs.append((day, day, start, end))
    return runs
