"""Working callbacks in the console: the callback rules, approved texts, the voicemail link, the
rota with the CLI's rules, the audit log and its retention."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from helpline.advisers.models import Adviser
from helpline.console import audit
from helpline.console.models import AuditEntry, StaffUser
from helpline.directory.models import utcnow
from helpline.extensions import db
from helpline.families.models import CallbackAttempt, CallbackRequest, OptOut
from helpline.outbound.models import OutboundMessage
from helpline.retention import erase_number
from tests.console import add_callback, add_staff, adviser_id_of, post, sign_in
from tests.prism import TwilioApi

FAMILY = "+447700900123"
RECORDING = "https://api.twilio.com/2010-04-01/Accounts/AC0/Recordings/RE" + "a" * 32


@pytest.fixture
def asha(app: Flask) -> FlaskClient:
    """Asha, an adviser on the rota, signed in."""
    add_staff(app, "asha@example.org")
    client = app.test_client()
    sign_in(client, "asha@example.org")
    return client


def _callback(app: Flask, callback_id: int) -> CallbackRequest:
    with app.app_context():
        row = db.session.get(CallbackRequest, callback_id)
        assert row is not None
        db.session.expunge(row)
        return row


def _actions(app: Flask) -> list[str]:
    with app.app_context():
        return [e.action for e in db.session.scalars(select(AuditEntry).order_by(AuditEntry.id))]


def test_three_unanswered_calls_expire_the_callback_and_text_the_family(
    app: Flask, asha: FlaskClient
) -> None:
    callback = add_callback(app)
    page = asha.get(f"/console/callbacks/{callback}").get_data(as_text=True)
    assert FAMILY not in page and "Number ending 123" in page  # not theirs yet: masked
    post(asha, f"/console/callbacks/{callback}/claim")
    assert FAMILY in asha.get(f"/console/callbacks/{callback}").get_data(as_text=True)
    for outcome in ("no-answer", "message-left"):
        post(asha, f"/console/callbacks/{callback}/attempt", {"outcome": outcome, "note": "x"})
    assert _callback(app, callback).status == "attempted"
    post(asha, f"/console/callbacks/{callback}/attempt", {"outcome": "wrong-number"})
    row = _callback(app, callback)
    assert row.status == "expired" and row.attempts == 3
    with app.app_context():
        texted = db.session.scalars(select(OutboundMessage)).all()
        assert [m.purpose for m in texted] == ["callback-expired"]
        assert [a.outcome for a in db.session.scalars(select(CallbackAttempt))] == [
            "no-answer", "message-left", "wrong-number"]
    # Closed callbacks take no more calls.
    answer = post(asha, f"/console/callbacks/{callback}/attempt", {"outcome": "reached"})
    assert answer.status_code == 302 and _callback(app, callback).attempts == 3
    assert _actions(app).count("record-attempt") == 3
    assert "view-callback" in _actions(app) and "claim" in _actions(app)


def test_an_outcome_must_be_chosen_and_closing_needs_no_call(
    app: Flask, asha: FlaskClient
) -> None:
    callback = add_callback(app)
    post(asha, f"/console/callbacks/{callback}/claim")
    post(asha, f"/console/callbacks/{callback}/attempt", {"outcome": "maybe"})
    assert _callback(app, callback).attempts == 0
    post(asha, f"/console/callbacks/{callback}/done")
    assert _callback(app, callback).status == "done"
    assert "No callbacks are waiting" in asha.get("/console/callbacks").get_data(as_text=True)


def test_call_the_family_needs_the_callback_taken_first(
    app: Flask, asha: FlaskClient
) -> None:
    callback = add_callback(app)
    answer = post(asha, f"/console/callbacks/{callback}/call")
    assert answer.status_code == 302
    page = asha.get(f"/console/callbacks/{callback}").get_data(as_text=True)
    assert "Take this callback before you call the family" in page
    with app.app_context():
        assert db.session.scalars(select(CallbackAttempt)).all() == []


def test_approved_texts_go_in_the_familys_language_and_never_to_an_opt_out(
    app: Flask, asha: FlaskClient
) -> None:
    polish = add_callback(app, "+447700900124", language="pl")
    post(asha, f"/console/callbacks/{polish}/claim")
    form = asha.get(f"/console/callbacks/{polish}/text").get_data(as_text=True)
    assert "We tried to call you" in form and "Polish" in form
    post(asha, f"/console/callbacks/{polish}/text", {"text": "call_us"})
    with app.app_context():
        [sent] = db.session.scalars(select(OutboundMessage)).all()
        assert sent.language == "pl" and sent.phone_number == "+447700900124"
        assert "Zadzwoń do nas: +447700900000" in (sent.body or "")
    # The family's thread on the callback shows what the adviser sent.
    thread = asha.get(f"/console/callbacks/{polish}").get_data(as_text=True)
    assert "Helpline (an adviser’s text)" in thread and "Zadzwoń do nas" in thread
    with app.app_context():
        db.session.add(OptOut(phone_number="+447700900124"))
        db.session.commit()
    refused = post(asha, f"/console/callbacks/{polish}/text", {"text": "call_us"})
    assert refused.status_code == 302
    assert "asked for no texts" in asha.get(f"/console/callbacks/{polish}").get_data(as_text=True)
    bad = post(asha, f"/console/callbacks/{polish}/text", {"text": "anything I like"})
    assert bad.status_code == 400
    with app.app_context():
        assert len(db.session.scalars(select(OutboundMessage)).all()) == 1
    assert _actions(app).count("text-family") == 2


def test_the_voicemail_plays_through_a_signed_expiring_link_not_twilios_address(
    app: Flask, asha: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    recorder = TwilioApi()  # no upstream: prism has no audio to give
    recorder.script.append((200, {"audio": "stand-in"}))
    app.config["TWILIO_API_BASE_URL"] = recorder.url
    try:
        callback = add_callback(app, channel="voicemail", recording_url=RECORDING)
        page = asha.get(f"/console/callbacks/{callback}").get_data(as_text=True)
        assert "twilio" not in page.lower() and "RE" + "a" * 32 not in page
        link = re.search(r'<audio[^>]+src="([^"]+)"', page)
        assert link, "no player on the page"
        audio = asha.get(link.group(1))
        assert audio.status_code == 200 and audio.mimetype == "audio/mpeg"
        [fetched] = recorder.requests
        assert fetched.method == "GET" and fetched.path.endswith(f"/Recordings/RE{'a' * 32}.mp3")
        # Another adviser can't use the link, and it stops working.
        add_staff(app, "ben@example.org", mobile="+447700900202", name="Ben")
        ben = app.test_client()
        sign_in(ben, "ben@example.org")
        assert ben.get(link.group(1)).status_code == 404
        monkeypatch.setattr("helpline.console.recordings.LINK_SECONDS", -1)
        assert asha.get(link.group(1)).status_code == 404
        assert _actions(app).count("play-voicemail") == 1
    finally:
        recorder.close()


def test_erasing_a_number_clears_it_from_the_audit_log_and_old_entries_go(
    app: Flask, asha: FlaskClient
) -> None:
    callback = add_callback(app)
    asha.get(f"/console/callbacks/{callback}")
    with app.app_context():
        assert db.session.scalar(select(AuditEntry.subject_number).where(
            AuditEntry.action == "view-callback")) == FAMILY
        counts = erase_number(db.session(), FAMILY, recordings=None)
        assert counts["audit_entry"] == 1
        assert db.session.scalars(select(AuditEntry).where(
            AuditEntry.subject_number == FAMILY)).all() == []
        entries = db.session.scalars(select(AuditEntry)).all()
        assert entries  # who looked, and when, is still known
        entries[0].created_at = utcnow() - timedelta(days=731)
        db.session.commit()
        assert audit.delete_older_than(db.session(), days=730) == 1


def test_the_retention_job_keeps_the_audit_log_for_its_own_period(app: Flask) -> None:
    from workers.maintenance import erase_old_personal_data

    callback = add_callback(app)
    with app.app_context():
        user = StaffUser(email="a@example.org", name="A", role="adviser")
        db.session.add(user)
        db.session.flush()
        for days in (100, 800):
            audit.record(db.session(), user, "view-callback", number=FAMILY).created_at = (
                utcnow() - timedelta(days=days))
        db.session.add(CallbackAttempt(callback_id=callback, phone_number=FAMILY,
                                       body="a note", created_at=utcnow() - timedelta(days=100)))
        db.session.commit()
    with app.app_context():
        counts = erase_old_personal_data()
    assert counts.get("audit_entry") == 1 and counts.get("callback_attempt") == 1
    with app.app_context():
        [kept] = db.session.scalars(select(AuditEntry)).all()
        assert kept.subject_number == FAMILY  # 100 days old: within the log's own 730
        attempt = db.session.scalars(select(CallbackAttempt)).one()
        assert attempt.phone_number is None and attempt.body is None


def _manager(app: Flask) -> FlaskClient:
    add_staff(app, "mo@example.org", role="manager", name="Mo")
    client = app.test_client()
    sign_in(client, "mo@example.org")
    return client


def test_managers_edit_the_rota_with_the_clis_rules(app: Flask) -> None:
    mo = _manager(app)
    bad = post(mo, "/console/rota/new", {"name": "Eve", "mobile": "07700900555",
                                         "hours": "weekdays 9-5", "priority": "100"})
    assert bad.status_code == 400
    assert "Hours must look like" in bad.get_data(as_text=True)
    good = post(mo, "/console/rota/new", {"name": "Eve", "mobile": "07700 900555",
                                          "hours": "mon-fri 09:00-17:00\nsat 10:00-12:00",
                                          "priority": "50"})
    assert good.status_code == 302
    with app.app_context():
        eve = db.session.scalar(select(Adviser).where(Adviser.name == "Eve"))
        assert eve is not None and eve.mobile == "+447700900555"
        assert len(eve.hours) == 6 and {s.priority for s in eve.hours} == {50}
        eve_id = eve.id
    rota = mo.get("/console/rota").get_data(as_text=True)
    assert "Eve" in rota and "900555" not in rota  # staff numbers masked too
    changed = post(mo, f"/console/rota/{eve_id}", {"name": "Eve Adams", "mobile": "",
                                                   "hours": "sun 10:00-11:00", "priority": "5"})
    assert changed.status_code == 302
    with app.app_context():
        eve = db.session.get(Adviser, eve_id)
        assert eve is not None and eve.name == "Eve Adams" and eve.mobile == "+447700900555"
        assert [(s.weekday, s.priority) for s in eve.hours] == [(6, 5)] and not eve.active
    assert post(mo, f"/console/rota/{eve_id}/remove").status_code == 302
    with app.app_context():
        assert db.session.get(Adviser, eve_id) is None
    assert {"rota-add", "rota-change", "rota-remove"} <= set(_actions(app))


def test_the_cli_gives_advisers_and_managers_a_first_password_link(app: Flask,
                                                                  runner: Any) -> None:
    app.config["PUBLIC_BASE_URL"] = "https://helpline.example.org"
    added = runner.invoke(args=["adviser", "add", "Asha", "07700900201", "--hours",
                                "mon-fri 09:00-17:00", "--email", "Asha@Example.org"])
    assert added.exit_code == 0, added.output
    link = re.search(r"https://helpline\.example\.org/console/set-password/(\S+)", added.output)
    assert link, added.output
    assert app.test_client().get(f"/console/set-password/{link.group(1)}").status_code == 200
    again = runner.invoke(args=["adviser", "add", "Asha 2", "07700900202", "--email",
                                "asha@example.org"])
    assert again.exit_code != 0 and "already an account" in again.output
    manager = runner.invoke(args=["manager", "add", "Mo", "--email", "mo@example.org"])
    assert manager.exit_code == 0 and "/console/set-password/" in manager.output
    listed = runner.invoke(args=["staff", "list"])
    assert "asha@example.org\tadviser" in listed.output
    assert "mo@example.org\tmanager" in listed.output
    with app.app_context():
        assert adviser_id_of(app, "asha@example.org") is not None
        # The second adviser, refused for the email, was not added either.
        assert db.session.scalars(select(Adviser)).one().name == "Asha"
    relinked = runner.invoke(args=["staff", "link", "asha@example.org"])
    assert relinked.exit_code == 0
    # The old link stops working when a new one is made.
    assert app.test_client().get(f"/console/set-password/{link.group(1)}").status_code == 404


def test_times_show_on_the_councils_clock(app: Flask, asha: FlaskClient) -> None:
    from datetime import UTC, datetime

    callback = add_callback(app)
    with app.app_context():
        row = db.session.get(CallbackRequest, callback)
        assert row is not None
        row.created_at = datetime(2026, 7, 1, 9, 0, tzinfo=UTC)  # 10:00 in London (BST)
        db.session.commit()
    page = asha.get(f"/console/callbacks/{callback}").get_data(as_text=True)
    assert "1 July 2026 at 10:00" in page


def test_two_advisers_taking_one_callback_at_once_leave_it_with_the_first(app: Flask) -> None:
    from helpline.families import callbacks

    callback = add_callback(app)
    with app.app_context():
        # Ben's page was read before Asha took it: his claim must not take it from her.
        stale = db.session.get(CallbackRequest, callback)
        assert stale is not None and stale.claimed_by is None
        db.session.execute(CallbackRequest.__table__.update().where(
            CallbackRequest.id == callback).values(claimed_by=1, status="claimed"))
        db.session.commit()
        with pytest.raises(ValueError, match="another adviser"):
            callbacks.claim(db.session(), callback, adviser_id=2)
        db.session.rollback()
        row = db.session.get(CallbackRequest, callback)
        assert row is not None and row.claimed_by == 1
