"""The scheduled import of the council's ORUK feeds (FEED_URLS, FEED_SCHEDULE)."""

from __future__ import annotations

import logging

log = logging.getLogger(__name__)


def import_scheduled_feeds() -> dict[str, str]:
    """Import every feed in FEED_URLS; returns each feed's outcome by source name."""
    from flask import current_app

    from helpline.directory.feed_runs import run_import
    from helpline.directory.feed_schedule import scheduled_feeds
    from helpline.extensions import db
    from helpline.jobs import job_app_context

    outcomes: dict[str, str] = {}
    with job_app_context():
        for feed in scheduled_feeds(current_app.config.get("FEED_URLS", "")):
            try:
                summary = run_import([feed.url], feed.source)
            except Exception:  # noqa: BLE001 - one broken feed must not stop the next
                db.session.rollback()
                log.exception("feed %s: import failed", feed.source)
                outcomes[feed.source] = "failed"
                continue
            if summary.not_modified:
                outcomes[feed.source] = "not modified"
            else:
                outcomes[feed.source] = (
                    f"created {summary.created}, updated {summary.updated}, unchanged "
                    f"{summary.unchanged}, marked inactive {summary.deactivated}"
                )
            if summary.problem:
                outcomes[feed.source] += f"; stopped short: {summary.problem}"
                log.warning("feed %s: %s", feed.source, outcomes[feed.source])
            else:
                log.info("feed %s: %s", feed.source, outcomes[feed.source])
    return outcomes
