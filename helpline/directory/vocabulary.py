"""Families' words from data/vocabulary.yaml: text-speak, filler, needs, and who services are for.

A family texts "my son is 12 n wont sleep pls": the vocabulary reads that as the need "sleep"
for age 12, with "my son", "n" and "pls" carrying no need.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, Field, field_validator

from helpline.directory.text_match import stem, words


class Need(BaseModel):
    """A need in families' words, and the words services use for it."""

    name: str
    say: list[str]
    search: list[str]
    area: str | None = None
    # A condition (autism, deafness) says who the help is for; another need (a club, a job)
    # says what help. In "my autistic son wants a job" the job decides; any service for
    # disabled young people may serve the condition. "general" is disability or SEND itself,
    # which nearly every Local Offer service is for: beside a need it says little.
    kind: Literal["need", "condition", "general"] = "need"


class Audience(BaseModel):
    """Words in a service's text that say it is only for adults or older people."""

    say: list[str]
    minimum_age: int = Field(ge=0, le=120)


class VocabularyFile(BaseModel):
    """The whole data/vocabulary.yaml."""

    spellings: dict[str, str] = Field(default_factory=dict)
    filler: list[str] = Field(default_factory=list)
    needs: list[Need] = Field(default_factory=list)
    audiences: list[Audience] = Field(default_factory=list)
    numbers: dict[str, int] = Field(default_factory=dict)
    ages: dict[str, int] = Field(default_factory=dict)
    places: list[str] = Field(default_factory=list)
    for_children: list[str] = Field(default_factory=list)
    not_english: list[str] = Field(default_factory=list)
    for_babies: list[str] = Field(default_factory=list)
    any_condition: list[str] = Field(default_factory=list)

    @field_validator("spellings")
    @classmethod
    def _one_word_each(cls, value: dict[str, str]) -> dict[str, str]:
        for wrong, right in value.items():
            if len(words(wrong)) != 1:
                raise ValueError(f"spelling {wrong!r} must be one word")
            if not words(right):
                raise ValueError(f"spelling {wrong!r} must mean some word")
        return value


@dataclass(frozen=True)
class NeedMatch:
    """A need found in a text, and which words (by position) named it."""

    need: Need
    start: int
    end: int


