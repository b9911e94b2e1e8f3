"""Feedback for managers: comments from texts and voicemails, tagged, answered and published on
the public "You said, we did" page (and its CSV and JSON) without the family's words or number;
the family who texted is told in their language; advisers can't reach any of it."""

from __future__ import annotations

import csv
import io
import re

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from helpline.console.models import AuditEntry
from helpline.extensions import db
from helpline.families.models import OptOut
from helpline.outbound.models import OutboundMessage
from helpline.sms.models import LocalOfferFeedback
from tests.conftest import TwilioSigner
from tests.console import add_callback, add_staff, post, sign_in
from tests.e2e.test_sms_support import Phone

FAMILY = "+447700900456"
ORIGINAL = "FEEDBACK no swim club for my son Tom at Hillside School, ring me on 07700 900456"
PUBLISHED = "There is no swimming club for autistic children near us."
RESPONSE = "Thank you. We are talking to the leisure centre about autism-friendly sessions."
ACTION = "Two quiet swimming sessions a week start at the leisure centre in January."


def _manager(app: Flask) -> FlaskClient:
    add_staff(app, "mo@example.org", role="manager", name="Mo Khan")
    manager = app.test_client()
    sign_in(manager, "mo@example.org")
    return manager


def _texted(app: Flask, body: str = ORIGINAL, number: str = FAMILY, *,
            english: bool = True) -> int:
    Phone(TwilioSigner(app.test_client()), number, english=english).text(body)
    with app.app_context():
        return int(db.session.scalars(select(LocalOfferFeedback.id)
                                      .order_by(LocalOfferFeedback.id.desc())).first() or 0)


def _answer(manager: FlaskClient, feedback_id: int, choice: str = "publish",
            **changes: str) -> object:
    form = {"area": "SHORTBREAKS", "theme": "swimming", "published_comment": PUBLISHED,
            "response": RESPONSE, "action_taken": ACTION, "choice": choice, **changes}
    return post(manager, f"/console/feedback/{feedback_id}", form)


def _answered_texts(app: Flask) -> list[OutboundMessage]:
    with app.app_context():
        return list(db.session.scalars(select(OutboundMessage)
                                       .where(OutboundMessage.purpose == "feedback-answered")))


def test_a_manager_sees_comments_newest_first_and_each_view_is_audited(app: Flask) -> None:
    first = _texted(app, "FEEDBACK the bus to college is always late")
    second = _texted(app, "FEEDBACK more Saturday clubs please", "+447700900789")
    manager = _manager(app)
    page = manager.get("/console/feedback")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Saturday clubs" in html and "bus to college" in html
    assert html.index(f"Comment {second}") < html.index(f"Comment {first}")
    assert "900456" not in html and "900789" not in html  # no number in the list
    detail = manager.get(f"/console/feedback/{first}").get_data(as_text=True)
    assert "the bus to college is always late" in detail and "ending 456" in detail
    assert FAMILY not in detail
    with app.app_context():
        entries = {(e.action, e.subject_number, e.detail) for e in db.session.scalars(
            select(AuditEntry).where(AuditEntry.action.like("view-feedback%")))}
    assert ("view-feedback", FAMILY, f"feedback {first}") in entries
    assert ("view-feedback-list", None, f"feedback {second}, {first}") in entries


def test_an_adviser_cannot_reach_the_feedback_pages(app: Flask, client: FlaskClient) -> None:
    feedback_id = _texted(app)
    add_staff(app, "asha@example.org")
    sign_in(client, "asha@example.org")
    for path in ("/console/feedback", f"/console/feedback/{feedback_id}",
                 f"/console/feedback/{feedback_id}/recording/x"):
        assert client.get(path).status_code == 403, path
    assert _answer(client, feedback_id).status_code == 403  # type: ignore[attr-defined]
    assert "Feedback" not in client.get("/console/").get_data(as_text=True)
    with app.app_context():
        row = db.session.get(LocalOfferFeedback, feedback_id)
        assert row is not None and row.published_at is None and row.response == ""
    assert _answered_texts(app) == []


