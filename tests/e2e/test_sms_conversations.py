"""Families texting the helpline, end to end: signed Twilio posts in, TwiML out, on real data.

Every test runs on the sample Local Offer and on North Lincolnshire's published feed.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select, update

from helpline import create_app
from helpline.directory.commands import run_import
from helpline.directory.models import DirectoryRevision, Service
from helpline.directory.search import index_cache
from helpline.extensions import db, statement_engines
from helpline.families.models import CallbackRequest, OptOut
from helpline.sms.models import LocalOfferFeedback, SmsConversation, SmsMessage
from tests.conftest import (
    NORTH_LINCS_FEED,
    PROJECT_ROOT,
    TwilioSigner,
    _empty_all_tables,
    base_config,
)
from tests.e2e.test_sms_support import ENGLISH_REPLIES, Phone, message_texts

FEEDS = {
    "sample": (str(PROJECT_ROOT / "data" / "local-offer"), "sample-local-offer"),
    "north-lincs": (str(NORTH_LINCS_FEED), "north-lincs"),
}


def _load_feed(name: str) -> None:
    """Load the feed unless the directory already holds exactly it; always empty the rest."""
    path, source = FEEDS[name]
    sources = db.session.execute(
        select(Service.source, func.count()).group_by(Service.source)
    ).all()
    if [row[0] for row in sources] != [source]:
        # Emptying ends every other session on a PostgreSQL test database: hold none open.
        db.session.remove()
        _empty_all_tables()
        db.engine.dispose()
        index_cache.clear()
        run_import([path], source)
        return
    keep = {"service", "organization", "location", "address", "service_at_location", "contact",
            "phone", "schedule", "service_area", "taxonomy", "taxonomy_term", "attribute",
            "cost_option", "language", "accessibility", "directory_revision"}
    with db.engine.begin() as conn:
        for table in reversed(db.metadata.sorted_tables):
            if table.name not in keep:
                conn.execute(table.delete())


@pytest.fixture(scope="module", params=list(FEEDS))
def feed_app(
    request: pytest.FixtureRequest, migrated: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Flask]:
    """The app on the sample Local Offer, then on North Lincolnshire's feed (loaded once each)."""
    if request.param == "north-lincs" and not NORTH_LINCS_FEED.exists():
        pytest.skip("the North Lincolnshire feed is not in data/oruk")
    application = create_app(base_config(migrated, tmp_path_factory.mktemp("sms")))
    application.config["FEED"] = request.param
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def local_offer(feed_app: Flask) -> Flask:
    """The feed's directory (reloaded only if another test changed it), nothing else kept."""
    with feed_app.app_context():
        # Other tests' fixtures end sessions on the shared test database: start on fresh ones.
        db.engine.dispose()
        _load_feed(feed_app.config["FEED"])
        db.session.remove()
    return feed_app


LISTED = re.compile(r"^(\d+) (.+): (\S.*)$", re.MULTILINE)


@pytest.fixture
def signer(local_offer: Flask) -> TwilioSigner:
    return TwilioSigner(local_offer.test_client())


@pytest.fixture
def phone(signer: TwilioSigner) -> Phone:
    return Phone(signer)


