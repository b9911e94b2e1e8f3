"""The outbox with a real Redis, a real RQ worker in burst mode, and prism as Twilio's API."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from helpline.extensions import db
from helpline.families.opt_outs import record_opt_out
from helpline.outbound.models import OutboundMessage
from helpline.outbound.outbox import queue_text
from tests.conftest import (
    HELPLINE_NUMBER,
    PUBLIC_BASE_URL,
    TWILIO_TEST_SID,
    TWILIO_TEST_TOKEN,
    TwilioSigner,
)
from tests.integration.conftest import make_app
from tests.prism import TwilioApi, free_port

FAMILY = "+447700900123"
MESSAGES = f"/2010-04-01/Accounts/{TWILIO_TEST_SID}/Messages.json"


def run_worker(app: Flask) -> None:
    """An RQ SimpleWorker in burst mode on the app's queues, as `helpline worker --burst` runs."""
    from rq import SimpleWorker

    from helpline.jobs import QUEUE_NAMES, queues

    named = queues(app)
    assert named is not None
    with app.app_context():
        worker = SimpleWorker(
            [named[n] for n in QUEUE_NAMES], connection=named[QUEUE_NAMES[0]].connection
        )
        worker.work(burst=True, with_scheduler=False)


@pytest.fixture
def worker_app(
    app: Flask, tmp_path: Path, redis_url: str, twilio_api: TwilioApi
) -> Iterator[Flask]:
    """The app with a Redis queue and the recorder-in-front-of-prism as Twilio's API."""
    application = make_app(
        app,
        tmp_path,
        REDIS_URL=redis_url,
        TWILIO_API_BASE_URL=twilio_api.url,
        OUTBOUND_RETRY_INTERVALS=[0, 0, 0],
    )
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()


def follow_up(app: Flask, cause: str = "CA" + "1" * 32 + ":followup") -> int | None:
    """What a voice webhook does: write the follow-up text in its own transaction and commit."""
    with app.app_context():
        row = queue_text(
            db.session,
            to="07700 900123",
            body="Short breaks: Wyvern Play 01234 567890",
            cause=cause,
            purpose="followup",
        )
        db.session.commit()
        return row.id if row else None


def message(app: Flask, message_id: int) -> OutboundMessage:
    with app.app_context():
        row = db.session.get(OutboundMessage, message_id)
        assert row is not None
        db.session.expunge(row)
        return row


def test_follow_up_reaches_twilio_with_the_right_fields(
    worker_app: Flask, twilio_api: TwilioApi
) -> None:
    message_id = follow_up(worker_app)
    assert message_id is not None
    assert twilio_api.requests == []  # queued, not sent inside the webhook

    run_worker(worker_app)

    [sent] = twilio_api.posts_to("/Messages.json")
    assert sent.path == MESSAGES
    assert sent.status == 201, sent.reply  # prism accepted it against Twilio's contract
    assert sent.form == {
        "To": FAMILY,
        "From": HELPLINE_NUMBER,
        "Body": "Short breaks: Wyvern Play 01234 567890",
        # The row in the callback: Twilio's first callback keeps its sid if the worker dies.
        "StatusCallback": f"{PUBLIC_BASE_URL}/twilio/outbound/status?outbox={message_id}",
    }
    row = message(worker_app, message_id)
    assert (row.status, row.attempts) == ("sent", 1)
    assert row.twilio_sid == sent.reply["sid"]


def test_a_duplicate_trigger_sends_one_message(worker_app: Flask, twilio_api: TwilioApi) -> None:
    first, second = follow_up(worker_app), follow_up(worker_app)
    assert first == second
    with worker_app.app_context():
        from helpline.outbound.outbox import deliver_pending

        deliver_pending(db.session)  # the periodic sweep finds it pending and queued: no new job
    run_worker(worker_app)
    follow_up(worker_app)
    run_worker(worker_app)
    assert len(twilio_api.posts_to("/Messages.json")) == 1


def test_opted_out_and_withheld_numbers_get_nothing(
    worker_app: Flask, twilio_api: TwilioApi
) -> None:
    with worker_app.app_context():
        record_opt_out(db.session, FAMILY)
        db.session.commit()
        assert queue_text(db.session, to=FAMILY, body="x", cause="a", purpose="followup") is None
        assert (
            queue_text(db.session, to="anonymous", body="x", cause="b", purpose="followup") is None
        )
        assert db.session.scalars(select(OutboundMessage)).all() == []


