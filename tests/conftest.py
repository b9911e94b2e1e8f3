"""Shared fixtures: the app on a real database (SQLite and PostgreSQL), Redis, signed Twilio posts.

scripts/test sets HELPLINE_TEST_DATABASES ("sqlite,postgresql") and HELPLINE_TEST_POSTGRES_URL /
HELPLINE_TEST_REDIS_URL after checking (or starting) the servers; run bare, pytest uses SQLite and
skips what needs a server it can't reach.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Connection, create_engine, text
from twilio.request_validator import RequestValidator

from helpline import create_app
from helpline.extensions import db

PROJECT_ROOT = Path(__file__).resolve().parent.parent
# Real council feeds and the ORUK UK profile, shipped in the repository (data/oruk/README.md).
ORUK_DATA = PROJECT_ROOT / "data" / "oruk"
NORTH_LINCS_FEED = ORUK_DATA / "north-lincolnshire-services-2024-12.json"
BRISTOL_FEED = ORUK_DATA / "bristol-services-2024-12.json"
UK_PROFILE = ORUK_DATA / "uk-profile"

PUBLIC_BASE_URL = "https://helpline.example.org"
TWILIO_TEST_SID = "AC" + "0" * 32
TWILIO_TEST_TOKEN = "test-auth-token-0123456789abcdef"
HELPLINE_NUMBER = "+447700900000"


def _backends() -> list[str]:
    wanted = os.environ.get("HELPLINE_TEST_DATABASES", "sqlite")
    return [b.strip() for b in wanted.split(",") if b.strip()]


def _postgres_admin_url() -> str:
    return os.environ.get(
        "HELPLINE_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
    )


@contextmanager
def throwaway_postgres_database(admin_url: str, prefix: str) -> Iterator[str]:
    """A new, empty PostgreSQL database on the admin URL's server, dropped on the way out."""
    name = f"{prefix}_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            yield urlsplit(admin_url)._replace(path=f"/{name}").geturl()
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


def end_other_sessions(conn: Connection) -> int:
    """End every other server session on conn's PostgreSQL database; how many there were."""
    return int(conn.execute(text(
        "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
        " WHERE datname = current_database() AND pid <> pg_backend_pid()"
    )).scalar_one())


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str]:
    """A fresh PostgreSQL database for this test session, dropped at the end."""
    with ExitStack() as stack:
        try:
            url = stack.enter_context(
                throwaway_postgres_database(_postgres_admin_url(), "helpline_test")
            )
        except Exception as exc:  # noqa: BLE001
            if os.environ.get("CI") == "true":
                raise
            pytest.skip(f"PostgreSQL not reachable: {exc.__class__.__name__}")
        yield url


@pytest.fixture(scope="session", params=_backends())
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    """Each test that uses the database runs once per configured backend."""
    if request.param == "postgresql":
        return str(request.getfixturevalue("postgres_database"))
    return "sqlite:///" + str(tmp_path_factory.mktemp("db") / "helpline.sqlite3")


@pytest.fixture(scope="session")
def migrated(database_url: str) -> str:
    """The schema, built by the same Alembic migrations production runs."""
    from flask_migrate import upgrade

    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url})
    with app.app_context():
        upgrade()
        db.engine.dispose()
    return database_url


def base_config(database_url: str, tmp_path: Path) -> dict[str, Any]:
    """Settings every test app shares; tests add their own on top."""
    return {
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "REDIS_URL": "",
        "PUBLIC_BASE_URL": PUBLIC_BASE_URL,
        "TWILIO_ACCOUNT_SID": TWILIO_TEST_SID,
        "TWILIO_AUTH_TOKEN": TWILIO_TEST_TOKEN,
        "TWILIO_PHONE_NUMBER": HELPLINE_NUMBER,
        "TWILIO_API_BASE_URL": "http://127.0.0.1:9",  # nothing listens: tests that send mock it
        "TTS_ENGINE": "say",
        "AUDIO_CACHE_DIR": str(tmp_path / "audio"),
    }


def _empty_all_tables() -> None:
    tables = [t for t in reversed(db.metadata.sorted_tables)]
    with db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            # A connection some earlier test leaked mid-transaction would make TRUNCATE wait
            # forever: end every other session on this throwaway database first.
            end_other_sessions(conn)
            names = ", ".join(f'"{t.name}"' for t in tables)
            if names:
                conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                conn.execute(table.delete())


@pytest.fixture
def app(migrated: str, tmp_path: Path) -> Iterator[Flask]:
    """The app on an empty, migrated database."""
    from helpline.directory.search import index_cache

    application = create_app(base_config(migrated, tmp_path))
    with application.app_context():
        _empty_all_tables()
        index_cache.clear()
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def make_app(migrated: str, tmp_path: Path) -> Iterator[Any]:
    """Build extra apps on the test database with settings changed; their pools are closed after."""
    made: list[Flask] = []

    def build(**overrides: Any) -> Flask:
        application = create_app({**base_config(migrated, tmp_path), **overrides})
        made.append(application)
        return application

    yield build
    for application in made:
        with application.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A test client for the app."""
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> Any:
    """A CLI runner for the app's commands."""
    return app.test_cli_runner()


@pytest.fixture
def redis_url() -> Iterator[str]:
    """A real Redis database, flushed before and after the test."""
    import redis

    url = os.environ.get("HELPLINE_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    connection = redis.Redis.from_url(url)
    try:
        connection.ping()
    except redis.RedisError as exc:
        if os.environ.get("CI") == "true":
            raise
        pytest.skip(f"Redis not reachable: {exc.__class__.__name__}")
    connection.flushdb()
    yield url
    connection.flushdb()
    connection.close()


class TwilioSigner:
    """Posts to the app exactly as Twilio does: form-encoded and signed with the auth token."""

    def __init__(self, client: FlaskClient, token: str = TWILIO_TEST_TOKEN) -> None:
        self.client = client
        self.validator = RequestValidator(token)

    def signature(self, path: str, params: dict[str, str]) -> str:
        """X-Twilio-Signature for a POST of params to path under the public base URL."""
        return str(self.validator.compute_signature(PUBLIC_BASE_URL + path, params))

    def post(self, path: str, params: dict[str, str], signature: str | None = None) -> Any:
        """POST signed params; pass signature='' to send none."""
        sig = self.signature(path, params) if signature is None else signature
        headers = {"X-Twilio-Signature": sig} if sig else {}
        return self.client.post(
            path,
            data=urlencode(params),
            headers=headers,
            content_type="application/x-www-form-urlencoded",
        )


@pytest.fixture
def twilio(client: FlaskClient) -> TwilioSigner:
    """Signed Twilio webhook posts."""
    return TwilioSigner(client)
