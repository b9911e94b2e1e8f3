"""The directory as the text dialogue sees it: search results and one service's details."""

from __future__ import annotations

import time

from flask import current_app
from sqlalchemy import Select, select
from sqlalchemy.orm import Session, selectinload

from helpline.directory import models as m
from helpline.directory.ages_said import ages_in_own_words
from helpline.directory.search import answer, contact_of
from helpline.directory.vocabulary import vocabulary_from
from helpline.sms.engine import Found
from helpline.sms.replies import ServiceDetails, ServiceSummary

_DAYS = {"MO": "Mon", "TU": "Tue", "WE": "Wed", "TH": "Thu", "FR": "Fri", "SA": "Sat", "SU": "Sun"}
_WEEK = list(_DAYS)


# Service details change only when a feed is imported, and an import moves the directory's
# revision on: details are kept for the revision they were read at, so a text asking for them
# again (most do: families text a number from the list they just had) reads nothing, and an
# import is seen at once. A caller that has not read the revision gets details up to a minute
# old instead: DETAILS_TTL_SECONDS.
DETAILS_TTL_SECONDS = 60.0
_details_cache: dict[tuple[str, str], tuple[float, int | None, ServiceDetails | None]] = {}
_MAX_CACHED = 4096


class LocalOfferDirectory:
    """Implements the dialogue's Directory with the search index and the service tables."""

    def __init__(self, session: Session, revision: int | None = None) -> None:
        self.session = session
        self.revision = revision  # the directory revision already read, if it was

    def answer(self, text: str, age: int | None, postcode: str | None, limit: int) -> Found:
        """Best matches for the family's words, age and place, and what was looked for."""
        # A little more than asked: a service with no way to reach it at all is left out.
        found = answer(text, age=age, postcode=postcode, limit=limit + 5, session=self.session,
                       revision=self.revision)
        reachable = [ServiceSummary(r.id, r.name, r.phone, r.email, r.url) for r in found.results
                     if r.phone or r.email or r.url]
        return Found(reachable[:limit], found.looked_for, found.nearest_area, found.age)

    def details(self, service_id: str) -> ServiceDetails | None:
        """The service's ages, hours, address, cost and contacts, or None if it has gone."""
        key = (str(self.session.get_bind().engine.url), service_id)
        cached = _details_cache.get(key)
        now = time.monotonic()
        if cached is not None and self._current(cached, now):
            return cached[2]
        if len(_details_cache) >= _MAX_CACHED:
            _details_cache.clear()
        found = self._load_details(service_id)
        _details_cache[key] = (now, self.revision, found)
        return found

    def prefetch(self, service_ids: list[str]) -> int:
        """Read the details of these services (those not kept for this revision already) in one
        batch, so the first family to ask for one waits for no reads; how many were read.

        A single service's details are eight statements and their rows made objects: a few
        milliseconds in which the worker answers nobody else, paid again by every worker after
        each start and import. The warmer pays it instead, for the services families are listed.
        """
        if self.revision is None:
            return 0
        key_of = str(self.session.get_bind().engine.url)
        now = time.monotonic()
        wanted = [i for i in dict.fromkeys(service_ids)
                  if not self._current(_details_cache.get((key_of, i)), now)]
        if not wanted:
            return 0
        if len(_details_cache) + len(wanted) > _MAX_CACHED:
            _details_cache.clear()
        rows = {row.id: row for row in self.session.scalars(_details_query().where(
            m.Service.id.in_(wanted)))}
        for service_id in wanted:
            row = rows.get(service_id)
            _details_cache[(key_of, service_id)] = (
                now, self.revision, _details_of(row) if row is not None else None)
        return len(wanted)

    def _current(
        self, cached: tuple[float, int | None, ServiceDetails | None] | None, now: float
    ) -> bool:
        """True when kept details are still right: read at this revision, or (a caller that
        has not read the revision) less than DETAILS_TTL_SECONDS ago."""
        if cached is None:
            return False
        if self.revision is not None:
            return cached[1] == self.revision
        return now - cached[0] < DETAILS_TTL_SECONDS

    def _load_details(self, service_id: str) -> ServiceDetails | None:
        row = self.session.scalar(_details_query().where(m.Service.id == service_id))
        return _details_of(row) if row is not None else None


