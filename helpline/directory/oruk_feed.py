"""Read ORUK feeds (3.0 nested, 3.0 list pages, 1.0) into one canonical 3.0 service shape.

The canonical shape is plain dicts, the same as the UK profile's `service_full.json`, with ids
that are always UUIDs and descriptions that are always plain text. The importer stores it; the
API serves it back.
"""

from __future__ import annotations

import json
import math
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from helpline.directory.plain_text import html_to_text

# Ids that are not UUIDs get a stable UUID derived from the feed and the id the feed gave,
# so a re-import maps them to the same row and the API can still serve valid ORUK.
ID_NAMESPACE = uuid.UUID("5b0c4c2e-6a55-4f0e-9d0c-8e7c1f3a2b10")
_UUID = re.compile(
    r"^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$"
)
_WEEKDAYS = {
    "monday": "MO",
    "tuesday": "TU",
    "wednesday": "WE",
    "thursday": "TH",
    "friday": "FR",
    "saturday": "SA",
    "sunday": "SU",
}


@dataclass
class Skipped:
    """A record the importer passed over, and why."""

    source_id: str
    name: str
    reason: str


@dataclass
class ParsedFeed:
    """Services in canonical shape, plus taxonomy terms and what was skipped."""

    services: list[dict[str, Any]] = field(default_factory=list)
    taxonomy_terms: list[dict[str, Any]] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)


def stable_id(raw: Any, *scope: str) -> str:
    """The feed's id if it is a UUID (lower-cased), else a UUID derived from scope and raw id."""
    text = str(raw).strip() if raw is not None else ""
    if _UUID.match(text):
        return str(uuid.UUID(text))
    return str(uuid.uuid5(ID_NAMESPACE, "/".join((*scope, text))))


def iter_feed_files(paths: list[str]) -> Iterator[Path]:
    """Every .json file named, or found under a named folder, in a stable order."""
    for name in paths:
        path = Path(name)
        if path.is_dir():
            yield from sorted(p for p in path.rglob("*.json") if p.is_file())
        else:
            yield path


def load_document(path: Path) -> Any:
    """Parse one JSON file; the caller reports a file that is not JSON."""
    with path.open(encoding="utf-8-sig") as handle:
        return json.load(handle)


def parse_document(document: Any, source: str) -> ParsedFeed:
    """Recognise the document's shape and convert every service in it."""
    feed = ParsedFeed()
    records: list[Any]
    if isinstance(document, dict) and isinstance(document.get("contents"), list):
        records = document["contents"]
    elif isinstance(document, dict) and isinstance(document.get("content"), list):
        records = document["content"]
    elif isinstance(document, list):
        records = document
    elif isinstance(document, dict):
        records = [document]
    else:
        feed.skipped.append(Skipped("", "", "file is not an ORUK service or list"))
        return feed
    for index, record in enumerate(records):
        if not isinstance(record, dict):
            feed.skipped.append(Skipped(str(index), "", "entry is not an object"))
        elif _looks_like_taxonomy_term(record):
            feed.taxonomy_terms.append(_taxonomy_term(record, source))
        else:
            _add_service(feed, record, source, index)
    return feed


def _looks_like_taxonomy_term(record: dict[str, Any]) -> bool:
    service_keys = {"status", "organization", "description", "phones", "service_at_locations"}
    return "taxonomy" in record and not (service_keys & record.keys() - {"description"})


def _add_service(feed: ParsedFeed, record: dict[str, Any], source: str, index: int) -> None:
    raw_id = record.get("id")
    name = _clean_line(record.get("name"))
    if not name:
        feed.skipped.append(Skipped(str(raw_id or index), "", "no name"))
        return
    if raw_id in (None, ""):
        feed.skipped.append(Skipped(str(index), name, "no id"))
        return
    feed.services.append(canonical_service(record, source))


def _clean_line(value: Any) -> str:
    return " ".join(html_to_text(str(value)).split()) if value else ""


# ORUK's status values, and the words feeds use for them.
_STATUSES = {"active": "active", "live": "active", "open": "active", "published": "active",
             "current": "active", "inactive": "inactive", "closed": "inactive",
             "withdrawn": "inactive", "archived": "inactive", "deleted": "inactive",
             "defunct": "defunct", "temporarily closed": "temporarily closed",
             "temporarily_closed": "temporarily closed"}