def count(app: Flask, model: Any, *where: Any) -> int:
    with app.app_context():
        return int(db.session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


def listed(reply: str) -> list[tuple[int, str, str]]:
    return [(int(n), name, contact) for n, name, contact in LISTED.findall(reply)]


@pytest.mark.parametrize("text", ["HELP", "menu", "Hi", "what is this?"])
def test_help_hi_and_unknown_texts_get_the_keyword_menu(phone: Phone, text: str) -> None:
    reply = phone.reply(text)
    for keyword in ("SHORTBREAKS", "EHC", "TRANSPORT", "ADVISER"):
        assert keyword in reply


def test_unknown_text_is_logged_as_no_match_for_the_council(
    local_offer: Flask, phone: Phone
) -> None:
    phone.text("xylophone")
    with local_offer.app_context():
        row = db.session.scalar(select(SmsMessage).where(SmsMessage.direction == "in"))
        assert row.intent == "no_match" and row.keyword is None
        assert row.body == "xylophone"
        assert row.phone_number == "+447700900123"


@pytest.mark.parametrize("text", ["SHORTBREAKS", "short breaks", "Shortbreak", "shortbrakes!"])
def test_shortbreaks_lists_three_services_each_with_a_contact(phone: Phone, text: str) -> None:
    reply = phone.reply(text)
    services = listed(reply)
    assert [n for n, _, _ in services] == [1, 2, 3]
    assert all(contact for _, _, contact in services)
    assert "Short Breaks Team" in reply
    assert "MORE" in reply and "MENU" in reply and "1-3" in reply


def test_phone_numbers_come_first_when_a_service_has_one(local_offer: Flask, phone: Phone) -> None:
    services = listed(phone.reply("SHORTBREAKS"))
    with local_offer.app_context():
        for _, name, contact in services:
            row = db.session.scalar(select(Service).where(Service.name.startswith(name[:20])))
            if row is not None and row.phones:
                assert contact == row.phones[0].number


@pytest.mark.parametrize(
    "keyword",
    ["EDUCATION", "HEALTH", "SOCIALCARE", "ADULTHOOD", "TRAINING", "MONEY", "SENDIASS",
     "advice", "speech therapy", "AUTISM"],
)
def test_every_local_offer_area_keyword_lists_services(phone: Phone, keyword: str) -> None:
    assert listed(phone.reply(keyword))


def test_an_age_after_the_keyword_keeps_services_for_that_age(
    local_offer: Flask, phone: Phone
) -> None:
    reply = phone.reply("SHORTBREAKS 12")
    assert "(age 12)" in reply
    with local_offer.app_context():
        for _, name, _ in listed(reply):
            row = db.session.scalar(select(Service).where(Service.name.startswith(name[:20])))
            assert row is not None
            oldest = row.maximum_age if row.maximum_age is not None else 25
            assert (row.minimum_age or 0) <= 12 <= oldest


def test_a_postcode_district_and_an_age_refine_the_list(phone: Phone) -> None:
    reply = phone.reply("TRANSPORT DN15 6 14")
    assert "(age 14, near DN15)" in reply
    assert listed(reply)


def test_two_gives_details_and_more_gives_the_next_three(phone: Phone) -> None:
    # MONEY finds a dozen services on both feeds (North Lincolnshire has only a few that are
    # close to SHORTBREAKS, and the list is no longer padded with unrelated ones).
    first = listed(phone.reply("MONEY"))
    details = phone.reply("2")
    assert details.startswith(first[1][1].rstrip("."))
    assert "Contact:" in details and "MENU" in details
    more = listed(phone.reply("MORE"))
    assert [n for n, _, _ in more] == [4, 5, 6]
    assert {name for _, name, _ in more}.isdisjoint({name for _, name, _ in first})
    assert phone.reply("5").startswith(more[1][1].rstrip("."))


def test_details_asked_again_after_an_import_say_what_it_changed_at_once(
    local_offer: Flask, phone: Phone
) -> None:
    first = listed(phone.reply("MONEY"))
    assert phone.reply("1").startswith(first[0][1].rstrip("."))
    with local_offer.app_context():
        state = db.session.scalar(select(SmsConversation.state))
        row = db.session.get(Service, state["listing"]["items"][0][0])
        assert row is not None
        service_id, old_name, row.name = row.id, row.name, "Renamed by tonight's import"

        def moved_on() -> None:  # what an import does: the revision moves on with the rows
            db.session.execute(
                update(DirectoryRevision).values(revision=DirectoryRevision.revision + 1))
            db.session.commit()

        moved_on()
    try:
        # Read again for this revision, not kept for a minute from before the import.
        assert phone.reply("1").startswith("Renamed by tonight's import")
    finally:
        with local_offer.app_context():
            db.session.get(Service, service_id).name = old_name
            moved_on()


def test_sample_details_say_who_it_is_for_hours_address_and_cost(
    local_offer: Flask, phone: Phone
) -> None:
    if local_offer.config["FEED"] != "sample":
        pytest.skip("North Lincolnshire's feed has no ages, hours or costs")
    phone.text("SHORTBREAKS")
    details = phone.reply("1")
    for label in ("For: ages", "Open:", "Where:", "Cost:", "Contact:"):
        assert label in details


def test_the_list_is_remembered_by_another_web_process(
    local_offer: Flask, make_app: Any, phone: Phone
) -> None:
    first = listed(phone.reply("EDUCATION"))
    other_process = make_app()
    other = Phone(TwilioSigner(other_process.test_client()), number=phone.number)
    assert other.reply("3").startswith(first[2][1].rstrip("."))


def test_after_30_minutes_the_list_is_forgotten_but_the_language_is_kept(
    local_offer: Flask, phone: Phone
) -> None:
    phone.english = False
    phone.text("POLSKI")
    phone.text("SHORTBREAKS")
    with local_offer.app_context():
        row = db.session.get(SmsConversation, phone.number)
        state = dict(row.state)
        state["listing"] = {**state["listing"], "saved_at": state["listing"]["saved_at"] - 31 * 60}
        row.state = state
        db.session.commit()
    assert "Nie mamy teraz Twojej listy" in phone.reply("2")


@pytest.mark.parametrize("keyword", ["EHC", "TRANSPORT", "ASSESSMENT", "TRANSFER", "BUDGET",
                                     "COMPLAINTS"])
def test_process_keywords_explain_the_process_then_give_a_contact(
    phone: Phone, keyword: str
) -> None:
    replies = phone.text(keyword)
    assert len(replies) >= 2
    assert not listed(replies[0])
    # A contact list, or (North Lincolnshire has no personal budgets service) an honest
    # "found no ... services" with ADVISER: never an unrelated service as the contact.
    assert listed(replies[1]) or ("found no" in replies[1] and "ADVISER" in replies[1])


def test_ehc_says_how_to_ask_who_decides_and_the_time_limits(phone: Phone) -> None:
    explained = phone.text("ehcp")[0]
    for words in ("ask the council", "EHC needs assessment", "council decides", "6 weeks",
                  "20 weeks"):
        assert words in explained


def test_adviser_creates_a_callback_request_with_what_was_asked(
    local_offer: Flask, phone: Phone
) -> None:
    phone.text("SHORTBREAKS 12")
    reply = phone.reply("CALL ME")
    assert "call you" in reply and "2 working days" in reply
    with local_offer.app_context():
        request = db.session.scalar(select(CallbackRequest))
        assert request.channel == "sms" and request.phone_number == phone.number
        assert request.cause == f"sms:{phone.sids[-1]}"
        assert "SHORTBREAKS 12" in request.summary


@pytest.mark.parametrize("text", ["Please call me", "Can someone call me?",
                                  "I want to speak to an adviser"])
def test_asking_for_a_call_anywhere_in_a_text_creates_a_callback_request(
    local_offer: Flask, phone: Phone, text: str
) -> None:
    assert "call you" in phone.reply(text)
    assert count(local_offer, CallbackRequest, CallbackRequest.phone_number == phone.number) == 1


def test_asking_to_be_called_about_an_area_creates_a_callback_about_it(
    local_offer: Flask, phone: Phone
) -> None:
    assert "call you" in phone.reply("Can you call me back about EHC please")
    with local_offer.app_context():
        request = db.session.scalar(select(CallbackRequest))
    assert request is not None and "a call about EHC" in request.summary


def test_a_keyword_with_an_adviser_later_in_the_text_still_answers_the_keyword(
    local_offer: Flask, phone: Phone
) -> None:
    # "adviser" is a word of the Local Offer too: a text naming an area gets that area.
    assert listed(phone.reply("SENDIASS adviser"))
    assert count(local_offer, CallbackRequest) == 0


@pytest.mark.parametrize(("text", "keyword"), [("EARLYYEARS", "EARLYYEARS"),
                                               ("nursery", "EARLYYEARS"),
                                               ("COLLEGE", "COLLEGE"),
                                               ("school", "EDUCATION")])
def test_each_education_keyword_reaches_its_own_area(
    local_offer: Flask, phone: Phone, text: str, keyword: str
) -> None:
    phone.text(text)
    with local_offer.app_context():
        assert db.session.scalar(select(SmsMessage.keyword).where(
            SmsMessage.direction == "in")) == keyword


def test_an_age_over_25_or_an_unknown_place_is_named_as_not_used(phone: Phone) -> None:
    reply = phone.reply("SHORTBREAKS 30")
    assert "did not use 30" in reply and listed(reply)
    reply = phone.reply("TRANSPORT ZZ99")
    assert "do not know the place ZZ99" in reply and listed(reply)


def test_a_digit_that_is_not_a_number_is_not_read_as_an_age(phone: Phone) -> None:
    # "፩" (Ethiopic one) is a digit to str.isdigit but int() refuses it.
    reply = phone.reply("SHORTBREAKS \u1369")
    assert not reply.startswith("Sorry") and listed(reply)


def test_a_control_character_in_a_text_is_dropped_not_an_error(
    local_offer: Flask, phone: Phone
) -> None:
    # PostgreSQL refuses NUL in text: it must not turn a family's text into an apology.
    reply = phone.reply("SHORTBREAKS\x00")
    assert not reply.startswith("Sorry") and listed(reply)
    with local_offer.app_context():
        body = db.session.scalar(select(SmsMessage.body).where(SmsMessage.direction == "in"))
    assert body == "SHORTBREAKS"


@pytest.mark.parametrize("sender", ["Anonymous", "VODAFONE", "+447700"])
def test_texts_from_no_real_number_are_logged_but_share_no_memory_opt_out_or_callback(
    local_offer: Flask, signer: TwilioSigner, sender: str
) -> None:
    first, second = Phone(signer, number=sender), Phone(signer, number=sender)
    assert first.text("SHORTBREAKS") == []  # nothing can be sent to it
    assert second.text("2") == [] and second.text("ADVISER") == []
    assert second.text("STOP") == []
    assert count(local_offer, CallbackRequest) == 0
    assert count(local_offer, OptOut) == 0
    assert count(local_offer, SmsConversation) == 0
    logged = SmsMessage.direction == "in", SmsMessage.phone_number.is_(None)
    assert count(local_offer, SmsMessage, *logged) == 4
    # A real number texting after them starts afresh.
    assert "call you" in Phone(signer).reply("CALL ME")


def test_a_message_sid_from_another_number_never_gets_the_first_familys_replies(
    local_offer: Flask, phone: Phone, signer: TwilioSigner
) -> None:
    sid = "SM" + "c" * 32
    first = message_texts(phone.post("SHORTBREAKS", sid=sid).data)
    other = Phone(signer, number="+447700900456")
    second = message_texts(other.post("EHC", sid=sid).data)
    assert second != first and "Short Breaks Team" not in "\n".join(second)
    assert count(local_offer, SmsMessage, SmsMessage.phone_number == "+447700900456",
                 SmsMessage.direction == "out") == 0


def test_feedback_is_stored_and_the_family_is_thanked(local_offer: Flask, phone: Phone) -> None:
    assert phone.reply("FEEDBACK please list more Saturday clubs").startswith("Thank you")
    with local_offer.app_context():
        feedback = db.session.scalar(select(LocalOfferFeedback))
        assert feedback.body == "please list more Saturday clubs"
        assert feedback.phone_number == phone.number and feedback.language == "en"


@pytest.mark.parametrize("word", ["STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT",
                                  "REVOKE", "OPTOUT", "stop"])
def test_stop_words_get_empty_twiml_and_nothing_more_until_start(
    local_offer: Flask, phone: Phone, word: str
) -> None:
    assert phone.text(word) == []
    assert count(local_offer, OptOut, OptOut.phone_number == phone.number) == 1
    assert phone.text("HELP") == []
    assert phone.text("ADVISER") == []
    assert count(local_offer, CallbackRequest) == 0
    back = phone.reply("START")
    assert "again" in back and "SHORTBREAKS" in back
    assert count(local_offer, OptOut) == 0


def test_unstop_also_subscribes_again(local_offer: Flask, phone: Phone) -> None:
    phone.text("STOP")
    assert "SHORTBREAKS" in phone.reply("UNSTOP")
    assert count(local_offer, OptOut) == 0


def test_a_repeated_message_sid_gets_the_same_reply_and_no_second_effects(
    local_offer: Flask, phone: Phone
) -> None:
    phone.text("SHORTBREAKS")
    first = phone.post("ADVISER", sid="SM" + "d" * 32)
    again = phone.post("ADVISER", sid="SM" + "d" * 32)
    assert first.data == again.data
    feedback_1 = phone.post("FEEDBACK great", sid="SM" + "e" * 32)
    feedback_2 = phone.post("FEEDBACK great", sid="SM" + "e" * 32)
    assert message_texts(feedback_1.data) == message_texts(feedback_2.data)
    assert count(local_offer, CallbackRequest) == 1
    assert count(local_offer, LocalOfferFeedback) == 1
    assert count(local_offer, SmsMessage, SmsMessage.message_sid == "SM" + "d" * 32) == 1


def test_one_message_sid_delivered_twice_at_once_is_answered_once(
    local_offer: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Both deliveries are held until each has read the conversation and worked out its reply,
    # so their writes really do meet: the second's insert of the same inbound MessageSid must
    # fail, roll back whole, and answer with the replies the first one logged.
    from helpline.sms import conversations

    both_answered = threading.Barrier(2, timeout=10)
    respond = conversations.engine.respond

    def held(*args: Any, **kwargs: Any) -> Any:
        outcome = respond(*args, **kwargs)
        both_answered.wait()
        return outcome

    monkeypatch.setattr(conversations.engine, "respond", held)
    sid = "SM" + "c" * 32
    answers: list[bytes] = []

    def deliver() -> None:
        phone = Phone(TwilioSigner(local_offer.test_client()))
        answers.append(phone.post("ADVISER", sid=sid).data)

    threads = [threading.Thread(target=deliver) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert len(answers) == 2 and answers[0] == answers[1]
    assert "call" in message_texts(answers[0])[0].lower()
    assert count(local_offer, CallbackRequest) == 1
    inbound = (SmsMessage.message_sid == sid, SmsMessage.direction == "in")
    assert count(local_offer, SmsMessage, *inbound) == 1
    assert count(local_offer, SmsMessage, SmsMessage.intent == "conflict") == 0


def _at_once(local_offer: Flask, monkeypatch: pytest.MonkeyPatch, texts: list[str]) -> list[str]:
    """Text both from one number at the same moment: each is held after working out its reply
    until the other has too, so both read the same conversation and their writes meet."""
    from helpline.sms import conversations

    both_answered = threading.Barrier(len(texts), timeout=10)
    respond = conversations.engine.respond
    first_tries: list[int] = []

    def held(*args: Any, **kwargs: Any) -> Any:
        outcome = respond(*args, **kwargs)
        if len(first_tries) < len(texts):  # only first tries meet; a retry runs on its own
            first_tries.append(1)
            both_answered.wait()
        return outcome

    monkeypatch.setattr(conversations.engine, "respond", held)
    answers: dict[str, str] = {}

    def send(body: str) -> None:
        # either may be answered in Polish, once the other has switched the language
        answers[body] = Phone(TwilioSigner(local_offer.test_client()), english=False).reply(body)

    threads = [threading.Thread(target=send, args=(body,)) for body in texts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return [answers[body] for body in texts]


def test_two_requests_for_a_call_at_once_make_one_callback_request(
    local_offer: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = _at_once(local_offer, monkeypatch, ["ADVISER", "CALL ME"])
    assert count(local_offer, CallbackRequest) == 1
    assert sorted(["already" in first, "already" in second]) == [False, True]


def test_a_language_switch_and_a_keyword_at_once_both_stay_remembered(
    local_offer: Flask, monkeypatch: pytest.MonkeyPatch, phone: Phone
) -> None:
    _at_once(local_offer, monkeypatch, ["POLSKI", "SHORTBREAKS"])
    monkeypatch.undo()
    with local_offer.app_context():
        row = db.session.get(SmsConversation, phone.number)
        assert row is not None and row.language == "pl"
        assert row.state["listing"] is not None
    phone.english = False
    assert "Wyślij inny numer" in phone.reply("1")  # the list, in Polish


def test_a_keyword_text_reads_once_then_logs_and_remembers(
    local_offer: Flask, phone: Phone
) -> None:
    # The one read brings the conversation, the opt-out, its version and the directory
    # revision together (the search needn't ask again); then the text and its replies are
    # logged (one batch; SQLite takes it a row at a time) and the conversation written. On
    # PostgreSQL both are one statement, outside a transaction: no BEGIN or COMMIT either.
    from sqlalchemy import event

    phone.text("SHORTBREAKS")  # the directory index is built once, outside the count
    with local_offer.app_context():
        engine = db.engine
    statements: list[str] = []
    autocommit: list[bool] = []

    def seen(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(" ".join(statement.split()[:3]).upper())
        autocommit.append(bool(getattr(conn.connection.dbapi_connection, "autocommit", False)))

    with local_offer.app_context():
        engines = statement_engines(engine)
    for each in engines:
        event.listen(each, "before_cursor_execute", seen)
    try:
        replies = phone.text("EHC")
    finally:
        for each in engines:
            event.remove(each, "before_cursor_execute", seen)
    reads = [s for s in statements if s.startswith("SELECT")]
    assert reads == statements[:1] == ["SELECT SMS_CONVERSATION.LANGUAGE, SMS_CONVERSATION.STATE,"]
    if engine.dialect.name == "postgresql":
        assert statements[1:] == ["WITH CONVERSATION AS"]
        assert autocommit == [True, True]  # psycopg sent no BEGIN, and there is no COMMIT
    else:
        assert set(statements[1:-1]) == {"INSERT INTO SMS_MESSAGE"}
        assert statements[-1] == "INSERT INTO SMS_CONVERSATION"
    sid = phone.sids[-1]
    with local_offer.app_context():
        logged = db.session.execute(
            select(SmsMessage.direction, SmsMessage.body, SmsMessage.status, SmsMessage.keyword)
            .where((SmsMessage.message_sid == sid) | (SmsMessage.replying_to == sid))
            .order_by(SmsMessage.id)).all()
    assert logged == [("in", "EHC", "received", "EHC"), *[("out", r, None, "EHC") for r in replies]]
    with local_offer.app_context():  # the pooled connection is back to transactions for others
        connection = db.session.connection()
        assert not getattr(connection.connection.dbapi_connection, "autocommit", False)
        db.session.rollback()


def test_every_message_in_and_out_is_logged_with_what_it_matched(
    local_offer: Flask, phone: Phone
) -> None:
    phone.text("SHORTBREAKS")
    phone.text("zzzz")
    with local_offer.app_context():
        rows = db.session.scalars(select(SmsMessage).order_by(SmsMessage.id)).all()
    inbound = [r for r in rows if r.direction == "in"]
    outbound = [r for r in rows if r.direction == "out"]
    assert [(r.intent, r.keyword) for r in inbound] == [("keyword", "SHORTBREAKS"),
                                                         ("no_match", None)]
    assert inbound[0].result_count and inbound[0].result_count >= 3
    assert len(outbound) == 2 and all(r.phone_number == phone.number for r in rows)
    assert outbound[0].keyword == "SHORTBREAKS" and outbound[0].segments <= 3


@pytest.mark.parametrize("name", ["POLSKI", "polski"])
def test_polski_switches_to_polish_and_stays(phone: Phone, name: str) -> None:
    phone.english = False
    assert "po polsku" in phone.reply(name)
    assert "Wyślij" in phone.reply("krótkie przerwy")
    assert "Wyślij inny numer" in phone.reply("1")
    assert "Rada w 6 tygodni" in phone.reply("EHC")


def test_urdu_by_its_own_script_switches_and_english_switches_back(phone: Phone) -> None:
    phone.english = False
    assert "اردو" in phone.reply("اردو")
    assert "ہفتے" in phone.reply("EHC")
    phone.english = True
    assert "English" in phone.reply("ENGLISH")


def test_a_bad_signature_gets_403_and_changes_nothing(local_offer: Flask) -> None:
    client = local_offer.test_client()
    phone = Phone(TwilioSigner(client, token="not-our-token"))
    assert phone.post("ADVISER").status_code == 403
    unsigned = TwilioSigner(client).post("/twilio/sms", phone.params("STOP", "SM" + "f" * 32),
                                         signature="")
    assert unsigned.status_code == 403
    for model in (CallbackRequest, OptOut, SmsMessage, SmsConversation):
        assert count(local_offer, model) == 0


def test_a_failure_inside_the_dialogue_still_answers_with_an_apology_and_the_menu(
    local_offer: Flask, phone: Phone, monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    from helpline.sms import engine

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("boom")

    monkeypatch.setattr(engine, "respond", broken)
    # Alembic's fileConfig (run by the migrated fixture) disables loggers that existed before it.
    monkeypatch.setattr(logging.getLogger("helpline.sms.conversations"), "disabled", False)
    with caplog.at_level(logging.ERROR):
        reply = phone.reply("SHORTBREAKS")
    assert reply.startswith("Sorry, something went wrong") and "SHORTBREAKS" in reply
    assert "7700900123" not in caplog.text and "***123" in caplog.text
    errors = (SmsMessage.intent == "error", SmsMessage.direction == "in")
    assert count(local_offer, SmsMessage, *errors) == 1


def test_status_callbacks_are_recorded_and_unknown_ids_get_200(
    local_offer: Flask, phone: Phone
) -> None:
    response = phone.post("HELP")
    action = response.data.decode().split('action="')[1].split('"')[0]
    path = action.replace("https://helpline.example.org", "")
    status = {"MessageSid": "SM" + "a" * 32, "MessageStatus": "delivered",
              "AccountSid": "AC" + "0" * 32}
    assert phone.signer.post(path, status).status_code == 200
    with local_offer.app_context():
        row = db.session.scalar(select(SmsMessage).where(SmsMessage.direction == "out"))
        assert (row.message_sid, row.status) == ("SM" + "a" * 32, "delivered")
    late = {**status, "MessageStatus": "sent"}
    assert phone.signer.post(path, late).status_code == 200
    with local_offer.app_context():
        assert db.session.scalar(select(SmsMessage.status).where(
            SmsMessage.direction == "out")) == "delivered"
    unknown = {**status, "MessageSid": "SM" + "9" * 32}
    assert phone.signer.post("/twilio/sms/status", unknown).status_code == 200
    assert phone.signer.post("/twilio/sms/status?ref=99999", unknown).status_code == 200
    assert phone.signer.post("/twilio/sms/status", unknown, signature="").status_code == 403


def test_every_english_reply_in_the_suite_was_gsm7_and_at_most_three_segments() -> None:
    # Each reply was checked as it arrived (Phone.text); this guards against a silent suite.
    assert len(ENGLISH_REPLIES) > 0 or pytest.skip("run with the rest of the SMS suite")
