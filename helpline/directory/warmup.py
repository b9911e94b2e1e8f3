"""The search index built before any family needs it: when a web or worker process starts, and
again in the background when an import moves the directory on, never on a family's request.

A text that arrives while the new index is built is answered from the old one (a few seconds
behind the import), where without this it waited the whole build (270-350 ms on the sample Local
Offer, seconds on a large directory).
"""

from __future__ import annotations

import gc
import logging
import threading
import time

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from helpline.directory import models as m
from helpline.directory.geo import centroids_in
from helpline.directory.keywords import Keywords, keywords_from
from helpline.directory.search import index_cache
from helpline.directory.vocabulary import vocabulary_from
from helpline.extensions import db
from helpline.sms.engine import MAX_LISTED
from helpline.sms.lookup import LocalOfferDirectory
from helpline.sms.templates import templates_from

log = logging.getLogger(__name__)


def warm(app: Flask) -> float:
    """Read the data files and build the index for the directory as it is now; seconds taken."""
    return _warm(app)[0]


def _warm(app: Flask) -> tuple[float, object]:
    """warm(), and the index it left current (the same object if nothing was rebuilt)."""
    started = time.perf_counter()
    with app.app_context():
        try:
            data_dir = app.config["DATA_DIR"]
            keywords_from(data_dir)
            templates_from(app.config["SMS_TEMPLATES_DIR"])
            session = db.session()
            revision = session.scalar(
                select(m.DirectoryRevision.revision).where(m.DirectoryRevision.id == 1)) or 0
            index = index_cache.refresh(session, centroids_in(data_dir), revision,
                                        vocabulary_from(data_dir))
            _read_listed_details(session, revision, keywords_from(data_dir))
        finally:
            db.session.remove()
    return time.perf_counter() - started, index


def _read_listed_details(session: Session, revision: int, keywords: Keywords) -> None:
    """Each keyword's list, as a family texting just the keyword gets it, and the details of
    every service on it, read now for this revision (nothing, once they are): the first
    families after a start or an import wait for neither. Bounded by the keywords, whatever
    the directory's size."""
    try:
        directory = LocalOfferDirectory(session, revision)
        listed = [item.id for area in keywords.areas
                  for item in directory.answer(area.keyword, None, None, MAX_LISTED).items]
        read = directory.prefetch(listed)
        if read:
            log.info("read the details of %d listed services", read)
    except Exception:  # noqa: BLE001 - only a head start: a family's request reads them anyway
        session.rollback()
        log.exception("could not read the listed services' details ahead")


def keep_out_of_collections() -> None:
    """Collect once, then leave everything the process now holds out of the cyclic garbage
    collector's later passes (gc.freeze).

    A full collection walks every object a process holds: with the app, its modules and the
    index built that is about 180,000 objects and 60-100 ms in which a worker answers nobody
    (measured in bench/request_cost.py's process), now and then, in the middle of traffic.
    These objects live as long as the process or the index, so walking them again finds
    nothing to free. After a rebuild, the old index's objects are let back in first, so
    whatever of it is only held in cycles is freed, not kept for ever.
    """
    gc.unfreeze()
    gc.collect()
    gc.freeze()


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
        current: object = None
        while not self.stopped.wait(every):
            try:
                _, index = _warm(app)
                if current is not None and index is not current:
                    keep_out_of_collections()
                current = index
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
    keep_out_of_collections()
    every = float(app.config.get("SEARCH_INDEX_REFRESH_SECONDS", 5))
    if every <= 0:
        return None
    warmer = Warmer(app, every)
    index_cache.kept_warm = True
    warmer.thread.start()
    return warmer
