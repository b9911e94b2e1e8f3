"""Calls walked as Twilio would make them: signed requests, following action and Redirect URLs.

The directory holds the sample Local Offer (Wyvern Vale); the clock is set per test so advisers
are working (a Wednesday morning), closed (an evening) or on a bank holiday.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from sqlalchemy import func, select

from helpline.extensions import db
from helpline.families.models import CallbackRequest
from helpline.outbound.models import OutboundMessage
from helpline.voice.models import CallLog
from tests.e2e.test_voice_caller import Caller

LONDON = ZoneInfo("Europe/London")
WEDNESDAY_MORNING = datetime(2026, 12, 2, 11, 0, tzinfo=LONDON)
WEDNESDAY_EVENING = datetime(2026, 12, 2, 19, 30, tzinfo=LONDON)
SUMMER_BANK_HOLIDAY = datetime(2026, 8, 31, 11, 0, tzinfo=LONDON)  # a Monday
SAMPLE_OFFER = Path(__file__).resolve().parents[2] / "data" / "local-offer"


@pytest.fixture
def phone_app(app: Flask) -> Iterator[Flask]:
    """The app with the sample Local Offer loaded and the clock on a working morning."""
    from helpline.directory.commands import run_import

    with app.app_context():
        run_import([str(SAMPLE_OFFER)], "sample-local-offer")
    app.config["HELPLINE_CLOCK"] = lambda: WEDNESDAY_MORNING
    yield app


def call(app: Flask, number: str = "+447700900123") -> Caller:
    """A new call to the helpline."""
    return Caller(app.test_client(), number).dial()


def logged(app: Flask, caller: Caller) -> CallLog:
    """The call's log row."""
    with app.app_context():
        row = db.session.scalar(select(CallLog).where(CallLog.call_sid == caller.call_sid))
        assert row is not None
        db.session.expunge(row)
        return row


def callbacks(app: Flask) -> list[CallbackRequest]:
    """Every callback request, oldest first."""
    with app.app_context():
        rows = list(db.session.scalars(select(CallbackRequest).order_by(CallbackRequest.id)))
        for row in rows:
            db.session.expunge(row)
        return rows


def test_a_call_is_greeted_and_offered_english_polish_and_urdu(phone_app: Flask) -> None:
    caller = call(phone_app)
    heard = caller.latest_text()
    assert heard.startswith("Local Offer Helpline, for children with special needs.")
    assert "English, press 1. A person, 0." in heard
    assert "Aby wybrać polski, naciśnij 2." in heard
    assert "اردو کے لیے 3 دبائیں" in heard  # Urdu, in an Urdu voice
    assert caller.menu.get("input") == "dtmf speech"
    # The greeting is inside the <Gather>: a key pressed during it is heard.
    assert [verb.tag for verb in caller.menu][0] == "Say"


def test_short_breaks_reads_three_services_with_phone_numbers_digit_by_digit(
    phone_app: Flask,
) -> None:
    caller = call(phone_app).press("1").press("1").press("1")
    heard = caller.latest
    assert heard[0] == "Press 1 for a text."  # before the list, the caller knows 1 texts them
    first = heard[1]
    assert ". 0 1 6 3 2, 9 6 0," in first and "Again: 0 1 6 3 2, 9 6 0," in first
    assert heard[2].startswith("Press 2 for the next.")
    caller.press("2")
    second = caller.latest[0]
    assert second != first and "Again: 0 1 6 3 2" in second
    assert "Short Breaks" in first + second
    row = logged(phone_app, caller)
    assert row.path == "language:en > main > breaks > shortbreaks"
    assert row.outcome == "informed"
    assert row.node == "shortbreaks"


def test_a_services_menu_that_finds_nothing_offers_no_text_only_a_way_back(app: Flask) -> None:
    app.config["HELPLINE_CLOCK"] = lambda: WEDNESDAY_MORNING
    caller = call(app).press("1").press("1").press("1")  # an empty directory
    heard = caller.latest_text()
    assert heard.startswith("Sorry, I can't find a service for this just now.")
    assert "text" not in heard and "To go back, press hash." in heard
    caller.press("#")
    assert caller.latest_text().startswith("Press 1 for short breaks. 2 for social care.")


