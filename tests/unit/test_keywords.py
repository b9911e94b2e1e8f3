from __future__ import annotations

from pathlib import Path

import pytest

from helpline.directory.keywords import load_keywords
from tests.conftest import PROJECT_ROOT

KEYWORDS = load_keywords(PROJECT_ROOT / "data" / "keywords.yaml")


@pytest.mark.parametrize(
    ("text", "keyword"),
    [
        ("SHORTBREAKS", "SHORTBREAKS"),
        ("short breaks", "SHORTBREAKS"),
        ("Short-Breaks", "SHORTBREAKS"),
        ("shortbrakes", "SHORTBREAKS"),
        ("Shortbreak", "SHORTBREAKS"),
        ("respite", "SHORTBREAKS"),
        ("ehcp", "EHC"),
        ("EHC plan", "EHC"),
        ("transprot", "TRANSPORT"),
        ("bus", "TRANSPORT"),
        ("ASD", "AUTISM"),
        ("advice about send", "SENDIASS"),
        ("EARLYYEARS", "EARLYYEARS"),
        ("nursery", "EARLYYEARS"),
        ("COLLEGE", "COLLEGE"),
        ("sixth form", "COLLEGE"),
        ("school", "EDUCATION"),
        ("\u0634\u0627\u0631\u0679 \u0628\u0631\u064a\u0643", "SHORTBREAKS"),  # Arabic yeh and kaf
        ("\u06a9\u0627\u0644\u062c", "COLLEGE"),  # Urdu's own letters still match
    ],
)
def test_keywords_survive_case_spacing_punctuation_and_typos(text: str, keyword: str) -> None:
    match = KEYWORDS.first(text)
    assert match is not None and match.area.keyword == keyword


def test_unrelated_words_match_no_keyword() -> None:
    assert KEYWORDS.first("hello there") is None
    assert KEYWORDS.first("12") is None


def test_words_after_a_keyword_are_left_for_refinement() -> None:
    (match,) = KEYWORDS.find("SHORTBREAKS 12")
    assert (match.start, match.end) == (0, 1)


def test_every_local_offer_area_has_a_keyword() -> None:
    keywords = set(KEYWORDS.by_keyword)
    assert {
        "SHORTBREAKS",
        "EHC",
        "TRANSPORT",
        "EDUCATION",
        "HEALTH",
        "SOCIALCARE",
        "ADULTHOOD",
        "TRAINING",
        "ASSESSMENT",
        "TRANSFER",
        "BUDGET",
        "COMPLAINTS",
        "MONEY",
        "SENDIASS",
    } <= keywords


def test_a_keyword_listed_twice_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "keywords.yaml"
    path.write_text("areas:\n  - {keyword: EHC, area: a}\n  - {keyword: EHC, area: b}\n")
    with pytest.raises(ValueError, match="twice"):
        load_keywords(path)


def test_a_keyword_must_be_one_upper_case_word(tmp_path: Path) -> None:
    path = tmp_path / "keywords.yaml"
    path.write_text("areas:\n  - {keyword: short breaks, area: a}\n")
    with pytest.raises(ValueError):
        load_keywords(path)


def test_a_phrase_under_two_areas_is_rejected(tmp_path: Path) -> None:
    # The second area could never be reached by it: the file must say so, not hide it.
    path = tmp_path / "keywords.yaml"
    path.write_text(
        "areas:\n"
        "  - {keyword: EDUCATION, area: a, synonyms: [school, Early Years]}\n"
        "  - {keyword: EARLYYEARS, area: b, synonyms: [early-years]}\n"
    )
    clash = "'early-years' is listed under both EDUCATION and EARLYYEARS"
    with pytest.raises(ValueError, match=clash):
        load_keywords(path)
