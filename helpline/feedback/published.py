"""What the public "You said, we did" page shows: published comments with the council's response
and action, by Local Offer area and date. Only the manager's wording leaves this module: never
the family's own words, number or recording."""

from __future__ import annotations

import csv
import io
from dataclasses import asdict, dataclass
from datetime import date, datetime
from itertools import groupby
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from helpline.sms.models import LocalOfferFeedback

# The columns of the CSV and the keys of each JSON item, in order.
FIELDS = ("id", "area", "area_name", "theme", "comment", "response", "action_taken",
          "received", "published")
# A spreadsheet runs a cell that starts with one of these as a formula.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class PublishedComment:
    """One published comment as the public sees it."""

    id: int
    area: str
    area_name: str
    theme: str
    comment: str
    response: str
    action_taken: str
    received: date
    published: date


def _day(moment: datetime, zone: ZoneInfo) -> date:
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=ZoneInfo("UTC"))
    return aware.astimezone(zone).date()


def published_comments(session: Session, area_names: dict[str, str], *, area: str | None = None,
                       timezone: str = "Europe/London") -> list[PublishedComment]:
    """Published comments, by area (in the keyword file's order), newest first in each."""
    query = select(LocalOfferFeedback).where(LocalOfferFeedback.published_at.is_not(None))
    if area is not None:
        query = query.where(LocalOfferFeedback.area == area)
    zone = ZoneInfo(timezone)
    order = {keyword: index for index, keyword in enumerate(area_names)}
    rows = sorted(session.scalars(query),
                  key=lambda r: (order.get(r.area or "", len(order)), -r.created_at.timestamp(),
                                 -r.id))
    return [
        PublishedComment(
            id=row.id, area=row.area or "", area_name=area_names.get(row.area or "", "Other"),
            theme=row.theme, comment=row.published_comment, response=row.response,
            action_taken=row.action_taken, received=_day(row.created_at, zone),
            published=_day(row.published_at, zone),
        )
        for row in rows if row.published_at is not None
    ]


def by_area(items: list[PublishedComment]) -> list[tuple[str, list[PublishedComment]]]:
    """The comments grouped under their area's name, in order."""
    return [(name, list(group)) for name, group in groupby(items, key=lambda c: c.area_name)]


def as_json(items: list[PublishedComment]) -> list[dict[str, object]]:
    """Each comment as a JSON object, dates as ISO 8601."""
    return [{key: (value.isoformat() if isinstance(value, date) else value)
             for key, value in asdict(item).items()} for item in items]


def _cell(value: object) -> str:
    text = value.isoformat() if isinstance(value, date) else str(value)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def as_csv(items: list[PublishedComment]) -> str:
    """The comments as CSV with a header row; no cell can run as a spreadsheet formula."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(FIELDS)
    for item in items:
        values = asdict(item)
        writer.writerow([_cell(values[name]) for name in FIELDS])
    return out.getvalue()
