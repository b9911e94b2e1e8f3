"""FEED_URLS and FEED_SCHEDULE: the worker brings the council's feed in from its API on time."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from redis import Redis
from sqlalchemy import func, select

from helpline.directory import models as m
from helpline.extensions import db
from tests.conftest import NORTH_LINCS_FEED
from tests.feed_server import FeedServer
from tests.integration.conftest import make_app
from tests.integration.test_outbox_worker import run_worker


@pytest.fixture
def server() -> Iterator[FeedServer]:
    """North Lincolnshire's real feed, 100 services a page, ORUK 3.0."""
    serving = FeedServer(json.loads(NORTH_LINCS_FEED.read_text()), per_page=100)
    yield serving
    serving.close()


def _burst(app: Flask, redis_url: str, feed_urls: str, schedule: str) -> str:
    """A real `helpline worker --burst`, as a council's worker runs; its output."""
    env = dict(os.environ, DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"],
               REDIS_URL=redis_url, FEED_URLS=feed_urls, FEED_SCHEDULE=schedule,
               FEED_RETRY_BACKOFF_SECONDS="0")
    helpline = Path(sys.executable).parent / "helpline"
    done = subprocess.run([str(helpline), "worker", "--burst"], env=env, capture_output=True,
                          text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout + done.stderr


def _services(app: Flask) -> int:
    with app.app_context():
        return int(db.session.scalar(select(func.count()).select_from(m.Service)) or 0)


def _daily_half_a_day_away() -> str:
    """A daily schedule whose next run is 12 hours off, in the schedule's own (UK) time.

    The two workers below read the real clock; a period boundary between them (as 'every 6
    hours' had at 12:00 UTC) would make the second import look due, so the boundary is put
    as far from now as a day allows.
    """
    later = datetime.now(ZoneInfo("Europe/London")) + timedelta(hours=12)
    return f"daily {later:%H:%M}"


def test_the_worker_imports_the_feed_once_per_period_and_then_asks_conditionally(
    app: Flask, tmp_path: Path, redis_url: str, server: FeedServer
) -> None:
    feed_urls = f"north-lincs={server.url}"
    schedule = _daily_half_a_day_away()
    output = _burst(app, redis_url, feed_urls, schedule)
    assert f"importing north-lincs on the schedule '{schedule}'" in output
    assert _services(app) == 738
    assert [r.page for r in server.requests] == list(range(1, 9))

    # A second worker in the same period: the import is not due again.
    server.requests.clear()
    _burst(app, redis_url, feed_urls, schedule)
    assert server.requests == []

    # The next period: due again; the server says nothing changed, so nothing is imported.
    from helpline.periodic import enqueue_due

    queued = make_app(app, tmp_path, REDIS_URL=redis_url, FEED_URLS=feed_urls,
                      FEED_SCHEDULE=schedule)
    with queued.app_context():
        assert "import_feeds" in enqueue_due(Redis.from_url(redis_url), now=time.time() + 86400)
    run_worker(queued)
    assert [r.status for r in server.requests] == [304] * 8
    with queued.app_context():
        record = db.session.get(m.FeedImport, "north-lincs")
        assert record is not None and record.problem is None and record.validators


def test_without_redis_the_in_process_worker_imports_once_per_period(
    app: Flask, tmp_path: Path, server: FeedServer
) -> None:
    from helpline import periodic

    local = make_app(app, tmp_path, REDIS_URL="", FEED_URLS=server.url, FEED_SCHEDULE="hourly")
    periodic._last_feed_bucket = None
    with local.app_context():
        periodic.run_due_in_process(now=1_800_000_000.0)
        periodic.run_due_in_process(now=1_800_000_060.0)  # a minute later: same hour
    assert _services(local) == 738
    assert len(server.requests) == 8


def test_a_malformed_schedule_stops_the_worker_with_a_clear_message(
    app: Flask, redis_url: str, server: FeedServer
) -> None:
    env = dict(os.environ, DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"],
               REDIS_URL=redis_url, FEED_URLS=server.url, FEED_SCHEDULE="nightly")
    helpline = Path(sys.executable).parent / "helpline"
    done = subprocess.run([str(helpline), "worker", "--burst"], env=env, capture_output=True,
                          text=True, timeout=120, check=False)
    assert done.returncode == 2
    assert "FEED_SCHEDULE must be" in done.stderr and "Traceback" not in done.stderr
