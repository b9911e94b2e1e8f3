"""GET /healthz: can the app reach its database and, if configured, Redis?"""

from __future__ import annotations

from flask import Blueprint, Flask, Response, current_app, jsonify
from sqlalchemy import text

from helpline.extensions import db

bp = Blueprint("health", __name__)


def _database_ok() -> bool:
    try:
        db.session.execute(text("SELECT 1"))
        return True
    except Exception:  # noqa: BLE001 - any failure means "not reachable"
        db.session.rollback()
        return False


def _redis_status() -> str:
    url = current_app.config["REDIS_URL"]
    if not url:
        return "not configured (jobs run in-process)"
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1).ping()
        return "ok"
    except redis.RedisError:
        return "unreachable"


@bp.get("/healthz")
def healthz() -> tuple[Response, int]:
    """Report reachability; 503 when something the app needs is down."""
    database = "ok" if _database_ok() else "unreachable"
    redis_state = _redis_status()
    healthy = database == "ok" and redis_state != "unreachable"
    body = {"status": "ok" if healthy else "degraded", "database": database, "redis": redis_state}
    return jsonify(body), 200 if healthy else 503


def init_app(app: Flask) -> None:
    """Register the health blueprint."""
    app.register_blueprint(bp)
