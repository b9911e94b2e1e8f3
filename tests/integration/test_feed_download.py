"""`helpline import https://...`: a council's ORUK API read page by page, carefully.

The feed is North Lincolnshire's real one (738 services), served by a local HTTP server in the
ORUK 3.0 and 1.0 paging shapes.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select

from helpline.directory import models as m
from helpline.directory.commands import run_import
from helpline.extensions import db
from helpline.insight.directory_health import changes_in_words
from tests.conftest import NORTH_LINCS_FEED
from tests.feed_server import FeedServer
from tests.integration.conftest import make_app

RECORDS = json.loads(NORTH_LINCS_FEED.read_text())


@pytest.fixture
def served() -> Iterator[list[FeedServer]]:
    """Feed servers a test starts; stopped after it."""
    servers: list[FeedServer] = []
    yield servers
    for server in servers:
        server.close()


def _serve(served: list[FeedServer], **options: object) -> FeedServer:
    server = FeedServer(list(RECORDS), **options)  # type: ignore[arg-type]
    served.append(server)
    return server


def _patient(app: Flask, tmp_path: Path, **config: object) -> Flask:
    """An app that retries at once and waits at most a second: tests must not sleep."""
    settings = {"FEED_RETRY_BACKOFF_SECONDS": 0, "FEED_TIMEOUT_SECONDS": 1, **config}
    return make_app(app, tmp_path, **settings)


def _active() -> int:
    query = select(func.count()).select_from(m.Service).where(m.Service.status == "active")
    return int(db.session.scalar(query) or 0)


@pytest.mark.parametrize("version", ["3.0", "1.0"])
def test_every_page_of_an_oruk_api_is_imported_and_a_second_run_asks_conditionally(
    app: Flask, tmp_path: Path, served: list[FeedServer], version: str
) -> None:
    server = _serve(served, version=version, per_page=100)
    local = _patient(app, tmp_path)
    with local.app_context():
        first = run_import([server.url], "north-lincs")
        assert (first.created, first.pages, first.problem) == (738, 8, "")
        assert [r.page for r in server.requests] == [1, 2, 3, 4, 5, 6, 7, 8]
        assert _active() == 738
        server.requests.clear()
        again = run_import([server.url], "north-lincs")
        assert again.not_modified and not again.changed
        assert [r.status for r in server.requests] == [304] * 8
        assert all(r.if_none_match for r in server.requests)
        record = db.session.get(m.FeedImport, "north-lincs")
        assert record is not None and record.succeeded_at is not None and record.problem is None
        # Directory health says what the last import changed: nothing, the feed was the same.
        assert changes_in_words(record.changes) == "nothing: the feed had not changed"


def test_one_changed_page_brings_the_unchanged_ones_again_and_the_change_is_stored(
    app: Flask, tmp_path: Path, served: list[FeedServer]
) -> None:
    server = _serve(served, per_page=100)
    local = _patient(app, tmp_path)
    with local.app_context():
        run_import([server.url], "north-lincs")
        server.records[450] = {**server.records[450], "name": "Renamed by the council"}
        server.requests.clear()
        summary = run_import([server.url], "north-lincs")
        assert (summary.updated, summary.unchanged, summary.deactivated) == (1, 737, 0)
        # Page 5 changed; the 304 pages' bodies are needed to know the feed whole.
        assert [(r.page, r.status) for r in server.requests] == [
            (1, 304), (2, 304), (3, 304), (4, 304), (5, 200), (6, 304), (7, 304), (8, 304),
            (1, 200), (2, 200), (3, 200), (4, 200), (6, 200), (7, 200), (8, 200),
        ]
        assert db.session.scalar(
            select(func.count()).where(m.Service.name == "Renamed by the council")
        ) == 1


def test_a_server_error_is_retried_and_the_feed_still_comes_in_whole(
    app: Flask, tmp_path: Path, served: list[FeedServer]
) -> None:
    server = _serve(served, per_page=200, trouble={2: [503, 500]})
    local = _patient(app, tmp_path)
    with local.app_context():
        summary = run_import([server.url], "north-lincs")
        assert (summary.created, summary.problem) == (738, "")
        assert [(r.page, r.status) for r in server.requests][:4] == [
            (1, 200), (2, 503), (2, 500), (2, 200)
        ]


def test_a_page_that_never_comes_imports_what_came_and_retires_nothing(
    app: Flask, tmp_path: Path, served: list[FeedServer]
) -> None:
    server = _serve(served, per_page=100)
    local = _patient(app, tmp_path, FEED_RETRIES=2)
    with local.app_context():
        run_import([server.url], "north-lincs")
        server.records[:] = server.records[:150]  # the next download would drop 588 services
        server.trouble = {2: [503, 503, 503]}
        summary = run_import([server.url], "north-lincs")
        assert "HTTP 503 after 3 tries" in summary.problem
        assert summary.deactivated == 0 and summary.kept_missing
        assert _active() == 738
        record = db.session.get(m.FeedImport, "north-lincs")
        assert record is not None and record.problem and record.validators


def test_the_cli_exits_1_and_says_why_when_the_download_stops_short(
    app: Flask, tmp_path: Path, served: list[FeedServer]
) -> None:
    server = _serve(served, per_page=100, trouble={3: [0, 0]}, stall_seconds=2.5)
    local = _patient(app, tmp_path, FEED_RETRIES=1)
    result = local.test_cli_runner().invoke(args=["import", server.url, "--source", "nl"])
    assert result.exit_code == 1, result.output
    assert "stopped short" in result.output and "ReadTimeout" in result.output
    assert "Nothing marked inactive" in result.output
    with local.app_context():
        assert _active() == 200  # pages 1 and 2 came in


def test_a_feed_larger_than_the_size_limit_is_refused(
    app: Flask, tmp_path: Path, served: list[FeedServer]
) -> None:
    server = _serve(served, per_page=100)
    local = _patient(app, tmp_path, FEED_MAX_BYTES=300_000)
    with local.app_context():
        summary = run_import([server.url], "north-lincs")
        assert "larger than the size limit" in summary.problem
        assert summary.created < 738 and summary.deactivated == 0


def test_a_url_feed_is_named_after_its_address_when_no_source_is_given(
    app: Flask, tmp_path: Path, served: list[FeedServer]
) -> None:
    server = _serve(served, per_page=400, version="1.0")
    local = _patient(app, tmp_path)
    result = local.test_cli_runner().invoke(args=["import", server.url])
    assert result.exit_code == 0, result.output
    assert "downloaded 2 pages" in result.output and "created 738" in result.output
    with local.app_context():
        sources = db.session.scalars(select(m.FeedImport.source)).all()
        assert sources == [server.url.split("//")[1].replace(":", "-").replace("/", "-")]
