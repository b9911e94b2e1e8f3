"""The rota: which advisers are on duty at a given moment, in the order they are rung."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from helpline.advisers.models import Adviser, RotaSlot

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_HOURS = re.compile(
    r"^(?P<days>[a-z]{3}(?:-[a-z]{3})?(?:,[a-z]{3}(?:-[a-z]{3})?)*)\s+"
    r"(?P<start>\d{1,2}:\d{2})-(?P<end>\d{1,2}:\d{2})$"
)


@dataclass(frozen=True)
class Hours:
    """Weekdays (0 = Monday) and a daily stretch in minutes after midnight."""

    weekdays: tuple[int, ...]
    start_minute: int
    end_minute: int


def parse_hours(text: str) -> Hours:
    """Read hours written like "mon-fri 09:00-17:00" or "sat,sun 10:00-12:30"."""
    match = _HOURS.match(text.strip().lower())
    if not match:
        raise ValueError(f"hours must look like 'mon-fri 09:00-17:00', not {text!r}")
    weekdays: list[int] = []
    for part in match["days"].split(","):
        first, _, last = part.partition("-")
        if first not in DAYS or (last and last not in DAYS):
            raise ValueError(f"unknown day in {part!r}; use {', '.join(DAYS)}")
        start, end = DAYS.index(first), DAYS.index(last or first)
        if end < start:
            raise ValueError(f"{part!r} runs backwards")
        weekdays += [d for d in range(start, end + 1) if d not in weekdays]
    start_minute, end_minute = _minutes(match["start"]), _minutes(match["end"])
    if not start_minute < end_minute:
        raise ValueError("the start time must be before the end time")
    return Hours(tuple(weekdays), start_minute, end_minute)


def add_hours(adviser: Adviser, texts: list[str] | tuple[str, ...], priority: int = 100) -> None:
    """Give an adviser more hours ("mon-fri 09:00-17:00" each); ValueError names a bad one.

    The rules the CLI and the console share: every line is read before any is added.
    """
    if not -1000 <= priority <= 1000:
        raise ValueError("the priority must be a whole number from -1000 to 1000")
    parsed = [parse_hours(text) for text in texts if text.strip()]
    for hours in parsed:
        for weekday in hours.weekdays:
            adviser.hours.append(RotaSlot(weekday=weekday, start_minute=hours.start_minute,
                                          end_minute=hours.end_minute, priority=priority))


def new_adviser(
    session: Session, name: str, mobile: str, hours: list[str] | tuple[str, ...] = (),
    priority: int = 100,
) -> Adviser:
    """Add an adviser to the rota (the caller commits); ValueError says what is wrong."""
    from helpline.families.phone_numbers import to_e164

    if not name.strip():
        raise ValueError("enter the adviser's name")
    number = to_e164(mobile)
    if number is None:
        raise ValueError(f"{mobile!r} is not a phone number")
    adviser = Adviser(name=name.strip()[:80], mobile=number)
    add_hours(adviser, hours, priority)
    session.add(adviser)
    session.flush()
    return adviser


def _minutes(hhmm: str) -> int:
    hours, minutes = (int(p) for p in hhmm.split(":"))
    if hours > 24 or minutes > 59 or hours * 60 + minutes > 24 * 60:
        raise ValueError(f"{hhmm!r} is not a time of day")
    return hours * 60 + minutes


def describe(slot: RotaSlot) -> str:
    """A slot as an adviser list shows it: "mon 09:00-17:00"."""
    return (
        f"{DAYS[slot.weekday]} {slot.start_minute // 60:02d}:{slot.start_minute % 60:02d}-"
        f"{slot.end_minute // 60:02d}:{slot.end_minute % 60:02d}"
    )


def hour_lines(slots: list[RotaSlot]) -> list[str]:
    """Slots as a person writes them, runs of days joined: ["mon-fri 09:00-17:00", "sat ..."];
    each line reads back (parse_hours) to the same slots."""
    def clock(minute: int) -> str:
        return f"{minute // 60:02d}:{minute % 60:02d}"

    runs: list[tuple[int, int, int, int]] = []  # first day, last day, start, end
    for slot in sorted(slots, key=lambda s: (s.start_minute, s.end_minute, s.weekday)):
        last = runs[-1] if runs else None
        same_hours = last is not None and last[2:] == (slot.start_minute, slot.end_minute)
        if last is not None and same_hours and last[1] + 1 == slot.weekday:
            runs[-1] = (last[0], slot.weekday, last[2], last[3])
        elif not (last is not None and same_hours and last[1] == slot.weekday):
            # (the same stretch twice, at two priorities, is one line)
            runs.append((slot.weekday, slot.weekday, slot.start_minute, slot.end_minute))
    runs.sort()
    return [
        (DAYS[first] if first == last else f"{DAYS[first]}-{DAYS[last]}")
        + f" {clock(start)}-{clock(end)}"
        for first, last, start, end in runs
    ]


def on_duty(session: Session, at: datetime, timezone: str = "Europe/London") -> list[Adviser]:
    """Active advisers whose hours cover `at` (local time), in rota order."""
    local = at.astimezone(ZoneInfo(timezone))
    minute = local.hour * 60 + local.minute
    rows = session.execute(
        select(Adviser, RotaSlot.priority)
        .join(RotaSlot, RotaSlot.adviser_id == Adviser.id)
        .where(
            Adviser.active.is_(True),
            RotaSlot.weekday == local.weekday(),
            RotaSlot.start_minute <= minute,
            RotaSlot.end_minute > minute,
        )
        .order_by(RotaSlot.priority, Adviser.id)
    ).all()
    seen: dict[int, Adviser] = {}
    for adviser, _ in rows:
        seen.setdefault(adviser.id, adviser)
    return list(seen.values())
