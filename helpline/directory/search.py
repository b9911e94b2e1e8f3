"""Search the Local Offer: the one function the text and phone channels call."""

from __future__ import annotations

import threading
from dataclasses import asdict, dataclass

import numpy as np
from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from helpline.directory import models as m
from helpline.directory.geo import Centroids, centroids_in, distances_km
from helpline.directory.keywords import Keywords, keywords_from
from helpline.directory.search_index import IndexedService, SearchIndex
from helpline.directory.text_match import STOP_WORDS, compact, stem, terms, words
from helpline.extensions import db

# Words a keyword adds to the query count for less than the family's own words.
EXPANSION_WEIGHT = 0.6
# A service whose name says what the family asked for ("Short Breaks Team" for SHORTBREAKS)
# should lead the list: its score gains this share of the best score.
NAME_MATCH_BONUS = 0.6
SAID_PHRASE_BONUS = 0.4
COVERAGE_BONUS = 0.5
# Nearness: a service 0 km away keeps its whole score, one far away keeps (1 - NEARNESS).
NEARNESS = 0.4
NEARNESS_SCALE_KM = 15.0
# Services with no known place rank as if at this distance: they may serve everyone.
UNKNOWN_PLACE_KM = 15.0
DEFAULT_LIMIT = 10


@dataclass(frozen=True)
class SearchResult:
    """One ranked service, with what a reply needs to name and reach it."""

    id: str
    name: str
    score: float
    phone: str | None
    email: str | None
    url: str | None
    minimum_age: float | None
    maximum_age: float | None
    distance_km: float | None

    def as_dict(self) -> dict[str, object]:
        """Plain values, for JSON."""
        return asdict(self)


class _IndexCache:
    """One index per database, rebuilt when the directory revision moves."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: dict[str, tuple[int, SearchIndex]] = {}

    def get(
        self, session: Session, centroids: Centroids, revision: int | None = None
    ) -> SearchIndex:
        key = str(session.get_bind().engine.url)
        if revision is None:  # not read with something else already
            revision = session.scalar(
                select(m.DirectoryRevision.revision).where(m.DirectoryRevision.id == 1)
            ) or 0
        entry = self._entries.get(key)
        if entry is not None and entry[0] == revision:
            return entry[1]
        with self._lock:
            entry = self._entries.get(key)
            if entry is None or entry[0] != revision:
                entry = (revision, build_index(session, centroids))
                self._entries[key] = entry
        return entry[1]

    def clear(self) -> None:
        self._entries.clear()


index_cache = _IndexCache()


def build_index(session: Session, centroids: Centroids) -> SearchIndex:
    """Read every active service and index it."""
    rows = session.scalars(
        select(m.Service)
        .where(m.Service.status == "active")
        .order_by(m.Service.id)
        .options(
            selectinload(m.Service.organization),
            selectinload(m.Service.phones),
            selectinload(m.Service.attributes).selectinload(m.Attribute.taxonomy_term),
            selectinload(m.Service.service_at_locations)
            .selectinload(m.ServiceAtLocation.location)
            .selectinload(m.Location.addresses),
        )
    ).all()
    return SearchIndex([_indexed(row, centroids) for row in rows])


def contact_of(row: m.Service) -> tuple[str | None, str | None]:
    """(email, web address) for a service: its own, else its organisation's. Many feeds give a
    service no contact of its own, and a family must always get a way to reach it."""
    organization = row.organization
    email = row.email or (organization.email if organization else None)
    url = row.url or (organization.website if organization else None)
    return email or None, url or None


def _indexed(row: m.Service, centroids: Centroids) -> IndexedService:
    positions: list[tuple[float, float]] = []
    for sal in row.service_at_locations:
        location = sal.location
        if location is None:
            continue
        if location.latitude is not None and location.longitude is not None:
            positions.append((location.latitude, location.longitude))
            continue
        for address in location.addresses:
            centroid = centroids.locate(address.postal_code)
            if centroid:
                positions.append(centroid)
                break
    tags = [row.organization.name if row.organization else ""]
    tags += [a.taxonomy_term.name for a in row.attributes if a.taxonomy_term]
    email, url = contact_of(row)
    return IndexedService(
        id=row.id,
        name=row.name,
        description=row.description or "",
        tags=" ".join(tags),
        phone=row.phones[0].number if row.phones else None,
        email=email,
        url=url,
        minimum_age=row.minimum_age,
        maximum_age=row.maximum_age,
        positions=positions,
    )


@dataclass(frozen=True)
class Query:
    """What a search looks for: weighted index terms and the phrases that earn name bonuses."""

    weighted: dict[str, float]
    area_phrases: frozenset[str]  # every phrase of the keyword areas named
    said_phrases: frozenset[str]  # the exact phrases named ("schooltransport")
    own_terms: list[str]  # the family's words outside any keyword phrase, as indexed


def build_query(text: str, keywords: Keywords, index: SearchIndex) -> Query:
    """Read a family's words: keyword areas they name, and whatever else they wrote."""
    weighted: dict[str, float] = {}
    name_phrases: set[str] = set()
    matches = keywords.find(text)
    for match in matches:
        area = match.area
        for phrase in (area.keyword, *area.synonyms, *area.search):
            name_phrases.add(compact(phrase))
        for phrase in (*area.search, area.keyword, *area.synonyms):
            for term in terms(phrase):
                weighted[term] = max(weighted.get(term, 0.0), EXPANSION_WEIGHT)
    all_words = words(text)
    consumed = {i for match in matches for i in range(match.start, match.end)}
    own: list[str] = []
    for position, word in enumerate(all_words):
        if word in STOP_WORDS:
            continue
        corrected = index.correct(stem(word))
        if not corrected:
            continue
        if position not in consumed:
            # The family's own words count fully; words inside a keyword phrase are already
            # represented by the keyword (so "short breaks" and "SHORTBREAKS" rank the same).
            weighted[corrected] = 1.0
            own.append(corrected)
    return Query(
        weighted=weighted,
        area_phrases=frozenset(p for p in name_phrases if len(p) >= 4),
        said_phrases=frozenset(m.phrase for m in matches if len(m.phrase) >= 4),
        own_terms=own,
    )


