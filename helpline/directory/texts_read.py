"""The directory's texts read once each into word ids, shared by the audience and the index.

An index build reads every service's name, organisation and description. Each distinct text is
read into words once, each distinct word gets one id, and what the build needs of a word (its
search term, its audience key, its stem) is worked out once per distinct word: the rest is
array work over word ids, not Python work per word (issue 16: a build of 10,000 services with
descriptions of their own took 2.3 s, more than half of it per-word lookups done twice).
"""

from __future__ import annotations

import re
import string
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from itertools import chain

import numpy as np

from helpline.directory.text_match import fold, words

# words() of a text whose letters and digits are all ASCII, in C: capitals made small,
# apostrophes dropped, every other character but a-z and 0-9 made a space, and the rest split:
# the same words as fold() and words()'s regex give (which were most of reading a
# description). Such words stay bytes until told apart.
_NOT_WORD = bytes(
    ord(chr(c).lower()) if chr(c) in string.ascii_letters + string.digits else ord(" ")
    for c in range(256)
)
# A text with a letter or digit that is not ASCII ('é', 'ł', Urdu) is read by words() itself.
# Other characters that are not ASCII (dashes, quotes, '£') become spaces as '?' does.
_NOT_ASCII = re.compile(r"[^\x00-\x7f]")

# Characters of feeds' descriptions that fold() makes no letter or digit: curly quotes, dashes,
# bullets, '£', a no-break space. A text that is ASCII but for them is read by the fast path once
# they are made spaces ('’' nothing, as fold() drops it): fold() and looking for letters that are
# not ASCII took 30 microseconds a text, and half of a directory's descriptions hold one (issue
# 16). Each is kept only if fold() makes it nothing but characters that are no letter or digit
# and combine with none (so it reads the same on its own as beside any other character).
_SEPARATOR_CANDIDATES = "’‘“”–—•…·£€®©★✨»«›‹°\xa0\u200b\u2009\u202f"


def _as_separator(char: str) -> str | None:
    """What a character may be replaced by before the fast path: '' or ' ' (None: it can't)."""
    folded = fold(char)
    if unicodedata.category(char)[0] not in "PSZC" or any(
        c.isalnum() or unicodedata.combining(c) for c in folded
    ):
        return None
    return "" if not folded else " "


_SEPARATORS = [
    (char, by) for char in _SEPARATOR_CANDIDATES if (by := _as_separator(char)) is not None
]

# Texts read into words are turned into ids this many at a time, so the words of a large
# directory's descriptions are never all held as Python strings at once.
_CHUNK = 2_000


def _words_not_ascii(text: str) -> list[str] | list[bytes]:
    """words() of a text with a character that is not ASCII."""
    plain = text
    for char, by in _SEPARATORS:
        plain = plain.replace(char, by)
    if plain.isascii():
        return plain.encode().translate(_NOT_WORD, b"'").split()
    folded = fold(text)
    if any(c.isalnum() for c in _NOT_ASCII.findall(folded)):
        return words(text)
    return folded.encode("ascii", "replace").translate(_NOT_WORD).split()


