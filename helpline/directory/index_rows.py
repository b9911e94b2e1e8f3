"""Every active service as the search index keeps it, read with one Core query per table.

The ORM's objects and selectin loads were a third of an index build (issue 16: 21 s per 10,000
services): the index needs a few columns of each row, not objects that track changes. Children
are kept in the order the database returns them, as the ORM's relationships had them.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from helpline.directory import models as m
from helpline.directory.ages_said import ages_in_own_words
from helpline.directory.audience import audiences
from helpline.directory.geo import Centroids
from helpline.directory.search_index import IndexedService
from helpline.directory.texts_read import ServiceTexts, TextsRead
from helpline.directory.vocabulary import Vocabulary


def reachable_by(
    email: str | None, url: str | None, organization_email: str | None,
    organization_website: str | None,
) -> tuple[str | None, str | None]:
    """(email, web address) for a service: its own, else its organisation's. Many feeds give a
    service no contact of its own, and a family must always get a way to reach it."""
    return (email or organization_email) or None, (url or organization_website) or None


def indexed_services(
    session: Session, centroids: Centroids, vocabulary: Vocabulary
) -> tuple[list[IndexedService], ServiceTexts]:
    """Every active service, ordered by id, with what the index ranks and replies with; and
    its name, organisation and taxonomy terms, and description read into words, once here for
    the audience and the index's terms (reading them is most of a build)."""
    service = m.Service.__table__
    active = select(service.c.id).where(service.c.status == "active").scalar_subquery()
    organizations = {row.id: row for row in session.execute(select(
        m.Organization.id, m.Organization.name, m.Organization.email, m.Organization.website))}
    phones = _first_of(session.execute(
        select(m.Phone.service_id, m.Phone.number).where(m.Phone.service_id.in_(active))))
    tags = _grouped(session.execute(
        select(m.Attribute.link_id, m.TaxonomyTerm.name)
        .join(m.TaxonomyTerm, m.TaxonomyTerm.id == m.Attribute.taxonomy_term_id)
        .where(m.Attribute.link_entity == "service", m.Attribute.link_id.in_(active))))
    positions = _positions(session, active, centroids)
    rows = session.execute(
        select(service.c.id, service.c.name, service.c.description, service.c.email,
               service.c.url, service.c.organization_id, service.c.minimum_age,
               service.c.maximum_age)
        .where(service.c.status == "active").order_by(service.c.id)).all()
    reading = TextsRead()
    names = reading.ids_of(row.name for row in rows)
    descriptions = reading.ids_of(row.description or "" for row in rows)
    owners = [organizations.get(row.organization_id) for row in rows]
    texts = ServiceTexts(reading, names, reading.ids_of(
        " ".join([organization.name if organization else "", *tags.get(row.id, ())])
        for row, organization in zip(rows, owners, strict=True)), descriptions)
    reading.forget_texts()  # each row keeps its own until the end of this function
    # The words of "name. description": the full stop keeps the two apart.
    audience = audiences(vocabulary, reading, names, descriptions)
    indexed = []
    for row, organization, (said_age, for_children, for_babies, for_send) in zip(
            rows, owners, audience, strict=True):
        email, url = reachable_by(row.email, row.url, *(
            (organization.email, organization.website) if organization else (None, None)))
        indexed.append(IndexedService(
            id=row.id,
            name=row.name,
            phone=phones.get(row.id),
            email=email,
            url=url,
            minimum_age=row.minimum_age,
            maximum_age=row.maximum_age,
            positions=positions.get(row.id, []),
            **_ages_said(row, said_age),
            for_children=for_children,
            for_babies=for_babies,
            for_send=for_send,
        ))
    return indexed, texts


def _grouped(rows: Any) -> dict[str, list[Any]]:
    """(key, value) rows -> key: its values, in the order read."""
    grouped: dict[str, list[Any]] = defaultdict(list)
    for key, value in rows:
        grouped[key].append(value)
    return grouped


def _first_of(rows: Any) -> dict[str, Any]:
    """(key, value) rows -> key: its first value read."""
    first: dict[str, Any] = {}
    for key, value in rows:
        first.setdefault(key, value)
    return first


def _positions(
    session: Session, active: Any, centroids: Centroids
) -> dict[str | None, list[tuple[float, float]]]:
    """Each service's places: a location's own coordinates, else its first address whose
    postcode district we know."""
    postcodes = _grouped(session.execute(select(m.Address.location_id, m.Address.postal_code)))
    located = session.execute(
        select(m.ServiceAtLocation.service_id, m.Location.id, m.Location.latitude,
               m.Location.longitude)
        .join(m.Location, m.Location.id == m.ServiceAtLocation.location_id)
        .where(m.ServiceAtLocation.service_id.in_(active)))
    positions: dict[str | None, list[tuple[float, float]]] = defaultdict(list)
    centroid_of: dict[str, tuple[float, float] | None] = {}  # many places share a postcode
    for service_id, location_id, latitude, longitude in located:
        if latitude is not None and longitude is not None:
            positions[service_id].append((latitude, longitude))
            continue
        for postcode in postcodes.get(location_id, ()):
            if postcode not in centroid_of:
                centroid_of[postcode] = centroids.locate(postcode)
            centroid = centroid_of[postcode]
            if centroid:
                positions[service_id].append(centroid)
                break
    return positions


def _ages_said(row: Any, said_age: int | None) -> dict[str, int | None]:
    """The ages a service's own words give, where the feed gives none."""
    if row.minimum_age is not None or row.maximum_age is not None:
        return {"said_minimum_age": None, "said_maximum_age": None}
    youngest, oldest = ages_in_own_words(f"{row.name}. {row.description or ''}", said_age)
    return {"said_minimum_age": youngest, "said_maximum_age": oldest}
