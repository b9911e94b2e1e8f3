"""End-to-end fixtures: the app with a whole Local Offer loaded, kept between tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select

from helpline import create_app
from helpline.directory.commands import run_import
from helpline.directory.models import Service
from helpline.directory.search import index_cache
from helpline.extensions import db
from tests.conftest import NORTH_LINCS_FEED, PROJECT_ROOT, _empty_all_tables, base_config

FEEDS = {
    "sample": (str(PROJECT_ROOT / "data" / "local-offer"), "sample-local-offer"),
    "north-lincs": (str(NORTH_LINCS_FEED), "north-lincs"),
}


def _load_feed(name: str) -> None:
    """Load the feed unless the directory already holds exactly it; always empty the rest."""
    path, source = FEEDS[name]
    sources = db.session.execute(
        select(Service.source, func.count()).group_by(Service.source)
    ).all()
    if [row[0] for row in sources] != [source]:
        _empty_all_tables()
        index_cache.clear()
        run_import([path], source)
        return
    keep = {"service", "organization", "location", "address", "service_at_location", "contact",
            "phone", "schedule", "service_area", "taxonomy", "taxonomy_term", "attribute",
            "cost_option", "language", "accessibility", "directory_revision"}
    with db.engine.begin() as conn:
        for table in reversed(db.metadata.sorted_tables):
            if table.name not in keep:
                conn.execute(table.delete())


@pytest.fixture(params=list(FEEDS))
def local_offer(request: pytest.FixtureRequest, migrated: str, tmp_path: Path) -> Iterator[Flask]:
    """The app with the sample Local Offer, then again with North Lincolnshire's real feed."""
    if request.param == "north-lincs" and not NORTH_LINCS_FEED.exists():
        pytest.skip("the North Lincolnshire feed is not in ../shared/data/oruk")
    application = create_app(base_config(migrated, tmp_path))
    application.config["FEED"] = request.param
    with application.app_context():
        _load_feed(request.param)
        db.session.remove()
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()
