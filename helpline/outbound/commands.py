"""`helpline worker [--burst]`: the RQ worker, its scheduler, and the periodic jobs."""

from __future__ import annotations

import logging
import threading
import time

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

log = logging.getLogger(__name__)


@click.command("worker")
@with_appcontext
@click.option("--burst", is_flag=True, help="Do what is queued (and due), then exit.")
def worker_command(burst: bool) -> None:
    """Run jobs: texts, adviser escalation, callback expiry, retention."""
    from helpline import jobs, monitoring, warn_about_settings
    from helpline.periodic import enqueue_due, run_due_in_process

    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
    warn_about_settings(app)
    _check_feed_settings(app)
    jobs.set_worker_app(app)
    named = jobs.queues(app)
    if named is None:
        click.echo("REDIS_URL is not set: running the periodic jobs in-process")
        while True:
            run_due_in_process()
            if burst:
                return
            time.sleep(60)
    from rq import Worker

    queue_list = [named[name] for name in jobs.QUEUE_NAMES]
    connection = queue_list[0].connection
    # On start: whatever the outbox still holds (Redis may have been down when it was written).
    monitoring.beat(connection)
    enqueue_due(connection, force=("enqueue_pending",))
    if not burst:
        ticker = threading.Thread(target=_tick_forever, args=(app, connection), daemon=True)
        ticker.start()
    worker = Worker(queue_list, connection=connection)
    worker.work(burst=burst, with_scheduler=True, logging_level="INFO")


def _check_feed_settings(app: Flask) -> None:
    """Refuse to start on a malformed FEED_URLS or FEED_SCHEDULE, rather than fail every night."""
    if not app.config.get("FEED_URLS"):
        return
    from helpline.directory.feed_schedule import parse_schedule, scheduled_feeds

    try:
        feeds = scheduled_feeds(app.config["FEED_URLS"])
        parse_schedule(app.config["FEED_SCHEDULE"])
    except ValueError as exc:
        raise click.UsageError(str(exc)) from exc
    names = ", ".join(feed.source for feed in feeds)
    click.echo(f"importing {names} on the schedule '{app.config['FEED_SCHEDULE']}'")


def _tick_forever(app: Flask, connection: object) -> None:
    from helpline import monitoring
    from helpline.periodic import enqueue_due

    while True:
        time.sleep(30)
        try:
            monitoring.beat(connection)
            with app.app_context():
                enqueue_due(connection)
        except Exception:  # noqa: BLE001 - a Redis blip must not stop the ticker
            log.exception("periodic jobs not enqueued this time")


def init_app(app: Flask) -> None:
    """Register `helpline worker`."""
    app.cli.add_command(worker_command)
