"""A worker killed in the middle of sending a text: the text is sent again, and once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from helpline.directory.models import utcnow
from helpline.extensions import db
from helpline.jobs import enqueue
from helpline.outbound.models import OutboundMessage
from helpline.outbound.outbox import STALE_SENDING, deliver_pending, queue_text
from tests.conftest import HELPLINE_NUMBER, PUBLIC_BASE_URL, TWILIO_TEST_SID, TWILIO_TEST_TOKEN
from tests.fault.servers import private_redis
from tests.integration.conftest import make_app
from tests.integration.test_outbox_worker import run_worker
from tests.prism import TwilioApi

pytestmark = pytest.mark.fault

FAMILY = "+447700900123"


def descendants(pid: int) -> list[int]:
    """Every process started below `pid` (Linux /proc)."""
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            children = [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            continue
        for child in children:
            found += [child, *descendants(child)]
    return found


def row(app: Flask) -> OutboundMessage:
    with app.app_context():
        found = db.session.scalars(select(OutboundMessage)).one()
        db.session.expunge(found)
        return found


def test_a_worker_killed_mid_send_sends_the_text_again_once(
    app: Flask, tmp_path: Path, twilio_api: TwilioApi
) -> None:
    with private_redis(tmp_path) as redis_server:
        made = make_app(app, tmp_path, REDIS_URL=redis_server.url,
                        TWILIO_API_BASE_URL=twilio_api.url)
        with made.app_context():
            queue_text(db.session, to=FAMILY, body="Short breaks: 01632 960550",
                       cause="call:CA1:services", purpose="voice-services")
            db.session.commit()
        # Twilio hangs on the first send (and, the sender gone, never takes it).
        twilio_api.slow_next(5)
        twilio_api.fail_next(503, 20503)
        env = dict(os.environ, DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"],
                   REDIS_URL=redis_server.url, TWILIO_API_BASE_URL=twilio_api.url,
                   TWILIO_ACCOUNT_SID=TWILIO_TEST_SID, TWILIO_AUTH_TOKEN=TWILIO_TEST_TOKEN,
                   TWILIO_PHONE_NUMBER=HELPLINE_NUMBER, PUBLIC_BASE_URL=PUBLIC_BASE_URL,
                   OUTBOUND_TIMEOUT_SECONDS="30")
        worker = subprocess.Popen([str(Path(sys.executable).parent / "helpline"), "worker"],
                                  env=env, start_new_session=True, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + 60
            while row(made).status != "sending":  # the work horse has claimed it, and is sending
                assert time.monotonic() < deadline and worker.poll() is None
                time.sleep(0.1)
            time.sleep(0.5)
        finally:
            # The worker and its work horse (RQ starts each horse in a session of its own).
            for pid in [*descendants(worker.pid), worker.pid]:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            worker.wait(10)
        assert row(made).status == "sending" and row(made).twilio_sid is None

        # RQ may run the dead job again: the row is claimed, so it sends nothing.
        with made.app_context():
            enqueue("workers.outbound.send_text", row(made).id)
        run_worker(made)
        assert twilio_api.posts_to("/Messages.json") == []
        # The sweep frees a send left mid-way for STALE_SENDING and sends it, once.
        later = utcnow() + STALE_SENDING + timedelta(minutes=1)
        for _ in range(2):
            with made.app_context():
                deliver_pending(db.session, now=later)
            run_worker(made)
        time.sleep(5)  # the hung first try is answered (503) to nobody
        statuses = sorted(r.status for r in twilio_api.posts_to("/Messages.json"))
        assert statuses == [201, 503]  # one text taken by Twilio
        assert row(made).status == "sent"
