"""Search the Local Offer: the one function the text and phone channels call."""

from __future__ import annotations

import threading
import weakref
from dataclasses import asdict, dataclass, replace

import numpy as np
from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from helpline.directory import models as m
from helpline.directory.geo import Centroids, centroids_in, distances_km
from helpline.directory.index_rows import indexed_services, reachable_by
from helpline.directory.keywords import Keywords, keywords_from
from helpline.directory.query import Concept, Query, build_query
from helpline.directory.search_index import SearchIndex
from helpline.directory.vocabulary import Vocabulary, vocabulary_from
from helpline.extensions import db

# A keyword area widens a family's own words; alone, it is the whole question.
AREA_WEIGHT_WITH_OWN = 0.35
# A service whose name says what the family asked for ("Short Breaks Team" for SHORTBREAKS,
# "Deaf Children's Society" for "deaf") should lead the list: its score gains this share of
# the best score. An area's name bonus is small when the family said what they need.
OWN_NAME_BONUS = 0.6
AREA_NAME_BONUS = 0.6
AREA_NAME_BONUS_WITH_OWN = 0.1
SAID_PHRASE_BONUS = 0.4
# A name phrase shared by more services than this (or this share of them) earns no bonus:
# 150 "Cost of Living ..." services must not crowd out the rest.
COMMON_NAME_COUNT = 5
COMMON_NAME_SHARE = 0.02
# A service is close to a text when it covers at least this share of what was asked
# (each need weighted by how rare its words are); nothing closer means "nothing close".
CLOSE_ENOUGH = 0.5
# A condition ("autism") beside another need ("a job") counts for this share of its rarity:
# the other need says what help; the condition, rarer in the directory, would otherwise
# fill the list with every service for it, whatever it does.
CONDITION_BESIDE_NEED = 0.4
# Disability or SEND in general ("disabled children") beside a need: nearly every Local Offer
# service is for them, so the need decides almost alone.
GENERAL_BESIDE_NEED = 0.15
# A word the directory has never seen weighs this share of the rarest word's weight.
UNKNOWN_IMPORTANCE = 0.5
# A word that is no need the vocabulary knows weighs this share of its rarity.
UNKNOWN_NEED_IMPORTANCE = 0.5
# Services whose own words say they are for adults or older people, when no age was given.
OLDER_PEOPLE_AGE = 50
OLDER_PEOPLE_FACTOR = 0.4
ADULTS_FACTOR = 0.8
# Services sharing a name pattern ("Cost of Living ...", "NL Active ..."): a second one steps
# down a little (two leisure centres may both be right), a third and more by this factor each,
# so no one pattern fills a list.
SECOND_SAME_NAME_FACTOR = 0.9
SAME_NAME_FACTOR = 0.6
# A Local Offer helpline is for children and young people: services whose own words say they
# are for them (or for SEND) come before general ones, other things equal.
CHILDREN_FACTOR = 1.25
# A Local Offer is for SEND: for a bare keyword ("TRANSPORT"), where nothing else decides, a
# service whose own words say it is for SEND or disability comes before a general one.
SEND_FACTOR_BARE = 1.2
# Services for expectant parents and babies (by their own words), when no age was given.
BABIES_FACTOR = 0.7
BABY_AGE = 1
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
    said_minimum_age: float | None = None

    def as_dict(self) -> dict[str, object]:
        """Plain values, for JSON."""
        return asdict(self)


