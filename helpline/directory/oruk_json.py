"""Directory rows back into ORUK 3.0 JSON, as the UK profile's schemas describe it."""

from __future__ import annotations

from typing import Any

from helpline.directory import models as m


def _drop_empty(data: dict[str, Any]) -> dict[str, Any]:
    # The profile's schemas type optional fields as strings or numbers, not null: omit them.
    return {k: v for k, v in data.items() if v is not None and v != ""}


def organization_json(org: m.Organization | None) -> dict[str, Any] | None:
    """An organization, with the description the schema requires (empty when unknown)."""
    if org is None:
        return None
    data = _drop_empty(
        {
            "id": org.id,
            "email": org.email,
            "website": org.website,
            "logo": org.logo,
            "uri": org.uri,
        }
    )
    data["name"] = org.name
    data["description"] = org.description or ""
    return data


def taxonomy_term_json(term: m.TaxonomyTerm) -> dict[str, Any]:
    """One taxonomy term."""
    data = _drop_empty(
        {
            "id": term.id,
            "code": term.code,
            "parent_id": term.parent_id,
            "taxonomy": term.taxonomy,
            "taxonomy_id": term.taxonomy_id,
            "term_uri": term.term_uri,
        }
    )
    data["name"] = term.name
    data["description"] = term.description or term.name
    return data


def service_summary_json(service: m.Service) -> dict[str, Any]:
    """The one-to-one fields of a service, as in a list page."""
    data = _drop_empty(
        {
            "id": service.id,
            "organization_id": service.organization_id,
            "name": service.name,
            "description": service.description,
            "url": service.url,
            "email": service.email,
            "status": service.status,
            "fees": service.fees,
            "accreditations": service.accreditations,
            "minimum_age": service.minimum_age,
            "maximum_age": service.maximum_age,
            "assured_date": service.assured_date,
            "alert": service.alert,
            "last_modified": service.last_modified.isoformat() if service.last_modified else None,
        }
    )
    org = organization_json(service.organization)
    if org:
        data["organization"] = org
    return data


def _location_json(location: m.Location) -> dict[str, Any]:
    data = _drop_empty(
        {
            "id": location.id,
            "location_type": location.location_type,
            "name": location.name,
            "description": location.description,
            "latitude": location.latitude,
            "longitude": location.longitude,
        }
    )
    data["addresses"] = [
        {
            **_drop_empty(
                {
                    "id": a.id,
                    "location_id": location.id,
                    "attention": a.attention,
                    "address_2": a.address_2,
                    "region": a.region,
                }
            ),
            "address_1": a.address_1,
            "city": a.city,
            "state_province": a.state_province,
            "postal_code": a.postal_code,
            "country": a.country,
            "address_type": a.address_type,
        }
        for a in location.addresses
    ]
    data["accessibility"] = [
        _drop_empty(
            {
                "id": a.id,
                "location_id": location.id,
                "description": a.description,
                "details": a.details,
                "url": a.url,
            }
        )
        for a in location.accessibility
    ]
    return data


def service_json(service: m.Service) -> dict[str, Any]:
    """A fully nested service."""
    data = service_summary_json(service)
    data["phones"] = [
        _drop_empty(
            {
                "id": p.id,
                "service_id": service.id,
                "number": p.number,
                "extension": p.extension,
                "type": p.type,
                "description": p.description,
            }
        )
        for p in service.phones
    ]
    data["contacts"] = [
        _drop_empty(
            {
                "id": c.id,
                "service_id": service.id,
                "name": c.name,
                "title": c.title,
                "email": c.email,
            }
        )
        for c in service.contacts
    ]
    data["schedules"] = [
        _drop_empty(
            {
                "id": s.id,
                "service_id": service.id,
                "valid_from": s.valid_from,
                "valid_to": s.valid_to,
                "dtstart": s.dtstart,
                "freq": s.freq,
                "interval": s.interval,
                "byday": s.byday,
                "bymonthday": s.bymonthday,
                "opens_at": s.opens_at,
                "closes_at": s.closes_at,
                "description": s.description,
                "notes": s.notes,
            }
        )
        for s in service.schedules
    ]
    data["service_areas"] = [
        _drop_empty(
            {
                "id": a.id,
                "service_id": service.id,
                "name": a.name,
                "extent": a.extent,
                "extent_type": a.extent_type,
                "uri": a.uri,
            }
        )
        for a in service.service_areas
    ]
    data["service_at_locations"] = [
        {
            **_drop_empty(
                {
                    "id": sal.id,
                    "service_id": service.id,
                    "location_id": sal.location_id,
                    "description": sal.description,
                }
            ),
            **({"location": _location_json(sal.location)} if sal.location else {}),
        }
        for sal in service.service_at_locations
    ]
    data["cost_options"] = [
        _drop_empty(
            {
                "id": c.id,
                "service_id": service.id,
                "valid_from": c.valid_from,
                "valid_to": c.valid_to,
                "option": c.option,
                "currency": c.currency,
                "amount": c.amount,
                "amount_description": c.amount_description,
            }
        )
        for c in service.cost_options
    ]
    data["languages"] = [
        _drop_empty(
            {
                "id": lang.id,
                "service_id": service.id,
                "name": lang.name,
                "code": lang.code,
                "note": lang.note,
            }
        )
        for lang in service.languages
    ]
    data["attributes"] = [
        {
            **_drop_empty(
                {
                    "id": a.id,
                    "link_id": service.id,
                    "link_type": a.link_type,
                    "link_entity": "service",
                    "value": a.value,
                    "taxonomy_term_id": a.taxonomy_term_id,
                }
            ),
            **({"taxonomy_term": taxonomy_term_json(a.taxonomy_term)} if a.taxonomy_term else {}),
        }
        for a in service.attributes
    ]
    return data