# ISO 3166-1 codes for what UK feeds write in a country field.
_COUNTRIES = {"uk": "GB", "united kingdom": "GB", "great britain": "GB", "britain": "GB",
              "england": "GB", "wales": "GB", "scotland": "GB", "northern ireland": "GB"}
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _status(value: Any) -> str:
    word = " ".join(str(value or "active").lower().split())
    return _STATUSES.get(word, word)


def _country(value: Any) -> str:
    name = " ".join(_clean_line(value).lower().split()) or "gb"
    if len(name) == 2 and name.isalpha():
        return name.upper()
    return _COUNTRIES.get(name, "GB")  # a UK council's feed: its services are in the UK


def _email(value: Any) -> str | None:
    text = _text(value)
    text = text.removeprefix("mailto:").strip() if text else None
    return text if text and _EMAIL.match(text) else None  # "not an email" is no way to reach


def _web_address(value: Any) -> str | None:
    """An http(s) address: "www.x.org.uk" gains its https://; "javascript:..." is dropped."""
    text = _text(value)
    if not text or " " in text:
        return None
    scheme = text.split(":", 1)[0].lower() if ":" in text.split("/", 1)[0] else ""
    if scheme in ("http", "https"):
        return text
    if scheme or "." not in text:
        return None
    return "https://" + text.lstrip("/")


def _text(value: Any) -> str | None:
    text = html_to_text(str(value)) if value not in (None, "") else ""
    return text or None


def _num(value: Any) -> float | None:
    if value in (None, ""):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    # "NaN" and "Infinity" parse as floats, but are no age or interval, and aren't valid JSON.
    return number if math.isfinite(number) else None


def _list(record: dict[str, Any], *keys: str) -> list[dict[str, Any]]:
    for key in keys:
        value = record.get(key)
        if isinstance(value, list):
            return [item for item in value if isinstance(item, dict)]
    return []


def canonical_service(record: dict[str, Any], source: str) -> dict[str, Any]:
    """One service in canonical ORUK 3.0 shape, whichever version the feed speaks."""
    sid = stable_id(record.get("id"), source, "service")
    minimum_age = _num(record.get("minimum_age"))
    maximum_age = _num(record.get("maximum_age"))
    for eligibility in _list(record, "eligibilitys", "eligibilities"):
        minimum_age = (
            minimum_age if minimum_age is not None else _num(eligibility.get("minimum_age"))
        )
        maximum_age = (
            maximum_age if maximum_age is not None else _num(eligibility.get("maximum_age"))
        )
    service: dict[str, Any] = {
        "id": sid,
        "name": _clean_line(record.get("name")),
        "description": html_to_text(record.get("description")),
        "url": _web_address(record.get("url")),
        "email": _email(record.get("email")),
        "status": _status(record.get("status")),
        "fees": _text(record.get("fees") or record.get("fees_description")),
        "accreditations": _text(record.get("accreditations")),
        "minimum_age": minimum_age,
        "maximum_age": maximum_age,
        "assured_date": _text(record.get("assured_date")),
        "alert": _text(record.get("alert")),
        "organization": _organization(record.get("organization"), source),
        "phones": _phones(record, sid, source),
        "contacts": _contacts(record, sid, source),
        "schedules": _schedules(record, sid, source),
        "service_areas": _service_areas(record, sid, source),
        "service_at_locations": _service_at_locations(record, sid, source),
        "cost_options": _cost_options(record, sid, source),
        "languages": _languages(record, sid, source),
        "attributes": _attributes(record, sid, source),
        "source_id": str(record.get("id")),
    }
    return service


def _child_id(item: dict[str, Any], parent: str, kind: str, index: int, source: str) -> str:
    raw = item.get("id")
    if raw not in (None, ""):
        if kind == "location":
            return stable_id(raw, source, kind)  # a venue is shared: one row for every service
        # A phone, schedule or address belongs to its parent: feeds reuse short ids like "p1"
        # from one service to the next, so a derived id is scoped by the parent too.
        return stable_id(raw, source, kind, parent)
    return str(uuid.uuid5(ID_NAMESPACE, f"{parent}/{kind}/{index}"))


