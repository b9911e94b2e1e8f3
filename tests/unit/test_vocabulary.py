"""Families' words: text-speak, needs in three languages, ages, and who services are for."""

from __future__ import annotations

from pathlib import Path

from helpline.directory.text_match import words
from helpline.directory.vocabulary import load_vocabulary

VOCABULARY = load_vocabulary(Path(__file__).resolve().parents[2] / "data" / "vocabulary.yaml")


def needs_in(text: str) -> list[str]:
    return [m.need.name for m in VOCABULARY.find_needs(VOCABULARY.normalise(words(text)))]


def test_text_speak_is_spelled_out_before_needs_are_read() -> None:
    assert VOCABULARY.normalise(words("wot help is ther pls")) == [
        "what", "help", "is", "there", "please"]
    assert needs_in("my son wont eat") == ["eating and feeding"]  # "will not eat" both sides


def test_needs_are_read_in_polish_and_urdu_with_or_without_accents() -> None:
    assert needs_in("mój syn jest głuchy") == ["hearing"]
    assert needs_in("moj syn jest gluchy") == ["hearing"]
    assert needs_in("میرا بیٹا بہرا ہے") == ["hearing"]


def test_a_text_in_polish_or_roman_urdu_is_not_taken_for_english() -> None:
    assert VOCABULARY.in_english(words("my son has adhd"))
    assert not VOCABULARY.in_english(words("mujhe apne bete ke liye speech therapy chahiye"))
    assert not VOCABULARY.in_english(words("jak zlozyc wniosek o EHC"))


def test_a_services_own_words_say_it_is_for_older_people_or_children() -> None:
    assert VOCABULARY.minimum_age_said("Seated exercise for older people") == 50
    assert VOCABULARY.minimum_age_said("A club for over 18s with learning disabilities") == 18
    assert VOCABULARY.minimum_age_said("Swimming for children with SEND") is None
    assert VOCABULARY.names_children("Swimming for children with SEND")


def test_no_phrase_is_said_under_two_needs() -> None:
    assert VOCABULARY.clashes() == []


def test_a_little_polish_word_is_not_english_text_speak() -> None:
    polish = words("grupy wsparcia dla rodziców dzieci niepełnosprawnych")
    assert not VOCABULARY.in_english(polish)
    assert "dla" in VOCABULARY.normalise(polish, english=VOCABULARY.in_english(polish))
    # In an English text the same letters are Disability Living Allowance.
    english = words("help with dla")
    assert VOCABULARY.in_english(english)
    assert VOCABULARY.normalise(english, english=True)[-3:] == [
        "disability", "living", "allowance"]


def test_conditions_are_marked_apart_from_what_help_is_wanted() -> None:
    kinds = {n.name: n.kind for n in VOCABULARY.data.needs}
    assert kinds["autism and adhd"] == kinds["sight"] == kinds["hearing"] == "condition"
    assert kinds["work"] == kinds["activities and clubs"] == "need"
    assert "special educational needs" in VOCABULARY.data.any_condition


def test_a_teenager_says_who_the_help_is_for_as_well_as_an_age() -> None:
    tokens = VOCABULARY.normalise(words("my teenager self harms"))
    assert needs_in("my teenager self harms") == ["young people", "mental health"]
    assert {n.name: n.kind for n in VOCABULARY.data.needs}["young people"] == "condition"
    assert VOCABULARY.age_implied(tokens) == 15
