"""What the search index keeps of services' names: their whole-word runs and first two terms.

Worked out on arrays of word ids, each distinct word stemmed once and each distinct run of
words joined into its key once, not word by word for every name (issue 16).
"""

from __future__ import annotations

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


def name_runs(reading: TextsRead, names: np.ndarray) -> dict[str, np.ndarray]:
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
    said_list = said.tolist()
    n = max(names.size, 1)
    keys: dict[str, int] = {}
    found = []
    run = said  # each position's run of `length` words, as one id
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
        key_of_run = np.array(
            [
                keys.setdefault("".join([stemmed[w] for w in said_list[p : p + length]]), len(keys))
                for p in at[first].tolist()
            ],
            dtype=np.int64,
        )
        found.append(key_of_run[which] * n + docs[at])
    both = distinct_sorted(np.concatenate(found)) if found else np.zeros(0, dtype=np.int64)
    key_of, owners = np.divmod(both, n)
    names_of = list(keys)
    return {names_of[key]: owners[start:end] for key, start, end in equal_runs(key_of)}


def first_two(ids: np.ndarray, docs: np.ndarray, terms: list[str], n: int) -> list[str]:
    """Each document's first two terms, joined by a space ('' for none): a name's pattern."""
    first = np.searchsorted(docs, np.arange(n)).tolist()
    count = np.bincount(docs, minlength=n).tolist()
    said = ids.tolist()
    return [
        " ".join([terms[said[at]] for at in range(start, start + min(2, many))])
        for start, many in zip(first, count, strict=True)
    ]
