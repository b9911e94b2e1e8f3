"""Store canonical ORUK services: create, update or leave alone, and retire what a feed dropped."""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from helpline.directory import models as m
from helpline.directory.oruk_feed import ID_NAMESPACE, ParsedFeed, Skipped
from helpline.extensions import affected_rows

M = TypeVar("M", m.TaxonomyTerm, m.Organization)


@dataclass
class ImportSummary:
    """What one import did, for the command's closing report."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deactivated: int = 0
    taxonomy_terms: int = 0
    skipped: list[Skipped] = field(default_factory=list)
    renamed: list[Skipped] = field(default_factory=list)
    # Why services missing from the feed were not marked inactive, when they weren't.
    kept_missing: str = ""
    # A download: how many pages came, why it stopped short, or that nothing changed at all.
    pages: int = 0
    problem: str = ""
    not_modified: bool = False

    @property
    def changed(self) -> bool:
        """True when the import changed anything a family could be told."""
        return bool(self.created or self.updated or self.deactivated)


def content_hash(service: dict[str, Any]) -> str:
    """A digest of everything the feed says about a service, to detect real changes."""
    encoded = json.dumps(service, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(encoded.encode("utf-8")).hexdigest()


def import_feed(
    session: Session,
    feed: ParsedFeed,
    source: str,
    progress: Callable[[int], None] | None = None,
    retire_missing: bool = True,
    unreadable: bool = False,
) -> ImportSummary:
    """Apply one parsed feed to the directory in a single transaction owned by the caller.

    Services the feed no longer lists are marked inactive, but never on the word of a feed that
    could not all be read or that lists no service at all: a broken download or an error page
    must not empty a council's directory.
    """
    summary = ImportSummary(skipped=list(feed.skipped))
    for term in feed.taxonomy_terms:
        _merge_term(session, term)
        summary.taxonomy_terms += 1

    wanted = [s["id"] for s in feed.services]
    existing = (
        {row.id: row for row in session.scalars(select(m.Service).where(m.Service.id.in_(wanted)))}
        if wanted
        else {}
    )
    seen: dict[str, str] = {}
    for service in feed.services:
        digest = content_hash(service)
        if seen.get(service["id"]) == digest:
            summary.skipped.append(
                Skipped(service["source_id"], service["name"], "exact duplicate in feed")
            )
        else:
            if service["id"] in seen:
                # Two different services under one id: keep both, the later under a derived id,
                # so neither is lost and a re-import maps each to the same row again.
                service = with_derived_ids(service, digest)
                summary.renamed.append(
                    Skipped(service["source_id"], service["name"], "duplicate id, given a new id")
                )
            seen[service["id"]] = digest
            current = existing.get(service["id"]) or session.get(m.Service, service["id"])
            outcome = _apply_service(session, service, source, current)
            setattr(summary, outcome, getattr(summary, outcome) + 1)
        if progress:
            progress(1)

    if retire_missing and unreadable:
        summary.kept_missing = "part of the feed could not be read"
    elif retire_missing and not seen:
        summary.kept_missing = "the feed lists no services"
    elif retire_missing:
        result = session.execute(
            update(m.Service)
            .where(
                m.Service.source == source,
                m.Service.status != "inactive",
                m.Service.id.not_in(seen) if seen else m.Service.id.is_not(None),
            )
            .values(status="inactive", imported_at=m.utcnow())
            .execution_options(synchronize_session=False)
        )
        summary.deactivated = affected_rows(result)
    if summary.changed or summary.taxonomy_terms:
        bump_revision(session)
    return summary


def with_derived_ids(service: dict[str, Any], digest: str) -> dict[str, Any]:
    """A copy of a service whose every id is re-derived from the old one and its content."""

    def remap(value: Any) -> Any:
        if isinstance(value, dict):
            return {
                k: (str(uuid.uuid5(ID_NAMESPACE, f"{digest}/{v}")) if k == "id" else remap(v))
                for k, v in value.items()
            }
        if isinstance(value, list):
            return [remap(v) for v in value]
        return value

    copy = remap(service)
    # Shared rows (organisation, taxonomy terms) keep their ids: they are the same things.
    copy["organization"] = service["organization"]
    for new, old in zip(copy["attributes"], service["attributes"], strict=True):
        new["taxonomy_term"] = old["taxonomy_term"]
    return copy


def bump_revision(session: Session) -> None:
    """Tell every process's search index that the directory changed."""
    row = session.get(m.DirectoryRevision, 1)
    if row is None:
        session.add(m.DirectoryRevision(id=1, revision=1, changed_at=m.utcnow()))
    else:
        row.revision += 1
        row.changed_at = m.utcnow()


