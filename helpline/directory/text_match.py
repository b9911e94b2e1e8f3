"""Normalising what families type or say, so case, spacing, punctuation and plurals don't matter."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_WORD = re.compile(r"[^\W_]+", re.UNICODE)
# The same words in a text that fold() left all ASCII (lower case): a plain character class
# reads a long description about a third faster than Unicode's word classes.
_ASCII_WORD = re.compile(r"[a-z0-9]+")

STOP_WORDS = frozenset(
    "a an and are about at be but by can do for from get has have how i in is it me my "
    "need of on or our please the their this to want we what where who with you your".split()
)


# Many phones type Urdu with Arabic letters that look the same: Arabic yeh, kaf and heh for
# Urdu's ی, ک and ہ. Folded to the Urdu letters, "شارٹ بريك" is "شارٹ بریک".
_URDU_LETTERS = str.maketrans({"\u064a": "\u06cc", "\u0649": "\u06cc", "\u0643": "\u06a9",
                               "\u0647": "\u06c1"})
# translate() walks every character in Python's slow path: only texts with one of them pay it
# (a description with one curly quote was read ten times slower than one without).
_ARABIC_LOOKALIKES = re.compile("[\u064a\u0649\u0643\u0647]")


def fold(text: str) -> str:
    """Lower-case and strip accents that keyboards without them can't type (ą stays ą)."""
    text = unicodedata.normalize("NFKC", text).casefold()
    if not text.isascii() and _ARABIC_LOOKALIKES.search(text):
        text = text.translate(_URDU_LETTERS)
    return text.replace("’", "'").replace("'", "")


def words(text: str) -> list[str]:
    """The words of a text, folded, in order; punctuation and spacing dropped."""
    folded = fold(text)
    return (_ASCII_WORD if folded.isascii() else _WORD).findall(folded)


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """A light English stemmer: plurals and -ing/-ed, enough to make 'breaks' find 'break'."""
    if len(word) <= 3 or not word.isascii():
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith("ing") and len(word) > 5:
        return word[:-3]
    if word.endswith("ed") and len(word) > 4:
        return word[:-2]
    if word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def terms(text: str) -> list[str]:
    """Search terms: stemmed words without stop words."""
    return [stem(w) for w in words(text) if w not in STOP_WORDS]


def compact(text: str) -> str:
    """All letters and digits run together: 'Short-Breaks' and 'short breaks' become one."""
    return "".join(words(text))
