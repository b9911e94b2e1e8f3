"""The search index built before any family needs it: when a web or worker process starts, and
again in the background when an import moves the directory on, never on a family's request.

A text that arrives while the new index is built is answered from the old one (a few seconds
behind the import), where without this it waited the whole build (270-350 ms on the sample Local
Offer, seconds on a large directory).
"""

from __future__ import annotations

import logging
import threading
import time

from flask import Flask
from sqlalchemy import select

from helpline.directory import models as m
from helpline.directory.geo import centroids_in
from helpline.directory.keywords import keywords_from
from helpline.directory.search import index_cache
from helpline.directory.vocabulary import vocabulary_from
from helpline.extensions import db
from helpline.sms.templates import templates_from

log = logging.getLogger(__name__)


def warm(app: Flask) -> float:
    """Read the data files and build the index for the directory as it is now; seconds taken."""
    started = time.perf_counter()
    with app.app_context():
        try:
            data_dir = app.config["DATA_DIR"]
            keywords_from(data_dir)
            templates_from(app.config["SMS_TEMPLATES_DIR"])
            session = db.session()
            revision = session.scalar(
                select(m.DirectoryRevision.revision).where(m.DirectoryRevision.id == 1)) or 0
            index_cache.refresh(session, centroids_in(data_dir), revision,
                                vocabulary_from(data_dir))
        finally:
            db.session.remove()
    return time.perf_counter() - started


class Warmer:
    """The thread keeping a process's index current; stop() ends it (tests, a clean exit)."""

    def __init__(self, app: Flask, every: float) -> None:
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._run, args=(app, every), daemon=True,
                                       name="search-index-warmer")

    def stop(self) -> None:
        """End the thread after its current build, and let requests build again."""
        self.stopped.set()
        index_cache.kept_warm = False
        self.thread.join(30)

    def _run(self, app: Flask, every: float) -> None:
        while not self.stopped.wait(every):
            try:
                warm(app)
            except Exception:  # noqa: BLE001 - a database blip: the old index serves meanwhile
                log.exception("could not refresh the search index; trying again")


def keep_warm(app: Flask) -> Warmer | None:
    """Build the index now, then keep rebuilding it in a background thread whenever the
    directory changes (looked at every SEARCH_INDEX_REFRESH_SECONDS; 0 turns the thread off).
    For the processes that answer families: `helpline.wsgi`."""
    try:
        log.info("search index built in %.2f s", warm(app))
    except Exception:  # noqa: BLE001 - no database yet: the first request builds it instead
        log.exception("could not build the search index at start")
        return None
    every = float(app.config.get("SEARCH_INDEX_REFRESH_SECONDS", 5))
    if every <= 0:
        return None
    warmer = Warmer(app, every)
    index_cache.kept_warm = True
    warmer.thread.start()
    return warmer