def _organization(value: Any, source: str) -> dict[str, Any] | None:
    if not isinstance(value, dict) or not (value.get("id") or value.get("name")):
        return None
    name = _clean_line(value.get("name"))
    return {
        "id": stable_id(value.get("id") or name, source, "organization"),
        "name": name or "Unnamed organisation",
        "description": html_to_text(value.get("description")),
        "email": _email(value.get("email")),
        "website": _web_address(value.get("website") or value.get("url")),
        "logo": _text(value.get("logo")),
        "uri": _text(value.get("uri")),
    }


def _phone(item: dict[str, Any], parent: str, index: int, source: str) -> dict[str, Any] | None:
    number = str(item.get("number") or "").strip()
    if not number:
        return None
    return {
        "id": _child_id(item, parent, "phone", index, source),
        "number": number,
        "extension": _text(item.get("extension")),
        "type": _text(item.get("type")),
        "description": _text(item.get("description")),
    }


def _phones(record: dict[str, Any], sid: str, source: str) -> list[dict[str, Any]]:
    phones = [_phone(item, sid, i, source) for i, item in enumerate(_list(record, "phones"))]
    # ORUK 1.0 keeps phones under contacts only; lift them so every channel finds a number.
    offset = len(phones)
    for contact in _list(record, "contacts"):
        for item in _list(contact, "phones"):
            phones.append(_phone(item, sid, offset, source))
            offset += 1
    return [p for p in phones if p]


def _contacts(record: dict[str, Any], sid: str, source: str) -> list[dict[str, Any]]:
    return [
        {
            "id": _child_id(item, sid, "contact", i, source),
            "name": _text(item.get("name")),
            "title": _text(item.get("title")),
            "email": _email(item.get("email")),
        }
        for i, item in enumerate(_list(record, "contacts"))
    ]


def _byday(item: dict[str, Any]) -> str | None:
    if item.get("byday"):
        return str(item["byday"]).upper().replace(" ", "")
    weekday = str(item.get("weekday") or "").strip().lower()
    return _WEEKDAYS.get(weekday) or (weekday.upper()[:2] or None)


def _time(value: Any) -> str | None:
    text = str(value or "").strip()
    match = re.match(r"^(\d{1,2}):(\d{2})(?::(\d{2}))?", text)
    if not match:
        return None
    return f"{int(match.group(1)):02d}:{match.group(2)}:{match.group(3) or '00'}"


def _schedules(record: dict[str, Any], sid: str, source: str) -> list[dict[str, Any]]:
    items = _list(record, "schedules", "regular_schedules")
    result = []
    for i, item in enumerate(items):
        interval = _num(item.get("interval"))
        result.append(
            {
                "id": _child_id(item, sid, "schedule", i, source),
                "valid_from": _text(item.get("valid_from")),
                "valid_to": _text(item.get("valid_to")),
                "dtstart": _text(item.get("dtstart")),
                "freq": _text(item.get("freq")) or ("WEEKLY" if item.get("weekday") else None),
                "interval": int(interval) if interval is not None else None,
                "byday": _byday(item),
                "bymonthday": _text(item.get("bymonthday")),
                "opens_at": _time(item.get("opens_at")),
                "closes_at": _time(item.get("closes_at")),
                "description": _text(item.get("description")),
                "notes": _text(item.get("notes")),
            }
        )
    return result


def _service_areas(record: dict[str, Any], sid: str, source: str) -> list[dict[str, Any]]:
    return [
        {
            "id": _child_id(item, sid, "service_area", i, source),
            "name": _text(item.get("name") or item.get("service_area")),
            "extent": _text(item.get("extent")),
            "extent_type": _text(item.get("extent_type")),
            "uri": _text(item.get("uri")),
        }
        for i, item in enumerate(_list(record, "service_areas"))
    ]


def _address(item: dict[str, Any], parent: str, index: int, source: str) -> dict[str, Any]:
    return {
        "id": _child_id(item, parent, "address", index, source),
        "attention": _text(item.get("attention")),
        "address_1": _clean_line(item.get("address_1")),
        "address_2": _text(item.get("address_2")),
        "city": _clean_line(item.get("city")),
        "region": _text(item.get("region")),
        "state_province": _clean_line(item.get("state_province")),
        "postal_code": _clean_line(item.get("postal_code")).upper(),
        "country": _country(item.get("country")),
        "address_type": _clean_line(item.get("address_type")) or "physical",
    }


