"""How services are spoken on the phone: numbers digit by digit, in the groups people say."""

from __future__ import annotations

from datetime import time
from pathlib import Path

import pytest

from helpline.directory.search import SearchResult
from helpline.flows.model import load_flow
from helpline.speech.cache import audio_name, is_audio_file_name
from helpline.voice.services import digits_spoken, phone_parts
from helpline.voice.spoken import service_line

FLOWS = Path(__file__).resolve().parents[2] / "ivr_flows"


@pytest.mark.parametrize(
    ("phone", "spoken"),
    [
        ("01632 960551", "0 1 6 3 2, 9 6 0, 5 5 1"),
        ("+44 1632 960551", "0 1 6 3 2, 9 6 0, 5 5 1"),
        ("(01632) 960-551", "0 1 6 3 2, 9 6 0, 5 5 1"),
        ("0800 123456", "0 8 0 0, 1 2 3, 4 5 6"),
        ("0300 123 4567", "0 3 0 0, 1 2 3, 4 5 6 7"),
        ("020 7946 0000", "0 2 0, 7 9 4 6, 0 0 0 0"),
        ("07700 900123", "0 7 7 0 0, 9 0 0, 1 2 3"),
        ("1234567", "1 2 3, 4 5 6 7"),
        ("999", "9 9 9"),
        ("", ""),
    ],
)
def test_phone_numbers_are_read_digit_by_digit(phone: str, spoken: str) -> None:
    assert digits_spoken(phone) == spoken


@pytest.mark.parametrize(
    ("phone", "parts"),
    [
        ("+44 (0)1632 960550", ("0 1 6 3 2, 9 6 0, 5 5 0", "")),
        ("+44(0) 20 7946 0000", ("0 2 0, 7 9 4 6, 0 0 0 0", "")),
        ("01632 960550 ext 23", ("0 1 6 3 2, 9 6 0, 5 5 0", "2 3")),
        ("01632 960550, Extension 4", ("0 1 6 3 2, 9 6 0, 5 5 0", "4")),
        ("01632 960550 x105", ("0 1 6 3 2, 9 6 0, 5 5 0", "1 0 5")),
        ("01632 960550", ("0 1 6 3 2, 9 6 0, 5 5 0", "")),
    ],
)
def test_a_uk_trunk_zero_is_not_read_twice_and_an_extension_is_read_apart(
    phone: str, parts: tuple[str, str]
) -> None:
    assert phone_parts(phone) == parts


def test_a_service_with_an_extension_is_read_with_it_twice() -> None:
    flow = load_flow(FLOWS)
    line = service_line(flow, "en", _service("Zebra Club", "+44 (0)1632 960550 ext 23", 5, 18), [])
    assert ("Zebra Club. 0 1 6 3 2, 9 6 0, 5 5 0, extension 2 3. "
            "Again: 0 1 6 3 2, 9 6 0, 5 5 0, extension 2 3.") in line


def _service(name: str, phone: str | None, low: float | None, high: float | None) -> SearchResult:
    return SearchResult(id=name, name=name, score=1.0, phone=phone, email=None, url=None,
                        minimum_age=low, maximum_age=high, distance_km=None)


MON_FRI = [(0, 3, time(9), time(17)), (4, 4, time(9), time(16, 30))]


def test_each_service_says_name_number_twice_who_it_is_for_and_hours() -> None:
    flow = load_flow(FLOWS)
    assert service_line(flow, "en", _service("Short Breaks Team", "01632 960550", 0, 18),
                        MON_FRI) == (
        "Short Breaks Team. 0 1 6 3 2, 9 6 0, 5 5 0. Again: 0 1 6 3 2, 9 6 0, 5 5 0. "
        "For ages 0 to 18. Open Monday to Thursday, 9:00 to 17:00 and Friday, 9:00 to 16:30."
    )
    assert service_line(flow, "en", _service("Parent Carer Forum", None, None, None), []) == (
        "Parent Carer Forum. No phone number is listed. "
        "For children, young people and families."
    )


def test_a_service_is_said_in_the_callers_language_with_its_day_names() -> None:
    flow = load_flow(FLOWS)
    polish = service_line(flow, "pl", _service("Short Breaks Team", "01632 960550", 5, 18),
                          MON_FRI)
    assert polish == (
        "Short Breaks Team. 0 1 6 3 2, 9 6 0, 5 5 0. Jeszcze raz: 0 1 6 3 2, 9 6 0, "
        "5 5 0. Dla osób w wieku od 5 do 18 lat. Otwarte: od poniedziałku do czwartku, od 9:00 "
        "do 17:00 i piątku, od 9:00 do 16:30."
    )
    urdu = service_line(flow, "ur", _service("Short Breaks Team", "01632 960550", 5, 18), MON_FRI)
    assert "پیر سے جمعرات تک" in urdu and "دوبارہ" in urdu
    assert "Monday" not in urdu and "Phone" not in urdu and "Open" not in urdu


def test_audio_file_names_depend_on_engine_language_and_text() -> None:
    name = audio_name("gtts", "en", "Hello")
    assert name == audio_name("gtts", "en", "Hello")
    assert len({name, audio_name("espeak", "en", "Hello"), audio_name("gtts", "pl", "Hello"),
                audio_name("gtts", "en", "Hello.")}) == 4
    assert is_audio_file_name("en", name)
    assert not is_audio_file_name("en", "../secret.mp3")
    assert not is_audio_file_name("..", name)
