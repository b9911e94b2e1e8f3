"""Plain English for families: the check every English wording file passes.

The aim is a reading age of about 9. Short sentences matter most; long words are left to the
editor's judgement, which a syllable count would only second-guess.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

MAX_SENTENCE_WORDS = 20
_SENTENCE_END = re.compile(r"(?<=[.!?:])\s+|\n+")
_PLACEHOLDER = re.compile(r"\{[^{}]*\}")


def long_sentences(text: str, limit: int = MAX_SENTENCE_WORDS) -> list[str]:
    """Sentences of the text (a placeholder counts as one word) longer than `limit` words."""
    plain = _PLACEHOLDER.sub("X", text)
    return [s.strip() for s in _SENTENCE_END.split(plain) if len(s.split()) > limit]


def sentence_problems(where: str, texts: Mapping[str, str]) -> list[str]:
    """`helpline check`'s report of every too-long sentence in texts (labelled by their keys)."""
    return [
        f"{where}: {label} has a sentence of {len(sentence.split())} words (at most "
        f"{MAX_SENTENCE_WORDS} for a reading age of 9): {sentence!r}"
        for label, text in texts.items()
        for sentence in long_sentences(text)
    ]
