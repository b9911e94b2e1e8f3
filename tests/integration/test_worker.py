"""`helpline worker`, the periodic jobs, in-process jobs without Redis, and `helpline adviser`."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from helpline.advisers.models import Adviser
from helpline.extensions import db
from helpline.outbound.models import OutboundMessage
from helpline.outbound.outbox import queue_text
from tests.integration.conftest import make_app
from tests.prism import TwilioApi


@pytest.fixture
def fake_api() -> TwilioApi:
    api = TwilioApi()
    yield api  # type: ignore[misc]
    api.close()


def test_without_redis_a_text_is_sent_in_process_after_the_commit(
    app: Flask, tmp_path: Path, fake_api: TwilioApi
) -> None:
    local = make_app(app, tmp_path, REDIS_URL="", TWILIO_API_BASE_URL=fake_api.url)
    with local.app_context():
        row = queue_text(db.session, to="+447700900123", body="hi", cause="x", purpose="followup")
        assert row is not None and fake_api.requests == []  # nothing before the commit
        db.session.commit()
        assert len(fake_api.posts_to("/Messages.json")) == 1
        assert db.session.get(OutboundMessage, row.id).status == "sent"  # type: ignore[union-attr]


def test_a_rolled_back_event_sends_nothing(app: Flask, tmp_path: Path, fake_api: TwilioApi) -> None:
    local = make_app(app, tmp_path, REDIS_URL="", TWILIO_API_BASE_URL=fake_api.url)
    with local.app_context():
        queue_text(db.session, to="+447700900123", body="hi", cause="x", purpose="followup")
        db.session.rollback()
        db.session.commit()
        assert fake_api.requests == []
        assert db.session.scalars(select(OutboundMessage)).all() == []


def test_without_redis_the_burst_worker_sends_what_failed_before(
    app: Flask, tmp_path: Path, fake_api: TwilioApi
) -> None:
    local = make_app(app, tmp_path, REDIS_URL="", TWILIO_API_BASE_URL=fake_api.url)
    fake_api.fail_next(503, 20503)
    with local.app_context():
        queue_text(db.session, to="+447700900123", body="hi", cause="x", purpose="followup")
        db.session.commit()  # the in-process send meets a 503: the row stays pending
        assert db.session.scalar(select(OutboundMessage.status)) == "pending"
    result = local.test_cli_runner().invoke(args=["worker", "--burst"])
    assert result.exit_code == 0, result.output
    with local.app_context():
        assert db.session.scalar(select(OutboundMessage.status)) == "sent"
    assert [r.status for r in fake_api.requests] == [503, 201]


def test_periodic_jobs_are_enqueued_once_per_period_by_any_number_of_workers(
    app: Flask, tmp_path: Path, redis_url: str
) -> None:
    from redis import Redis

    from helpline.periodic import enqueue_due

    queued = make_app(app, tmp_path, REDIS_URL=redis_url)
    connection = Redis.from_url(redis_url)
    with queued.app_context():
        first = enqueue_due(connection, now=1_000_000.0)
        assert set(first) == {"enqueue_pending", "expire_callbacks", "erase_old_personal_data"}
        assert enqueue_due(connection, now=1_000_010.0) == []  # a second worker, same period
        assert enqueue_due(connection, now=1_000_010.0, force=["enqueue_pending"]) == [
            "enqueue_pending"
        ]
        assert enqueue_due(connection, now=1_000_000.0 + 300) == ["enqueue_pending"]
    connection.close()


def test_advisers_and_their_hours_are_managed_by_command(app: Flask) -> None:
    runner = app.test_cli_runner()
    added = runner.invoke(
        args=["adviser", "add", "Asha Patel", "07700 900201", "--hours", "mon-fri 09:00-17:00"]
    )
    assert added.exit_code == 0, added.output
    assert "+447700900201" not in added.output  # numbers are masked
    with app.app_context():
        adviser = db.session.scalar(select(Adviser))
        assert adviser is not None and adviser.mobile == "+447700900201"
        adviser_id = adviser.id
    more = runner.invoke(
        args=["adviser", "hours", str(adviser_id), "sat 10:00-12:00", "--priority", "1"]
    )
    assert "sat 10:00-12:00" in more.output and "mon 09:00-17:00" in more.output
    listed = runner.invoke(args=["adviser", "list"])
    assert "Asha Patel" in listed.output and "*********201" in listed.output
    assert (
        runner.invoke(args=["adviser", "hours", str(adviser_id), "sat 12:00-10:00"]).exit_code != 0
    )
    assert runner.invoke(args=["adviser", "add", "X", "not a number"]).exit_code != 0
    assert runner.invoke(args=["adviser", "remove", str(adviser_id)]).exit_code == 0
    with app.app_context():
        assert db.session.scalars(select(Adviser)).all() == []


def test_on_duty_follows_the_rota_in_local_time(app: Flask) -> None:
    from datetime import UTC, datetime

    from helpline.advisers.models import RotaSlot
    from helpline.advisers.rota import on_duty

    with app.app_context():
        early = Adviser(name="Early", mobile="+447700900201")
        early.hours = [RotaSlot(weekday=0, start_minute=9 * 60, end_minute=13 * 60, priority=2)]
        late = Adviser(name="Late", mobile="+447700900202")
        late.hours = [RotaSlot(weekday=0, start_minute=12 * 60, end_minute=17 * 60, priority=1)]
        db.session.add_all([early, late])
        db.session.commit()
        # Monday 1 June 2026, 11:30 UTC is 12:30 in London (summer time): both, Late first.
        names = [a.name for a in on_duty(db.session, datetime(2026, 6, 1, 11, 30, tzinfo=UTC))]
        assert names == ["Late", "Early"]
        assert [a.name for a in on_duty(db.session, datetime(2026, 6, 1, 8, 30, tzinfo=UTC))] == [
            "Early"
        ]
        assert on_duty(db.session, datetime(2026, 6, 2, 11, 30, tzinfo=UTC)) == []