class _IndexCache:
    """One index per database, rebuilt when the directory revision moves."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: dict[str, tuple[int, SearchIndex]] = {}
        # Set by helpline.directory.warmup: a thread rebuilds the index when the directory
        # moves on, so a request keeps the index it has rather than build one itself.
        self.kept_warm = False

    def get(
        self, session: Session, centroids: Centroids, revision: int | None = None,
        vocabulary: Vocabulary | None = None,
    ) -> SearchIndex:
        key = str(session.get_bind().engine.url)
        if revision is None:  # not read with something else already
            revision = session.scalar(
                select(m.DirectoryRevision.revision).where(m.DirectoryRevision.id == 1)
            ) or 0
        entry = self._entries.get(key)
        if entry is not None and (entry[0] == revision or self.kept_warm):
            return entry[1]
        return self.refresh(session, centroids, revision, vocabulary)

    def refresh(
        self, session: Session, centroids: Centroids, revision: int,
        vocabulary: Vocabulary | None = None,
    ) -> SearchIndex:
        """The index for this revision of the directory, built now unless it is cached."""
        key = str(session.get_bind().engine.url)
        with self._lock:
            entry = self._entries.get(key)
            if entry is None or entry[0] != revision:
                entry = (revision, build_index(session, centroids, vocabulary))
                self._entries[key] = entry
        return entry[1]

    def clear(self) -> None:
        self._entries.clear()


index_cache = _IndexCache()


def build_index(
    session: Session, centroids: Centroids, vocabulary: Vocabulary | None = None
) -> SearchIndex:
    """Read every active service and index it."""
    if vocabulary is None:
        vocabulary = vocabulary_from(current_app.config["DATA_DIR"])
    services, texts = indexed_services(session, centroids, vocabulary)
    return SearchIndex(services, texts,
                       _phrases_of(vocabulary, keywords_from(current_app.config["DATA_DIR"])))


def _phrases_of(vocabulary: Vocabulary, keywords: Keywords) -> frozenset[str]:
    """Every phrase of several words a query can hold: needs (with the words for SEND in general
    that serve a condition) and keyword areas."""
    texts = [p for need in vocabulary.data.needs for p in (*need.say, *need.search)]
    texts += vocabulary.data.any_condition
    texts += [p for area in keywords.areas for p in (*area.synonyms, *area.search, area.area)]
    return frozenset(vocabulary.spelled_out(t) for t in texts if len(t.split()) > 1)


def contact_of(row: m.Service) -> tuple[str | None, str | None]:
    """(email, web address) for a service: its own, else its organisation's."""
    organization = row.organization
    return reachable_by(row.email, row.url, *(
        (organization.email, organization.website) if organization else (None, None)))


@dataclass(frozen=True)
class Answer:
    """What a search found for a text, and what it looked for (for replies and insight)."""

    results: list[SearchResult]
    looked_for: str  # the family's need words, as they wrote them ("" if none)
    nearest_area: str | None  # a keyword to offer when nothing close was found
    age: int | None  # the age used: given, or read from the text
    areas: tuple[str, ...] = ()  # the keyword areas the text named

    @property
    def nothing_close(self) -> bool:
        """The text asked for something, and no service is close to it."""
        return bool(self.looked_for) and not self.results


@dataclass
class Ranking:
    """Every service's score for one query, with the parts that made it (for --explain)."""

    query: Query
    scores: np.ndarray
    close: np.ndarray
    parts: dict[str, np.ndarray]
    distance: np.ndarray


def _importance(concept: Concept, index: SearchIndex) -> float:
    """How much a concept says about the need: the rarer its words, the more."""
    known = [sum(index.idf[t] for t in p) / len(p) for p, _ in concept.phrases
             if all(t in index.idf for t in p)]
    rarity = max(known) if known else UNKNOWN_IMPORTANCE * index.max_idf
    return rarity if concept.known_need else UNKNOWN_NEED_IMPORTANCE * rarity


def _weight(concept: Concept, any_own: bool, beside_need: bool) -> float:
    """How much a concept's matches count: an area widening the family's own words, or a
    condition beside a need, counts for less."""
    weight = 1.0 if concept.own or not any_own else AREA_WEIGHT_WITH_OWN
    if beside_need and concept.condition:
        return weight * (GENERAL_BESIDE_NEED if concept.kind == "general"
                         else CONDITION_BESIDE_NEED)
    return weight


def _name_phrase_ok(key: str, index: SearchIndex) -> bool:
    return index.names_count(key) <= max(COMMON_NAME_COUNT, COMMON_NAME_SHARE * len(index.services))


