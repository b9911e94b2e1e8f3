"""Rendering a console page: its template, title and place in the navigation."""

from __future__ import annotations

from typing import Any

from flask import render_template


def page(template: str, title: str, section: str = "", **context: Any) -> str:
    """Render a console page with its title and the navigation item it belongs to."""
    context.setdefault("errors", [])
    return render_template(f"console/{template}", title=title, section=section, **context)