def test_silence_reprompts_then_simplest_options_then_offers_an_adviser(phone_app: Flask) -> None:
    caller = call(phone_app).press("1")
    full = caller.latest_text()
    caller.stay_silent()
    assert caller.latest[0] == "Sorry, I didn't catch that."
    assert caller.latest_text().endswith(full)
    caller.stay_silent()
    assert caller.latest[0].startswith("Sorry, I still didn't catch that.")
    assert caller.latest[1:] == ["Please say what you need. All the choices, press star."]
    caller.stay_silent()
    assert "talk to a person? Press 0, or stay on the line" in caller.latest[0]
    assert caller.waiting_for == "Gather"  # three misses and still on the line
    caller.stay_silent()
    assert caller.waiting_for == "Enqueue"  # put through to an adviser, not hung up on


def test_wrong_keys_count_like_silence_and_never_end_the_call(phone_app: Flask) -> None:
    caller = call(phone_app).press("1")
    for key, first_words in (("9", "Sorry, I didn't"), ("7", "Sorry, I still"), ("8", "Would you")):
        caller.press(key)
        assert caller.latest[0].startswith(first_words)
        assert caller.waiting_for == "Gather"
    caller.press("1").press("1")  # a right key afterwards still works
    assert caller.latest[0] == "Press 1 for a text."


def test_star_repeats_and_hash_goes_back_up_to_the_language_menu(phone_app: Flask) -> None:
    caller = call(phone_app).press("1").press("1").press("1")
    services = caller.latest[:2]
    caller.press("*")
    assert caller.latest[:2] == services
    caller.press("#")
    assert caller.latest_text().startswith("Press 1 for short breaks. 2 for social care.")
    caller.press("#")
    assert caller.latest_text().startswith("Short breaks, press 1.")
    caller.press("#")
    assert "English, press 1." in caller.latest_text()
    assert logged(phone_app, caller).node == "@language"


def test_zero_in_hours_joins_the_queue_which_tells_the_caller_their_place(
    phone_app: Flask,
) -> None:
    caller = call(phone_app).press("1").press("0")
    assert caller.waiting_for == "Enqueue"
    assert caller.waiting.text == phone_app.config["VOICE_QUEUE_NAME"]  # type: ignore[union-attr]
    hold = caller.hold(position=2, queue_time=40)
    assert hold[0] == "You are number 2 in the queue."
    assert "Thank you for waiting" in hold[1]
    row = logged(phone_app, caller)
    assert row.outcome == "queued"
    assert row.path.endswith("main > adviser")
    caller.leave_queue("bridged")
    assert caller.waiting_for is None


def test_after_the_longest_wait_the_caller_leaves_a_message_for_the_advisers(
    phone_app: Flask,
) -> None:
    caller = call(phone_app).press("1").press("2").press("0")
    caller.hold(position=1, queue_time=phone_app.config["QUEUE_MAX_WAIT_SECONDS"])
    assert caller.latest[0] == "Sorry, no adviser is free just now."
    caller.press("1")
    assert caller.waiting_for == "Record"
    caller.leave_message("https://api.twilio.com/2010-04-01/Accounts/AC/Recordings/RE1")
    assert "hear your message" in caller.latest_text()
    assert caller.waiting_for is None
    [request] = callbacks(phone_app)
    assert request.channel == "voicemail"
    assert request.recording_url.endswith("/RE1")
    assert request.phone_number == "+447700900123"
    assert "language:en > main > education > adviser" in request.summary
    assert logged(phone_app, caller).outcome == "message left"


def test_zero_out_of_hours_offers_a_message_or_a_call_back(phone_app: Flask) -> None:
    phone_app.config["HELPLINE_CLOCK"] = lambda: WEDNESDAY_EVENING
    caller = call(phone_app).press("1").press("0")
    assert caller.latest[0] == "Our advisers are not working right now."
    assert caller.latest[1] == ("Advisers answer the phone Monday to Thursday, 9:00 to 17:00 and "
                                "Friday, 9:00 to 16:30. Not on bank holidays.")
    caller.press("2")
    assert "They will call within 2 working days" in caller.latest_text()
    assert caller.waiting_for is None
    [request] = callbacks(phone_app)
    assert request.channel == "voice" and request.language == "en"
    assert request.phone_number == "+447700900123"
    assert logged(phone_app, caller).outcome == "callback"