def test_publishing_shows_only_the_managers_wording_and_tells_the_family(
    app: Flask, client: FlaskClient,
) -> None:
    feedback_id = _texted(app)
    manager = _manager(app)
    saved = _answer(manager, feedback_id)
    assert saved.status_code == 302  # type: ignore[attr-defined]
    public = client.get("/you-said-we-did")
    html = public.get_data(as_text=True)
    assert public.status_code == 200 and PUBLISHED in html and RESPONSE in html
    assert ACTION in html and "Short breaks" in html
    for private in ("Tom", "Hillside", "900456", "07700"):
        assert private not in html, private
    sent = _answered_texts(app)
    assert [m.phone_number for m in sent] == [FAMILY]
    assert sent[0].body.startswith("The council has answered your comment")
    assert "https://helpline.example.org/you-said-we-did" in sent[0].body
    # Saving again (an edit) never texts the family twice.
    assert _answer(manager, feedback_id, "save", response=RESPONSE + " More soon."
                   ).status_code == 302  # type: ignore[attr-defined]
    assert len(_answered_texts(app)) == 1
    with app.app_context():
        row = db.session.get(LocalOfferFeedback, feedback_id)
        assert row is not None and row.answered_at is not None
        assert row.body and "Tom" in row.body  # the original is kept, privately
        actions = [e.action for e in db.session.scalars(select(AuditEntry))]
    assert "publish-feedback" in actions and "answer-feedback" in actions


def test_a_phone_number_or_missing_answer_is_never_published(app: Flask,
                                                             client: FlaskClient) -> None:
    feedback_id = _texted(app)
    manager = _manager(app)
    refused = _answer(manager, feedback_id, published_comment="Ring Tom on 07700 900 456",
                      action_taken="")
    html = refused.get_data(as_text=True)  # type: ignore[attr-defined]
    assert refused.status_code == 400  # type: ignore[attr-defined]
    assert "Remove the phone number from the comment" in html
    assert "Enter the action taken" in html and 'href="#action_taken"' in html
    with app.app_context():
        row = db.session.get(LocalOfferFeedback, feedback_id)
        assert row is not None and row.published_at is None and row.published_comment == ""
    assert "07700" not in client.get("/you-said-we-did").get_data(as_text=True)
    assert _answered_texts(app) == []


def test_unpublishing_takes_it_off_the_page_csv_and_json(app: Flask, client: FlaskClient) -> None:
    feedback_id = _texted(app)
    manager = _manager(app)
    _answer(manager, feedback_id)
    data = client.get("/you-said-we-did.json").get_json()
    assert data["count"] == 1
    item = data["comments"][0]
    assert item["comment"] == PUBLISHED and item["area"] == "SHORTBREAKS"
    assert set(item) == {"id", "area", "area_name", "theme", "comment", "response",
                         "action_taken", "received", "published"}
    rows = list(csv.DictReader(io.StringIO(client.get("/you-said-we-did.csv")
                                           .get_data(as_text=True))))
    assert [r["response"] for r in rows] == [RESPONSE]
    _answer(manager, feedback_id, "unpublish")
    assert client.get("/you-said-we-did.json").get_json()["comments"] == []
    assert PUBLISHED not in client.get("/you-said-we-did").get_data(as_text=True)
    assert PUBLISHED not in client.get("/you-said-we-did/print").get_data(as_text=True)


def test_the_public_page_filters_by_area_and_prints(app: Flask, client: FlaskClient) -> None:
    manager = _manager(app)
    _answer(manager, _texted(app, "FEEDBACK the bus is late"), area="TRANSPORT",
            published_comment="The school bus is often late.")
    _answer(manager, _texted(app, "FEEDBACK more clubs", "+447700900789"))
    transport = client.get("/you-said-we-did?area=transport").get_data(as_text=True)
    assert "The school bus is often late." in transport and PUBLISHED not in transport
    assert client.get("/you-said-we-did.json?area=SHORTBREAKS").get_json()["count"] == 1
    everything = client.get("/you-said-we-did?area=NOT-AN-AREA").get_data(as_text=True)
    assert "The school bus is often late." in everything and PUBLISHED in everything
    printed = client.get("/you-said-we-did/print")
    text = printed.get_data(as_text=True)
    assert printed.status_code == 200 and "<table" in text and PUBLISHED in text
    assert not re.search(r"\d{5}\s?\d{6}", text)


def test_the_csv_cannot_run_a_formula_in_a_spreadsheet(app: Flask, client: FlaskClient) -> None:
    manager = _manager(app)
    _answer(manager, _texted(app), published_comment="=HYPERLINK(\"http://x\")")
    row = next(csv.DictReader(io.StringIO(client.get("/you-said-we-did.csv")
                                          .get_data(as_text=True))))
    assert row["comment"] == "'=HYPERLINK(\"http://x\")"
    _answer(manager, _texted(app, "FEEDBACK more", "+447700900789"),
            published_comment="<script>alert(1)</script>")
    for path in ("/you-said-we-did", "/you-said-we-did?lang=ur", "/you-said-we-did/print"):
        page = client.get(path).get_data(as_text=True)
        assert "<script>alert" not in page and "&lt;script&gt;alert(1)" in page, path


