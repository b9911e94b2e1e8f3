"""The words a manager publishes (phone numbers found however they are written), and the
public page's own words in every language."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from helpline.feedback.page_words import problems
from helpline.feedback.wording import has_phone_number, publish_problems

WORDS = Path(__file__).resolve().parents[2] / "data" / "you_said_we_did.yaml"


@pytest.mark.parametrize("text", ["ring 07700 900456", "call +44 7700 900456", "(01632) 960001",
                                  "01632-960-001", "tel 960001 2", "0800.123.4567"])
def test_phone_numbers_are_found(text: str) -> None:
    assert has_phone_number(text)


@pytest.mark.parametrize("text", ["two sessions a week from January 2027", "ages 0 to 25",
                                  "Year 6 and 7", "30 places, 12 more in 2027"])
def test_ordinary_numbers_are_not_phone_numbers(text: str) -> None:
    assert not has_phone_number(text)


def test_every_published_field_must_be_filled_and_free_of_numbers() -> None:
    found = publish_problems("Call 07700 900456", "", "   ")
    assert set(found) == {"published_comment", "response", "action_taken"}
    assert "phone number" in found["published_comment"]
    assert publish_problems("No swim club.", "We will ask.", "Sessions from May.") == {}


def test_the_public_pages_words_are_in_every_language_and_a_gap_is_named() -> None:
    data = yaml.safe_load(WORDS.read_text(encoding="utf-8"))
    assert problems(data) == []
    del data["ur"]["you_said"]
    data["pl"]["count"] = "{total} uwag"
    data["en"]["months"] = ["January"]
    assert problems(data) == [
        "you_said_we_did.yaml: en.months: needs the 12 month names",
        "you_said_we_did.yaml: pl.count: unknown placeholder(s) ['total']",
        "you_said_we_did.yaml: ur.you_said: missing",
    ]