def test_on_a_bank_holiday_advisers_are_closed(phone_app: Flask) -> None:
    phone_app.config["HELPLINE_CLOCK"] = lambda: SUMMER_BANK_HOLIDAY
    caller = call(phone_app).press("1").press("0")
    assert caller.latest[0] == "Our advisers are not working right now."
    assert caller.waiting_for == "Gather"


def test_a_hidden_number_asking_for_a_call_back_is_asked_for_a_message(phone_app: Flask) -> None:
    phone_app.config["HELPLINE_CLOCK"] = lambda: WEDNESDAY_EVENING
    caller = call(phone_app, number="anonymous").press("1").press("0").press("2")
    assert "Your number is hidden" in caller.latest_text()
    assert caller.waiting_for == "Record"
    caller.record_nothing()
    assert caller.latest[0] == "Sorry, I didn't hear a message."
    assert "didn't catch that" not in caller.latest_text()  # one sorry is enough
    assert caller.waiting_for == "Gather"
    caller.press("1").leave_message("https://api.twilio.com/recordings/RE2")
    [request] = callbacks(phone_app)
    assert request.phone_number is None and request.channel == "voicemail"


def test_a_silent_caller_with_nobody_to_answer_is_told_goodbye_after_three_tries(
    phone_app: Flask,
) -> None:
    phone_app.config["HELPLINE_CLOCK"] = lambda: WEDNESDAY_EVENING
    caller = call(phone_app).press("1").press("0")
    for _ in range(3):
        caller.stay_silent()
        assert caller.waiting_for == "Gather"
    caller.stay_silent()
    assert "Goodbye" in caller.latest_text()
    assert caller.waiting_for is None


@pytest.mark.parametrize(
    ("key", "said_main", "expected_intro", "gather_language"),
    [
        ("1", "short breaks please", "Press 1 for a text.", "en-GB"),
        ("2", "krótkie przerwy", "SMS z nimi: naciśnij 1.", "pl-PL"),
        ("3", "شارٹ بریک", "ٹیکسٹ پر لینے کے لیے 1 دبائیں۔", "ur-PK"),
    ],
)
def test_speech_works_at_every_menu_in_each_language(
    phone_app: Flask, key: str, said_main: str, expected_intro: str, gather_language: str
) -> None:
    caller = call(phone_app).press(key)
    assert caller.menu.get("language") == gather_language
    caller.speak(said_main)
    caller.press("1")
    assert caller.latest[0] == expected_intro
    assert logged(phone_app, caller).path.endswith("main > breaks > shortbreaks")


@pytest.mark.parametrize(("key", "said"), [("@language", "Some."), ("main", "Um."),
                                           ("main", "So."), ("shortbreaks", "Ext?")])
def test_a_word_heard_inside_an_option_is_not_that_option(
    phone_app: Flask, key: str, said: str
) -> None:
    # "one" is in "someone", "um" in "human", "ext" in "text me": none is a choice.
    caller = call(phone_app)
    for press in {"@language": "", "main": "1", "shortbreaks": "111"}[key]:
        caller.press(press)
    caller.speak(said)
    assert caller.waiting_for == "Gather"
    assert caller.latest_text().startswith("Sorry, I didn't catch that")
    with phone_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(OutboundMessage)) == 0


def test_a_key_said_as_a_number_word_chooses_it(phone_app: Flask) -> None:
    caller = call(phone_app).speak("One.")  # the language menu: English
    caller.speak("two please")
    assert caller.latest_text().startswith("Press 1 for schools.")
    polish = call(phone_app).press("2").speak("dwa")
    assert logged(phone_app, polish).path.endswith("main > education")
    assert "dwa" in polish.menu.get("hints", "").split(", ")  # recognition is told them too
    # a number word inside another word is no number: "someone" is the adviser, not 1
    assert call(phone_app).press("1").speak("someone").waiting_for == "Enqueue"


def test_every_menu_tells_speech_recognition_the_words_it_understands(
    phone_app: Flask,
) -> None:
    phone_app.config["HELPLINE_CLOCK"] = lambda: WEDNESDAY_EVENING
    caller = call(phone_app).press("1").press("0")  # the message or call-back menu
    hints = caller.menu.get("hints", "")
    assert "message" in hints and "call back" in hints
    assert "english" in call(phone_app).menu.get("hints", "")


