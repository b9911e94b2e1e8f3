"""GET /healthz: can the app reach its database and Redis; is the worker alive, the outbox
draining and the directory fresh?

The status code answers the first question only (503 when this web process can't serve), so a
load balancer never takes the web away because the worker stopped; the rest are figures with
`warnings`, and `?strict=1` turns any warning into a 503 for an uptime monitor to watch.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, Response, current_app, jsonify, request
from sqlalchemy import text

from helpline import monitoring
from helpline.extensions import db
from helpline.limits import outbound_state

bp = Blueprint("health", __name__)


def _database_ok() -> bool:
    try:
        db.session.execute(text("SELECT 1"))
        return True
    except Exception:  # noqa: BLE001 - any failure means "not reachable"
        db.session.rollback()
        return False


def _redis_status() -> tuple[str, Any]:
    url = current_app.config["REDIS_URL"]
    if not url:
        return "not configured (jobs run in-process)", None
    import redis

    try:
        connection = redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1)
        connection.ping()
        return "ok", connection
    except redis.RedisError:
        return "unreachable", None


def _figures(connection: Any, warnings: list[str]) -> dict[str, Any]:
    """The worker's heartbeat, the outbox backlog and the directory's age, with warnings."""
    session = db.session()
    figures: dict[str, Any] = {}
    if connection is not None:
        age = monitoring.heartbeat_age(connection)
        figures["worker"] = {"last_heartbeat_seconds": _round(age)}
        if age is None or age > monitoring.HEARTBEAT_STALE_SECONDS:
            warnings.append("no worker heartbeat: texts, callbacks and retention are not running")
    pending, oldest = monitoring.outbox_backlog(session)
    figures["outbox"] = {"pending": pending, "oldest_seconds": _round(oldest)}
    if oldest is not None and oldest > monitoring.OUTBOX_STUCK_SECONDS:
        warnings.append("texts have waited in the outbox for more than 2 hours")
    imported = monitoring.last_import_age(session)
    figures["directory"] = {"last_import_seconds": _round(imported)}
    if current_app.config.get("FEED_URLS") and (
        imported is None or imported > monitoring.IMPORT_STALE_SECONDS
    ):
        warnings.append("the scheduled feed import has not worked for 2 days")
    figures["outbound"] = outbound_state()
    if figures["outbound"]["reached"]:
        # A warning, not a 503: the web processes are fine and must keep answering families.
        warnings.append("outbound ceiling reached: texts wait for the next hour, advisers are "
                        "not rung")
    return figures


def _round(seconds: float | None) -> int | None:
    return None if seconds is None else round(seconds)


@bp.get("/healthz")
def healthz() -> tuple[Response, int]:
    """Report reachability (503 when the app can't serve) and the figures worth watching."""
    database = "ok" if _database_ok() else "unreachable"
    redis_state, connection = _redis_status()
    healthy = database == "ok" and redis_state != "unreachable"
    warnings: list[str] = []
    body: dict[str, Any] = {"status": "ok" if healthy else "degraded", "database": database,
                            "redis": redis_state}
    if database == "ok":
        try:
            body.update(_figures(connection, warnings))
        except Exception:  # noqa: BLE001 - figures are extras; reachability is the answer
            db.session.rollback()
            warnings.append("figures could not be read")
    body["warnings"] = warnings
    strict = request.args.get("strict") == "1"
    return jsonify(body), 200 if healthy and not (strict and warnings) else 503


def init_app(app: Flask) -> None:
    """Register the health blueprint."""
    app.register_blueprint(bp)
