"""Retention: personal data older than RETENTION_DAYS is erased; counts and recent data are kept."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select

from helpline.directory.models import utcnow
from helpline.extensions import db
from helpline.families.models import CallbackRequest, OptOut
from helpline.outbound.gateway import recording_sid
from helpline.outbound.models import OutboundMessage
from helpline.retention import keyed_by_number, personal_tables
from helpline.voice.models import CallLog
from tests.integration.conftest import make_app
from tests.prism import TwilioApi

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


RECORDING_SID = "RE" + "5" * 32
RECORDING_URL = (
    f"https://api.twilio.com/2010-04-01/Accounts/{'AC' + '0' * 32}/Recordings/{RECORDING_SID}"
)


def add_old_voicemail() -> None:
    """A voicemail from long ago: its callback and its call both point at one recording."""
    long_ago = utcnow() - timedelta(days=91)
    db.session.add(CallbackRequest(
        cause="voicemail:CA1", phone_number=OLD_NUMBER, channel="voicemail",
        summary="Left a message", recording_url=RECORDING_URL, created_at=long_ago,
    ))
    db.session.add(CallLog(
        call_sid="CA" + "1" * 32, phone_number=OLD_NUMBER, recording_url=RECORDING_URL,
        language="en", node="message", path="main > message", status="completed",
        created_at=long_ago,
    ))
    db.session.add(OutboundMessage(
        cause="c-old", purpose="followup", phone_number=OLD_NUMBER, body="Short breaks",
        created_at=long_ago,
    ))
    db.session.commit()


def recordings_kept() -> list[str | None]:
    return sorted(
        [url for url in db.session.scalars(select(CallbackRequest.recording_url)) if url]
        + [url for url in db.session.scalars(select(CallLog.recording_url)) if url]
    )


def test_old_recordings_are_deleted_at_twilio_before_their_addresses_are_erased(
    app: Flask, tmp_path: Path, twilio_api: TwilioApi
) -> None:
    from workers.maintenance import erase_old_personal_data

    with make_app(app, tmp_path, TWILIO_API_BASE_URL=twilio_api.url).app_context():
        add_old_voicemail()
        counts = erase_old_personal_data()
        assert recordings_kept() == []
        assert counts == {"callback_request": 1, "call_log": 1, "outbound_message": 1}
        assert db.session.scalar(select(CallLog.phone_number)) is None
    # One recording, asked for once, in the form Twilio's own API description accepts (prism).
    deletes = twilio_api.deletes_of(f"/Recordings/{RECORDING_SID}.json")
    assert [r.status for r in deletes] == [204]
    assert len(twilio_api.requests) == 1


def test_a_recording_twilio_cannot_delete_keeps_its_rows_until_a_later_run(
    app: Flask, tmp_path: Path, twilio_api: TwilioApi
) -> None:
    from workers.maintenance import erase_old_personal_data

    twilio_api.fail_next(503, 20503)
    with make_app(app, tmp_path, TWILIO_API_BASE_URL=twilio_api.url).app_context():
        add_old_voicemail()
        first = erase_old_personal_data()
        # The family's voice is still at Twilio: the rows pointing at it stay whole for now;
        # everything else old is erased as usual.
        assert recordings_kept() == [RECORDING_URL, RECORDING_URL]
        assert set(db.session.scalars(select(CallbackRequest.phone_number))) == {OLD_NUMBER}
        assert first == {"outbound_message": 1}
        second = erase_old_personal_data()
        assert recordings_kept() == []
        assert second == {"callback_request": 1, "call_log": 1}
    statuses = [r.status for r in twilio_api.deletes_of(f"/Recordings/{RECORDING_SID}.json")]
    assert statuses == [503, 204]


def test_a_recording_twilio_no_longer_has_counts_as_deleted(
    app: Flask, tmp_path: Path, twilio_api: TwilioApi
) -> None:
    from workers.maintenance import erase_old_personal_data

    twilio_api.fail_next(404, 20404)
    with make_app(app, tmp_path, TWILIO_API_BASE_URL=twilio_api.url).app_context():
        add_old_voicemail()
        erase_old_personal_data()
        assert recordings_kept() == []


def test_erasing_a_family_deletes_their_recordings_and_says_when_it_could_not(
    app: Flask, tmp_path: Path, twilio_api: TwilioApi
) -> None:
    made = make_app(app, tmp_path, TWILIO_API_BASE_URL=twilio_api.url)
    with made.app_context():
        add_old_voicemail()
    twilio_api.fail_next(500, 20500)
    refused = made.test_cli_runner().invoke(args=["erase", OLD_NUMBER])
    assert refused.exit_code == 1
    assert "1 recording(s) could not be deleted" in refused.output
    with made.app_context():
        assert recordings_kept() == [RECORDING_URL, RECORDING_URL]
    done = made.test_cli_runner().invoke(args=["erase", OLD_NUMBER])
    assert done.exit_code == 0, done.output
    with made.app_context():
        assert recordings_kept() == []
        assert set(db.session.scalars(select(CallLog.phone_number))) == {None}


@pytest.mark.parametrize(
    ("url", "sid"),
    [
        (RECORDING_URL, RECORDING_SID),
        (RECORDING_URL + ".mp3", RECORDING_SID),
        (" " + RECORDING_URL + "/", RECORDING_SID),
        ("https://api.twilio.com/r/RE1", None),
        ("https://example.org/Recordings/RE" + "5" * 31, None),
        ("", None),
    ],
)
def test_the_recording_sid_is_read_from_twilios_recording_address(url: str, sid: str) -> None:
    assert recording_sid(url) == sid
