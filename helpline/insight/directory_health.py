"""Directory health: what families can't be told, so a manager sees what to fix in the directory.

Active services no family can reach (no phone, email or web address), with no ages (an age in
a text can't narrow to them), with names a text list must cut short, and that no search
returned in the period; and each feed's last import and what it changed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import and_, select
from sqlalchemy.orm import Session, selectinload

from helpline.directory import models as m
from helpline.directory.search import contact_of
from helpline.insight.period import Period
from helpline.sms.models import SmsMessage
from helpline.sms.replies import NAME_LENGTHS
from helpline.voice.models import CallLog

# A name longer than this is cut short in every text list (the longest length a list tries).
LIST_NAME_LENGTH = NAME_LENGTHS[0]


@dataclass(frozen=True)
class ServiceLine:
    """A service as the lists name it: its id (for its record), name and feed."""

    id: str
    name: str
    source: str


@dataclass(frozen=True)
class FeedLine:
    """A feed's last import: when it was tried, when it last worked, any problem and changes."""

    source: str
    attempted_at: datetime
    succeeded_at: datetime | None
    problem: str | None
    changes: str


@dataclass
class DirectoryHealth:
    """The lists on the directory health page."""

    period: Period
    active: int = 0
    unreachable: list[ServiceLine] = field(default_factory=list)
    no_ages: list[ServiceLine] = field(default_factory=list)
    long_names: list[ServiceLine] = field(default_factory=list)
    never_returned: list[ServiceLine] = field(default_factory=list)
    searches: int = 0
    feeds: list[FeedLine] = field(default_factory=list)


def returned_ids(session: Session, period: Period) -> tuple[set[str], int]:
    """The ids of services any text's search found or any caller heard in the period, and how
    many texts and calls that was."""
    found: set[str] = set()
    searches = 0
    texts = select(SmsMessage.service_ids).where(
        SmsMessage.direction == "in", SmsMessage.service_ids.is_not(None),
        and_(SmsMessage.created_at >= period.start, SmsMessage.created_at < period.end))
    calls = select(CallLog.service_ids).where(
        CallLog.service_ids.is_not(None),
        and_(CallLog.created_at >= period.start, CallLog.created_at < period.end))
    for query in (texts, calls):
        for ids in session.scalars(query):
            searches += 1
            found.update((ids or "").split())
    return found, searches


def directory_health(session: Session, period: Period) -> DirectoryHealth:
    """The directory's gaps now, and the services no search returned in the period."""
    health = DirectoryHealth(period=period)
    services = session.scalars(
        select(m.Service).where(m.Service.status == "active")
        .options(selectinload(m.Service.phones), selectinload(m.Service.organization))
        .order_by(m.Service.name, m.Service.id)
    ).all()
    returned, health.searches = returned_ids(session, period)
    health.active = len(services)
    for service in services:
        line = ServiceLine(service.id, service.name, service.source)
        email, url = contact_of(service)
        if not service.phones and not email and not url:
            health.unreachable.append(line)
        if service.minimum_age is None and service.maximum_age is None:
            health.no_ages.append(line)
        if len(service.name) > LIST_NAME_LENGTH:
            health.long_names.append(line)
        if service.id not in returned:
            health.never_returned.append(line)
    for feed in session.scalars(select(m.FeedImport).order_by(m.FeedImport.source)):
        health.feeds.append(FeedLine(feed.source, feed.attempted_at, feed.succeeded_at,
                                     feed.problem, changes_in_words(feed.changes)))
    return health


def changes_in_words(changes: str | None) -> str:
    """ "2 new, 1 changed, 0 marked inactive, 60 unchanged, 1 skipped" from the stored JSON."""
    if not changes:
        return "not recorded (imported before changes were kept)"
    try:
        done = json.loads(changes)
    except ValueError:
        return "not recorded"
    if done.get("not_modified"):
        return "nothing: the feed had not changed"
    return (f"{done.get('created', 0)} new, {done.get('updated', 0)} changed,"
            f" {done.get('deactivated', 0)} marked inactive, {done.get('unchanged', 0)}"
            f" unchanged, {done.get('skipped', 0)} skipped")
