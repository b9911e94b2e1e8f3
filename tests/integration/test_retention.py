"""Retention: personal data older than RETENTION_DAYS is erased; counts and recent data are kept."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask
from sqlalchemy import func, select

from helpline.directory.models import utcnow
from helpline.extensions import db
from helpline.families.models import CallbackRequest, OptOut
from helpline.outbound.models import OutboundMessage
from helpline.retention import keyed_by_number, personal_tables

OLD_NUMBER, NEW_NUMBER = "+447700900111", "+447700900222"


def add_texts_and_callbacks() -> None:
    long_ago = utcnow() - timedelta(days=91)
    for number, when in ((OLD_NUMBER, long_ago), (NEW_NUMBER, utcnow() - timedelta(days=89))):
        db.session.add(
            OutboundMessage(
                cause=f"c-{number}",
                purpose="followup",
                phone_number=number,
                body="Short breaks near DN15",
                created_at=when,
            )
        )
        db.session.add(
            CallbackRequest(
                cause=f"cb-{number}",
                phone_number=number,
                channel="voicemail",
                summary="Autism support",
                recording_url="https://api.twilio.com/r/RE1",
                created_at=when,
            )
        )
    db.session.add(OptOut(phone_number=OLD_NUMBER, opted_out_at=long_ago))
    db.session.commit()


def test_every_table_with_phone_numbers_bodies_or_recordings_is_covered(app: Flask) -> None:
    with app.app_context():
        covered = {item.table.name for item in personal_tables()}
        covered |= {table.name for table in keyed_by_number()}
        for table in db.metadata.sorted_tables:
            personal = {"phone_number", "body", "recording_url"} & set(table.c.keys())
            if personal and table.name != "opt_out":
                assert table.name in covered, table.name
        assert {"outbound_message", "callback_request"} <= covered
        assert "opt_out" not in covered


def test_retention_erases_what_is_old_and_keeps_what_is_not(app: Flask) -> None:
    from workers.maintenance import erase_old_personal_data

    with app.app_context():
        add_texts_and_callbacks()
        counts = erase_old_personal_data()
        assert counts["outbound_message"] == 1 and counts["callback_request"] == 1
        old = db.session.scalar(
            select(OutboundMessage).where(OutboundMessage.cause == f"c-{OLD_NUMBER}")
        )
        new = db.session.scalar(
            select(OutboundMessage).where(OutboundMessage.cause == f"c-{NEW_NUMBER}")
        )
        assert old is not None and new is not None
        assert (old.phone_number, old.body, old.purpose) == (None, None, "followup")
        assert (new.phone_number, new.body) == (NEW_NUMBER, "Short breaks near DN15")
        callback = db.session.scalar(
            select(CallbackRequest).where(CallbackRequest.cause == f"cb-{OLD_NUMBER}")
        )
        assert callback is not None
        assert (callback.phone_number, callback.recording_url, callback.summary) == (None, None, "")
        assert callback.channel == "voicemail"
        # Anonymous counts stay for reporting; the STOP is kept so we never text them again.
        assert db.session.scalar(select(func.count()).select_from(OutboundMessage)) == 2
        assert db.session.get(OptOut, OLD_NUMBER) is not None
        assert erase_old_personal_data() == {}


def test_erase_command_erases_one_familys_data_at_any_age(app: Flask) -> None:
    with app.app_context():
        add_texts_and_callbacks()
    result = app.test_cli_runner().invoke(args=["erase", "07700 900222"])
    assert result.exit_code == 0, result.output
    assert "Erased 2 row(s)" in result.output and NEW_NUMBER not in result.output
    with app.app_context():
        numbers = set(db.session.scalars(select(OutboundMessage.phone_number)))
        assert numbers == {OLD_NUMBER, None}
    bad = app.test_cli_runner().invoke(args=["erase", "not a number"])
    assert bad.exit_code != 0
