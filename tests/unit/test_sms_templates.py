"""Template files are validated on load: a council's edit can't ship a broken or costly text."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from helpline.sms.replies import pack
from helpline.sms.segments import count_segments
from helpline.sms.templates import MESSAGE_FIELDS, load_templates

SHIPPED = Path(__file__).resolve().parents[2] / "sms_templates"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    target = tmp_path / "sms_templates"
    shutil.copytree(SHIPPED, target)
    return target


def edit(folder: Path, language: str, key: str, text: str | None) -> None:
    path = folder / f"{language}.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if text is None:
        del data["messages"][key]
    else:
        data["messages"][key] = text
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")


def test_shipped_templates_load_in_english_polish_and_urdu() -> None:
    templates = load_templates(SHIPPED)
    assert {"en", "pl", "ur"} <= set(templates.languages)
    for language in templates.languages.values():
        assert set(language.messages) == set(MESSAGE_FIELDS)


def test_a_curly_apostrophe_in_english_is_refused(folder: Path) -> None:
    edit(folder, "en", "welcome_back", "You\u2019ll get texts again.")
    with pytest.raises(ValueError, match="non-GSM-7"):
        load_templates(folder)


def test_polish_may_use_polish_letters(folder: Path) -> None:
    edit(folder, "pl", "welcome_back", "Będziesz dostawać SMS-y.")
    load_templates(folder)


def test_a_message_longer_than_three_parts_is_refused(folder: Path) -> None:
    edit(folder, "en", "error", "Sorry. " * 70)
    with pytest.raises(ValueError, match="segments"):
        load_templates(folder)


def test_an_english_sentence_too_long_for_a_reading_age_of_9_is_refused(folder: Path) -> None:
    long = ("If you would like one of our advisers to ring you back at a time that suits you and "
            "your family, text ADVISER.")
    edit(folder, "en", "error", long)
    with pytest.raises(ValueError, match="sentence of 23 words"):
        load_templates(folder)
    # The same words over two sentences are fine; a placeholder counts as one word.
    edit(folder, "en", "error", "Would you like an adviser to ring you back? Text ADVISER. "
                                "We will call at a time that suits you and your family.")
    edit(folder, "en", "no_results", "Sorry, we found no {area} services at all in our list "
                                     "of local services for you and your family today.")
    load_templates(folder)


def test_polish_and_urdu_sentences_are_not_counted_in_english_words(folder: Path) -> None:
    edit(folder, "pl", "error", " ".join(["słowo"] * 30) + ".")
    load_templates(folder)


def test_an_unknown_placeholder_is_refused(folder: Path) -> None:
    edit(folder, "en", "no_more", "End of {listname}.")
    with pytest.raises(ValueError, match="unknown"):
        load_templates(folder)


def test_a_missing_message_is_refused(folder: Path) -> None:
    edit(folder, "ur", "menu", None)
    with pytest.raises(ValueError, match="'menu' is missing"):
        load_templates(folder)


def test_broken_yaml_is_refused_with_the_file_name(folder: Path) -> None:
    (folder / "pl.yaml").write_text("messages: [unclosed", encoding="utf-8")
    with pytest.raises(ValueError, match="pl.yaml"):
        load_templates(folder)


def test_a_language_without_a_switch_word_is_refused(folder: Path) -> None:
    shutil.copy(folder / "pl.yaml", folder / "cy.yaml")
    text = (folder / "cy.yaml").read_text(encoding="utf-8").replace("language: pl", "language: cy")
    (folder / "cy.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match="switch to 'cy'"):
        load_templates(folder)


def test_pack_splits_long_replies_into_messages_of_at_most_three_parts() -> None:
    lines = [f"Line {i} " + "word " * 30 for i in range(8)]
    messages = pack(lines, "en")
    assert 1 < len(messages) <= 3
    assert all(count_segments(m).segments <= 3 for m in messages)