def test_a_polish_family_is_told_in_polish_and_an_opted_out_one_not_at_all(app: Flask) -> None:
    manager = _manager(app)
    polish = "+447700900111"
    Phone(TwilioSigner(app.test_client()), polish, english=False).text("POLSKI")
    _answer(manager, _texted(app, "OPINIA brak klubu pływackiego", polish, english=False))
    opted_out = _texted(app, "FEEDBACK more clubs", "+447700900222")
    with app.app_context():
        db.session.add(OptOut(phone_number="+447700900222"))
        db.session.commit()
    _answer(manager, opted_out)
    sent = _answered_texts(app)
    assert [m.phone_number for m in sent] == [polish]
    assert sent[0].body.startswith("Rada odpowiedziała") and sent[0].language == "pl"
    assert sent[0].body.endswith("https://helpline.example.org/you-said-we-did?lang=pl")
    with app.app_context():
        row = db.session.get(LocalOfferFeedback, opted_out)
        assert row is not None and row.published_at is not None and row.answered_at is None


def test_an_adviser_marks_a_voicemail_as_feedback_once(app: Flask, client: FlaskClient) -> None:
    add_staff(app, "asha@example.org")
    callback = add_callback(app, channel="voicemail", summary="Left a voicemail.",
                            recording_url="https://api.twilio.com/2010-04-01/Accounts/AC0/"
                                          "Recordings/RE1")
    no_message = add_callback(app, "+447700900999", channel="sms")
    sign_in(client, "asha@example.org")
    assert "Mark as feedback" in client.get(f"/console/callbacks/{callback}").get_data(
        as_text=True)
    for _ in range(2):
        assert post(client, f"/console/callbacks/{callback}/feedback").status_code == 302
    assert post(client, f"/console/callbacks/{no_message}/feedback").status_code == 404
    assert "a manager will answer it" in client.get(f"/console/callbacks/{callback}"
                                                    ).get_data(as_text=True)
    with app.app_context():
        rows = list(db.session.scalars(select(LocalOfferFeedback)))
    assert [(r.channel, r.callback_id, r.phone_number) for r in rows] == [
        ("voicemail", callback, "+447700900123")]
    manager = _manager(app)
    listed = manager.get("/console/feedback").get_data(as_text=True)
    assert "Voicemail" in listed
    detail = manager.get(f"/console/feedback/{rows[0].id}").get_data(as_text=True)
    assert f"/console/callbacks/{callback}" in detail
    _answer(manager, rows[0].id)
    assert _answered_texts(app) == []  # left by phone: no text


def test_erasing_a_family_keeps_the_published_wording_but_not_their_words(
    app: Flask, client: FlaskClient,
) -> None:
    from helpline.retention import RecordingSweep, erase_number

    feedback_id = _texted(app)
    _answer(_manager(app), feedback_id)
    with app.app_context():
        counts = erase_number(db.session(), FAMILY, recordings=RecordingSweep(lambda url: True))
        assert counts["local_offer_feedback"] == 1
        row = db.session.get(LocalOfferFeedback, feedback_id)
        assert row is not None and row.phone_number != FAMILY and not row.body
        assert row.published_comment == PUBLISHED
    assert PUBLISHED in client.get("/you-said-we-did").get_data(as_text=True)


def test_the_page_speaks_polish_and_urdu_and_says_the_answers_are_in_english(
    app: Flask, client: FlaskClient,
) -> None:
    _answer(_manager(app), _texted(app))
    polish = client.get("/you-said-we-did?lang=pl").get_data(as_text=True)
    assert '<html lang="pl"' in polish and "Wasze uwagi i nasze działania" in polish
    assert "Krótkie przerwy" in polish and "po angielsku" in polish
    assert f'<span lang="en">{PUBLISHED}</span>' in polish
    assert re.search(r"Opublikowano.*\d{1,2}\.\d{2}\.\d{4}", polish, re.S)
    urdu = client.get("/you-said-we-did/print?lang=ur").get_data(as_text=True)
    assert '<html lang="ur"' in urdu and 'dir="rtl"' in urdu and "آپ نے کہا" in urdu
    english = client.get("/you-said-we-did?lang=xx").get_data(as_text=True)
    assert '<html lang="en-GB"' in english and "You said, we did" in english
