"""Advisers, their rota, and escalation: ringing the adviser on duty when a caller asks for one."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the adviser webhooks, the `helpline adviser` commands and the topics check."""
    from helpline.advisers import commands, plain_words, routes
    from helpline.checks import register_check

    routes.init_app(app)
    commands.init_app(app)
    register_check("adviser words", plain_words.check)
