"""SMS segment counting as carriers (and Twilio's calculator) do it: GSM-7 or UCS-2, 3 parts max."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

# GSM 03.38 basic character set: one septet each.
GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
# The extension table: an escape septet plus one, so each counts twice.
GSM7_EXTENSION = frozenset("\f^{}\\[~]|€")

SEGMENT_BITS = 1120  # 140 octets
HEADER_BITS = 48  # the concatenation header every part of a long message carries
MAX_SEGMENTS = 3

_ZWJ = "\u200d"


@dataclass(frozen=True)
class SegmentCount:
    """How a text would be sent: its encoding, how many parts, and its length in units."""

    encoding: str  # "GSM-7" or "UCS-2"
    segments: int
    units: int  # septets for GSM-7, UTF-16 code units for UCS-2


def is_gsm7(text: str) -> bool:
    """True when every character fits GSM-7 (basic or extension table)."""
    return all(c in GSM7_BASIC or c in GSM7_EXTENSION for c in text)


def non_gsm7_characters(text: str) -> list[str]:
    """The characters that would force a message into UCS-2."""
    return [c for c in text if c not in GSM7_BASIC and c not in GSM7_EXTENSION]


def _joins_previous(char: str) -> bool:
    code = ord(char)
    return (
        unicodedata.category(char) in ("Mn", "Me", "Mc")
        or 0xFE00 <= code <= 0xFE0F  # variation selectors
        or 0x1F3FB <= code <= 0x1F3FF  # skin tones
        or 0xE0020 <= code <= 0xE007F  # tag sequences (subdivision flags)
        or char == _ZWJ
    )


def _is_regional_indicator(char: str) -> bool:
    return 0x1F1E6 <= ord(char) <= 0x1F1FF


def graphemes(text: str) -> list[str]:
    """User-perceived characters: marks, joiners, modifiers and flag pairs stay with their base."""
    clusters: list[str] = []
    for char in text:
        if clusters:
            last = clusters[-1]
            if _joins_previous(char) and last not in ("\r", "\n"):
                clusters[-1] += char
                continue
            if last.endswith(_ZWJ):
                clusters[-1] += char
                continue
            if (
                _is_regional_indicator(char)
                and len(last) == 1
                and _is_regional_indicator(last)
            ):
                clusters[-1] += char
                continue
        clusters.append(char)
    return clusters


def _utf16_units(cluster: str) -> int:
    return len(cluster.encode("utf-16-le")) // 2


_GSM7_ALL = GSM7_BASIC | GSM7_EXTENSION


def count_segments(text: str) -> SegmentCount:
    """Parts needed for the text; an escape pair or a character is never split across parts."""
    if _GSM7_ALL.issuperset(text):
        # The common case, and cheap: every GSM-7 character stands alone (no joiners or marks).
        # Most texts have no escaped character at all; packing a reply counts a dozen strings.
        escapes = 0 if GSM7_BASIC.issuperset(text) else sum(text.count(c) for c in GSM7_EXTENSION)
        units = len(text) + escapes
        if units * 7 <= SEGMENT_BITS:
            return SegmentCount("GSM-7", 1, units)
        if not escapes:
            # No escape pairs to keep whole: parts are simply full of single septets.
            per_part = (SEGMENT_BITS - HEADER_BITS) // 7
            return SegmentCount("GSM-7", -(-units // per_part), units)
        clusters: list[str] = list(text)
    else:
        clusters = graphemes(text)
    gsm = all(len(c) == 1 and (c in GSM7_BASIC or c in GSM7_EXTENSION) for c in clusters)
    if gsm:
        sizes = [14 if c in GSM7_EXTENSION else 7 for c in clusters]
        units = sum(sizes) // 7
    else:
        sizes = [16 * _utf16_units(c) for c in clusters]
        units = sum(sizes) // 16
    if sum(sizes) <= SEGMENT_BITS:
        return SegmentCount("GSM-7" if gsm else "UCS-2", 1, units)
    # Long messages: every part loses room to the header; fill parts whole characters at a time.
    segments, free = 1, SEGMENT_BITS - HEADER_BITS
    for size in sizes:
        if size > free:
            segments += 1
            free = SEGMENT_BITS - HEADER_BITS
        free -= size
    return SegmentCount("GSM-7" if gsm else "UCS-2", segments, units)


def fits(text: str, max_segments: int = MAX_SEGMENTS) -> bool:
    """True when the text goes in at most max_segments parts."""
    return count_segments(text).segments <= max_segments


# Look-alikes that sneak in from word processors and feeds; each would make a text UCS-2.
_LOOKALIKES = {
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u2033": '"',
    "\u2013": "-", "\u2014": "-", "\u2012": "-", "\u2010": "-", "\u2011": "-", "\u2212": "-",
    "\u00a0": " ", "\u2007": " ", "\u202f": " ", "\u2009": " ", "\u200a": " ", "\u2002": " ",
    "\u2003": " ", "\u200b": "", "\ufeff": "", "\u00ad": "", "\u2026": "...", "\u2022": "-",
    "\u00b7": "-", "\t": " ", "\u00e7": "c", "`": "'", "\u00b4": "'",
}


def plain_spaces(text: str) -> str:
    """Replace look-alike spaces, dashes and quotes (kept in every language)."""
    return "".join(_LOOKALIKES.get(c, c) for c in text)


def to_gsm7(text: str) -> str:
    """Text made GSM-7 only: look-alikes replaced, accents dropped, anything else removed."""
    if _GSM7_ALL.issuperset(text):
        return text  # the common case: no look-alike is a GSM-7 character, so nothing to do
    out: list[str] = []
    for char in plain_spaces(text):
        if char in GSM7_BASIC or char in GSM7_EXTENSION:
            out.append(char)
            continue
        base = unicodedata.normalize("NFKD", char)
        out.append("".join(c for c in base if c in GSM7_BASIC or c in GSM7_EXTENSION))
    return "".join(out)
