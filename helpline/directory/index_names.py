"""What the search index keeps of services' names: their whole-word runs and first two terms.

Worked out on arrays of word ids, each distinct word stemmed once and each distinct run of
words joined into its key once, not word by word for every name (issue 16).
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator, Mapping
from typing import Any

import numpy as np

from helpline.directory.text_match import STOP_WORDS, stem
from helpline.directory.texts_read import TextsRead

# Runs of up to this many words of a name are keyed: enough for "speech and language".
NAME_RUN = 4


def equal_runs(keys: np.ndarray) -> list[tuple[int, int, int]]:
    """(key, start, end) for each run of equal keys in a sorted array."""
    if not keys.size:
        return []
    starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
    ends = np.r_[starts[1:], keys.size]
    return list(zip(keys[starts].tolist(), starts.tolist(), ends.tolist(), strict=True))


def distinct_sorted(keys: np.ndarray) -> np.ndarray:
    """np.unique(keys) by sorting: numpy's hash-based unique took a second on a million keys
    spread over a wide range (term * services + service)."""
    ordered = np.sort(keys)
    return ordered[np.r_[True, ordered[1:] != ordered[:-1]]] if ordered.size else ordered


_UNSEEN: Any = object()
_ASKED_KEPT = 20_000  # answers kept, at most: about 2 MB


class NameRuns(Mapping[str, np.ndarray]):
    """name_key() -> the services whose names hold that run of words, kept in a few arrays: a dict
    of an array for each of about 400,000 keys held 91 MB at 100,000 services (issue 16). A key
    is found by its CRC-32 among the sorted ones, then told from others by its own bytes."""

    def __init__(self, keys: list[str], owners: np.ndarray, bounds: np.ndarray) -> None:
        """keys[i]'s services are owners[bounds[i]:bounds[i + 1]]."""
        encoded = [key.encode() for key in keys]
        sums = np.fromiter(map(zlib.crc32, encoded), dtype=np.int64, count=len(encoded))
        order = np.argsort(sums, kind="stable")
        self._sums = sums[order]
        self._runs = order.astype(np.int32)
        in_order = [encoded[i] for i in order.tolist()]
        self._text = b"".join(in_order)
        self._ends = np.cumsum(np.fromiter(map(len, in_order), dtype=np.int64, count=len(keys)))
        self._owners = owners
        self._bounds = bounds
        # The keys searches ask for are few and asked again and again (the vocabulary's and
        # keywords' phrases): each answer is kept, so a search pays a dict look-up for each
        # (30-55 a search), not a binary search. Bounded: a text's own words are keys too.
        self._asked: dict[str, np.ndarray | None] = {}

    def get(self, key: str, default: Any = None) -> Any:
        """The services whose names hold the run of words, or `default`."""
        found = self._asked.get(key, _UNSEEN)
        if found is _UNSEEN:
            found = self._find(key)
            if len(self._asked) < _ASKED_KEPT:
                self._asked[key] = found
        return default if found is None else found

    def __getitem__(self, key: str) -> np.ndarray:
        found = self.get(key)
        if found is None:
            raise KeyError(key)
        return found

    def _find(self, key: str) -> np.ndarray | None:
        encoded = key.encode()
        crc = zlib.crc32(encoded)
        at = int(np.searchsorted(self._sums, crc))
        while at < self._sums.size and self._sums[at] == crc:
            if self._text[self._start(at) : int(self._ends[at])] == encoded:
                run = int(self._runs[at])
                return self._owners[self._bounds[run] : self._bounds[run + 1]]
            at += 1
        return None

    def _start(self, at: int) -> int:
        return int(self._ends[at - 1]) if at else 0

    def __iter__(self) -> Iterator[str]:
        for at in range(self._sums.size):
            yield self._text[self._start(at) : int(self._ends[at])].decode()

    def __len__(self) -> int:
        return int(self._sums.size)


def name_runs(reading: TextsRead, names: np.ndarray) -> NameRuns:
    """Whole-word runs of each name (by text id), as name_key() keys them -> the services so
    named: 'nurse' is not in 'nursery', nor 'advice' in 'advocacy'. A run starts at a word
    whose stem is no stop word."""
    stems: dict[str, int] = {}
    stem_of_word = reading.per_word(
        lambda said: [stems.setdefault(stem(word), len(stems)) for word in said]
    )
    stemmed = list(stems)
    opens = np.array([term not in STOP_WORDS for term in stemmed], dtype=bool)
    word_ids, docs = reading.words_of(names)
    said = stem_of_word[word_ids]
    n = max(names.size, 1)
    keys: dict[str, int] = {}
    key_list: list[str] = []
    found = []
    run = said  # each position's run of `length` words, as one id
    at_before = key_before = np.zeros(0, dtype=np.int64)  # the shorter runs' places and keys
    for length in range(1, min(NAME_RUN, said.size) + 1):
        if length > 1:
            # A run's id: the shorter run's id and the next word's, numbered densely again.
            _, run = np.unique(
                run[:-1] * max(len(stemmed), 1) + said[length - 1 :], return_inverse=True
            )
        at = np.flatnonzero(
            (docs[length - 1 :] == docs[: docs.size - length + 1])
            & opens[said[: said.size - length + 1]]
        )
        _, first, which = np.unique(run[at], return_index=True, return_inverse=True)
        starts = at[first]
        # A run's key is the shorter run's key (from the same place) and its last word's stem.
        prefixes = (
            key_before[np.searchsorted(at_before, starts)].tolist() if length > 1 else []
        )
        lasts = [stemmed[w] for w in said[starts + length - 1].tolist()]
        said_here = (
            [key_list[k] + last for k, last in zip(prefixes, lasts, strict=True)]
            if length > 1 else lasts
        )
        key_of_run = np.array([keys.setdefault(key, len(keys)) for key in said_here],
                              dtype=np.int64)
        key_list = list(keys)
        at_before, key_before = at, key_of_run[which]
        found.append(key_before * n + docs[at])
    both = distinct_sorted(np.concatenate(found)) if found else np.zeros(0, dtype=np.int64)
    key_of, owners = np.divmod(both, n)
    starts = np.flatnonzero(np.r_[True, key_of[1:] != key_of[:-1]]) if key_of.size else key_of
    names_of = list(keys)
    return NameRuns([names_of[key] for key in key_of[starts].tolist()], owners,
                    np.r_[starts, key_of.size].astype(np.int64))


def first_two(ids: np.ndarray, docs: np.ndarray, terms: list[str], n: int) -> list[str]:
    """Each document's first two terms, joined by a space ('' for none): a name's pattern."""
    first = np.searchsorted(docs, np.arange(n)).tolist()
    count = np.bincount(docs, minlength=n).tolist()
    said = ids.tolist()
    return [
        " ".join([terms[said[at]] for at in range(start, start + min(2, many))])
        for start, many in zip(first, count, strict=True)
    ]
