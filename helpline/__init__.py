"""The Local Offer Helpline: a council's SEND Local Offer by text message and by phone."""

from __future__ import annotations

import importlib
import logging
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask

from helpline.config import load_settings
from helpline.extensions import CookieSessions, db, migrate

MIGRATIONS_DIR = str(Path(__file__).resolve().parent / "migrations")

log = logging.getLogger(__name__)


def create_app(config: Mapping[str, Any] | None = None, *, command: bool = False) -> Flask:
    """Build the helpline app; `config` overrides settings read from the environment.

    `command`: for a command or a worker, not the web: its database statements have the
    commands' time limit (COMMAND_STATEMENT_TIMEOUT), not the webhooks'."""
    # HELPLINE_INSTANCE_PATH: a writable folder when the package is installed read-only (the
    # container image); by default Flask's instance folder beside the code.
    app = Flask(__name__, instance_relative_config=True,
                instance_path=os.environ.get("HELPLINE_INSTANCE_PATH") or None)
    app.session_interface = CookieSessions()
    app.config.update(load_settings(os.environ, app.instance_path))
    if config:
        app.config.update(config)
    if command and not (config and "SQLALCHEMY_ENGINE_OPTIONS" in config):
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = app.config["COMMAND_ENGINE_OPTIONS"]
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    from helpline import demo

    demo.configure(app)

    from helpline import checks, errors, health, logs
    from helpline.directory import api as directory_api
    from helpline.directory import commands as directory_commands
    from helpline.families import models as _family_models  # noqa: F401 - tables for Alembic

    logs.init_app(app)
    db.init_app(app)
    migrate.init_app(app, db, directory=MIGRATIONS_DIR)
    if app.config["TRUST_PROXY"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)  # type: ignore[method-assign]

    errors.init_app(app)
    health.init_app(app)
    checks.init_app(app)
    directory_api.init_app(app)
    directory_commands.init_app(app)
    for module_name in _CHANNEL_MODULES:
        importlib.import_module(module_name).init_app(app)

    return app


def warn_about_settings(app: Flask) -> None:
    """Say once, when a long-running process starts, which settings leave a channel switched off.

    Called by the web entry point and the worker, not by create_app: every CLI call builds an
    app, and a warning on each `helpline search` teaches people to ignore it.
    """
    if app.config["HELPLINE_MODE"] == "demo":
        log.debug("demo mode: texts and calls are captured on this machine, never sent")
    elif not (app.config["TWILIO_ACCOUNT_SID"] and app.config["TWILIO_AUTH_TOKEN"]):
        log.warning(
            "TWILIO_ACCOUNT_SID or TWILIO_AUTH_TOKEN is not set: outbound texts and calls are off"
        )
    elif not app.config["PUBLIC_BASE_URL"]:
        # Twilio must be given absolute URLs for calls and status callbacks the helpline starts.
        log.warning("PUBLIC_BASE_URL is not set: adviser calls and the delivery status of texts"
                    " the helpline sends can't reach it")


# Each channel package has an init_app(app) that registers its blueprint and commands.
_CHANNEL_MODULES: tuple[str, ...] = (
    "helpline.sms",
    "helpline.voice",
    "helpline.outbound",
    "helpline.advisers",
    "helpline.insight",
    "helpline.simulator",
    "helpline.smoke",
    "helpline.console",
    "helpline.feedback",
)