class TextsRead:
    """Distinct texts as runs of word ids."""

    def __init__(self) -> None:
        self.word_ids: dict[str, int] = {}
        self._of_token: dict[str | bytes, int] = {}  # a word as str or as bytes: its id
        self._text_ids: dict[str, int] = {}
        self._pending: list[list[str] | list[bytes]] = []
        self._chunks: list[np.ndarray] = []
        self._lengths: list[int] = []
        self._flat = np.zeros(0, dtype=np.int32)
        self._starts = np.zeros(0, dtype=np.int64)
        self._text_lengths = np.zeros(0, dtype=np.int64)

    def ids_of(self, texts: Iterable[str]) -> np.ndarray:
        """Each text's id; a text not seen before is read into words."""
        known = self._text_ids
        found = []
        for text in texts:
            text_id = known.get(text)
            if text_id is None:
                text_id = known[text] = len(known)
                said: list[str] | list[bytes]
                if text.isascii():  # fold() leaves such a text as it is, but for its case
                    said = text.encode().translate(_NOT_WORD, b"'").split()
                else:
                    said = _words_not_ascii(text)
                self._pending.append(said)
                self._lengths.append(len(said))
                if len(self._pending) >= _CHUNK:
                    self._to_ids()
            found.append(text_id)
        return np.array(found, dtype=np.int64)

    def forget_texts(self) -> None:
        """Let go of the texts read (a directory's descriptions: 100 MB at 100,000 services);
        only their words are kept. A text read after this is read again, as a new text."""
        self._text_ids = {}

    def _to_ids(self) -> None:
        flat: list[str | bytes] = list(chain.from_iterable(self._pending))
        ids, of_token = self.word_ids, self._of_token
        for token in set(flat).difference(of_token):
            word = token.decode() if isinstance(token, bytes) else token
            of_token[token] = ids.setdefault(word, len(ids))
        self._chunks.append(
            np.fromiter(map(of_token.__getitem__, flat), dtype=np.int32, count=len(flat))
        )
        self._pending = []

    def _all_read(self) -> None:
        """Every text read so far in the flat array of word ids."""
        if self._pending:
            self._to_ids()
        if self._chunks:
            self._flat = np.concatenate([self._flat, *self._chunks])
            self._chunks = []
            self._text_lengths = np.array(self._lengths, dtype=np.int64)
            self._starts = np.cumsum(self._text_lengths) - self._text_lengths

    def words_of(self, *parts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(word ids, which document) for documents made of texts one after another: parts[k]
        holds each document's k-th text (by id). Both are int32: they are the largest arrays a
        build holds (a word for every word of every description), and widen where combined."""
        self._all_read()
        n = parts[0].size if parts else 0
        texts = np.stack(parts, axis=1).ravel() if parts else np.zeros(0, dtype=np.int64)
        lengths = self._text_lengths[texts]
        placed = np.cumsum(lengths) - lengths
        # Each word's place in the flat array: int32 while it fits, as the words' own arrays.
        wide = np.int32 if self._flat.size < 2**31 else np.int64
        at: np.ndarray = np.arange(int(lengths.sum()), dtype=wide)
        at += np.repeat((self._starts[texts] - placed).astype(wide), lengths)
        docs = np.repeat(np.repeat(np.arange(n, dtype=np.int32), len(parts)), lengths)
        return self._flat[at], docs

    def kept_words_of(
        self, of_word: np.ndarray, *parts: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """What words_of(*parts) gives, as of_word[word id], for only the words whose of_word is
        not negative: (of_word of each, which document, its place among all the documents'
        words one after another, so that words side by side can still be told). The words are
        picked out of each distinct text once, then the few kept placed in the documents: no
        array of every word of every document (the audience's needed 330 MB at 100,000)."""
        self._all_read()
        said = of_word.astype(np.int32)[self._flat]
        kept = np.flatnonzero(said >= 0)
        first = np.searchsorted(kept, self._starts)  # each text's kept words: kept[first:...]
        count = np.searchsorted(kept, self._starts + self._text_lengths) - first
        n = parts[0].size if parts else 0
        texts = np.stack(parts, axis=1).ravel() if parts else np.zeros(0, dtype=np.int64)
        lengths = self._text_lengths[texts]
        placed = np.cumsum(lengths) - lengths  # each text's place among all the words
        many = count[texts]
        at = np.arange(int(many.sum()), dtype=np.int64)
        at += np.repeat(first[texts] - (np.cumsum(many) - many), many)
        where = kept[at]
        place = where + np.repeat(placed - self._starts[texts], many)
        docs = np.repeat(np.repeat(np.arange(n, dtype=np.int32), len(parts)), many)
        return said[where], docs, place

    def per_word(self, worked_out: Callable[[list[str]], Iterable[int]]) -> np.ndarray:
        """An array of what `worked_out` gives for each distinct word, indexed by word id."""
        self._all_read()
        return np.fromiter(
            worked_out(list(self.word_ids)), dtype=np.int64, count=len(self.word_ids)
        )


@dataclass(frozen=True)
class ServiceTexts:
    """Each service's name, organisation and taxonomy terms ('tags'), and description, as text
    ids of `reading`: what the index reads its terms from. The texts themselves are not kept
    (a directory's descriptions were the largest thing its index held, and never read again)."""

    reading: TextsRead
    name: np.ndarray
    tags: np.ndarray
    description: np.ndarray
