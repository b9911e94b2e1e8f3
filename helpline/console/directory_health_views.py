"""The managers' directory health page: what families can't be told, and each feed's import."""

from __future__ import annotations

from flask import request

from helpline.console import bp
from helpline.console.insight_views import current_period
from helpline.console.pages import page
from helpline.console.permissions import manager_only
from helpline.extensions import db
from helpline.insight.directory_health import LIST_NAME_LENGTH, directory_health
from helpline.insight.period import PRESETS


@bp.get("/directory-health")
@manager_only
def directory_health_page() -> str:
    """The directory's gaps; services no search returned in the chosen period."""
    period, errors = current_period()
    health = directory_health(db.session(), period)
    return page("directory_health.html", "Directory health", "directory", health=health,
                name_length=LIST_NAME_LENGTH, presets=PRESETS, errors=errors, args=request.args)
