"""FEED_URLS and FEED_SCHEDULE: which ORUK feeds the worker imports, and how often.

FEED_URLS lists feeds separated by spaces, commas or new lines, each `https://...` or
`name=https://...` (the name is the feed's source; by default its host and path, which stay the
same from run to run, so a dropped service is retired). FEED_SCHEDULE is `daily HH:MM` (UK
time), `hourly`, or `every N minutes|hours|days` (also `30m`, `6h`, `1d`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from helpline.directory.feed_download import is_url
from helpline.directory.feed_runs import default_source_name

_DAILY = re.compile(r"^daily\s+(\d{1,2}):(\d{2})$")
_EVERY = re.compile(r"^(?:every\s+)?(\d+)\s*(m|min|mins|minutes?|h|hours?|d|days?)$")
_UNIT_SECONDS = {"m": 60, "h": 3600, "d": 86400}


@dataclass(frozen=True)
class ScheduledFeed:
    """One feed the worker imports."""

    source: str
    url: str


@dataclass(frozen=True)
class FeedSchedule:
    """Runs every `period` seconds, `offset` seconds into each period of local time."""

    period: int
    offset: int = 0
    timezone: str = "Europe/London"

    def bucket(self, now: float) -> int:
        """A number that changes exactly when a run is due: the run's period."""
        moment = datetime.fromtimestamp(now, UTC)
        local = moment.astimezone(ZoneInfo(self.timezone)).utcoffset()
        shift = int(local.total_seconds()) if local else 0
        return int((now + shift - self.offset) // self.period)


def parse_schedule(text: str, timezone: str = "Europe/London") -> FeedSchedule:
    """FEED_SCHEDULE as a FeedSchedule; a malformed one is an error that quotes it."""
    words = " ".join(text.lower().split())
    if words == "hourly":
        return FeedSchedule(3600, 0, timezone)
    if daily := _DAILY.match(words):
        hours, minutes = int(daily.group(1)), int(daily.group(2))
        if hours < 24 and minutes < 60:
            return FeedSchedule(86400, hours * 3600 + minutes * 60, timezone)
    if every := _EVERY.match(words):
        seconds = int(every.group(1)) * _UNIT_SECONDS[every.group(2)[0]]
        if seconds >= 60:
            return FeedSchedule(seconds, 0, timezone)
    raise ValueError(
        f"FEED_SCHEDULE must be 'daily HH:MM', 'hourly' or 'every N hours', not {text!r}"
    )


def scheduled_feeds(text: str) -> list[ScheduledFeed]:
    """FEED_URLS as feeds; an entry that is not an http(s) address is an error naming it."""
    feeds = []
    for entry in re.split(r"[\s,]+", text.strip()):
        if not entry:
            continue
        # A name is what comes before the first "="; a URL's own query may hold more of them.
        name, _, url = ("", "", entry) if is_url(entry) else entry.partition("=")
        if not is_url(url):
            raise ValueError(f"FEED_URLS: {entry!r} is not an http(s) address")
        feeds.append(ScheduledFeed(name or default_source_name(url), url))
    return feeds
