"""Advisers, their rota, and escalation: ringing the adviser on duty when a caller asks for one."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the adviser webhooks and the `helpline adviser` commands."""
    from helpline.advisers import commands, routes

    routes.init_app(app)
    commands.init_app(app)