def rank(query: Query, index: SearchIndex, place: tuple[float, float] | None) -> Ranking:
    """Score every service for the query: relevance, closeness, names, age, audience, place."""
    n = len(index.services)
    own = query.own
    parts: dict[str, np.ndarray] = {}
    scores = np.zeros(n, dtype=float)
    covered = np.zeros(n, dtype=float)
    counted = own or query.concepts
    beside_need = any(c.known_need and not c.condition for c in own)
    weights = {c: _weight(c, bool(own), beside_need) for c in query.concepts}
    importance = {c: _importance(c, index) * weights[c] for c in query.concepts}
    total_importance = sum(importance[c] for c in counted) or 1.0
    for concept in query.concepts:
        matched = index.phrase_scores(list(concept.phrases))
        weight = weights[concept]
        parts[f"matches {concept.label!r}"] = weight * matched
        scores += weight * matched
        if concept in counted:
            covered += (matched > 0) * (importance[concept] / total_importance)
    close = (covered >= CLOSE_ENOUGH - 1e-9) & (scores > 0)
    if query.age is not None:
        too_young_or_old = ((index.min_age > query.age) | (index.max_age < query.age)
                            | (index.said_min_age > query.age)
                            | (index.said_max_age < query.age)
                            | (index.for_babies & (query.age > BABY_AGE)))
        close &= ~too_young_or_old
    scores *= 0.5 + 0.5 * covered
    best = float(scores[close].max()) if close.any() else 0.0
    if best > 0:
        _add(parts, scores, "name bonuses", _name_bonus(query, index, importance) * best * close)
    if query.age is None:
        factor = np.where(index.said_min_age >= OLDER_PEOPLE_AGE, OLDER_PEOPLE_FACTOR,
                          np.where(index.said_min_age >= 18, ADULTS_FACTOR, 1.0))
        factor = np.where(index.min_age >= 18, np.minimum(factor, ADULTS_FACTOR), factor)
        factor = np.where(index.for_babies, np.minimum(factor, BABIES_FACTOR), factor)
        parts["for adults or babies only (x)"] = factor
        scores *= factor
    factor = np.where(index.for_children, CHILDREN_FACTOR, 1.0)
    if query.bare:
        factor = np.where(index.for_send, factor * SEND_FACTOR_BARE, factor)
    parts["for children or SEND (x)"] = factor
    scores *= factor
    distance = np.full(n, np.nan)
    if place is not None and index.position_owner.size:
        d = distances_km(place[0], place[1], index.position_lat, index.position_lon)
        distance = index.nearest_km(d)
        effective = np.where(np.isnan(distance), UNKNOWN_PLACE_KM, distance)
        nearness = 1.0 - NEARNESS * (1.0 - np.exp(-effective / NEARNESS_SCALE_KM))
        parts["nearness (x)"] = nearness
        scores *= nearness
    return Ranking(query, scores, close, parts, distance)


def _add(parts: dict[str, np.ndarray], scores: np.ndarray, name: str, value: np.ndarray) -> None:
    parts[name] = value
    scores += value


def _name_bonus(
    query: Query, index: SearchIndex, importance: dict[Concept, float]
) -> np.ndarray:
    """Share of the best score earned by naming what was asked, in whole words."""
    n = len(index.services)
    bonus = np.zeros(n, dtype=float)
    own = query.own
    if own:
        total = sum(importance[c] for c in own) or 1.0
        for concept in own:
            named = np.zeros(n, dtype=float)
            for key, strength in concept.name_keys:
                if _name_phrase_ok(key, index):
                    np.maximum(named, strength * index.names_with({key}), out=named)
            bonus += OWN_NAME_BONUS * importance[concept] / total * named
    area_keys = {k for k in query.area_keys if _name_phrase_ok(k, index)}
    if area_keys:
        weight = AREA_NAME_BONUS_WITH_OWN if own else AREA_NAME_BONUS
        bonus += weight * index.names_with(area_keys)
    said = {k for k in query.said_keys if _name_phrase_ok(k, index)}
    if said:
        bonus += SAID_PHRASE_BONUS * index.names_with(said)
    return bonus


def pick(ranking: Ranking, index: SearchIndex, limit: int) -> list[int]:
    """The best close services, no one name pattern filling the list."""
    candidates = np.flatnonzero(ranking.close & (ranking.scores > 0))
    if candidates.size == 0:
        return []
    pool = candidates[np.argsort(-ranking.scores[candidates], kind="stable")[: limit * 4 + 10]]
    chosen: list[int] = []
    seen: dict[str, int] = {}
    remaining = [int(i) for i in pool]
    while remaining and len(chosen) < limit:
        def effective(i: int) -> float:
            before = seen.get(index.name_pattern[i], 0)
            factor = SECOND_SAME_NAME_FACTOR if before == 1 else SAME_NAME_FACTOR ** before
            return float(ranking.scores[i]) * factor
        top = max(remaining, key=effective)  # first of equals: the stable order
        remaining.remove(top)
        chosen.append(top)
        pattern = index.name_pattern[top]
        if pattern:
            seen[pattern] = seen.get(pattern, 0) + 1
    return chosen


def _result(index: SearchIndex, ranking: Ranking, i: int) -> SearchResult:
    s = index.services[i]
    distance = ranking.distance[i]
    return SearchResult(
        id=s.id, name=s.name, score=float(ranking.scores[i]), phone=s.phone, email=s.email,
        url=s.url, minimum_age=s.minimum_age, maximum_age=s.maximum_age,
        distance_km=None if np.isnan(distance) else round(float(distance), 1),
        said_minimum_age=s.said_minimum_age,
    )