def _apply_service(
    session: Session, service: dict[str, Any], source: str, current: m.Service | None
) -> str:
    digest = content_hash(service)
    if (current is not None and current.content_hash == digest and current.source == source
            and current.status == service.get("status", current.status)):
        return "unchanged"  # a service the feed lists again after dropping it is not
    if current is not None:
        session.delete(current)
        session.flush()
    session.add(_build_service(session, service, source, digest))
    session.flush()
    return "updated" if current is not None else "created"


def _merge_term(session: Session, term: dict[str, Any]) -> m.TaxonomyTerm:
    fields = _fields(term, "name", "description", "parent_id", "taxonomy", "term_uri", "code")
    return _merge(session, m.TaxonomyTerm, term["id"], fields)


def _merge_organization(session: Session, org: dict[str, Any] | None) -> str | None:
    if not org:
        return None
    fields = _fields(org, "name", "description", "email", "website", "logo", "uri")
    return str(_merge(session, m.Organization, org["id"], fields).id)


def _merge(session: Session, model: type[M], row_id: str, values: dict[str, Any]) -> M:
    """The row with this id, added if it is new, with these values set (shared rows: terms and
    organisations many services point to)."""
    row = session.get(model, row_id)
    if row is None:
        row = model(id=row_id)
        session.add(row)
    for key, value in values.items():
        setattr(row, key, value)
    return row


def _fields(item: dict[str, Any], *names: str) -> dict[str, Any]:
    return {name: item.get(name) for name in names}


def _build_location(session: Session, data: dict[str, Any]) -> m.Location:
    """The location, updated in place when it exists: many services share one venue, and
    deleting it to rebuild would take the other services' links to it with it."""
    addresses = [
        m.Address(**_fields(a, "id", "attention", "address_1", "address_2", "city", "region",
                            "state_province", "postal_code", "country", "address_type"))
        for a in data["addresses"]
    ]
    accessibility = [
        m.Accessibility(**_fields(a, "id", "description", "details", "url"))
        for a in data["accessibility"]
    ]
    fields = _fields(data, "location_type", "name", "description", "latitude", "longitude")
    row = session.get(m.Location, data["id"])
    if row is None:
        return m.Location(id=data["id"], **fields, addresses=addresses,
                          accessibility=accessibility)
    for name, value in fields.items():
        setattr(row, name, value)
    # The children are the location's own: replaced whole (flushed out first, as their ids
    # come back unchanged).
    row.addresses, row.accessibility = [], []
    session.flush()
    row.addresses, row.accessibility = addresses, accessibility
    return row


def _build_service(session: Session, data: dict[str, Any], source: str, digest: str) -> m.Service:
    service = m.Service(
        **_fields(
            data,
            "id",
            "name",
            "description",
            "url",
            "email",
            "status",
            "fees",
            "accreditations",
            "minimum_age",
            "maximum_age",
            "assured_date",
            "alert",
        ),
        organization_id=_merge_organization(session, data["organization"]),
        source=source,
        source_id=data["source_id"],
        content_hash=digest,
        imported_at=m.utcnow(),
        last_modified=m.utcnow(),
    )
    service.phones = [
        m.Phone(**_fields(p, "id", "number", "extension", "type", "description"))
        for p in data["phones"]
    ]
    service.contacts = [
        m.Contact(**_fields(c, "id", "name", "title", "email")) for c in data["contacts"]
    ]
    service.schedules = [
        m.Schedule(
            **_fields(
                s,
                "id",
                "valid_from",
                "valid_to",
                "dtstart",
                "freq",
                "interval",
                "byday",
                "bymonthday",
                "opens_at",
                "closes_at",
                "description",
                "notes",
            )
        )
        for s in data["schedules"]
    ]
    service.service_areas = [
        m.ServiceArea(**_fields(a, "id", "name", "extent", "extent_type", "uri"))
        for a in data["service_areas"]
    ]
    service.service_at_locations = [
        m.ServiceAtLocation(
            id=sal["id"],
            description=sal["description"],
            location=_build_location(session, sal["location"]),
        )
        for sal in data["service_at_locations"]
    ]
    service.cost_options = [
        m.CostOption(
            **_fields(
                c,
                "id",
                "valid_from",
                "valid_to",
                "option",
                "currency",
                "amount",
                "amount_description",
            )
        )
        for c in data["cost_options"]
    ]
    service.languages = [
        m.Language(**_fields(lang, "id", "name", "code", "note")) for lang in data["languages"]
    ]
    service.attributes = [
        m.Attribute(
            id=a["id"],
            link_type=a["link_type"],
            value=a["value"],
            link_entity="service",
            taxonomy_term_id=_merge_term(session, a["taxonomy_term"]).id,
        )
        for a in data["attributes"]
    ]
    return service
