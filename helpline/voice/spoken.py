"""What the phone line says of a service and of its own hours, in the caller's language.

Day names, "to" and "open" come from the language's prompt file: an Urdu caller hears Urdu,
never English words read by an Urdu voice.
"""

from __future__ import annotations

from datetime import time

from sqlalchemy import select
from sqlalchemy.orm import Session

from helpline.directory import models as m
from helpline.directory.search import SearchResult
from helpline.flows.model import Flow
from helpline.opening_hours import OpeningHours, day_runs, weekly_runs

_WEEK = ("mo", "tu", "we", "th", "fr", "sa", "su")


def clock(value: time) -> str:
    """A time as said: 9:00, 16:30."""
    return f"{value.hour}:{value.minute:02d}"


def _days(flow: Flow, language: str, first: int, last: int) -> str:
    names = flow.prompts[language].days
    if not names:
        return ""
    if first == last:
        return names.get(_WEEK[first], "")
    return flow.phrase(language, "day_range", first=names.get(_WEEK[first], ""),
                       last=names.get(_WEEK[last], ""))


def spoken_runs(flow: Flow, language: str, runs: list[tuple[int, int, time, time]]) -> str:
    """Runs of days and hours as one phrase: "Monday to Thursday, 9:00 to 17:00 and Friday..."."""
    spans = [
        flow.phrase(language, "hours_span", days=_days(flow, language, first, last),
                    opens=clock(opens), closes=clock(closes))
        for first, last, opens, closes in runs
    ]
    joiner = f" {flow.phrase(language, 'and')} "
    return joiner.join(spans)


def helpline_hours(flow: Flow, language: str, hours: OpeningHours) -> str:
    """When advisers answer the phone, from hours.yaml, said in the caller's language."""
    said = spoken_runs(flow, language, weekly_runs(hours))
    return flow.phrase(language, "open_hours", hours=said)


def _parse(value: str | None) -> time | None:
    if not value:
        return None
    hours, _, rest = value.partition(":")
    if not (hours.isdecimal() and rest[:2].isdecimal()):
        return None
    return time(min(int(hours), 23), min(int(rest[:2]), 59))


def service_runs(session: Session, service_id: str) -> list[tuple[int, int, time, time]]:
    """A service's weekly hours from its schedule rows with days and times (free-text
    descriptions are in English only, so they are never read to a caller in another language)."""
    rows = session.execute(
        select(m.Schedule.byday, m.Schedule.opens_at, m.Schedule.closes_at).where(
            m.Schedule.service_id == service_id
        )
    ).all()
    spans: set[tuple[int, time, time]] = set()
    for byday, opens_at, closes_at in rows:
        opens, closes = _parse(opens_at), _parse(closes_at)
        if opens is None or closes is None:
            continue
        spans |= {(_WEEK.index(d.strip().lower()[-2:]), opens, closes)
                  for d in (byday or "").split(",") if d.strip().lower()[-2:] in _WEEK}
    return day_runs(sorted(spans))


def who_for(flow: Flow, language: str, service: SearchResult) -> str:
    """Who the service is for, by age."""
    low, high = service.minimum_age, service.maximum_age
    if low is None and high is None:
        return flow.phrase(language, "who_everyone")
    return flow.phrase(
        language, "who_ages", low=int(low or 0), high=int(high if high is not None else 25)
    )


def service_line(flow: Flow, language: str, service: SearchResult,
                 runs: list[tuple[int, int, time, time]]) -> str:
    """One service as said: its name, its number slowly and twice, who it is for, its hours."""
    from helpline.voice.services import phone_parts

    spoken, extension = phone_parts(service.phone or "")
    if spoken and extension:
        phone = flow.phrase(language, "phone_extension", digits=spoken, extension=extension)
    elif spoken:
        phone = flow.phrase(language, "phone", digits=spoken)
    else:
        phone = flow.phrase(language, "no_phone")
    hours = ""
    if runs and flow.prompts[language].days:
        hours = flow.phrase(language, "service_hours", hours=spoken_runs(flow, language, runs))
    line = flow.phrase(language, "service", name=service.name, phone=phone,
                       who=who_for(flow, language, service), hours=hours)
    return " ".join(line.split())


def every_service_line(session: Session, flow: Flow) -> list[tuple[str, str, str]]:
    """(language, tts language, text) of every active service's spoken line, in every language:
    what the render job puts in the audio cache after an import."""
    from sqlalchemy.orm import selectinload

    rows = session.scalars(
        select(m.Service).where(m.Service.status == "active").order_by(m.Service.id)
        .options(selectinload(m.Service.phones))
    ).all()
    wanted: list[tuple[str, str, str]] = []
    for row in rows:
        # As the search reads a service (its first phone): the same words, the same file.
        service = SearchResult(id=row.id, name=row.name, score=0.0,
                               phone=row.phones[0].number if row.phones else None, email=None,
                               url=None, minimum_age=row.minimum_age,
                               maximum_age=row.maximum_age, distance_km=None)
        runs = service_runs(session, row.id)
        for code in flow.languages:
            wanted.append((code, flow.language(code).tts, service_line(flow, code, service, runs)))
    return wanted
