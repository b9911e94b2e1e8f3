"""Integration fixtures: Twilio's API as prism serving Twilio's OpenAPI spec, behind a recorder;
extra apps on the test database with their own Redis and Twilio settings."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from helpline import create_app
from helpline.extensions import db
from tests.conftest import base_config
from tests.prism import prism_url, twilio_api  # noqa: F401 - fixtures for every integration test

_made: list[Flask] = []


def make_app(app: Flask, tmp_path: Path, **config: Any) -> Flask:
    """A second app on the same (emptied) database, with its own Redis and Twilio settings."""
    settings = base_config(app.config["SQLALCHEMY_DATABASE_URI"], tmp_path)
    settings.update(config)
    made = create_app(settings)
    _made.append(made)
    return made


@pytest.fixture(autouse=True)
def _close_made_apps() -> Iterator[None]:
    """Close the database connections of apps a test made, so none leaks into the next."""
    yield
    while _made:
        with _made.pop().app_context():
            db.session.remove()
            db.engine.dispose()
