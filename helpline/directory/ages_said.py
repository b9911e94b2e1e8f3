"""The ages a service's own words give, for feeds that leave the eligibility fields empty.

Real feeds often say who a service is for only in its description ("people aged 16 and over",
"18 - 24 year olds", "children aged 5 to 11"). Read conservatively: a number counts as an age
only beside an age word, so opening hours, prices and phone numbers are never taken for one.
"""

from __future__ import annotations

import re

_TO = r"\s*(?:-|–|to)\s*"
_YEARS = r"(?:years?|yrs?)(?:[\s-]*olds?)?"
_OVER = r"(?:\+|plus\b|and\s+(?:over|above|older|upwards)\b|or\s+(?:over|above|older)\b)"
_N = r"(\d{1,2})"

# (pattern, what its numbers are): "range" (lowest, highest), "from" (lowest), "under" (below),
# "range_to" (highest, from 0).
_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(rf"\b(?:aged?|ages)\s+(?:from\s+)?{_N}{_TO}{_N}\b"), "range"),
    (re.compile(rf"\b{_N}{_TO}{_N}\s*{_YEARS}"), "range"),
    (re.compile(rf"\b(?:aged?|ages)\s+{_N}\s*(?:years?\s*)?{_OVER}"), "from"),
    (re.compile(rf"\b{_N}\s*(?:years?\s*)?(?:and|or)\s+(?:over|above|older)\b"), "from"),
    (re.compile(rf"\bover\s+{_N}(?:s\b|\s+{_YEARS})"), "from"),
    (re.compile(rf"\bunder\s+{_N}(?:s\b|\s+{_YEARS})"), "under"),
    (re.compile(rf"\bup\s+to\s+(?:the\s+)?age\s+(?:of\s+)?{_N}\b"), "range_to"),
]
# One pass to see whether any pattern can match, before each is run for its numbers.
_ANY = re.compile("|".join(f"(?:{pattern.pattern})" for pattern, _ in _PATTERNS))
# "13-19 (up to 25 with SEND)", "0-19 (25 SEND)": older young people with SEND are served too.
_WIDER_FOR_SEND = re.compile(rf"\b(?:up\s+to\s+)?{_N}\s*(?:with\s+|for\s+)?(?:send|sen)\b")
_OLDEST = 120
# An age is a number of one or two digits: only the text around each is read (descriptions run
# to pages; reading each whole for every pattern made an index build of 10,000 services 3 s
# slower). REACH covers the longest words around an age ("up to the age of", "years and over").
_DIGITS = re.compile(r"[0-9]+")
_REACH = 40
# A text with none of these can give no age in the patterns below: it is not read further.
_AGE_WORDS = re.compile(r"age|year|yr|over|under|older|above|\+|plus|send|sen\b")


def age_range_said(text: str) -> tuple[int | None, int | None]:
    """(youngest, oldest) age the text gives; None where it gives none or leaves it open.

    Several mentions widen each other: "aged 5 to 11, and 16 and over" is 5 with no oldest.
    """
    lows: list[int] = []
    highs: list[int | None] = []
    lowered = _around_numbers(text.lower())
    if not lowered or not _ANY.search(lowered):
        return None, None
    for pattern, kind in _PATTERNS:
        for found in pattern.finditer(lowered):
            numbers = [int(n) for n in found.groups() if n is not None]
            if kind == "range":
                low, high = numbers[0], numbers[1]
                if low > high or high > _OLDEST:
                    continue
                lows.append(low)
                highs.append(high)
            elif kind == "from":
                lows.append(numbers[0])
                highs.append(None)
            elif kind == "under":
                if numbers[0] == 0:
                    continue
                lows.append(0)
                highs.append(numbers[0] - 1)
            else:  # up to the age of N
                lows.append(0)
                highs.append(numbers[0])
    if not lows:
        return None, None
    highs += [int(found.group(1)) for found in _WIDER_FOR_SEND.finditer(lowered)]
    oldest = None if any(h is None for h in highs) else max(h for h in highs if h is not None)
    return min(lows), oldest


def _around_numbers(text: str) -> str:
    """The parts of the text near a one- or two-digit number, each from a word's start, kept
    apart so no pattern reads across two of them."""
    if not _AGE_WORDS.search(text):
        return ""
    spans: list[list[int]] = []
    for found in _DIGITS.finditer(text):
        if found.end() - found.start() > 2:
            continue  # a phone number, a year, a postcode's digits: no age
        start = text.rfind(" ", 0, max(0, found.start() - _REACH)) + 1
        end = found.end() + _REACH
        if spans and start <= spans[-1][1]:
            spans[-1][1] = end
        else:
            spans.append([start, end])
    return " | ".join(text[start:end] for start, end in spans)


def ages_in_own_words(text: str, audience_age: int | None) -> tuple[int | None, int | None]:
    """(youngest, oldest) by a service's own words: its audience words ("older people", read
    by the vocabulary) first for the youngest, then ages in figures."""
    youngest, oldest = age_range_said(text)
    return (audience_age if audience_age is not None else youngest), oldest
