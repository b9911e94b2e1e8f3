"""The flow engine on its own: no Flask, no Twilio, no database."""

from __future__ import annotations

from pathlib import Path

import pytest

from helpline.flows import CallState, Heard, begin, load_flow, offer_message, step
from helpline.flows.engine import LANGUAGE_MENU, MESSAGE_MENU, Turn

FLOWS = Path(__file__).resolve().parents[2] / "ivr_flows"


@pytest.fixture(scope="module")
def flow():  # type: ignore[no-untyped-def]
    return load_flow(FLOWS)


def at(node: str, language: str = "en", tries: int = 0) -> CallState:
    return CallState(node=node, language=language, tries=tries, path=("language:en", "main"))


def press(flow, state: CallState, digits: str) -> Turn:  # type: ignore[no-untyped-def]
    return step(flow, state, Heard(digits=digits))


def test_a_call_begins_with_the_greeting_and_the_language_menu(flow) -> None:  # type: ignore[no-untyped-def]
    turn = begin(flow)
    assert turn.state.node == LANGUAGE_MENU
    assert turn.say == ()  # the greeting is inside the menu, so a key skips it
    assert turn.menu.lines[0].text == "Local Offer Helpline, for children with special needs."
    assert [line.key for line in turn.menu.lines] == [
        "phrase:greeting", "choose:en", "phrase:menu_tail", "choose:pl", "choose:ur"]
    # Each language offered in its own words and voice.
    assert [line.language for line in turn.menu.lines[1:]] == ["en", "en", "pl", "ur"]
    assert turn.menu.lines[3].text == "Aby wybrać polski, naciśnij 2."


def test_choosing_polish_gives_the_main_menu_in_polish(flow) -> None:  # type: ignore[no-untyped-def]
    turn = press(flow, begin(flow).state, "2")
    assert turn.state.language == "pl"
    assert turn.state.node == "main"
    assert turn.state.path == ("language:pl", "main")
    assert turn.menu.lines[0].text.startswith("Naciśnij 1: krótkie przerwy")


def test_a_single_language_flow_skips_the_language_menu(flow) -> None:  # type: ignore[no-untyped-def]
    from dataclasses import replace

    english_only = replace(flow, languages=("en",))
    turn = begin(english_only)
    assert turn.state.node == "main"
    assert turn.menu.lines[0].key == "phrase:greeting"


def test_silence_reprompts_then_simplifies_then_offers_then_puts_through(flow) -> None:  # type: ignore[no-untyped-def]
    state = at("main")
    first = step(flow, state, Heard())
    assert first.say[0].text == "Sorry, I didn't catch that."
    assert first.menu.lines[0].key == "node:main:prompt"
    second = step(flow, first.state, Heard())
    assert second.say[0].key == "phrase:sorry_again"
    assert [line.key for line in second.menu.lines] == ["node:main:simple"]
    third = step(flow, second.state, Heard())
    assert third.say[0].key == "phrase:offer_adviser"
    assert third.action == "menu"
    fourth = step(flow, third.state, Heard())
    assert fourth.action == "adviser"
    assert fourth.state.path[-1] == "adviser"


def test_a_key_that_means_nothing_here_counts_as_a_miss(flow) -> None:  # type: ignore[no-untyped-def]
    turn = press(flow, at("breaks"), "7")
    assert turn.state.tries == 1 and turn.state.node == "breaks"
    assert turn.say[0].key == "phrase:sorry"


def test_star_repeats_the_menu_and_reads_the_services_again(flow) -> None:  # type: ignore[no-untyped-def]
    turn = press(flow, at("shortbreaks", tries=2), "*")
    assert turn.state.tries == 0
    assert turn.menu.read_services == "SHORTBREAKS"
    assert turn.say == ()


def test_hash_goes_back_one_menu_and_from_the_top_to_the_languages(flow) -> None:  # type: ignore[no-untyped-def]
    assert press(flow, at("shortbreaks"), "#").state.node == "breaks"
    assert press(flow, at("breaks"), "#").state.node == "main"
    assert press(flow, at("main"), "#").state.node == LANGUAGE_MENU


