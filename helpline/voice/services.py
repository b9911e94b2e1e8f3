"""Services read out at a menu, and the text message that sends them to the caller."""

from __future__ import annotations

import re
from datetime import time

from flask import current_app
from sqlalchemy import select

from helpline.directory.search import SearchResult, search
from helpline.flows.model import Flow

# Services a menu can read, one at a time ("press 2 for the next"); text-me-this sends the
# first TEXTED of them.
SERVICES_LISTED = 9
TEXTED = 3


# A service's weekly hours per (database, directory revision, service): read once, not on
# every call that hears the service. (A menu's search needs no cache here: each search index
# keeps its recent answers, and a menu's words are the same for every caller.)
_hours: dict[tuple[str, int, str, str], list[tuple[int, int, time, time]]] = {}
MAX_CACHED_HOURS = 512


def services_for(words: str, age: int | None = None) -> list[SearchResult]:
    """The services for a node's keyword or the caller's words, for the child's age if given:
    the same directory search the text channel uses."""
    return services_with_hours(words, age, None)[0]


def services_with_hours(
    words: str, age: int | None, item: int | None
) -> tuple[list[SearchResult], list[tuple[int, int, time, time]]]:
    """services_for(), and the weekly hours of the service at `item` (none past the end),
    with one read of the directory's revision for both."""
    from helpline.directory.models import DirectoryRevision
    from helpline.extensions import db
    from helpline.voice.spoken import service_runs

    session = db.session()
    revision = session.execute(
        select(DirectoryRevision.revision, DirectoryRevision.changed_at).where(
            DirectoryRevision.id == 1
        )
    ).first()
    directory = (
        str(session.get_bind().engine.url),
        revision[0] if revision else 0,
        str(revision[1]) if revision else "",
    )
    found = search(words, age=age, limit=SERVICES_LISTED, session=session, revision=directory[1])
    if item is None or item >= len(found):
        return found, []
    service_id = found[item].id
    hours = _hours.get((*directory, service_id))
    if hours is None:
        hours = service_runs(session, service_id)
        if len(_hours) >= MAX_CACHED_HOURS:
            _hours.clear()
        _hours[(*directory, service_id)] = hours
    return found, list(hours)


def area_name(words: str, language: str = "en") -> str:
    """The Local Offer area a keyword stands for, in the caller's language as the texts name it
    ("Krótkie przerwy"), else in English ("Short breaks"), else the words themselves."""
    from helpline.directory.keywords import keywords_from
    from helpline.sms.templates import templates_from

    match = keywords_from(current_app.config["DATA_DIR"]).first(words)
    if match is None:
        return words.title()
    names = templates_from(current_app.config["SMS_TEMPLATES_DIR"]).get(language).areas
    return names.get(match.area.keyword) or match.area.area


# How UK numbers are grouped when said aloud: 020 7946 0000, 0300 123 4567, 01632 960 551.
_GROUPS: dict[tuple[int, str], list[int]] = {
    (11, "02"): [3, 4, 4],
    (11, "03"): [4, 3, 4],
    (11, "08"): [4, 3, 4],
    (11, "09"): [4, 3, 4],
    (11, "0"): [5, 3, 3],
    (10, "0"): [4, 3, 3],
}


# "01632 960550 ext 23", "... extension 23", "... x23": the extension is said apart.
_EXTENSION = re.compile(r"[\s,;]*(?:ext|extn|extension|x)\.?\s*(\d+)\s*$", re.IGNORECASE)
# "+44 (0)1632 ...": the (0) is dialled only from inside the UK, never after +44.
_UK_TRUNK_ZERO = re.compile(r"^\s*\+\s*44\s*\(\s*0\s*\)")


def phone_parts(phone: str) -> tuple[str, str]:
    """(the number read digit by digit, its extension read digit by digit or "")."""
    extension = _EXTENSION.search(phone)
    number = phone[: extension.start()] if extension else phone
    number = _UK_TRUNK_ZERO.sub("+44 ", number)
    return digits_spoken(number), " ".join(extension.group(1)) if extension else ""


def digits_spoken(phone: str) -> str:
    """A phone number read digit by digit, in the groups people say: "0 1 6 3 2, 9 6 0, 1 2 3"."""
    digits = re.sub(r"\D", "", phone)
    if phone.strip().startswith("+44") and digits.startswith("44"):
        digits = "0" + digits[2:]
    if not digits:
        return ""
    sizes = _GROUPS.get((len(digits), digits[:2]), _GROUPS.get((len(digits), digits[:1])))
    if sizes is None:  # anything else in threes, never leaving one digit alone at the end
        sizes = [3] * (len(digits) // 3) or [len(digits)]
        sizes[-1] += len(digits) - sum(sizes)
    groups, start = [], 0
    for size in sizes:
        groups.append(digits[start : start + size])
        start += size
    return ", ".join(" ".join(group) for group in groups)


def text_bodies(flow: Flow, language: str, words: str, services: list[SearchResult]) -> list[str]:
    """The texts for text-me-this: the area, then each service's name and a way to reach it
    (phone, else email, else web), made to fit as the SMS replies are: GSM-7 in English, at
    most 3 parts a text (an Urdu text is UCS-2: 67 characters a part)."""
    from helpline.sms.replies import ServiceSummary, pack, shorten

    lines = [flow.phrase(language, "text_body_intro", area=area_name(words, language))]
    for number, service in enumerate(services, start=1):
        contact = ServiceSummary(service.id, service.name, service.phone, service.email,
                                 service.url).contact()
        name = shorten(service.name, 60)
        lines.append(f"{number}. {name}: {contact}" if contact else f"{number}. {name}")
    return pack(lines, language)