def _details_query() -> Select[m.Service]:
    """Active services with everything their details say, each relation in one batch."""
    return (
        select(m.Service)
        .where(m.Service.status == "active")
        .options(
            selectinload(m.Service.phones),
            selectinload(m.Service.organization),
            selectinload(m.Service.schedules),
            selectinload(m.Service.cost_options),
            selectinload(m.Service.service_at_locations)
            .selectinload(m.ServiceAtLocation.location)
            .selectinload(m.Location.addresses),
        )
    )


def _details_of(row: m.Service) -> ServiceDetails:
    """What a family is told about one service."""
    free, cost = _cost(row)
    email, url = contact_of(row)
    minimum_age, maximum_age = row.minimum_age, row.maximum_age
    if minimum_age is None and maximum_age is None:
        # Many feeds give no ages; a service's own words may ("for adults over 50",
        # "aged 16 and over"), and the search used them too.
        vocabulary = vocabulary_from(current_app.config["DATA_DIR"])
        text = f"{row.name}. {row.description or ''}"
        minimum_age, maximum_age = ages_in_own_words(text, vocabulary.minimum_age_said(text))
    return ServiceDetails(
        id=row.id,
        name=row.name,
        minimum_age=minimum_age,
        maximum_age=maximum_age,
        hours=_hours(row.schedules),
        address=_address(row),
        cost=cost,
        free=free,
        phone=row.phones[0].number if row.phones else None,
        email=email,
        url=url,
    )


def _hours(schedules: list[m.Schedule]) -> str | None:
    parts: list[str] = []
    for schedule in schedules:
        if schedule.description:
            parts.append(schedule.description.strip())
            continue
        days = _day_range(schedule.byday or "")
        times = ""
        if schedule.opens_at and schedule.closes_at:
            times = f"{_time(schedule.opens_at)}-{_time(schedule.closes_at)}"
        text = " ".join(x for x in (days, times) if x)
        if text:
            parts.append(text)
    return "; ".join(dict.fromkeys(parts)) or None


def _day_range(byday: str) -> str:
    days = [d.strip().upper()[-2:] for d in byday.split(",") if d.strip()[-2:].upper() in _DAYS]
    if not days:
        return ""
    positions = [_WEEK.index(d) for d in days]
    if len(days) > 2 and positions == list(range(positions[0], positions[-1] + 1)):
        return f"{_DAYS[days[0]]}-{_DAYS[days[-1]]}"
    return ", ".join(_DAYS[d] for d in days)


def _time(value: str) -> str:
    hours, _, rest = value.partition(":")
    return f"{int(hours)}:{rest[:2]}" if hours.isdecimal() and rest else value


def _address(row: m.Service) -> str | None:
    for sal in row.service_at_locations:
        location = sal.location
        if location is None:
            continue
        for address in location.addresses:
            parts = [address.address_1, address.city, address.postal_code]
            text = ", ".join(p.strip() for p in parts if p and p.strip())
            if text:
                return text
        if location.name:
            return location.name
    return None


def _cost(row: m.Service) -> tuple[bool, str | None]:
    """(free, what it costs): a zero amount means free, said in the family's language."""
    free = False
    texts: list[str] = []
    for option in row.cost_options:
        if option.amount is not None and option.amount == 0:
            free = True
            continue
        label = option.amount_description or ""
        if not label and option.amount:
            price = f"£{option.amount:.2f}".replace(".00", "")
            label = f"{price} {option.option or ''}".strip()
        label = label or option.option or ""
        if label:
            texts.append(label)
    if texts:
        return False, "; ".join(texts)
    return free, None if free else (row.fees or None)
