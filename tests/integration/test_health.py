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