def _sources(
    session: Session | None, revision: int | None
) -> tuple[str, Centroids, Vocabulary, SearchIndex]:
    """The data folder, its centroids and vocabulary, and the index of the directory."""
    data_dir = current_app.config["DATA_DIR"]
    centroids = centroids_in(data_dir)
    vocabulary = vocabulary_from(data_dir)
    index = index_cache.get(session or db.session(), centroids, revision, vocabulary)
    return data_dir, centroids, vocabulary, index


def _prepare(
    text: str, age: int | None, postcode: str | None, session: Session | None,
    revision: int | None,
) -> tuple[SearchIndex, Query, tuple[float, float] | None]:
    data_dir, centroids, vocabulary, index = _sources(session, revision)
    query = build_query(text, keywords_from(data_dir), vocabulary, index, age)
    return index, query, centroids.locate(postcode)


# Families text the same few keywords again and again. The same words, age, place and limit
# against the same index, vocabulary, keywords and centroids give the same answer, so each index
# keeps its recent answers; they go with the index when an import replaces it.
RECENT_ANSWERS = 1024
_recent: weakref.WeakKeyDictionary[SearchIndex, dict[tuple[object, ...], Answer]] = (
    weakref.WeakKeyDictionary())


def forget_recent_answers() -> None:
    """Drop the answers every index keeps (a benchmark timing the ranking itself)."""
    _recent.clear()


def answer(
    text: str,
    age: int | None = None,
    postcode: str | None = None,
    limit: int = DEFAULT_LIMIT,
    session: Session | None = None,
    revision: int | None = None,
) -> Answer:
    """Services close to the text, best first, and what was looked for.

    An age in the text ("my son is 12") is used when none is given. `revision` is the
    directory revision if the caller has just read it (saves a round trip).
    """
    data_dir, centroids, vocabulary, index = _sources(session, revision)
    recent = _recent.setdefault(index, {})
    keywords = keywords_from(data_dir)
    key = (vocabulary, keywords, centroids, text, age, postcode, limit)
    found = recent.get(key)
    if found is None:
        query = build_query(text, keywords, vocabulary, index, age)
        results: list[SearchResult] = []
        if index.services and query.concepts:
            ranking = rank(query, index, centroids.locate(postcode))
            results = [_result(index, ranking, i) for i in pick(ranking, index, limit)]
        found = Answer(results, query.looked_for, query.nearest_area, query.age,
                       tuple(a.keyword for a in query.areas))
        if len(recent) >= RECENT_ANSWERS:
            recent.clear()  # simpler than least-recently-used, and as good for a few keywords
        recent[key] = found
    return replace(found, results=list(found.results))  # the caller may change its list


def search(
    text: str,
    age: int | None = None,
    postcode: str | None = None,
    limit: int = DEFAULT_LIMIT,
    session: Session | None = None,
    revision: int | None = None,
) -> list[SearchResult]:
    """Active services close to the text, best first, for this age and near this postcode."""
    return answer(text, age, postcode, limit, session, revision).results


def explain(
    text: str, age: int | None = None, postcode: str | None = None, limit: int = DEFAULT_LIMIT,
) -> list[str]:
    """Why services ranked where they did, as lines for a council officer to read."""
    index, query, place = _prepare(text, age, postcode, None, None)
    read = [repr(c.label) + ("" if c.own else " (area, widening)") for c in query.concepts]
    lines = [f"Read as: {', '.join(read) or 'nothing to search for'}"]
    if query.age is not None:
        lines.append(f"Age: {query.age}")
    if not index.services or not query.concepts:
        return lines
    ranking = rank(query, index, place)
    chosen = pick(ranking, index, limit)
    if not chosen:
        lines.append("Nothing close" + (f"; nearest area {query.nearest_area}"
                                        if query.nearest_area else ""))
    for rank_no, i in enumerate(chosen, start=1):
        s = index.services[i]
        lines.append(f"{rank_no}. {s.name}  score {ranking.scores[i]:.2f}")
        for name, values in ranking.parts.items():
            value = float(values[i])
            if (name.endswith("(x)") and value != 1.0) or (not name.endswith("(x)") and value):
                lines.append(f"     {name}: {value:.2f}")
        if s.said_minimum_age is not None or s.said_maximum_age is not None:
            low = "" if s.said_minimum_age is None else f" from {s.said_minimum_age:g}"
            high = "" if s.said_maximum_age is None else f" up to {s.said_maximum_age:g}"
            lines.append(f"     its own words say: for ages{low}{high}")
    return lines