def search(
    text: str,
    age: int | None = None,
    postcode: str | None = None,
    limit: int = DEFAULT_LIMIT,
    session: Session | None = None,
    revision: int | None = None,
) -> list[SearchResult]:
    """Active services that match the text, best first, for this age and near this postcode.

    `revision` is the directory revision if the caller has just read it (saves a round trip).
    """
    session = session or db.session()
    data_dir = current_app.config["DATA_DIR"]
    centroids = centroids_in(data_dir)
    index = index_cache.get(session, centroids, revision)
    if not index.services:
        return []
    query = build_query(text, keywords_from(data_dir), index)
    if not query.weighted:
        return []
    scores = index.score(query.weighted)
    if age is not None:
        scores[(index.min_age > age) | (index.max_age < age)] = 0.0
    candidates = np.flatnonzero(scores > 0)
    if candidates.size == 0:
        return []
    best = float(scores[candidates].max())
    relevant = scores > 0
    if query.area_phrases:
        scores[index.names_containing(query.area_phrases) & relevant] += NAME_MATCH_BONUS * best
    if query.said_phrases:
        # "school transport": the service named with the very phrase beats one that only
        # matches the keyword's wider vocabulary ("Blue Badge").
        scores[index.names_containing(query.said_phrases) & relevant] += SAID_PHRASE_BONUS * best
    if len(query.own_terms) > 1:
        scores += COVERAGE_BONUS * best * index.name_coverage(query.own_terms) ** 2 * relevant
    distance = np.full(len(index.services), np.nan)
    place = centroids.locate(postcode)
    if place is not None and index.position_owner.size:
        d = distances_km(place[0], place[1], index.position_lat, index.position_lon)
        distance = index.nearest_km(d)
        effective = np.where(np.isnan(distance), UNKNOWN_PLACE_KM, distance)
        scores *= 1.0 - NEARNESS * (1.0 - np.exp(-effective / NEARNESS_SCALE_KM))
    top = candidates[np.argsort(-scores[candidates], kind="stable")[:limit]]
    results = []
    for i in top:
        s = index.services[i]
        results.append(
            SearchResult(
                id=s.id,
                name=s.name,
                score=float(scores[i]),
                phone=s.phone,
                email=s.email,
                url=s.url,
                minimum_age=s.minimum_age,
                maximum_age=s.maximum_age,
                distance_km=None if np.isnan(distance[i]) else round(float(distance[i]), 1),
            )
        )
    return results