def test_zero_asks_for_an_adviser_at_every_menu(flow) -> None:  # type: ignore[no-untyped-def]
    for node in flow.nodes:
        assert press(flow, at(node), "0").action == "adviser", node
    assert press(flow, CallState(node=LANGUAGE_MENU, language="en"), "0").action == "adviser"


def test_text_is_offered_where_services_are_read(flow) -> None:  # type: ignore[no-untyped-def]
    turn = press(flow, at("health"), "1")
    assert turn.action == "text"
    assert turn.services == "HEALTH"
    assert turn.menu.node == "health" and turn.menu.read_services is None


@pytest.mark.parametrize(
    ("language", "node", "words", "goes_to"),
    [
        ("en", "main", "um, short breaks please", "breaks"),
        ("en", "main", "press 3", "health"),
        ("en", "education", "my son starts nursery", "earlyyears"),
        ("en", "main", "I need help with transprot", "money_travel"),  # a slip in recognition
        ("pl", "main", "zdrowie", "health"),
        ("pl", "education", "przedszkole", "earlyyears"),
        ("ur", "main", "صحت", "health"),
        ("ur", "breaks", "سوشل کیئر", "socialcare"),
        ("ur", "breaks", "سوشل كيئر", "socialcare"),  # typed with Arabic kaf and yeh
        ("en", "main", "Two.", "education"),
        ("en", "main", "Nurseries", "education"),  # not "nurse" found inside it
        ("en", "main", "personal budget", "money_travel"),  # not "person" inside "personal"
        ("en", "money_travel", "personal budgets", "money"),
        ("en", "main", "I need help with my son's EHCP", "ehc"),
        ("en", "main", "school bus", "money_travel"),
        ("pl", "breaks", "opieka wytchnieniowa", "shortbreaks"),
        ("pl", "main", "opieka zdrowotna", "health"),
        ("pl", "main", "dojazd do szkoły", "money_travel"),
        ("ur", "main", "صحت کی دیکھ بھال", "health"),
        ("pl", "education", "szkola", "schools"),  # recognised without its diacritics
        ("pl", "main", "dwa", "education"),
    ],
)
def test_spoken_words_choose_an_option(  # type: ignore[no-untyped-def]
    flow, language: str, node: str, words: str, goes_to: str
) -> None:
    turn = step(flow, at(node, language), Heard(speech=words))
    assert turn.state.node == goes_to


@pytest.mark.parametrize("words", ["could you phone me back", "call me back please",
                                   "get back to me"])
def test_asking_to_be_called_back_is_not_heard_as_back(flow, words: str) -> None:  # type: ignore[no-untyped-def]
    from helpline.flows.engine import MESSAGE_MENU

    turn = step(flow, at(MESSAGE_MENU), Heard(speech=words))
    assert turn.action == "callback"


def test_spoken_words_for_adviser_repeat_and_back(flow) -> None:  # type: ignore[no-untyped-def]
    assert step(flow, at("breaks"), Heard(speech="can I speak to a person")).action == "adviser"
    assert step(flow, at("breaks"), Heard(speech="go back")).state.node == "main"
    assert step(flow, at("breaks", "pl"), Heard(speech="powtórz")).state.node == "breaks"


def test_words_that_match_nothing_are_a_miss(flow) -> None:  # type: ignore[no-untyped-def]
    turn = step(flow, at("breaks"), Heard(speech="the weather is nice"))
    assert turn.state.tries == 1


def test_saying_a_language_chooses_it(flow) -> None:  # type: ignore[no-untyped-def]
    turn = step(flow, CallState(node=LANGUAGE_MENU, language="en"), Heard(speech="polski"))
    assert turn.state.language == "pl"


def test_nobody_to_answer_offers_a_message_or_a_call_back(flow) -> None:  # type: ignore[no-untyped-def]
    turn = offer_message(flow, at("main"), "closed")
    assert turn.state.node == MESSAGE_MENU
    assert turn.say[0].text == "Our advisers are not working right now."
    assert press(flow, turn.state, "1").action == "message"
    assert press(flow, turn.state, "2").action == "callback"
    assert press(flow, turn.state, "0").action == "message"
    assert press(flow, turn.state, "#").state.node == "main"