def test_redis_down_at_the_webhook_loses_nothing(
    app: Flask, tmp_path: Path, redis_url: str, twilio_api: TwilioApi
) -> None:
    dead_redis = f"redis://127.0.0.1:{free_port()}/0"
    webhook_app = make_app(app, tmp_path, REDIS_URL=dead_redis, TWILIO_API_BASE_URL=twilio_api.url)
    message_id = follow_up(webhook_app)  # the commit succeeds; the enqueue fails quietly
    assert message_id is not None
    assert message(webhook_app, message_id).status == "pending"

    # Redis is back: a real `helpline worker --burst` enqueues what is pending on start, then sends.
    env = dict(
        os.environ,
        DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"],
        REDIS_URL=redis_url,
        TWILIO_API_BASE_URL=twilio_api.url,
        TWILIO_ACCOUNT_SID=TWILIO_TEST_SID,
        TWILIO_AUTH_TOKEN=TWILIO_TEST_TOKEN,
        TWILIO_PHONE_NUMBER=HELPLINE_NUMBER,
        PUBLIC_BASE_URL=PUBLIC_BASE_URL,
    )
    helpline = Path(sys.executable).parent / "helpline"
    done = subprocess.run(
        [str(helpline), "worker", "--burst"], env=env, capture_output=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr.decode()[-2000:]
    assert [r.form["To"] for r in twilio_api.posts_to("/Messages.json")] == [FAMILY]
    assert message(webhook_app, message_id).status == "sent"
    assert FAMILY not in done.stderr.decode() + done.stdout.decode()  # logs mask the number


def test_an_opted_out_number_21610_is_not_retried(worker_app: Flask, twilio_api: TwilioApi) -> None:
    twilio_api.fail_next(400, 21610, "Attempt to send to unsubscribed recipient")
    message_id = follow_up(worker_app)
    assert message_id is not None
    run_worker(worker_app)
    assert len(twilio_api.posts_to("/Messages.json")) == 1
    row = message(worker_app, message_id)
    assert (row.status, row.error_code, row.attempts) == ("failed", 21610, 1)
    # Kept as an opt-out of our own: the next text to them is never tried.
    with worker_app.app_context():
        assert queue_text(db.session, to=FAMILY, body="x", cause="next", purpose="followup") is None


def test_an_adviser_alert_goes_on_the_urgent_queue(worker_app: Flask) -> None:
    from helpline.jobs import URGENT_QUEUE, queues

    with worker_app.app_context():
        queue_text(db.session, to=FAMILY, body="a caller waits", cause="alert",
                   purpose="adviser-alert")
        queue_text(db.session, to=FAMILY, body="your services", cause="texts", purpose="followup")
        db.session.commit()
    named = queues(worker_app)
    assert named is not None
    assert named[URGENT_QUEUE].count == 1
    assert sum(q.count for q in named.values()) == 2


def test_retry_intervals_left_empty_fall_back_to_the_defaults(worker_app: Flask) -> None:
    from helpline.outbound.outbox import DEFAULT_RETRIES, send_retry

    worker_app.config["OUTBOUND_RETRY_INTERVALS"] = []
    with worker_app.app_context():
        assert send_retry().max == len(DEFAULT_RETRIES)


def test_a_server_error_is_retried_then_succeeds(worker_app: Flask, twilio_api: TwilioApi) -> None:
    twilio_api.fail_next(500, 20500, "Internal Server Error")
    twilio_api.fail_next(429, 20429, "Too Many Requests")
    message_id = follow_up(worker_app)
    assert message_id is not None
    run_worker(worker_app)
    assert [r.status for r in twilio_api.posts_to("/Messages.json")] == [500, 429, 201]
    row = message(worker_app, message_id)
    assert (row.status, row.attempts) == ("sent", 3)


def test_retries_used_up_leave_the_message_failed(worker_app: Flask, twilio_api: TwilioApi) -> None:
    for _ in range(4):
        twilio_api.fail_next(503, 20503, "Service Unavailable")
    message_id = follow_up(worker_app)
    assert message_id is not None
    run_worker(worker_app)
    assert len(twilio_api.posts_to("/Messages.json")) == 4  # first try and three retries
    assert message(worker_app, message_id).status == "failed"


def test_status_callback_records_the_final_status(worker_app: Flask, twilio_api: TwilioApi) -> None:
    message_id = follow_up(worker_app)
    assert message_id is not None
    run_worker(worker_app)
    sid = message(worker_app, message_id).twilio_sid
    signer = TwilioSigner(worker_app.test_client())
    path = "/twilio/outbound/status"
    assert (
        signer.post(path, {"MessageSid": sid or "", "MessageStatus": "delivered"}).status_code
        == 200
    )
    assert signer.post(path, {"MessageSid": sid or "", "MessageStatus": "sent"}).status_code == 200
    assert message(worker_app, message_id).status == "delivered"  # never steps back
    unknown = {"MessageSid": "SM" + "f" * 32, "MessageStatus": "undelivered", "ErrorCode": "30003"}
    assert signer.post(path, unknown).status_code == 200
    assert signer.post(path, unknown, signature="bad").status_code == 403


def test_a_late_sending_callback_never_makes_the_sweep_send_again(
    worker_app: Flask, twilio_api: TwilioApi
) -> None:
    # Twilio's "sending" is also the outbox's word for "a worker has claimed this row": a late
    # callback must not turn a sent text into one the sweep thinks a dead worker left behind.
    from datetime import timedelta

    from helpline.directory.models import utcnow
    from helpline.outbound.outbox import deliver_pending

    message_id = follow_up(worker_app)
    assert message_id is not None
    run_worker(worker_app)
    sid = message(worker_app, message_id).twilio_sid or ""
    signer = TwilioSigner(worker_app.test_client())
    for status in ("sent", "sending", "pending"):
        signer.post("/twilio/outbound/status", {"MessageSid": sid, "MessageStatus": status})
    assert message(worker_app, message_id).status == "sent"
    with worker_app.app_context():
        # Even a row left mid-send once Twilio took it (its sid kept) is not sent again.
        row = db.session.get(OutboundMessage, message_id)
        assert row is not None
        row.status = "sending"
        db.session.commit()
        deliver_pending(db.session(), now=utcnow() + timedelta(hours=1))
    run_worker(worker_app)
    assert len(twilio_api.posts_to("/Messages.json")) == 1


def test_a_queued_text_keeps_its_cost_in_segments_for_insight(app: Flask) -> None:
    with app.app_context():
        short = queue_text(db.session, to=FAMILY, body="Short breaks: Wyvern Play 01632 960001",
                           cause="one", purpose="followup")
        # 161 GSM-7 characters: two segments. One Polish letter makes a text UCS-2 (70 a part).
        long = queue_text(db.session, to=FAMILY, body="a" * 161, cause="two", purpose="followup")
        polish = queue_text(db.session, to=FAMILY, body="ł" * 71, cause="three",
                            purpose="followup")
        db.session.commit()
        assert short is not None and long is not None and polish is not None
        assert (short.segments, long.segments, polish.segments) == (1, 2, 2)


def test_a_worker_dead_after_twilio_took_the_text_leaves_it_sent_once(app: Flask) -> None:
    # The double-send window: Twilio accepted the text, then the worker died before writing the
    # sid. The send named the row in its status callback URL, so Twilio's first callback writes
    # the sid, and the sweep, ten minutes on, does not take the row for unsent.
    from datetime import timedelta

    from sqlalchemy import update

    from helpline.directory.models import utcnow
    from helpline.outbound.outbox import deliver_pending

    with app.app_context():
        row = queue_text(db.session, to="+447700900123", body="Short breaks: 01632 960550",
                         cause="call:CA9:services:breaks", purpose="voice-services")
        db.session.commit()
        assert row is not None
        message_id = row.id
        db.session.execute(update(OutboundMessage).where(OutboundMessage.id == message_id)
                           .values(status="sending", attempts=1))  # as the dead worker left it
        db.session.commit()
    signer = TwilioSigner(app.test_client())
    sid = "SM" + "a" * 32
    answer = signer.post(f"/twilio/outbound/status?outbox={message_id}",
                         {"MessageSid": sid, "MessageStatus": "queued"})
    assert answer.status_code == 200
    with app.app_context():
        assert deliver_pending(db.session, now=utcnow() + timedelta(minutes=11)) == 0
        kept = db.session.get(OutboundMessage, message_id)
        assert kept is not None and (kept.status, kept.twilio_sid) == ("sent", sid)
    # Its later callbacks find it by the sid, as any other text's do.
    signer.post(f"/twilio/outbound/status?outbox={message_id}",
                {"MessageSid": sid, "MessageStatus": "delivered"})
    # A callback naming a row that has a sid of its own changes nothing.
    signer.post(f"/twilio/outbound/status?outbox={message_id}",
                {"MessageSid": "SM" + "b" * 32, "MessageStatus": "failed"})
    with app.app_context():
        kept = db.session.get(OutboundMessage, message_id)
        assert kept is not None and (kept.status, kept.twilio_sid) == ("delivered", sid)
