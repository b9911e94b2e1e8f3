"""The Alembic migrations build exactly the models' schema, and go down and up again cleanly."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask import Flask
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from helpline import create_app
from helpline.extensions import db
from tests.conftest import throwaway_postgres_database


@pytest.fixture
def empty_database(database_url: str, tmp_path: Path) -> Iterator[str]:
    """A database of the same kind as this run's, with nothing in it, dropped afterwards."""
    if not database_url.startswith("postgresql"):
        yield "sqlite:///" + str(tmp_path / "migrations.sqlite3")
        return
    with throwaway_postgres_database(database_url, "helpline_migrations") as url:
        yield url


@pytest.fixture
def schema_app(empty_database: str) -> Iterator[Flask]:
    app = create_app({"SQLALCHEMY_DATABASE_URI": empty_database, "REDIS_URL": ""})
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


def _differences() -> list[object]:
    with db.engine.connect() as conn:
        return list(compare_metadata(MigrationContext.configure(conn), db.metadata))


def test_the_migrations_build_the_schema_the_models_describe(schema_app: Flask) -> None:
    upgrade()
    assert _differences() == []


def test_every_migration_goes_down_and_up_again(schema_app: Flask) -> None:
    upgrade()
    downgrade(revision="base")
    assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
    upgrade()
    assert _differences() == []


def test_moving_to_one_row_per_inbound_sid_keeps_the_first_of_any_repeats(
    schema_app: Flask,
) -> None:
    upgrade(revision="38f4650a7c6a")
    columns = "direction, message_sid, phone_number, body, language, intent, created_at, updated_at"
    with db.engine.begin() as conn:
        for body in ("first", "second"):
            conn.execute(text(
                f"INSERT INTO sms_message ({columns}) VALUES "
                "('in', 'SM1', '+447700900123', :body, 'en', 'keyword', "
                "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"), {"body": body})
    upgrade()
    with db.engine.connect() as conn:
        rows = conn.execute(text("SELECT body, message_sid FROM sms_message ORDER BY id")).all()
    assert [tuple(row) for row in rows] == [("first", "SM1"), ("second", None)]