def test_english_words_for_the_person_and_repeat_are_understood(phone_app: Flask) -> None:
    caller = call(phone_app).speak("english").speak("can I talk to someone")
    assert caller.waiting_for == "Enqueue"
    caller = call(phone_app).press("1").speak("again")
    assert caller.latest_text().startswith("Short breaks, press 1.")


def test_hanging_up_mid_menu_is_logged(phone_app: Flask) -> None:
    caller = call(phone_app).press("2")
    response = caller.hang_up()
    assert response.status_code == 200
    row = logged(phone_app, caller)
    assert row.outcome == "hung up" and row.status == "completed" and row.ended_at is not None
    assert row.language == "pl"


@pytest.fixture
def spoken_app(phone_app: Flask) -> Flask:
    """The phone app with every prompt in the audio store (stand-in clips: no engine needed)."""
    from helpline.flows.model import load_flow
    from helpline.speech.cache import audio_name
    from helpline.speech.commands import prompts_to_render
    from helpline.speech.store import audio_store

    phone_app.config["TTS_ENGINE"] = "espeak"
    texts: dict[str, str] = {}
    flow = load_flow(Path(phone_app.config["IVR_FLOWS_DIR"]))
    from helpline.opening_hours import hours_in

    hours = hours_in(phone_app.config["IVR_FLOWS_DIR"])
    for code, _, text in prompts_to_render(flow, days=2, hours=hours):
        name = audio_name("espeak", code, text)
        with phone_app.app_context():
            audio_store().put(code, name, "espeak", b"ID3 stand-in")
        texts[f"/audio/{code}/{name}"] = f"{code}: {text}"
    phone_app.config["TEST_AUDIO_TEXTS"] = texts
    return phone_app


def played(app: Flask, caller: Caller) -> list[str]:
    """What the caller heard since their last key, with each played file as '<lang>: <text>'."""
    texts = app.config["TEST_AUDIO_TEXTS"]
    out = []
    for item in caller.latest:
        if item.startswith("[play "):
            url = item[len("[play ") : -1]
            with app.test_client().get(url[len("https://helpline.example.org"):]) as audio:
                assert audio.status_code == 200 and audio.mimetype == "audio/mpeg"
            out.append(texts[url[len("https://helpline.example.org"):]])
        else:
            out.append(item)
    return out


@pytest.mark.parametrize("language", ["en", "pl", "ur"])
def test_each_language_is_walked_in_its_own_recorded_voice(
    spoken_app: Flask, language: str
) -> None:
    from helpline.flows.model import load_flow

    flow = load_flow(Path(spoken_app.config["IVR_FLOWS_DIR"]))
    node = flow.prompts[language].nodes

    def words(name: str, **values: object) -> str:
        return f"{language}: {flow.phrase(language, name, **values)}"

    main, tail = f"{language}: {node['main'].prompt}", words("menu_tail")
    caller = call(spoken_app).press(str(flow.languages.index(language) + 1))
    assert played(spoken_app, caller) == [main, tail]
    caller.stay_silent()
    assert played(spoken_app, caller) == [words("sorry"), main, tail]
    caller.press("9")
    simple = f"{language}: {node['main'].simple}"
    assert played(spoken_app, caller) == [words("sorry_again"), simple]
    caller.press("1").press("*")
    assert played(spoken_app, caller) == [f"{language}: {node['breaks'].prompt}", tail]
    caller.press("#")
    assert played(spoken_app, caller) == [main, tail]
    caller.press("1").press("1")
    heard = played(spoken_app, caller)
    assert heard[0] == words("texts_first")
    assert not heard[1].startswith(f"{language}:")  # a service: <Say> until its audio is built
    caller.press("0")
    assert caller.waiting_for == "Enqueue"
    assert caller.hold(position=3, queue_time=10)[0].startswith("[play ")

    spoken_app.config["HELPLINE_CLOCK"] = lambda: WEDNESDAY_EVENING
    caller = call(spoken_app).press(str(flow.languages.index(language) + 1)).press("0")
    assert played(spoken_app, caller)[0] == words("closed")
    assert played(spoken_app, caller)[2:] == [words("leave_message_menu"), words("repeat_tail")]
    caller.press("2")
    assert played(spoken_app, caller) == [words("callback_booked", days=2)]
    [request] = callbacks(spoken_app)
    assert request.language == language
