"""The search index is built when a web process starts and after an import, in the background:
never on a family's request, and a slow rebuild doesn't slow the texts coming in meanwhile."""

from __future__ import annotations

import gc
import threading
import time
import weakref
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import event, update

from helpline.directory import search as search_module
from helpline.directory.geo import centroids_in
from helpline.directory.models import DirectoryRevision
from helpline.directory.search import index_cache
from helpline.directory.warmup import Warmer, keep_warm, warm
from helpline.extensions import db, statement_engines
from tests.conftest import TWILIO_TEST_SID, TwilioSigner


@pytest.fixture
def seeded(app: Flask) -> Iterator[Flask]:
    assert app.test_cli_runner().invoke(args=["seed"]).exit_code == 0
    index_cache.clear()
    yield app
    for warmer in WARMERS:
        warmer.stop()
    WARMERS.clear()
    index_cache.clear()


WARMERS: list[Warmer] = []


def start_warmer(app: Flask) -> Warmer:
    """keep_warm, as helpline.wsgi does before taking requests; stopped after the test."""
    warmer = keep_warm(app)
    assert warmer is not None
    WARMERS.append(warmer)
    return warmer


@pytest.fixture
def builds(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The thread names index builds ran on, with each build made to take 0.3 s more."""
    seen: list[str] = []
    real = search_module.build_index

    def counted(*args: Any, **kwargs: Any) -> Any:
        seen.append(threading.current_thread().name)
        time.sleep(0.3)
        return real(*args, **kwargs)

    monkeypatch.setattr(search_module, "build_index", counted)
    return seen


def text(signer: TwilioSigner, n: int, body: str = "SHORTBREAKS") -> tuple[float, str]:
    started = time.perf_counter()
    response = signer.post("/twilio/sms", {
        "MessageSid": f"SM{n:032x}", "AccountSid": TWILIO_TEST_SID, "From": f"+4477009{n:05d}",
        "To": "+447700900000", "Body": body})
    took = time.perf_counter() - started
    assert response.status_code == 200
    return took, " ".join(m.text or "" for m in ET.fromstring(response.data).iter("Message"))


def bump_revision(app: Flask) -> None:
    """What an import does to the directory's revision (seen by every process)."""
    with app.app_context():
        db.session.execute(
            update(DirectoryRevision).values(revision=DirectoryRevision.revision + 1))
        db.session.commit()


def test_the_first_text_after_a_start_finds_the_index_built(
    seeded: Flask, builds: list[str]
) -> None:
    start_warmer(seeded)
    assert len(builds) == 1
    took, reply = text(TwilioSigner(seeded.test_client()), 1)
    assert "Short" in reply and len(builds) == 1  # the text built nothing
    assert took < 0.2


@pytest.mark.fault
def test_a_slow_rebuild_after_an_import_happens_in_the_background(
    seeded: Flask, builds: list[str]
) -> None:
    seeded.config["SEARCH_INDEX_REFRESH_SECONDS"] = 0.2
    start_warmer(seeded)
    signer = TwilioSigner(seeded.test_client())
    bump_revision(seeded)
    latencies = []
    deadline = time.monotonic() + 3
    n = 1
    while len(builds) < 2 or n < 10:  # texts keep coming while the new index is built
        took, reply = text(signer, n)
        latencies.append(took)
        assert "Short" in reply
        n += 1
        assert time.monotonic() < deadline, builds
    assert builds[1] == "search-index-warmer"  # rebuilt off any request
    assert max(latencies) < 0.25  # none waited for the 0.3 s rebuild
    warm(seeded)  # now current: nothing more to build
    assert len(builds) == 2


def test_without_a_warmer_a_request_still_builds_what_it_needs(
    seeded: Flask, builds: list[str]
) -> None:
    took, reply = text(TwilioSigner(seeded.test_client()), 1)
    assert "Short" in reply and builds == ["MainThread"]
    bump_revision(seeded)
    text(TwilioSigner(seeded.test_client()), 2)
    assert builds == ["MainThread", "MainThread"]  # a CLI or test process sees the import at once


@pytest.fixture
def unfrozen() -> Iterator[None]:
    """Whatever a test froze is let back into collections after it."""
    yield
    gc.unfreeze()


def test_what_a_started_worker_holds_is_left_out_of_later_collections(
    seeded: Flask, unfrozen: None
) -> None:
    gc.unfreeze()
    start_warmer(seeded)
    # The app, its modules and the index: walked by no collection from now on, so none of
    # them stalls a worker in the middle of traffic.
    assert gc.get_freeze_count() > 10_000


@pytest.mark.fault
def test_a_rebuilt_index_lets_the_old_one_go(seeded: Flask, unfrozen: None) -> None:
    seeded.config["SEARCH_INDEX_REFRESH_SECONDS"] = 0.1
    start_warmer(seeded)
    with seeded.app_context():
        old = weakref.ref(index_cache.get(db.session(), centroids_in(seeded.config["DATA_DIR"])))
        db.session.remove()
    bump_revision(seeded)
    deadline = time.monotonic() + 10
    while old() is not None:  # nothing (the warmer, the freeze) holds on to it
        assert time.monotonic() < deadline, "the old index is still held after the rebuild"
        time.sleep(0.05)
    assert gc.get_freeze_count() > 10_000  # and what the worker holds now is frozen again


def test_details_of_a_keywords_list_are_read_before_a_family_asks(seeded: Flask) -> None:
    start_warmer(seeded)
    signer = TwilioSigner(seeded.test_client())

    def texted(sid: int, body: str) -> str:
        response = signer.post("/twilio/sms", {
            "MessageSid": f"SM{sid:032x}", "AccountSid": TWILIO_TEST_SID,
            "From": "+447700900777", "To": "+447700900000", "Body": body})
        assert response.status_code == 200
        return " ".join(m.text or "" for m in ET.fromstring(response.data).iter("Message"))

    assert "Short" in texted(1, "SHORTBREAKS")
    read: list[str] = []

    def seen(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if threading.current_thread() is threading.main_thread():  # not the warmer's
            read.append(" ".join(statement.split()[:4]))

    with seeded.app_context():
        engines = statement_engines(db.engine)
    for engine in engines:
        event.listen(engine, "before_cursor_execute", seen)
    try:
        details = texted(2, "1")
    finally:
        for engine in engines:
            event.remove(engine, "before_cursor_execute", seen)
    assert "Contact:" in details
    # The conversation read and the one write: no service, phone or schedule rows on the way.
    assert not [s for s in read if "FROM service" in s or "service.id" in s], read
