"""Periodic jobs: what runs every few minutes or hours, and the ticker that enqueues them once."""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import Any

# name -> (the job in workers/, seconds between runs)
PERIODIC: dict[str, tuple[str, int]] = {
    "enqueue_pending": ("workers.outbound.enqueue_pending", 300),
    "expire_callbacks": ("workers.maintenance.expire_callbacks", 3600),
    "erase_old_personal_data": ("workers.maintenance.erase_old_personal_data", 6 * 3600),
}
IMPORT_FEEDS = "workers.feeds.import_scheduled_feeds"

# The feed import's own timeout: a council's whole directory, page by page, takes minutes.
FEED_IMPORT_TIMEOUT = 1800
_last_feed_bucket: int | None = None


def _due(now: float) -> Iterable[tuple[str, str, int, int]]:
    for name, (job, every) in PERIODIC.items():
        yield name, job, int(now // every), every
    feeds = _feed_schedule_at(now)
    if feeds is not None:
        yield "import_feeds", IMPORT_FEEDS, feeds[0], feeds[1]


def _feed_schedule_at(now: float) -> tuple[int, int] | None:
    from flask import current_app

    from helpline.directory.feed_schedule import parse_schedule

    config = current_app.config
    if not config.get("FEED_URLS"):
        return None
    schedule = parse_schedule(config.get("FEED_SCHEDULE", "daily 02:30"),
                              config.get("ROTA_TIMEZONE", "Europe/London"))
    return schedule.bucket(now), schedule.period


def enqueue_due(connection: Any, now: float | None = None, force: Iterable[str] = ()) -> list[str]:
    """Enqueue each periodic job whose period has started; returns the names enqueued.

    A Redis key per job and period (SET NX) means several workers enqueue each run only once.
    """
    from helpline.jobs import enqueue, job_id_for

    now = time.time() if now is None else now
    forced = set(force)
    done = []
    for name, job, bucket, every in _due(now):
        key = f"helpline:periodic:{name}:{bucket}"
        if connection.set(key, "1", nx=True, ex=every * 2) or name in forced:
            # No long timestamps in the id: the log filter would take them for phone numbers.
            kind = "periodic-start" if name in forced else "periodic"
            timeout = FEED_IMPORT_TIMEOUT if name == "import_feeds" else None
            enqueue(job, job_id=job_id_for(kind, f"{name}-{bucket}"), job_timeout=timeout)
            done.append(name)
    return done


def run_due_in_process(now: float | None = None) -> None:
    """Without Redis: run every periodic job now, and the feed import once per its period."""
    from helpline.jobs import run_now

    global _last_feed_bucket
    now = time.time() if now is None else now
    for name, job, bucket, _ in _due(now):
        if name == "import_feeds":
            if bucket == _last_feed_bucket:
                continue
            _last_feed_bucket = bucket
        run_now(job)
