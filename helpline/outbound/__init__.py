"""Outbound texts and calls: the gateway to Twilio, the outbox that loses nothing, the worker."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Queues, the status callback, `helpline worker`, `helpline erase` and the wording check."""
    from helpline import jobs, retention
    from helpline.checks import register_check
    from helpline.outbound import (  # noqa: F401 - models: tables
        commands,
        models,
        number_commands,
        routes,
        wording,
    )

    _settings(app)
    jobs.init_app(app)
    routes.init_app(app)
    commands.init_app(app)
    number_commands.init_app(app)
    retention.init_app(app)
    register_check("outbound wording", wording.check)


def _settings(app: Flask) -> None:
    """Worker settings from the environment, unless the app's config already has them."""
    import os

    from helpline.config import env_int, env_str
    from helpline.outbound.outbox import DEFAULT_RETRIES

    env = os.environ
    raw_intervals = env_str(env, "OUTBOUND_RETRY_INTERVALS", "")
    defaults = {
        "OUTBOUND_RETRY_INTERVALS": (
            [int(s) for s in raw_intervals.split(",") if s.strip()] or DEFAULT_RETRIES
        ),
        "OUTBOUND_TIMEOUT_SECONDS": env_int(env, "OUTBOUND_TIMEOUT_SECONDS", 10),
        "ADVISER_RING_SECONDS": env_int(env, "ADVISER_RING_SECONDS", 25),
        "ADVISER_ANSWER_SECONDS": env_int(env, "ADVISER_ANSWER_SECONDS", 40),
        "ROTA_TIMEZONE": env_str(env, "ROTA_TIMEZONE", "Europe/London"),
        "JOB_TIMEOUT": env_int(env, "JOB_TIMEOUT", 120),
    }
    for key, value in defaults.items():
        app.config.setdefault(key, value)
