"""Twilio's API failing: a 429 with Retry-After is waited out as asked, a 30 s answer costs a
worker one timeout (then the text is retried), and the webhooks answer as fast as ever."""

from __future__ import annotations

import threading
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from rq.job import Job
from rq.registry import ScheduledJobRegistry
from sqlalchemy import select

from helpline.extensions import db
from helpline.jobs import DEFAULT_QUEUE, queues
from helpline.outbound.models import OutboundMessage
from helpline.outbound.outbox import queue_text
from tests.conftest import TWILIO_TEST_SID, TwilioSigner
from tests.integration.conftest import make_app
from tests.integration.test_outbox_worker import run_worker
from tests.prism import TwilioApi

pytestmark = pytest.mark.fault

FAMILY = "+447700900123"


@pytest.fixture
def worker_app(
    app: Flask, tmp_path: Path, redis_url: str, twilio_api: TwilioApi
) -> Iterator[Flask]:
    application = make_app(app, tmp_path, REDIS_URL=redis_url, OUTBOUND_TIMEOUT_SECONDS=1,
                           TWILIO_API_BASE_URL=twilio_api.url, OUTBOUND_RETRY_INTERVALS=[0, 0])
    yield application


def follow_up(app: Flask, n: int = 1) -> int:
    with app.app_context():
        row = queue_text(db.session, to=FAMILY, body="Short breaks: 01632 960550",
                         cause=f"call:CA{n}:services", purpose="voice-services")
        db.session.commit()
        assert row is not None
        return row.id


def status(app: Flask) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(select(OutboundMessage.status)))


def test_a_429_is_retried_when_twilio_says_not_before(
    worker_app: Flask, twilio_api: TwilioApi
) -> None:
    twilio_api.fail_next(429, 20429, "Too Many Requests", headers={"Retry-After": "120"})
    follow_up(worker_app)
    asked_at = time.time()
    run_worker(worker_app)
    # One try only: the backoff's own next try (0 s here) is not taken; Twilio's 120 s is.
    assert [r.status for r in twilio_api.posts_to("/Messages.json")] == [429]
    assert status(worker_app) == ["pending"]
    named = queues(worker_app)
    assert named is not None
    registry = ScheduledJobRegistry(queue=named[DEFAULT_QUEUE])
    [job_id] = registry.get_job_ids()
    when = registry.get_scheduled_time(job_id).timestamp()
    assert asked_at + 115 <= when <= time.time() + 125
    # Time passes: the scheduler moves it to the queue, and it goes once.
    registry.remove(job_id)
    named[DEFAULT_QUEUE].enqueue_job(Job.fetch(job_id, connection=registry.connection))
    run_worker(worker_app)
    assert [r.status for r in twilio_api.posts_to("/Messages.json")] == [429, 201]
    assert status(worker_app) == ["sent"]


def test_a_slow_twilio_costs_one_timeout_and_the_webhooks_never_wait(
    worker_app: Flask, twilio_api: TwilioApi
) -> None:
    # Twilio taking 8 s (or 30, or never) to answer the first send: the gateway gives up after
    # OUTBOUND_TIMEOUT_SECONDS (1 s here, 10 s by default) and the send is tried again.
    twilio_api.slow_next(8)
    follow_up(worker_app)
    latencies: list[float] = []

    def families_texting() -> None:
        signer = TwilioSigner(worker_app.test_client())
        for n in range(20):
            at = time.monotonic()
            response = signer.post("/twilio/sms", {
                "MessageSid": f"SM{n:032x}", "AccountSid": TWILIO_TEST_SID, "From": FAMILY,
                "To": "+447700900000", "Body": "MENU"})
            latencies.append(time.monotonic() - at)
            assert response.status_code == 200
            assert ET.fromstring(response.data).find("Message") is not None

    texting = threading.Thread(target=families_texting)
    started = time.monotonic()
    texting.start()
    run_worker(worker_app)
    texting.join(60)
    assert len(latencies) == 20 and max(latencies) < 2.0
    assert time.monotonic() - started < 7  # one timeout, not Twilio's 8 s
    assert status(worker_app) == ["sent"]
    # The retry was answered; the slow first try is still hanging.
    assert [r.status for r in twilio_api.posts_to("/Messages.json")] == [201]
