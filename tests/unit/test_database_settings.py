"""The database engine's settings read from the environment."""

from __future__ import annotations

import pytest

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


def test_commands_and_workers_have_their_own_statement_limit_none_by_default() -> None:
    settings = load_settings({"DATABASE_URL": "postgresql://u@db/helpline"}, "/tmp")
    assert settings["COMMAND_ENGINE_OPTIONS"]["connect_args"] == {
        "connect_timeout": 3, "options": "-c statement_timeout=0"}
    set_ = load_settings({"DATABASE_URL": "postgresql://u@db/helpline",
                          "COMMAND_STATEMENT_TIMEOUT": "600"}, "/tmp")
    assert set_["COMMAND_ENGINE_OPTIONS"]["connect_args"]["options"] == (
        "-c statement_timeout=600000")
    assert set_["SQLALCHEMY_ENGINE_OPTIONS"]["connect_args"]["options"] == (
        "-c statement_timeout=5000")


def test_a_command_or_worker_app_uses_the_commands_limit_and_the_web_app_the_webhooks(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from helpline import create_app

    monkeypatch.setenv("DATABASE_URL", "postgresql://u@db/helpline")
    web = create_app()
    command = create_app(command=True)
    assert web.config["SQLALCHEMY_ENGINE_OPTIONS"]["connect_args"]["options"] == (
        "-c statement_timeout=5000")
    assert command.config["SQLALCHEMY_ENGINE_OPTIONS"]["connect_args"]["options"] == (
        "-c statement_timeout=0")
