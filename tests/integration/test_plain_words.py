"""The same facts in every language, plain words, and machine translations listed for review.

`helpline check` runs these on the shipped files (CI runs it before the tests); here each rule
is also broken on purpose in a copy of the files, to see it fail.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from helpline.config import PROJECT_ROOT
from helpline.glossary import load_glossary, reading_grade
from helpline.reading import reading_problems
from helpline.sms import check_templates
from helpline.sms.facts import load_facts

GLOSSARY = PROJECT_ROOT / "data" / "glossary.yaml"


@pytest.fixture
def copies(tmp_path: Path) -> tuple[Path, Path]:
    """Copies of sms_templates/ and data/ to break."""
    templates, data = tmp_path / "sms_templates", tmp_path / "data"
    shutil.copytree(PROJECT_ROOT / "sms_templates", templates)
    data.mkdir()
    for name in ("keywords.yaml", "glossary.yaml", "vocabulary.yaml"):
        if (PROJECT_ROOT / "data" / name).exists():
            shutil.copy(PROJECT_ROOT / "data" / name, data / name)
    (data / "geo").symlink_to(PROJECT_ROOT / "data" / "geo")
    return templates, data


def test_every_language_states_every_english_fact_with_its_rights_and_deadlines() -> None:
    facts = load_facts(PROJECT_ROOT / "sms_templates")
    english = facts.languages["en"].facts
    assert set(english) == {"EHC", "ASSESSMENT", "TRANSFER", "BUDGET", "COMPLAINTS", "TRANSPORT"}
    for code in ("pl", "ur"):
        for area, ids in english.items():
            assert list(facts.languages[code].facts[area]) == list(ids), (code, area)
    complaints = {code: "\n".join(facts.lines(code, "COMPLAINTS")) for code in ("en", "pl", "ur")}
    for code, rights in {"en": ("appeal", "mediation", "2 months", "independent court"),
                         "pl": ("odwołać", "mediację", "2 miesiące", "niezależny sąd"),
                         "ur": ("اپیل", "ثالثی", "2 مہینے", "آزاد عدالت")}.items():
        for words in rights:
            assert words in complaints[code], (code, words)
    assert "20 dni roboczych" in "\n".join(facts.lines("pl", "TRANSPORT"))
    assert "20 کام کے دنوں" in "\n".join(facts.lines("ur", "TRANSPORT"))
    assert facts.lines("en", "EHC")[0].startswith("1. An EHC plan is a plan for extra help.")


def test_a_language_missing_a_fact_english_has_fails_the_check(
    make_app: Any, copies: tuple[Path, Path]
) -> None:
    templates, data = copies
    polish = templates / "facts" / "pl.yaml"
    polish.write_text("\n".join(line for line in polish.read_text().splitlines()
                                if "complaints.deadline" not in line) + "\n")
    problems = check_templates(make_app(SMS_TEMPLATES_DIR=str(templates), DATA_DIR=str(data)))
    assert ("facts/pl.yaml: COMPLAINTS lacks fact 'complaints.deadline' that English has"
            in problems)


def test_machine_translations_are_listed_for_a_native_speaker(runner: Any) -> None:
    result = runner.invoke(args=["check", "--untranslated"])
    assert result.exit_code == 0
    assert "made by machine translation" in result.output.splitlines()[0]
    assert any(line.startswith("  - pl COMPLAINTS complaints.deadline: ")
               for line in result.output.splitlines())
    assert not any(line.startswith("  - en ") for line in result.output.splitlines())
    readme = (PROJECT_ROOT / "README.md").read_text()
    assert "helpline check --untranslated" in readme


@pytest.mark.parametrize(
    ("language", "text", "unexplained"),
    [
        ("en", "Text EHC for help.", ["EHC plan"]),
        ("en", "EHC: a plan for extra help. Text EHC.", []),
        ("en", "An EHC plan is a plan for extra help.", []),
        ("en", "We send you texts.", []),  # "send" is not SEND
        ("en", "Thank you for calling the Local Offer Helpline.", []),  # its name
        ("en", "The tribunal decides.", ["tribunal"]),
        ("pl", "Odwołanie do trybunału (niezależny sąd).", ["appeal"]),
        ("ur", "آپ اپیل کر سکتے ہیں، یعنی فیصلہ بدلنے کو کہیں۔", []),
    ],
)
def test_a_glossary_word_must_be_explained_where_it_is_used(
    language: str, text: str, unexplained: list[str]
) -> None:
    glossary = load_glossary(GLOSSARY)
    found = glossary.problems(language, "x", [("text", text)])
    assert [p.split("uses ")[1].split(" without")[0].strip("'") for p in found] == unexplained


def test_the_text_before_may_explain_a_word() -> None:
    glossary = load_glossary(GLOSSARY)
    texts = [("one", "SENDIASS gives free advice."), ("two", "Text SENDIASS.")]
    assert glossary.problems("en", "x", texts) == []
    assert glossary.problems("en", "x", texts[1:]) != []


def test_hard_english_of_15_words_or_more_reads_above_grade_5() -> None:
    hard = ("Parents experiencing considerable administrative difficulties should immediately "
            "contact the designated educational psychology representative responsible for them.")
    grade = reading_grade(hard)
    assert grade is not None and grade > 5
    assert reading_grade("The council must say within 6 weeks if it will assess your child "
                         "and tell you why.") <= 5
    assert reading_grade("Too short to grade, however complicated the vocabulary.") is None


def test_helpline_check_fails_on_an_unexplained_word_or_hard_english(
    make_app: Any, copies: tuple[Path, Path]
) -> None:
    templates, data = copies
    english = templates / "en.yaml"
    text = english.read_text()
    text = text.replace("EHC: a plan for extra help. SENDIASS: free advice.", "EHC. SENDIASS.")
    text = text.replace(
        "  error: Sorry, something went wrong on our side. Please try again.",
        "  error: Regrettably, an unanticipated technical complication prevented the "
        "processing of your correspondence; kindly resubmit it subsequently, please.")
    english.write_text(text)
    problems = reading_problems(make_app(SMS_TEMPLATES_DIR=str(templates), DATA_DIR=str(data)))
    assert any("message 'menu' uses 'EHC plan'" in p for p in problems), problems
    assert any("message 'menu' uses 'SENDIASS'" in p for p in problems)
    assert any("message 'error' reads at grade" in p for p in problems)


def test_the_shipped_texts_are_plain(app: Any) -> None:
    assert reading_problems(app) == []
