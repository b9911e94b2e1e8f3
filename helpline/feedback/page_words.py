"""The public page's own words in every shipped language, from data/you_said_we_did.yaml,
validated when loaded and by `helpline check` (every language has every word)."""

from __future__ import annotations

import string
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path

import yaml
from flask import Flask

WORDS_FILE = "you_said_we_did.yaml"
LANGUAGES = ("en", "pl", "ur")
# Each word's placeholders; a word not named here has none.
PLACEHOLDERS = {"count": {"count"}, "comment_from": {"when"}, "print_intro": {"when"},
                "date": {"day", "month", "month_number", "year"}, "month_year": {"month", "year"}}
# Empty in English: its page needs no note that the comments are in English.
MAY_BE_EMPTY = {"written_in"}


@dataclass(frozen=True)
class PageWords:
    """One language's words for the page."""

    language: str
    words: dict[str, str]
    months: tuple[str, ...]

    def __getitem__(self, key: str) -> str:
        return self.words[key]

    def say(self, key: str, **values: object) -> str:
        """A word with its placeholders filled."""
        return self.words[key].format(**values)

    def day(self, when: date) -> str:
        """A date as this language writes it: 29 November 2026, 29.11.2026."""
        return self.words["date"].format(day=when.day, month=self.months[when.month - 1],
                                         month_number=f"{when.month:02d}", year=when.year)

    def month(self, when: date) -> str:
        """A month and year: November 2026, listopad 2026."""
        return self.words["month_year"].format(month=self.months[when.month - 1],
                                               year=when.year)


def problems(data: object) -> list[str]:
    """What is wrong with the loaded file (empty when it is usable)."""
    if not isinstance(data, dict) or not isinstance(data.get("en"), dict):
        return [f"{WORDS_FILE}: needs the English words under en:"]
    keys = {k for k, v in data["en"].items() if k != "months"}
    found = []
    for language in LANGUAGES:
        entry = data.get(language)
        if not isinstance(entry, dict):
            found.append(f"{WORDS_FILE}: {language}: missing (every language needs every word)")
            continue
        months = entry.get("months")
        if not (isinstance(months, list) and len(months) == 12):
            found.append(f"{WORDS_FILE}: {language}.months: needs the 12 month names")
        for key in sorted(keys | (entry.keys() - {"months"})):
            text = entry.get(key)
            if not isinstance(text, str) or (not text.strip() and key not in MAY_BE_EMPTY):
                found.append(f"{WORDS_FILE}: {language}.{key}: missing")
                continue
            used = {n for _, n, _, _ in string.Formatter().parse(text) if n}
            if used - PLACEHOLDERS.get(key, set()):
                found.append(f"{WORDS_FILE}: {language}.{key}: unknown placeholder(s) "
                              f"{sorted(used - PLACEHOLDERS.get(key, set()))}")
    return found


@lru_cache(maxsize=4)
def _load(path: Path, stamp: float) -> dict[str, PageWords]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    found = problems(data)
    if found:
        raise ValueError("; ".join(found))
    return {
        language: PageWords(language, {k: str(v) for k, v in data[language].items()
                                       if k != "months"}, tuple(data[language]["months"]))
        for language in LANGUAGES
    }


def page_words(data_dir: str) -> dict[str, PageWords]:
    """Every language's words, validated (read again when the file changes)."""
    path = Path(data_dir) / WORDS_FILE
    return _load(path, path.stat().st_mtime)


def check(app: Flask) -> list[str]:
    """`helpline check`: the public page's words."""
    try:
        page_words(app.config["DATA_DIR"])
    except (OSError, ValueError, yaml.YAMLError) as exc:
        return [str(exc)]
    return []
