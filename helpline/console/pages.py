"""Rendering a console page: its template, title and place in the navigation."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app, render_template

from helpline.console import bp


def page(template: str, title: str, section: str = "", **context: Any) -> str:
    """Render a console page with its title and the navigation item it belongs to."""
    context.setdefault("errors", [])
    return render_template(f"console/{template}", title=title, section=section, **context)


@bp.app_template_filter("local")
def local(moment: datetime) -> datetime:
    """A stored time (UTC) as the council's clock shows it (ROTA_TIMEZONE, Europe/London)."""
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    return aware.astimezone(ZoneInfo(current_app.config.get("ROTA_TIMEZONE", "Europe/London")))
