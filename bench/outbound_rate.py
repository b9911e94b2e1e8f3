"""How many follow-up texts one worker sends per second, beside RQ's own rate for a no-op job.

Both are measured in the same run, with the same worker class, on the same Redis: the texts go
through the whole path (outbox row claimed, Twilio REST client, a local fake of Twilio's API,
status written back), so the gap between the two numbers is the helpline's own cost per text.

Usage: .venv/bin/python bench/outbound_rate.py [--count 500] [--redis-url redis://127.0.0.1:6379/12]
A throwaway SQLite database is used unless --database-url is given. The Redis db is flushed.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def noop() -> None:
    """RQ's baseline: a job that does nothing."""


def main() -> None:
    """Run both measurements and print them."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=500)
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/12")
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()

    from flask_migrate import upgrade
    from redis import Redis
    from rq import SimpleWorker

    from bench.outbound_rate import noop as baseline  # RQ can't run jobs from __main__
    from helpline import create_app
    from helpline.extensions import db
    from helpline.jobs import DEFAULT_QUEUE, QUEUE_NAMES, queues
    from helpline.outbound.outbox import queue_text
    from tests.prism import TwilioApi

    api = TwilioApi()  # answers like Twilio, with a fresh sid each time
    workdir = tempfile.mkdtemp(prefix="outbound-bench-")
    database_url = args.database_url or f"sqlite:///{workdir}/bench.sqlite3"
    Redis.from_url(args.redis_url).flushdb()
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "REDIS_URL": args.redis_url,
            "TWILIO_ACCOUNT_SID": "AC" + "0" * 32,
            "TWILIO_AUTH_TOKEN": "bench",
            "TWILIO_PHONE_NUMBER": "+447700900000",
            "TWILIO_API_BASE_URL": api.url,
            "PUBLIC_BASE_URL": "https://helpline.example.org",
        }
    )
    named = queues(app)
    assert named is not None
    connection = named[DEFAULT_QUEUE].connection

    def run_worker() -> float:
        worker = SimpleWorker([named[n] for n in QUEUE_NAMES], connection=connection)
        started = time.perf_counter()
        worker.work(burst=True, logging_level="WARNING")
        return time.perf_counter() - started

    with app.app_context():
        upgrade(directory=str(Path(__file__).resolve().parent.parent / "helpline" / "migrations"))
        for _ in range(args.count):
            named[DEFAULT_QUEUE].enqueue(baseline)
        noop_seconds = run_worker()

        for n in range(args.count):
            queue_text(
                db.session,
                to=f"+4477009{n % 100000:05d}",
                body="Short breaks: Wyvern Play",
                cause=f"CA{n:032x}:followup",
                purpose="followup",
            )
            db.session.commit()  # one event, one transaction, one enqueue: as the webhooks do
        text_seconds = run_worker()
    sent = len(api.posts_to("/Messages.json"))
    api.close()
    Redis.from_url(args.redis_url).flushdb()
    assert sent == args.count, f"only {sent} of {args.count} texts reached the fake API"
    rate_noop, rate_texts = args.count / noop_seconds, args.count / text_seconds
    print(f"RQ no-op jobs:        {rate_noop:8.1f} jobs/s  ({args.count} in {noop_seconds:.2f}s)")
    print(f"follow-up texts sent: {rate_texts:8.1f} texts/s ({sent} in {text_seconds:.2f}s)")
    print(f"one {SimpleWorker.__name__}, Redis {args.redis_url}, {database_url.split(':')[0]}")


if __name__ == "__main__":
    main()
