"""Checks on the words a manager publishes: filled in, not too long, and never a phone number."""

from __future__ import annotations

import re

# A run of 7 or more digits however it is written (spaces, hyphens, dots, brackets, "+"): a UK
# number with or without its area code. Dates are written with a month name on these pages.
_NUMBER_LIKE = re.compile(r"\+?\(?\d[\d \-.()]{5,}\d")
MIN_PHONE_DIGITS = 7
MAX_PUBLISHED_CHARACTERS = 2000
MAX_THEME_CHARACTERS = 80


def has_phone_number(text: str) -> bool:
    """True when the text holds something that could be a phone number."""
    return any(len(re.sub(r"\D", "", found.group(0))) >= MIN_PHONE_DIGITS
               for found in _NUMBER_LIKE.finditer(text or ""))


def publish_problems(comment: str, response: str, action: str) -> dict[str, str]:
    """What stops these words being published, by form field (empty when they can be)."""
    fields = {"published_comment": ("the comment as it will be published", comment),
              "response": ("the council’s response", response),
              "action_taken": ("the action taken", action)}
    problems: dict[str, str] = {}
    for name, (label, text) in fields.items():
        if not text.strip():
            problems[name] = f"Enter {label}"
        elif len(text) > MAX_PUBLISHED_CHARACTERS:
            problems[name] = f"Shorten {label} to {MAX_PUBLISHED_CHARACTERS} characters or fewer"
        elif has_phone_number(text):
            problems[name] = f"Remove the phone number from {label}: none is ever published"
    return problems
