"""One import of a feed, from files or from a council's ORUK API: read, apply, record.

The same rules hold for both: a feed read only in part (an unreadable file, a page that never
came) is imported as far as it was read but retires nothing. Each run is recorded in
`feed_import`, so the next download can ask conditionally and /healthz can say how old the
directory is.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from helpline.directory import models as m
from helpline.directory.feed_download import (
    DownloadLimits,
    FeedDownloadError,
    download_feed,
    is_url,
)
from helpline.directory.importer import ImportSummary, import_feed
from helpline.directory.oruk_feed import (
    ParsedFeed,
    Skipped,
    iter_feed_files,
    load_document,
    parse_document,
)
from helpline.extensions import db

# Given the number of services, a context whose value is called with how many were just done.
ProgressBar = Callable[[int, str], AbstractContextManager[Callable[[int], None]]]


class NothingToImport(ValueError):
    """The paths name no feed at all (no JSON file under them)."""


@dataclass
class Reading:
    """How a feed's reading went, beside what was read."""

    unreadable: bool = False
    problem: str = ""  # why the download stopped, when it did
    not_modified: bool = False
    pages: int = 0
    validators: list[dict[str, str]] = field(default_factory=list)


def default_source_name(location: str) -> str:
    """A feed's name when none is given: its file or folder name, or its URL's host and path."""
    if is_url(location):
        parts = urlsplit(location)
        return re.sub(r"[^A-Za-z0-9.]+", "-", f"{parts.netloc}{parts.path}").strip("-")
    path = Path(location)
    return path.stem if path.is_file() else path.name


def limits_from_config(config: Any) -> DownloadLimits:
    """Download limits from the FEED_* settings."""
    return DownloadLimits(
        timeout=float(config.get("FEED_TIMEOUT_SECONDS", 30)),
        max_bytes=int(config.get("FEED_MAX_BYTES", 50_000_000)),
        retries=int(config.get("FEED_RETRIES", 3)),
        backoff=float(config.get("FEED_RETRY_BACKOFF_SECONDS", 2)),
    )


def read_feed(paths: list[str], name: str, known: list[dict[str, str]]) -> tuple[ParsedFeed,
                                                                                 Reading]:
    """Parse every file, or download every page, of one feed."""
    feed, reading = ParsedFeed(), Reading()
    documents: list[tuple[str, Any]] = []
    urls = [p for p in paths if is_url(p)]
    if urls and len(urls) != len(paths):
        raise NothingToImport("import either files or URLs, not both at once")
    for url in urls:
        try:
            got = download_feed(url, known if len(urls) == 1 else None,
                                limits_from_config(current_app.config))
        except FeedDownloadError as exc:
            reading.problem, reading.unreadable = str(exc), True
            documents += [(url, page) for page in exc.pages]
            continue
        reading.not_modified = got.not_modified
        reading.validators = got.validators if len(urls) == 1 else []
        documents += [(url, page) for page in got.pages]
    reading.pages = len(documents)
    if not urls:
        files = list(iter_feed_files(paths))
        if not files:
            raise NothingToImport("no JSON files found in " + ", ".join(paths))
        for path in files:
            try:
                documents.append((str(path), load_document(path)))
            except (OSError, ValueError) as exc:
                feed.skipped.append(
                    Skipped(str(path), "", f"not readable as JSON ({exc.__class__.__name__})")
                )
                reading.unreadable = True
    for _, document in documents:
        part = parse_document(document, name)
        feed.services.extend(part.services)
        feed.taxonomy_terms.extend(part.taxonomy_terms)
        feed.skipped.extend(part.skipped)
    return feed, reading


def run_import(
    paths: list[str], source: str | None = None, progress: ProgressBar | None = None
) -> ImportSummary:
    """Read the named files, folders or URLs as one feed and apply it in one transaction."""
    name = source or default_source_name(paths[0])
    session = db.session()
    record = session.get(m.FeedImport, name)
    known = json.loads(record.validators) if record is not None and record.validators else []
    feed, reading = read_feed(paths, name, known)
    if reading.not_modified:
        summary = ImportSummary(not_modified=True)
    elif progress is not None:
        with progress(len(feed.services), name) as step:
            summary = import_feed(session, feed, name, progress=step,
                                  unreadable=reading.unreadable)
    else:
        summary = import_feed(session, feed, name, unreadable=reading.unreadable)
    summary.problem, summary.pages = reading.problem, reading.pages
    _record(session, record, name, paths, reading, summary)
    session.commit()
    if summary.changed:
        from helpline.speech.commands import render_after_import

        render_after_import()  # each service's spoken line, in every language, by a worker
    return summary


def _record(session: Session, record: m.FeedImport | None, name: str, paths: list[str],
            reading: Reading, summary: ImportSummary) -> None:
    if record is None:
        record = m.FeedImport(source=name)
        session.add(record)
    record.location = " ".join(paths)
    # What this import changed, for directory health ("not modified": nothing at all).
    record.changes = json.dumps({
        "created": summary.created, "updated": summary.updated,
        "unchanged": summary.unchanged, "deactivated": summary.deactivated,
        "skipped": len(summary.skipped), "not_modified": summary.not_modified,
    })
    record.attempted_at = m.utcnow()
    record.problem = reading.problem or ("part of the feed could not be read"
                                         if reading.unreadable else None)
    if not record.problem:
        record.succeeded_at = record.attempted_at
        # Only a whole download's validators: a partial one must be fetched whole next time.
        if not reading.not_modified:
            record.validators = json.dumps(reading.validators) if reading.validators else None


def last_whole_import(session: Session) -> datetime | None:
    """When any feed was last read whole (None if never)."""
    return session.scalar(select(func.max(m.FeedImport.succeeded_at)))
