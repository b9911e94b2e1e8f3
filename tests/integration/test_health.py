from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient


def test_healthz_reports_the_database_and_redis(client: FlaskClient) -> None:
    body = client.get("/healthz").get_json()
    assert body["database"] == "ok"
    assert body["redis"].startswith("not configured")


def test_healthz_says_when_redis_is_down(make_app: Any) -> None:
    app = make_app(REDIS_URL="redis://127.0.0.1:1/0")
    response = app.test_client().get("/healthz")
    assert response.status_code == 503 and response.get_json()["redis"] == "unreachable"


def test_healthz_with_a_real_redis(make_app: Any, redis_url: str) -> None:
    app = make_app(REDIS_URL=redis_url)
    assert app.test_client().get("/healthz").get_json()["redis"] == "ok"


def test_healthz_reports_the_outbox_backlog_and_warns_when_a_text_is_stuck(
    app: Any, make_app: Any,
) -> None:
    from datetime import timedelta

    from helpline.directory.models import utcnow
    from helpline.extensions import db
    from helpline.outbound.models import OutboundMessage

    client = app.test_client()
    body = client.get("/healthz").get_json()
    assert body["outbox"] == {"pending": 0, "oldest_seconds": None} and body["warnings"] == []
    with app.app_context():
        db.session.add(OutboundMessage(cause="stuck", purpose="followup", status="pending",
                                       created_at=utcnow() - timedelta(hours=3)))
        db.session.commit()
    response = client.get("/healthz")
    assert response.status_code == 200  # the web can still answer families
    body = response.get_json()
    assert body["outbox"]["pending"] == 1 and body["outbox"]["oldest_seconds"] >= 3 * 3600 - 5
    assert body["warnings"] == ["texts have waited in the outbox for more than 2 hours"]
    assert client.get("/healthz?strict=1").status_code == 503


def test_healthz_says_how_old_the_directory_is_and_warns_when_a_scheduled_feed_never_came(
    app: Any, make_app: Any, tmp_path: Any,
) -> None:
    import json

    from helpline.directory.commands import run_import
    from tests.conftest import NORTH_LINCS_FEED

    app = make_app(FEED_URLS="https://api.example.gov.uk/services")
    client = app.test_client()
    body = client.get("/healthz").get_json()
    assert body["directory"] == {"last_import_seconds": None}
    assert body["warnings"] == ["the scheduled feed import has not worked for 2 days"]
    feed = tmp_path / "feed.json"
    feed.write_text(json.dumps(json.loads(NORTH_LINCS_FEED.read_text())[:2]))
    with app.app_context():
        run_import([str(feed)], "small")
    body = client.get("/healthz").get_json()
    assert body["directory"]["last_import_seconds"] <= 60 and body["warnings"] == []


def test_healthz_warns_without_a_worker_heartbeat_and_reports_one(
    app: Any, make_app: Any, redis_url: str
) -> None:
    import redis

    from helpline import monitoring

    app = make_app(REDIS_URL=redis_url)
    client = app.test_client()
    body = client.get("/healthz").get_json()
    assert body["worker"] == {"last_heartbeat_seconds": None}
    assert body["warnings"] == [
        "no worker heartbeat: texts, callbacks and retention are not running"
    ]
    connection = redis.Redis.from_url(redis_url)
    monitoring.beat(connection)
    body = client.get("/healthz").get_json()
    assert body["worker"]["last_heartbeat_seconds"] <= 5 and body["warnings"] == []
    monitoring.beat(connection, now=__import__("time").time() - 600)  # the worker stopped
    assert client.get("/healthz?strict=1").status_code == 503
