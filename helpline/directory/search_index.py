"""An in-memory ranking index over the active services, rebuilt when the directory changes.

Ranking is BM25F-style over three fields (name, organisation and taxonomy terms, description),
so it works on council feeds that carry no taxonomy at all. Each term's contribution to every
service is precomputed as a sparse vector, so a search is a handful of numpy additions.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field

import numpy as np
from rapidfuzz import fuzz, process

from helpline.directory.text_match import compact, terms

FIELD_WEIGHTS = {"name": 3.0, "tags": 1.5, "description": 1.0}
K1 = 1.2
B = 0.75


@dataclass
class IndexedService:
    """What the index keeps of one service to rank it and describe it briefly."""

    id: str
    name: str
    description: str
    tags: str
    phone: str | None
    email: str | None
    url: str | None
    minimum_age: float | None
    maximum_age: float | None
    positions: list[tuple[float, float]] = field(default_factory=list)


class SearchIndex:
    """Term -> (service positions, weights) for every active service."""

    def __init__(self, services: list[IndexedService]) -> None:
        self.services = services
        n = len(services)
        self.names_compact = [compact(s.name) for s in services]
        self.min_age = np.array(
            [s.minimum_age if s.minimum_age is not None else -np.inf for s in services], dtype=float
        )
        self.max_age = np.array(
            [s.maximum_age if s.maximum_age is not None else np.inf for s in services], dtype=float
        )
        owners: list[int] = []
        lats: list[float] = []
        lons: list[float] = []
        for i, service in enumerate(services):
            for lat, lon in service.positions:
                owners.append(i)
                lats.append(lat)
                lons.append(lon)
        self.position_owner = np.array(owners, dtype=np.int64)
        self.position_lat = np.array(lats, dtype=float)
        self.position_lon = np.array(lons, dtype=float)
        self.postings: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self.in_name: dict[str, np.ndarray] = {}
        self._build_postings(n)
        self.vocabulary = sorted(self.postings)
        self._corrections: dict[str, str | None] = {}
        self._name_masks: dict[frozenset[str], np.ndarray] = {}

    def _build_postings(self, n: int) -> None:
        names = [Counter(terms(s.name)) for s in self.services]
        named_in: dict[str, list[int]] = {}
        for i, counter in enumerate(names):
            for term in counter:
                named_in.setdefault(term, []).append(i)
        self.in_name = {t: np.array(docs, dtype=np.int64) for t, docs in named_in.items()}
        fields = {
            "name": names,
            "tags": [Counter(terms(s.tags)) for s in self.services],
            "description": [Counter(terms(s.description)) for s in self.services],
        }
        averages = {
            f: max(1.0, sum(sum(c.values()) for c in counts) / max(n, 1))
            for f, counts in fields.items()
        }
        pseudo_tf: dict[str, dict[int, float]] = {}
        for f, counts in fields.items():
            weight, average = FIELD_WEIGHTS[f], averages[f]
            for i, counter in enumerate(counts):
                length = sum(counter.values())
                norm = 1.0 - B + B * length / average
                for term, tf in counter.items():
                    slot = pseudo_tf.setdefault(term, {})
                    slot[i] = slot.get(i, 0.0) + weight * tf / norm
        for term, by_doc in pseudo_tf.items():
            df = len(by_doc)
            idf = math.log(1.0 + (n - df + 0.5) / (df + 0.5))
            docs = np.fromiter(by_doc.keys(), dtype=np.int64, count=df)
            tfs = np.fromiter(by_doc.values(), dtype=float, count=df)
            self.postings[term] = (docs, idf * tfs / (K1 + tfs))

    def correct(self, term: str) -> str | None:
        """The indexed word a typo most likely meant, or None."""
        if term in self.postings:
            return term
        if term in self._corrections:
            return self._corrections[term]
        best = None
        if len(term) >= 5 and term.isalpha():
            found = process.extractOne(
                term,
                self.vocabulary,
                scorer=fuzz.ratio,
                score_cutoff=85,
                processor=None,
            )
            best = found[0] if found else None
        self._corrections[term] = best
        return best

    def names_containing(self, phrases: frozenset[str]) -> np.ndarray:
        """Which services' names contain any of the phrases (compacted), cached per phrase set."""
        mask = self._name_masks.get(phrases)
        if mask is None:
            mask = np.array(
                [any(p in name for p in phrases) for name in self.names_compact], dtype=bool
            )
            self._name_masks[phrases] = mask
        return mask

    def score(self, weighted_terms: dict[str, float]) -> np.ndarray:
        """Relevance of every service to the weighted query terms."""
        scores = np.zeros(len(self.services), dtype=float)
        for term, weight in weighted_terms.items():
            posting = self.postings.get(term)
            if posting is not None:
                scores[posting[0]] += weight * posting[1]
        return scores

    def name_coverage(self, family_terms: list[str]) -> np.ndarray:
        """Share of the family's own words that each service's name contains (0 to 1)."""
        hits = np.zeros(len(self.services), dtype=float)
        if not family_terms:
            return hits
        for term in family_terms:
            docs = self.in_name.get(term)
            if docs is not None:
                hits[docs] += 1.0
        return hits / len(family_terms)

    def nearest_km(self, distances: np.ndarray) -> np.ndarray:
        """Each service's nearest position's distance; NaN for services with no position."""
        nearest = np.full(len(self.services), np.inf)
        np.minimum.at(nearest, self.position_owner, distances)
        nearest[np.isinf(nearest)] = np.nan
        return nearest
