"""Calls walked in English, Polish and Urdu, timed as a caller hears them (150 words a minute).

Each walk checks what issue #11 asks of the phone line: the first number soon enough, an opening
a key can skip with a person on 0 straight away, services one at a time with the number said
slowly and twice, and every word (prompts and services) in the caller's language and voice.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import Flask

from helpline.flows.model import load_flow
from helpline.flows.timing import seconds, until_digits
from tests.e2e.test_call_walk import call, logged, phone_app  # noqa: F401 - the fixture
from tests.e2e.test_voice_caller import Caller

FLOWS = Path(__file__).resolve().parents[2] / "ivr_flows"
FLOW = load_flow(FLOWS)
# (language, its key, budget to the first number in seconds)
LANGUAGES = [("en", "1", 25.0), ("pl", "2", 35.0), ("ur", "3", 35.0)]
NUMBER = re.compile(r"\d(?:[ ,]+\d){6,}")  # a phone number said digit by digit


def heard_seconds(texts: list[str]) -> float:
    """How long these took to say, at the flow's words a minute."""
    return sum(seconds(text, FLOW.timing.words_per_minute) for text in texts)


def until_first_number(texts: list[str]) -> float:
    """Seconds from the start of the call to the first phone number."""
    spent = 0.0
    for text in texts:
        if NUMBER.search(text):
            return spent + heard_seconds([until_digits(text)])
        spent += heard_seconds([text])
    raise AssertionError(f"no phone number heard: {texts}")


def voices_after_choosing(caller: Caller, language: str) -> set[tuple[str | None, str | None]]:
    """The <Say> language and voice of everything heard after the language menu."""
    opening = len(caller.voices) - len(caller.heard)  # none: voices and heard grow together
    assert opening == 0
    first_menu = 5  # greeting, English, a person, Polish, Urdu
    return {(lang, voice) for _, lang, voice in caller.voices[first_menu:]}


@pytest.mark.parametrize(("language", "key", "budget"), LANGUAGES, ids=[c for c, _, _ in LANGUAGES])
def test_the_shortest_path_reaches_a_number_in_time_in_the_callers_language(
    phone_app: Flask, language: str, key: str, budget: float  # noqa: F811
) -> None:
    info = FLOW.language(language)
    caller = call(phone_app)
    opening = list(caller.latest)
    # The opening: a short greeting inside the <Gather> (a key skips it), a person on 0 at once.
    assert caller.menu[0].tag == "Say" and caller.menu[0].text == opening[0]
    assert heard_seconds(opening[:1]) <= 4.0
    person = opening.index(FLOW.phrase("en", "menu_tail"))
    assert heard_seconds(opening[: person + 1]) <= 10.0
    # Each language offered in its own words and its own voice.
    choice = FLOW.language(language).choose
    assert (choice, info.say_language, info.say_voice) in caller.voices

    caller.press(key).press("3")  # health: services straight from the main menu
    heard = list(caller.heard)
    took = until_first_number(heard)
    assert took <= budget, (took, heard)
    print(f"{language}: first number after {took:.1f} s (budget {budget:g} s)")

    # Services: "1 texts them" first, then one service: its number slowly and twice, who for.
    assert caller.latest[0] == FLOW.phrase(language, "texts_first")
    first = caller.latest[1]
    numbers = NUMBER.findall(first)
    assert len(numbers) == 2 and numbers[0] == numbers[1] and ", " in numbers[0]
    after = first.rsplit(numbers[1], 1)[1]  # who it is for, then its hours
    assert FLOW.phrase(language, "who_everyone") in after or re.search(r"\d+\D+\d+", after)
    assert len(NUMBER.findall(caller.latest_text())) == 2  # one service at a time
    menu = caller.latest[2]
    assert menu == FLOW.prompts[language].nodes["health"].prompt
    assert caller.latest[-1] == FLOW.phrase(language, "menu_tail")  # 0 and * at every menu
    caller.press("2")  # the next one
    second = caller.latest[0]
    assert NUMBER.search(second) and second != first

    # Every word after the language menu is in the caller's language and voice.
    assert voices_after_choosing(caller, language) == {(info.say_language, info.say_voice)}
    if language == "ur":
        spoken = " ".join(caller.heard[5:])
        for english in ("Phone", "Again", "For ages", "Open", "Press", "Monday"):
            assert english not in spoken
    row = logged(phone_app, caller)
    assert row.path.endswith("main > health") and row.language == language


@pytest.mark.parametrize(("language", "key", "budget"), LANGUAGES, ids=[c for c, _, _ in LANGUAGES])
def test_every_prompt_and_path_keeps_its_budget(language: str, key: str, budget: float) -> None:
    from helpline.flows.timing import path_times, prompt_times

    times = prompt_times(FLOW)
    assert times[(language, "main")] <= 15.0
    assert max(v for (code, _), v in times.items() if code == language) <= 20.0
    shortest = min(p.seconds for p in path_times(FLOW) if p.language == language)
    assert shortest <= budget


def test_the_age_is_given_by_keys_or_words_and_the_services_are_for_it(phone_app: Flask) -> None:  # noqa: F811
    caller = call(phone_app).press("1").press("1").press("1")  # short breaks
    caller.press("3")
    assert caller.latest == [FLOW.phrase("en", "age_ask")]
    assert caller.menu.get("finishOnKey") == "#" and caller.menu.get("numDigits") == "2"
    caller.press("17#")
    for _ in range(3):
        line = caller.latest[0] if NUMBER.search(caller.latest[0]) else caller.latest[1]
        ages = re.search(r"For ages (\d+) to (\d+)\.", line)
        if ages:
            assert int(ages.group(1)) <= 17 <= int(ages.group(2)), line
        caller.press("2")
    assert "age" in logged(phone_app, caller).path.split(" > ")
    spoken = call(phone_app).press("1").press("1").press("1").press("3").speak("she's twelve")
    assert "age=12" in spoken.menu.get("action", "")
    skipped = call(phone_app).press("1").press("1").press("1").press("3").stay_silent()
    assert skipped.latest[0] == FLOW.phrase("en", "texts_first")  # optional: straight back


@pytest.mark.parametrize(("language", "words"), [("en", "my son is deaf"),
                                                 ("pl", "mój syn ma autyzm")])
def test_a_caller_says_what_they_need_and_hears_the_services_the_search_finds(
    phone_app: Flask, language: str, words: str  # noqa: F811
) -> None:
    from helpline.directory.search import search
    from helpline.extensions import db

    key = {"en": "1", "pl": "2"}[language]
    caller = call(phone_app).press(key).speak(words)
    assert caller.latest[0] == FLOW.phrase(language, "texts_first")
    with phone_app.app_context():
        expected = search(words, limit=1, session=db.session())[0].name  # the SMS channel's search
    assert caller.latest[1].startswith(expected)
    assert NUMBER.search(caller.latest[1])
    assert logged(phone_app, caller).path.endswith("main > @search")
    assert words not in logged(phone_app, caller).path  # the caller's words are not kept


def test_the_docs_show_the_times_flows_check_prints() -> None:
    from helpline.flows.timing import timing_report

    root = FLOWS.parent
    voice, readme = (root / "docs" / "voice.md").read_text(), (root / "README.md").read_text()
    for line in timing_report(FLOW):
        assert line in voice, line
        assert line.split(" (1 ")[0].split(" (2 ")[0].split(" (3 ")[0] in readme, line
