"""The index build's reading of texts into word ids gives the words, audiences and name runs that
reading each text on its own gives."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from helpline.directory.audience import audiences
from helpline.directory.index_names import NAME_RUN, name_runs
from helpline.directory.text_match import STOP_WORDS, stem, words
from helpline.directory.texts_read import _SEPARATOR_CANDIDATES, _SEPARATORS, TextsRead
from helpline.directory.vocabulary import load_vocabulary

VOCABULARY = load_vocabulary(Path(__file__).resolve().parents[2] / "data" / "vocabulary.yaml")

TEXTS = [
    "Short Breaks for disabled children aged 5-11.",
    "Café – £5 a session, “drop in” any time; ok_yes",
    "Dla dzieci głuchych i ich rodzin",
    "شارٹ بريك بچوں کے لیے",
    "x² and ١٢ years: naïve A\u00a0B",
    "Support for older people and their carers",
    "",
    "Short Breaks for disabled children aged 5-11.",  # the same text again
    "Antenatal classes for expectant parents and babies",
    "Parents' Forum: DON'T miss O'Neil's group `quoted` (ages 0_5)",
]


def words_read(reading: TextsRead, *parts: np.ndarray) -> list[list[str]]:
    word_ids, docs = reading.words_of(*parts)
    said = list(reading.word_ids)
    return [[said[w] for w in word_ids[docs == d].tolist()] for d in range(parts[0].size)]


def test_each_text_reads_as_the_words_words_gives() -> None:
    reading = TextsRead()
    assert words_read(reading, reading.ids_of(TEXTS)) == [words(text) for text in TEXTS]


def test_a_text_ascii_but_for_quotes_dashes_and_symbols_reads_as_words_gives() -> None:
    # Such characters are made spaces before the fast path: beside letters, digits, apostrophes,
    # each other, and letters that are not ASCII, the words must be words()'s.
    texts = [
        f"{before}Don{char}t{char}{char}miss 5{char}11 {char}caf{after}"
        for char, _ in _SEPARATORS
        for before, after in (("", ""), ("'", "é"), ("x\u0301 ", "e\u0301"), (char, " ’"))
    ]
    texts += [char for char in _SEPARATOR_CANDIDATES]
    reading = TextsRead()
    assert words_read(reading, reading.ids_of(texts)) == [words(text) for text in texts]


def test_a_document_of_two_texts_is_their_words_one_after_the_other() -> None:
    reading = TextsRead()
    names, descriptions = reading.ids_of(TEXTS), reading.ids_of(reversed(TEXTS))
    assert words_read(reading, names, descriptions) == [
        words(a) + words(b) for a, b in zip(TEXTS, reversed(TEXTS), strict=True)
    ]


def test_kept_words_are_the_words_of_the_documents_whose_value_is_not_negative() -> None:
    reading = TextsRead()
    names, descriptions = reading.ids_of(TEXTS), reading.ids_of(reversed(TEXTS))
    of_word = reading.per_word(lambda said: [len(word) % 3 - 1 for word in said])
    word_ids, docs = reading.words_of(names, descriptions)
    place = np.flatnonzero(of_word[word_ids] >= 0)
    kept, kept_docs, kept_place = reading.kept_words_of(of_word, names, descriptions)
    assert kept.tolist() == of_word[word_ids][place].tolist()
    assert kept_docs.tolist() == docs[place].tolist()
    assert kept_place.tolist() == place.tolist()


def test_audiences_read_together_are_each_text_read_alone() -> None:
    reading = TextsRead()
    names, descriptions = reading.ids_of(TEXTS), reading.ids_of(reversed(TEXTS))
    assert audiences(VOCABULARY, reading, names, descriptions) == [
        VOCABULARY.audience_of(words(a) + words(b))
        for a, b in zip(TEXTS, reversed(TEXTS), strict=True)
    ]


def test_name_runs_are_every_run_of_a_name_from_a_word_that_is_no_stop_word() -> None:
    names = [*TEXTS, "Speech and Language Therapy", "The Short Break", "Shortbreak club"]
    expected: dict[str, set[int]] = {}
    for i, name in enumerate(names):
        stems = [stem(w) for w in words(name)]
        for start in range(len(stems)):
            if stems[start] in STOP_WORDS:
                continue
            for end in range(start + 1, min(start + NAME_RUN, len(stems)) + 1):
                expected.setdefault("".join(stems[start:end]), set()).add(i)
    reading = TextsRead()
    found = name_runs(reading, reading.ids_of(names))
    assert {key: set(docs.tolist()) for key, docs in found.items()} == expected
    last = len(TEXTS)
    assert found["shortbreak"].tolist() == [0, 7, last + 1, last + 2]  # sorted, each once
