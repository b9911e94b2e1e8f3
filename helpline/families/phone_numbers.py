"""Phone numbers as Twilio gives them (E.164), read from what families and councils write."""

from __future__ import annotations

from functools import lru_cache

import phonenumbers

# Twilio sends these in From for a withheld or unknown caller.
WITHHELD = {
    "",
    "anonymous",
    "restricted",
    "unknown",
    "private",
    "+266696687",
    "+86282452253",
    "+7378742833",
    "+2562533",
    "+8656696",
}


def is_withheld(number: str | None) -> bool:
    """True when the caller's number is hidden, so nothing can be sent back to it."""
    return (number or "").strip().lower() in WITHHELD


# Every text and call reads its From here, and a family's numbers come again and again: parsing
# one is about a twentieth of a text's server time.
@lru_cache(maxsize=4096)
def to_e164(number: str | None, region: str = "GB") -> str | None:
    """The number in E.164 (+447700900123), or None if it isn't a possible phone number."""
    if is_withheld(number):
        return None
    try:
        parsed = phonenumbers.parse(str(number), region)
    except phonenumbers.NumberParseException:
        return None
    # IS_POSSIBLE only: a number possible "locally" (dialled without its area code, like
    # "+447700") is no number anyone can text or ring back.
    reason = phonenumbers.is_possible_number_with_reason(parsed)
    if reason != phonenumbers.ValidationResult.IS_POSSIBLE:
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
