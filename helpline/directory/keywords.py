"""Local Offer keywords from data/keywords.yaml, and finding them in what a family wrote."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, Field, field_validator, model_validator
from rapidfuzz import fuzz

from helpline.directory.text_match import STOP_WORDS, compact, words

# How alike a typed word must be to a keyword to count as it (rapidfuzz ratio, 0-100).
# 85 accepts one slip in a word of 7+ letters ("shortbrakes", "transprot") but not
# a different short word.
FUZZY_CUTOFF = 85
FUZZY_MIN_LENGTH = 5


class Area(BaseModel):
    """One Local Offer area and the words that reach it."""

    keyword: str
    area: str
    kind: Literal["services", "process"] = "services"
    synonyms: list[str] = Field(default_factory=list)
    search: list[str] = Field(default_factory=list)
    translations: dict[str, list[str]] = Field(default_factory=dict)

    def phrases(self) -> list[str]:
        """Every phrase that reaches this area: its keyword, synonyms and translations."""
        return [self.keyword, *self.synonyms,
                *(phrase for translated in self.translations.values() for phrase in translated)]

    @field_validator("keyword")
    @classmethod
    def _keyword_is_one_word(cls, value: str) -> str:
        if not value.isalnum() or value.upper() != value:
            raise ValueError(f"keyword {value!r} must be one upper-case word")
        return value


class KeywordFile(BaseModel):
    """The whole data/keywords.yaml."""

    areas: list[Area]

    @model_validator(mode="after")
    def _each_phrase_reaches_one_area(self) -> KeywordFile:
        # A phrase listed under two areas would always reach the first: the second could
        # never be reached by it, and nobody editing the file would see why.
        owner: dict[str, str] = {}
        clashes: list[str] = []
        for area in self.areas:
            for phrase in area.phrases():
                first = owner.setdefault(compact(phrase), area.keyword)
                if first != area.keyword:
                    clashes.append(f"{phrase!r} is listed under both {first} and {area.keyword}")
        if clashes:
            raise ValueError("; ".join(clashes))
        return self


@dataclass(frozen=True)
class KeywordMatch:
    """An area found in a text, and which words of the text (by position) it used."""

    area: Area
    start: int
    end: int
    exact: bool
    phrase: str  # the keyword or synonym it matched, compacted ("shortbreaks")


class Keywords:
    """The keyword table, with lookups by any phrase of any language."""

    def __init__(self, areas: list[Area]) -> None:
        self.areas = areas
        self.by_keyword = {a.keyword: a for a in areas}
        self._phrases: dict[str, Area] = {}
        for area in areas:
            for phrase in area.phrases():
                self._phrases.setdefault(compact(phrase), area)
        self._longest = max((len(words(p)) for a in areas for p in a.synonyms), default=1)
        self._fuzzy_pool = [p for p in self._phrases if len(p) >= FUZZY_MIN_LENGTH]

    def find(self, text: str) -> list[KeywordMatch]:
        """Areas named in the text, longest phrases first, each word used once."""
        tokens = words(text)
        used = [False] * len(tokens)
        found: list[KeywordMatch] = []
        for size in range(min(self._longest, len(tokens)), 0, -1):
            for start in range(0, len(tokens) - size + 1):
                if any(used[start : start + size]):
                    continue
                match = self._lookup(tokens[start : start + size])
                if match is None:
                    continue
                area, exact, phrase = match
                found.append(KeywordMatch(area, start, start + size, exact, phrase))
                for i in range(start, start + size):
                    used[i] = True
        found.sort(key=lambda m: m.start)
        return found

    def first(self, text: str) -> KeywordMatch | None:
        """The area named first in the text, if any."""
        matches = self.find(text)
        return matches[0] if matches else None

    def _lookup(self, span: list[str]) -> tuple[Area, bool, str] | None:
        joined = "".join(span)
        area = self._phrases.get(joined)
        if area is not None:
            return area, True, joined
        # Typos are forgiven only in real words: never across a number ("shortbreaks 12")
        # or a little word ("to school" is not a slip for "school").
        if any(not w.isalpha() or w in STOP_WORDS for w in span):
            return None
        return _fuzzy(joined, tuple(self._fuzzy_pool), self)

    def __hash__(self) -> int:
        return id(self)


@lru_cache(maxsize=8192)
def _fuzzy(joined: str, pool: tuple[str, ...], table: Keywords) -> tuple[Area, bool, str] | None:
    if len(joined) < FUZZY_MIN_LENGTH or joined.isdigit():
        return None
    best, best_score = None, 0.0
    for phrase in pool:
        # Compare only phrases of similar length: a slip changes length by a letter or two.
        if abs(len(phrase) - len(joined)) > 2:
            continue
        score = fuzz.ratio(joined, phrase)
        if score > best_score:
            best, best_score = phrase, score
    if best is None or best_score < FUZZY_CUTOFF:
        return None
    return table._phrases[best], False, best


def load_keywords(path: Path) -> Keywords:
    """Read and validate a keyword file; a broken file fails loudly at start-up."""
    with path.open(encoding="utf-8") as handle:
        data = KeywordFile.model_validate(yaml.safe_load(handle))
    seen: set[str] = set()
    for area in data.areas:
        if area.keyword in seen:
            raise ValueError(f"keyword {area.keyword} is listed twice in {path}")
        seen.add(area.keyword)
    return Keywords(data.areas)


@lru_cache(maxsize=4)
def keywords_from(data_dir: str) -> Keywords:
    """The keyword table of a data folder, read once per process."""
    return load_keywords(Path(data_dir) / "keywords.yaml")