@lru_cache(maxsize=65536)
def plain_letters(word: str) -> str:
    """The word as a keyboard without accents types it: 'głuchy' -> 'gluchy'."""
    decomposed = unicodedata.normalize("NFD", word.replace("ł", "l"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


# Each word's key, worked out once: an index build reads every word of every service.
_WORD_KEYS: dict[str, str] = {}
# Bounded (families' texts bring words nobody wrote before); never cleared, so a build in the
# background and a request reading at the same moment can't lose each other's keys.
_MOST_WORD_KEYS = 200_000


def word_keys(tokens: list[str] | tuple[str, ...]) -> tuple[str, ...]:
    """Each word as the vocabulary's phrases are keyed: its plain letters, stemmed."""
    return _key(tokens)


def _key(tokens: list[str] | tuple[str, ...]) -> tuple[str, ...]:
    known = _WORD_KEYS
    new = set(tokens).difference(known)
    if new:
        if len(known) + len(new) > _MOST_WORD_KEYS:
            return tuple(stem(plain_letters(t)) for t in tokens)
        for token in new:
            known[token] = stem(plain_letters(token))
    return tuple(map(known.__getitem__, tokens))


class Vocabulary:
    """Lookups over the vocabulary file."""

    def __init__(self, data: VocabularyFile) -> None:
        self.data = data
        self.spellings = {words(k)[0]: words(v) for k, v in data.spellings.items()}
        # Place names say where, not what: nearness is the postcode's job.
        self.filler = frozenset(plain_letters(w) for f in (*data.filler, *data.places, *data.ages)
                                for w in words(f))
        self.not_english = frozenset(plain_letters(w) for w in data.not_english)
        self.ages = {plain_letters(w): age for k, age in data.ages.items() for w in words(k)}
        self.for_children = [_key(self.normalise(words(p))) for p in data.for_children]
        self.for_babies = [_key(self.normalise(words(p))) for p in data.for_babies]
        self.any_condition = [_key(self.normalise(words(p))) for p in data.any_condition]
        self.numbers = {plain_letters(words(k)[0]): v for k, v in data.numbers.items()}
        self._needs: dict[tuple[str, ...], Need] = {}
        self._run_together: dict[str, tuple[Need, str]] = {}
        for need in data.needs:
            for phrase in need.say:
                # Said as texted: "wont eat" is read as "will not eat" on both sides.
                key = _key(self.normalise(words(phrase)))
                self._needs.setdefault(key, need)
                self._run_together.setdefault(stem("".join(words(phrase))), (need, phrase))
        self._longest = max((len(k) for k in self._needs), default=1)
        # By first word, so a service's text is read once however many phrases there are.
        # (phrase as keys, the youngest age it says) for every audience phrase.
        self.age_phrases = [(key, audience.minimum_age) for audience in data.audiences
                            for key in (_key(words(phrase)) for phrase in audience.say) if key]
        self._audiences: dict[str, list[tuple[tuple[str, ...], int]]] = {}
        for key, age in self.age_phrases:
            self._audiences.setdefault(key[0], []).append((key, age))
        self._children_by_first = _by_first(self.for_children)
        self._babies_by_first = _by_first(self.for_babies)
        self._send_by_first = _by_first(self.any_condition)
        # Every word that can start a phrase audience() looks for: a service's text with none
        # of them (most) is read no further.
        self._audience_starts = frozenset(
            [*self._audiences, *self._children_by_first, *self._babies_by_first,
             *self._send_by_first])

    def spelled_out(self, phrase: str) -> str:
        """A phrase as it is read once text-speak is spelled out ('wont eat' -> 'will not eat')."""
        return " ".join(self.normalise(words(phrase)))

    def clashes(self) -> list[str]:
        """Phrases listed under two needs: only the first could ever be read."""
        owner: dict[tuple[str, ...], str] = {}
        found: list[str] = []
        for need in self.data.needs:
            for phrase in need.say:
                first = owner.setdefault(_key(self.normalise(words(phrase))), need.name)
                if first != need.name:
                    found.append(f"{phrase!r} is said under both {first!r} and {need.name!r}")
        return found

    def normalise(self, tokens: list[str], english: bool = True) -> list[str]:
        """Text-speak and misspellings spelled out: ['wot', 'u'] -> ['what', 'you'].

        In a text that is not in English, a little word of its language is itself: Polish
        'dla' (for) is not text-speak for Disability Living Allowance.
        """
        out: list[str] = []
        for token in tokens:
            if not english and plain_letters(token) in self.not_english:
                out.append(token)
            else:
                out.extend(self.spellings.get(token, [token]))
        return out

    def is_filler(self, word: str) -> bool:
        """True for a word that carries no need ('my', 'son', 'pls', 'there')."""
        return plain_letters(word) in self.filler

    def age_in(self, word: str) -> int | None:
        """The number a word means when it is an age ('12', 'twelve', 'dwanaście')."""
        if word.isdecimal() and len(word) <= 3:
            return int(word)
        return self.numbers.get(plain_letters(word))

    def in_english(self, tokens: list[str]) -> bool:
        """False for a text in Polish or Urdu (its letters, or its little words).

        A little word that is also English text-speak ('dla') is no sign on its own.
        """
        return not any(not t.isascii() or (plain_letters(t) in self.not_english
                                           and t not in self.spellings) for t in tokens)

    def age_implied(self, tokens: list[str]) -> int | None:
        """An age a word implies when no number is given ('teenager' -> 15)."""
        return next((self.ages[w] for w in map(plain_letters, tokens) if w in self.ages), None)

    def audience(self, text: str) -> tuple[int | None, bool, bool, bool]:
        """(youngest age its words say, whether they say it is for children, whether for
        expectant parents and babies, whether for SEND or disability): one reading of a
        service's text."""
        return self.audience_of(words(text))

    def audience_of(self, words_said: list[str]) -> tuple[int | None, bool, bool, bool]:
        """audience() of a text already read into words."""
        keys = _key(words_said)
        if self._audience_starts.isdisjoint(keys):
            return None, False, False, False
        return (self._minimum_age_in(keys), self._names_children_in(keys),
                _says_any(keys, self._babies_by_first), _says_any(keys, self._send_by_first))

    def names_children(self, text: str) -> bool:
        """True when a service's own words say it is for children, young people or SEND."""
        return self._names_children_in(_key(words(text)))

    def _names_children_in(self, keys: tuple[str, ...]) -> bool:
        return _says_any(keys, self._children_by_first)

    def need_run_together(self, phrase: str) -> tuple[Need, str] | None:
        """The need a phrase typed as one word names ('SHORTBREAKS'), and its spaced form."""
        return self._run_together.get(stem(plain_letters(phrase)))

    def find_needs(self, tokens: list[str]) -> list[NeedMatch]:
        """Needs named in the tokens, longest phrases first, each word used once."""
        keys = _key(tokens)
        used = [False] * len(tokens)
        found: list[NeedMatch] = []
        for size in range(min(self._longest, len(tokens)), 0, -1):
            for start in range(len(tokens) - size + 1):
                if any(used[start : start + size]):
                    continue
                need = self._needs.get(keys[start : start + size])
                if need is None:
                    continue
                found.append(NeedMatch(need, start, start + size))
                for i in range(start, start + size):
                    used[i] = True
        found.sort(key=lambda m: m.start)
        return found

    def minimum_age_said(self, text: str) -> int | None:
        """The youngest age a service's own words say it is for ('older people' -> 50)."""
        return self._minimum_age_in(_key(words(text)))

    def _minimum_age_in(self, keys: tuple[str, ...]) -> int | None:
        ages = [age for first in self._audiences.keys() & keys
                for phrase, age in self._audiences[first] if _said_at(keys, first, phrase)]
        return min(ages, default=None)


def _by_first(phrases: list[tuple[str, ...]]) -> dict[str, list[tuple[str, ...]]]:
    """Phrases by their first word; phrases of no words are never said."""
    found: dict[str, list[tuple[str, ...]]] = {}
    for phrase in phrases:
        if phrase:
            found.setdefault(phrase[0], []).append(phrase)
    return found


def _says_any(keys: tuple[str, ...], by_first: dict[str, list[tuple[str, ...]]]) -> bool:
    return any(_said_at(keys, first, phrase)
               for first in by_first.keys() & keys for phrase in by_first[first])


def _said_at(keys: tuple[str, ...], first: str, phrase: tuple[str, ...]) -> bool:
    """True when the phrase (whose first key is `first`) stands somewhere in the keys; found
    by the C scan of tuple.index, not a Python loop over every word."""
    start = keys.index(first)
    while True:
        if keys[start : start + len(phrase)] == phrase:
            return True
        try:
            start = keys.index(first, start + 1)
        except ValueError:
            return False


def load_vocabulary(path: Path) -> Vocabulary:
    """Read and validate a vocabulary file; a broken file fails loudly at start-up."""
    with path.open(encoding="utf-8") as handle:
        return Vocabulary(VocabularyFile.model_validate(yaml.safe_load(handle)))


@lru_cache(maxsize=4)
def vocabulary_from(data_dir: str) -> Vocabulary:
    """The vocabulary of a data folder, read once per process."""
    return load_vocabulary(Path(data_dir) / "vocabulary.yaml")
