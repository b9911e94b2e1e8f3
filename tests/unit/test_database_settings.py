"""The database engine's settings read from the environment."""

from __future__ import annotations

from helpline.config import load_settings


def test_postgresql_connects_and_statements_give_up_so_a_family_gets_the_apology() -> None:
    options = load_settings({"DATABASE_URL": "postgres://u@db/helpline"}, "/tmp")[
        "SQLALCHEMY_ENGINE_OPTIONS"]
    assert options == {"hide_parameters": True, "connect_args": {
        "connect_timeout": 3, "options": "-c statement_timeout=5000"}}
    longer = load_settings({"DATABASE_URL": "postgresql://u@db/helpline",
                            "DATABASE_CONNECT_TIMEOUT": "5",
                            "DATABASE_STATEMENT_TIMEOUT": "20"}, "/tmp")
    assert longer["SQLALCHEMY_ENGINE_OPTIONS"]["connect_args"] == {
        "connect_timeout": 5, "options": "-c statement_timeout=20000"}


def test_sqlite_gets_no_postgresql_connect_options() -> None:
    options = load_settings({"DATABASE_URL": "sqlite:////tmp/x.sqlite3"}, "/tmp")[
        "SQLALCHEMY_ENGINE_OPTIONS"]
    assert options == {"hide_parameters": True}
