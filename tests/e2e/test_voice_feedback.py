"""'4 to tell us what is missing' at a services menu: the caller's comment is recorded and kept
as feedback for managers, in every language, and the call goes on at the main menu."""

from __future__ import annotations

import re

from flask import Flask
from sqlalchemy import select

from helpline.extensions import db
from helpline.sms.models import LocalOfferFeedback
from tests.console import add_staff, sign_in
from tests.e2e.test_call_walk import WEDNESDAY_EVENING, call, phone_app  # noqa: F401 - fixture

RECORDING = "https://api.twilio.com/2010-04-01/Accounts/AC0/Recordings/RE" + "b" * 32


def _comments(app: Flask) -> list[LocalOfferFeedback]:
    with app.app_context():
        return list(db.session.scalars(select(LocalOfferFeedback)))


def test_four_at_a_services_menu_records_a_comment_for_managers(
    phone_app: Flask,  # noqa: F811
) -> None:
    caller = call(phone_app).press("1").press("3")  # English, health: its services are read
    assert "4 to tell us what is missing" in caller.latest_text()
    caller.press("4")
    assert caller.waiting_for == "Record"
    assert "tell us what the Local Offer is missing" in caller.latest_text()
    caller.leave_message(RECORDING)
    assert caller.latest[0].startswith("Thank you. The council reads every comment")
    assert caller.waiting_for == "Gather"  # the main menu again: never silence
    assert "Short breaks, press 1" in caller.latest_text()
    [comment] = _comments(phone_app)
    assert comment.channel == "phone" and comment.recording_url == RECORDING
    assert comment.phone_number == "+447700900123" and comment.language == "en"
    # A manager finds it newest first, with a player and no Twilio address on the page.
    add_staff(phone_app, "mo@example.org", role="manager", name="Mo")
    manager = phone_app.test_client()
    sign_in(manager, "mo@example.org")
    assert "Phone menu" in manager.get("/console/feedback").get_data(as_text=True)
    page = manager.get(f"/console/feedback/{comment.id}").get_data(as_text=True)
    assert re.search(r'<audio[^>]+src="/console/feedback/\d+/recording/', page)
    assert "twilio.com" not in page


def test_said_in_polish_and_urdu_and_nothing_recorded_keeps_nothing(
    phone_app: Flask,  # noqa: F811
) -> None:
    phone_app.config["HELPLINE_CLOCK"] = lambda: WEDNESDAY_EVENING  # comments any time
    polish = call(phone_app, "+447700900111").press("2").press("3").press("4")
    assert "czego brakuje w Local Offer" in polish.latest_text()
    polish.record_nothing()
    assert polish.latest[0] == "Przepraszam, nie usłyszałam wiadomości."
    assert polish.waiting_for == "Gather"
    assert _comments(phone_app) == []
    urdu = call(phone_app, "+447700900222").press("3").press("3").press("4")
    assert "(کونسل کی سروسز) میں کیا کمی ہے" in urdu.latest_text()
    urdu.leave_message(RECORDING)
    assert urdu.latest[0].startswith("شکریہ")
    assert [(c.language, c.channel) for c in _comments(phone_app)] == [("ur", "phone")]