def test_silence_with_nobody_to_answer_ends_politely_after_three_tries(flow) -> None:  # type: ignore[no-untyped-def]
    state = offer_message(flow, at("main"), "closed").state
    for expected in (1, 2, 3):
        turn = step(flow, state, Heard())
        assert turn.action == "menu" and turn.state.tries == expected
        assert turn.say[0].key != "phrase:offer_adviser"
        state = turn.state
    last = step(flow, state, Heard())
    assert last.action == "hangup"
    assert last.say[0].key == "phrase:goodbye"


def test_an_unknown_node_in_a_stale_url_starts_again_at_the_main_menu(flow) -> None:  # type: ignore[no-untyped-def]
    assert press(flow, at("no-such-node"), "1").state.node == "main"


@pytest.mark.parametrize("words", ["personal assistant", "humanities", "against"])
def test_a_word_found_inside_a_longer_word_is_a_miss(flow, words: str) -> None:  # type: ignore[no-untyped-def]
    turn = step(flow, at("education"), Heard(speech=words))
    assert turn.action == "menu" and turn.state.tries == 1


def test_every_menu_ends_with_a_person_on_0_and_star_to_repeat(flow) -> None:  # type: ignore[no-untyped-def]
    from helpline.flows.engine import menu_at

    for code in flow.languages:
        for node in flow.nodes:
            lines = menu_at(flow, at(node, code)).lines
            assert lines[-1].key == "phrase:menu_tail", (code, node)
    assert flow.phrase("en", "menu_tail") == "A person, 0. Repeat, star."
    assert menu_at(flow, at(MESSAGE_MENU)).lines[-1].key == "phrase:repeat_tail"


def test_services_are_read_one_at_a_time_and_2_reads_the_next(flow) -> None:  # type: ignore[no-untyped-def]
    turn = press(flow, at("health"), "2")
    assert turn.action == "menu" and turn.state.item == 1
    assert turn.menu.read_services == "HEALTH" and turn.menu.item == 1
    assert press(flow, turn.state, "2").menu.item == 2
    assert press(flow, turn.state, "*").menu.item == 1  # star says this one again


def test_the_age_is_asked_by_keys_or_words_and_can_be_skipped(flow) -> None:  # type: ignore[no-untyped-def]
    asked = press(flow, at("shortbreaks"), "3")
    assert asked.menu.node == "@age:shortbreaks" and asked.menu.keys == 2
    keyed = press(flow, asked.state, "12")
    assert keyed.state.node == "shortbreaks" and keyed.menu.age == 12
    assert keyed.menu.read_services == "SHORTBREAKS" and keyed.menu.item == 0
    spoken = step(flow, asked.state, Heard(speech="she is fourteen"))
    assert spoken.menu.age == 14
    skipped = step(flow, asked.state, Heard())
    assert skipped.state.node == "shortbreaks" and skipped.menu.age is None
    assert skipped.action == "menu" and skipped.say == ()  # no "sorry": it is optional


@pytest.mark.parametrize(
    ("language", "words", "query", "age"),
    [
        ("en", "my son is deaf", "my son is deaf", None),
        ("en", "he is twelve and he is deaf", "and deaf", 12),
        ("en", "autism support for my 7 year old", "autism support for", 7),
        ("pl", "mój syn ma dwanaście lat i jest głuchy", "i głuchy", 12),
    ],
)
def test_a_caller_can_say_what_they_need_at_the_main_menu(  # type: ignore[no-untyped-def]
    flow, language: str, words: str, query: str, age: int | None
) -> None:
    turn = step(flow, at("main", language), Heard(speech=words))
    assert turn.state.node == "@search"
    assert turn.menu.read_services == query and turn.menu.age == age
    assert turn.menu.lines[0].key == "node:shortbreaks:prompt"  # the services menu's words
    assert press(flow, turn.state, "2").menu.read_services == query  # the next one
    texted = press(flow, turn.state, "1")
    assert texted.action == "text" and texted.services == query
    assert press(flow, turn.state, "#").state.node == "main"


def test_only_an_age_said_at_the_main_menu_is_kept_for_the_services(flow) -> None:  # type: ignore[no-untyped-def]
    turn = step(flow, at("main"), Heard(speech="he is twelve"))
    assert turn.state.node == "main" and turn.state.age == 12
    assert turn.say[0].key == "phrase:age_heard"
    assert press(flow, turn.state, "3").menu.age == 12
