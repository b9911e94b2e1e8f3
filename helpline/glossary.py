"""Plain words for families: a glossary of the words that need explaining, and reading ease.

`helpline check` fails when a family-facing text uses a glossary word that neither it nor the
text before it explains (data/glossary.yaml), and when an English text of 15 words or more reads
above a Flesch-Kincaid grade of 5 (textstat, syllables from the offline CMU dictionary).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

MAX_GRADE = 5.0
MIN_WORDS_GRADED = 15
_PLACEHOLDER = re.compile(r"\{[^{}]*\}")
# Keywords a family texts (SHORTBREAKS, EHC): commands to copy, not words to read.
_KEYWORD = re.compile(r"\b[A-Z][A-Z0-9]+\b")


class Term(BaseModel):
    """A word that needs explaining: how it is written, and its plain meanings, by language."""

    model_config = ConfigDict(extra="forbid")

    words: dict[str, list[str]]
    plain: dict[str, list[str]]


class GlossaryFile(BaseModel):
    """data/glossary.yaml."""

    model_config = ConfigDict(extra="forbid")

    names: list[str] = Field(default_factory=list)
    explains: dict[str, list[str]] = Field(default_factory=dict)
    terms: dict[str, Term]


@dataclass(frozen=True)
class Glossary:
    """The glossary, ready to look for its words in a text."""

    data: GlossaryFile

    def used(self, language: str, text: str) -> list[str]:
        """The glossary terms a text uses (not counting the helpline's own name)."""
        for name in self.data.names:
            text = text.replace(name, " ")
        return [term for term, entry in self.data.terms.items()
                if any(_find(word, text) for word in entry.words.get(language, []))]

    def explained(self, language: str, term: str, text: str) -> bool:
        """True when the text says the term's plain meaning or explains it where it is used."""
        entry = self.data.terms[term]
        folded = text.casefold()
        if any(plain.casefold() in folded for plain in entry.plain.get(language, [])):
            return True
        after = self.data.explains.get(language, [])
        for word in entry.words.get(language, []):
            for found in _find(word, text):
                rest = text[found.end():]
                if any(rest.startswith(connector) for connector in after):
                    return True
        return False

    def problems(self, language: str, where: str, texts: Iterable[tuple[str, str]]) -> list[str]:
        """Texts (in the order a family meets them) using a term that neither they nor the
        text before them explain."""
        problems: list[str] = []
        before = ""
        for label, text in texts:
            for term in self.used(language, text):
                if not (self.explained(language, term, text)
                        or self.explained(language, term, before)):
                    problems.append(f"{where}: {label} uses {term!r} without saying what it is "
                                    f"(say {self.data.terms[term].plain.get(language, ['?'])[0]!r}"
                                    " or explain it where it is used)")
            before = text
        return problems

    def missing_languages(self, languages: Iterable[str]) -> list[str]:
        """Terms with no words or no plain meaning in a language."""
        return [f"data/glossary.yaml: {term} has no {kind} in {code!r}"
                for term, entry in self.data.terms.items() for code in languages
                for kind, table in (("words", entry.words), ("plain meaning", entry.plain))
                if not table.get(code)]


def _find(word: str, text: str) -> list[re.Match[str]]:
    # An all-capitals word is matched as written ("SEND", never "send"); others in any case.
    flags = 0 if word.isupper() else re.IGNORECASE
    return list(re.finditer(rf"(?<!\w){re.escape(word)}(?!\w)", text, flags))


def load_glossary(path: Path) -> Glossary:
    """Read and validate the glossary; raises ValueError saying what is wrong."""
    try:
        data = GlossaryFile.model_validate(yaml.safe_load(Path(path).read_text(encoding="utf-8")))
    except (OSError, yaml.YAMLError, ValidationError) as exc:
        raise ValueError(f"{Path(path).name}: {exc}") from exc
    return Glossary(data)


@lru_cache(maxsize=1024)
def reading_grade(text: str) -> float | None:
    """The Flesch-Kincaid grade of an English text, or None when it has under 15 words.

    {placeholders} count as one short word, and keywords (SHORTBREAKS) are left out.
    """
    import textstat

    prose = _KEYWORD.sub(" ", _PLACEHOLDER.sub("it", text))
    if len(prose.split()) < MIN_WORDS_GRADED:
        return None
    return float(textstat.flesch_kincaid_grade(prose))


def grade_problems(where: str, texts: Iterable[tuple[str, str]]) -> list[str]:
    """English texts above grade 5."""
    problems = []
    for label, text in texts:
        grade = reading_grade(text)
        if grade is not None and grade > MAX_GRADE:
            problems.append(f"{where}: {label} reads at grade {grade:.1f}; at most {MAX_GRADE:g} "
                            "(shorter sentences, shorter words)")
    return problems
