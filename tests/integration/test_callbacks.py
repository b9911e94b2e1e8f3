"""Callback requests: statuses, at most three attempts, expiry after 7 days, texts to the family."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from helpline.directory.models import utcnow
from helpline.extensions import db
from helpline.families import callbacks
from helpline.families.models import CallbackRequest
from helpline.families.opt_outs import record_opt_out
from helpline.outbound.models import OutboundMessage

FAMILY = "+447700900123"


def new_request(
    channel: str = "voice", cause: str = "CA1:callback", number: str = FAMILY
) -> CallbackRequest:
    row, created = callbacks.request_callback(
        db.session, cause=cause, phone_number=number, channel=channel, summary="Short breaks"
    )
    db.session.commit()
    assert created
    return row


def purposes() -> list[str]:
    return list(db.session.scalars(select(OutboundMessage.purpose).order_by(OutboundMessage.id)))


@pytest.mark.parametrize("channel", ["voice", "voicemail"])
def test_a_callback_asked_for_by_phone_is_confirmed_by_text(app: Flask, channel: str) -> None:
    with app.app_context():
        row = new_request(channel)
        assert row.status == "new"
        [text] = db.session.scalars(select(OutboundMessage)).all()
        assert (text.purpose, text.phone_number, text.cause) == (
            "callback-created",
            FAMILY,
            f"callback-{row.id}-created",
        )
        assert "call back" in (text.body or "")


def test_a_callback_asked_for_by_text_gets_no_second_text(app: Flask) -> None:
    with app.app_context():
        new_request("sms")
        assert purposes() == []


def test_a_repeated_webhook_makes_one_request_and_one_text(app: Flask) -> None:
    with app.app_context():
        first = new_request()
        again, created = callbacks.request_callback(
            db.session, cause="CA1:callback", phone_number=FAMILY, channel="voice", summary="x"
        )
        db.session.commit()
        assert (again.id, created) == (first.id, False)
        assert purposes() == ["callback-created"]


def test_three_unanswered_attempts_expire_the_request_and_tell_the_family(app: Flask) -> None:
    with app.app_context():
        row = new_request()
        callbacks.claim(db.session, row.id, adviser_id=7)
        assert (row.status, row.claimed_by) == ("claimed", 7)
        for expected in ("attempted", "attempted", "expired"):
            callbacks.record_attempt(db.session, row.id, reached=False)
            db.session.commit()
            assert row.status == expected
        assert row.attempts == 3
        assert purposes() == ["callback-created", "callback-expired"]
        with pytest.raises(ValueError):
            callbacks.record_attempt(db.session, row.id, reached=False)


def test_a_reached_family_is_done(app: Flask) -> None:
    with app.app_context():
        row = new_request()
        callbacks.record_attempt(db.session, row.id, reached=False)
        callbacks.record_attempt(db.session, row.id, reached=True)
        db.session.commit()
        assert (row.status, row.attempts) == ("done", 2)


def test_requests_unanswered_for_seven_days_expire_with_a_text(app: Flask) -> None:
    from workers.maintenance import expire_callbacks

    with app.app_context():
        # Three families: one number has one open request at a time.
        old, recent, done = (
            new_request(cause="old"),
            new_request(cause="new", number="+447700900124"),
            new_request(cause="d", number="+447700900125"),
        )
        old.created_at = utcnow() - timedelta(days=7, minutes=1)
        done.created_at = utcnow() - timedelta(days=8)
        callbacks.mark_done(db.session, done.id)
        db.session.commit()
        assert expire_callbacks() == 1
        db.session.expire_all()
        assert (old.status, recent.status, done.status) == ("expired", "new", "done")
        assert purposes().count("callback-expired") == 1
        assert expire_callbacks() == 0


def test_no_text_to_a_family_who_said_stop(app: Flask) -> None:
    with app.app_context():
        record_opt_out(db.session, FAMILY)
        db.session.commit()
        new_request()
        assert purposes() == []


@pytest.mark.parametrize(("language", "promise", "expired"), [
    ("en", "within 3 working days (Monday to Friday)", "sorry, we could not reach you"),
    ("pl", "w ciągu 3 dni roboczych (od poniedziałku do piątku)", "nie udało się"),
    ("ur", "3 کام کے دنوں (پیر سے جمعہ)", "رابطہ نہیں کر سکے"),
])
def test_the_confirmation_and_expiry_texts_are_in_the_familys_language_with_one_promise(
    app: Flask, language: str, promise: str, expired: str
) -> None:
    app.config["CALLBACK_WORKING_DAYS"] = 3  # the one promise, from settings
    with app.app_context():
        row, _ = callbacks.request_callback(db.session, cause="CA9:callback",
                                            phone_number=FAMILY, channel="voice",
                                            summary="x", language=language)
        db.session.commit()
        callbacks.claim(db.session, row.id, adviser_id=7)
        for _ in range(3):
            callbacks.record_attempt(db.session, row.id, reached=False)
        db.session.commit()
        created, gone = db.session.scalars(select(OutboundMessage.body)
                                           .order_by(OutboundMessage.id)).all()
        assert promise in (created or "")
        assert expired in (gone or "")


def test_two_asks_from_one_number_at_the_same_moment_make_one_open_request(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A text and a call from one number, handled at once by two processes: each finds no open
    # request, and both are held there until the other has looked too, so their inserts meet.
    # The database's index lets one in; the other joins it with its words, and texts nothing.
    import threading

    looked = threading.Barrier(2, timeout=10)
    open_for = callbacks._open_for

    def held(*args: Any, **kwargs: Any) -> CallbackRequest | None:
        found = open_for(*args, **kwargs)
        if threading.current_thread() is not threading.main_thread() and found is None:
            looked.wait()
        return found

    monkeypatch.setattr(callbacks, "_open_for", held)
    outcomes: list[tuple[int, bool]] = []
    failures: list[BaseException] = []

    def ask(cause: str, channel: str, summary: str) -> None:
        try:
            with app.app_context():
                row, created = callbacks.request_callback(
                    db.session, cause=cause, phone_number=FAMILY, channel=channel,
                    summary=summary)
                db.session.commit()
                outcomes.append((row.id, created))
                db.session.remove()
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            failures.append(exc)

    threads = [threading.Thread(target=ask, args=("SM1:callback", "sms", "Short breaks")),
               threading.Thread(target=ask, args=("CA2:callback", "voice", "Transport"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert failures == []
    assert sorted(created for _, created in outcomes) == [False, True]
    assert len({row_id for row_id, _ in outcomes}) == 1
    with app.app_context():
        [request] = db.session.scalars(select(CallbackRequest)).all()
        assert request.status == "new"
        assert sorted(request.summary.split("\n")) == ["Short breaks", "Transport"]
        # The voice ask's confirmation text only if it was the one that made the request.
        assert purposes() in ([], ["callback-created"])
