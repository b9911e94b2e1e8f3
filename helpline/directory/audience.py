"""Whom each service's own words say it is for, read for the whole directory at once.

The same answers as Vocabulary.audience() for each text, found with arrays of word keys and one
scan a phrase instead of a loop over every word of every service (done service by service, it
was a third of an index build); each distinct word's key is worked out once.
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import chain

import numpy as np

from helpline.directory.texts_read import TextsRead
from helpline.directory.vocabulary import Vocabulary, word_keys

Audience = tuple[int | None, bool, bool, bool]


def audiences(vocabulary: Vocabulary, reading: TextsRead, *parts: np.ndarray) -> list[Audience]:
    """For each document (its texts by id in `reading`, one after another: parts[k] holds each
    document's k-th text): the youngest age its words say, whether they say it is for
    children, young people or SEND, whether for expectant parents and babies, and whether for
    SEND or disability."""
    ages = vocabulary.age_phrases
    every = [phrase for phrase, _ in ages] + vocabulary.for_children + vocabulary.for_babies
    every += vocabulary.any_condition
    key_ids = {key: i for i, key in enumerate(dict.fromkeys(chain.from_iterable(every)))}
    # A word whose key is in no phrase is -1: it can't be part of one.
    key_of_word = reading.per_word(
        lambda said: [key_ids.get(key, -1) for key in word_keys(said)])
    # Only words in some phrase can be part of one: the rest (nearly all) are left out, and each
    # word kept remembers its place, so a phrase is still only its words side by side.
    ids, docs, place = reading.kept_words_of(key_of_word, *parts)
    n = parts[0].size
    starts: dict[int, np.ndarray] = {}

    def saying(phrase: tuple[str, ...]) -> np.ndarray:
        """The texts the phrase stands in, word after word."""
        first = key_ids[phrase[0]]
        if first not in starts:
            starts[first] = np.flatnonzero(ids == first)
        at = starts[first]
        at = at[at + len(phrase) <= ids.size]
        for offset, key in enumerate(phrase[1:], start=1):
            at = at[(ids[at + offset] == key_ids[key]) & (docs[at + offset] == docs[at])
                    & (place[at + offset] == place[at] + offset)]
        return docs[at]

    youngest = np.full(n, np.inf)
    for phrase, age in ages:
        np.minimum.at(youngest, saying(phrase), age)
    children = np.zeros(n, dtype=bool)
    for phrase in vocabulary.for_children:
        if phrase:  # a phrase of no words is never said
            children[saying(phrase)] = True
    babies = _saying_any(vocabulary.for_babies, saying, n)
    send = _saying_any(vocabulary.any_condition, saying, n)
    return [(None if np.isinf(age) else int(age), bool(child), bool(baby), bool(for_send))
            for age, child, baby, for_send in zip(youngest.tolist(), children.tolist(),
                                                  babies.tolist(), send.tolist(), strict=True)]


def _saying_any(phrases: list[tuple[str, ...]], saying: Callable[[tuple[str, ...]], np.ndarray],
                n: int) -> np.ndarray:
    found = np.zeros(n, dtype=bool)
    for phrase in phrases:
        if phrase:  # a phrase of no words is never said
            found[saying(phrase)] = True
    return found