def _location(value: dict[str, Any], parent: str, source: str) -> dict[str, Any]:
    lid = _child_id(value, parent, "location", 0, source)
    addresses = _list(value, "addresses", "physical_addresses")
    return {
        "id": lid,
        "location_type": _clean_line(value.get("location_type")) or "physical",
        "name": _text(value.get("name")),
        "description": _text(value.get("description")),
        "latitude": _num(value.get("latitude")),
        "longitude": _num(value.get("longitude")),
        "addresses": [_address(a, lid, i, source) for i, a in enumerate(addresses)],
        "accessibility": [
            {
                "id": _child_id(a, lid, "accessibility", i, source),
                "description": _text(a.get("description") or a.get("accessibility")),
                "details": _text(a.get("details")),
                "url": _text(a.get("url")),
            }
            for i, a in enumerate(_list(value, "accessibility", "accessibility_for_disabilities"))
        ],
    }


def _service_at_locations(record: dict[str, Any], sid: str, source: str) -> list[dict[str, Any]]:
    result = []
    for i, item in enumerate(_list(record, "service_at_locations")):
        location = item.get("location")
        if not isinstance(location, dict):
            continue
        sal_id = _child_id(item, sid, "service_at_location", i, source)
        result.append(
            {
                "id": sal_id,
                "description": _text(item.get("description")),
                "location": _location(location, sal_id, source),
            }
        )
    return result


def _cost_options(record: dict[str, Any], sid: str, source: str) -> list[dict[str, Any]]:
    return [
        {
            "id": _child_id(item, sid, "cost_option", i, source),
            "valid_from": _text(item.get("valid_from")),
            "valid_to": _text(item.get("valid_to")),
            "option": _text(item.get("option")),
            "currency": _text(item.get("currency")),
            "amount": _num(item.get("amount")),
            "amount_description": _text(item.get("amount_description")),
        }
        for i, item in enumerate(_list(record, "cost_options"))
    ]


def _languages(record: dict[str, Any], sid: str, source: str) -> list[dict[str, Any]]:
    result = []
    for i, item in enumerate(_list(record, "languages")):
        name = _text(item.get("name") or item.get("language"))
        result.append(
            {
                "id": _child_id(item, sid, "language", i, source),
                "name": name,
                "code": _text(item.get("code")),
                "note": _text(item.get("note")),
            }
        )
    return result


def _taxonomy_term(item: dict[str, Any], source: str) -> dict[str, Any]:
    name = _clean_line(item.get("name") or item.get("term")) or "Unnamed term"
    vocabulary = item.get("taxonomy") or item.get("vocabulary")
    parent = item.get("parent_id") or item.get("parent")
    return {
        "id": stable_id(item.get("id") or name, source, "taxonomy_term"),
        "name": name,
        "description": html_to_text(item.get("description")) or name,
        "parent_id": stable_id(parent, source, "taxonomy_term") if parent else None,
        "taxonomy": _text(vocabulary if isinstance(vocabulary, str) else None),
        "term_uri": _text(item.get("term_uri")),
        "code": _text(item.get("code")),
    }


def _attributes(record: dict[str, Any], sid: str, source: str) -> list[dict[str, Any]]:
    result = []
    for i, item in enumerate(_list(record, "attributes")):
        term = item.get("taxonomy_term")
        if not isinstance(term, dict):
            continue
        result.append(
            {
                "id": _child_id(item, sid, "attribute", i, source),
                "link_type": _text(item.get("link_type")),
                "value": _text(item.get("value")),
                "taxonomy_term": _taxonomy_term(term, source),
            }
        )
    # ORUK 1.0 links services to terms through service_taxonomys.
    for i, item in enumerate(_list(record, "service_taxonomys")):
        term = item.get("taxonomy")
        if isinstance(term, dict):
            result.append(
                {
                    "id": _child_id(item, sid, "service_taxonomy", i, source),
                    "link_type": None,
                    "value": None,
                    "taxonomy_term": _taxonomy_term(term, source),
                }
            )
    return result
