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

from helpline.directory.text_match import STOP_WORDS, stem, terms, words

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
    # The youngest age the service's own words say it is for ("older people": 50), when the
    # feed gives no ages: many real feeds carry none, and adults' services must not answer
    # a text about a child.
    said_minimum_age: float | None = None
    for_children: bool = False  # its own words say it is for children, young people or SEND
    for_babies: bool = False  # its own words say it is for expectant parents and babies


def name_key(words_of_phrase: list[str]) -> str:
    """A phrase as the name index keys it: stemmed words run together ('short breaks' ->
    'shortbreak'), so 'SHORTBREAKS', 'Short-Breaks' and 'short break' are one key."""
    return "".join(stem(w) for w in words_of_phrase)


# Runs of up to this many words of a name are keyed: enough for "speech and language".
NAME_RUN = 4


class SearchIndex:
    """Term -> (service positions, weights) for every active service."""

    def __init__(
        self, services: list[IndexedService], phrases: frozenset[str] | None = None
    ) -> None:
        """Index the services. `phrases`: the several-word phrases a query can hold (from the
        vocabulary and keywords), whose words must stand together; None tracks every pair."""
        self.services = services
        self.tracked_pairs = None if phrases is None else frozenset(
            f"{a} {b}" for phrase in phrases
            for a, b in zip(terms(phrase), terms(phrase)[1:], strict=False))
        n = len(services)
        self.min_age = np.array(
            [s.minimum_age if s.minimum_age is not None else -np.inf for s in services], dtype=float
        )
        self.for_children = np.array([s.for_children for s in services], dtype=bool)
        self.for_babies = np.array(
            [s.for_babies and s.minimum_age is None and s.maximum_age is None for s in services],
            dtype=bool)
        self.said_min_age = np.array(
            [s.said_minimum_age if s.minimum_age is None and s.said_minimum_age is not None
             else -np.inf for s in services], dtype=float
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
        self.idf: dict[str, float] = {}
        self._build_postings(n)
        self.max_idf = math.log(1.0 + (n + 0.5) / 0.5)
        self.vocabulary = sorted(self.postings)
        self._corrections: dict[str, str | None] = {}
        self.name_runs = self._name_runs()
        self.name_pattern = [" ".join(terms(s.name)[:2]) for s in services]

    def _name_runs(self) -> dict[str, np.ndarray]:
        """Whole-word runs of each name -> the services so named: 'nurse' is not in
        'nursery', nor 'advice' in 'advocacy'."""
        runs: dict[str, set[int]] = {}
        for i, service in enumerate(self.services):
            stems = [stem(w) for w in words(service.name)]
            for start in range(len(stems)):
                if stems[start] in STOP_WORDS:
                    continue
                for end in range(start + 1, min(start + NAME_RUN, len(stems)) + 1):
                    runs.setdefault("".join(stems[start:end]), set()).add(i)
        return {key: np.fromiter(docs, dtype=np.int64) for key, docs in runs.items()}

    def _build_postings(self, n: int) -> None:
        said = {
            "name": [terms(s.name) for s in self.services],
            "tags": [terms(s.tags) for s in self.services],
            "description": [terms(s.description) for s in self.services],
        }
        # Which services have two terms side by side ("toilet training", not "disabled toilets
        # ... training"): a phrase of several words must stand together somewhere.
        pairs: dict[str, set[int]] = {}
        tracked = self.tracked_pairs
        for lists in said.values():
            for i, words_said in enumerate(lists):
                for a, b in zip(words_said, words_said[1:], strict=False):
                    pair = f"{a} {b}"
                    if tracked is None or pair in tracked:
                        pairs.setdefault(pair, set()).add(i)
        self.pairs = {k: np.sort(np.fromiter(v, dtype=np.int64, count=len(v)))
                      for k, v in pairs.items()}
        fields = {f: [Counter(w) for w in lists] for f, lists in said.items()}
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
            order = np.argsort(docs)  # sorted, so phrases can intersect them
            self.postings[term] = (docs[order], (idf * tfs / (K1 + tfs))[order])
            self.idf[term] = idf

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

    def names_with(self, keys: frozenset[str] | set[str]) -> np.ndarray:
        """Which services' names contain any of the phrases (name_key form) as whole words."""
        mask = np.zeros(len(self.services), dtype=bool)
        for key in keys:
            docs = self.name_runs.get(key)
            if docs is not None:
                mask[docs] = True
        return mask

    def names_count(self, key: str) -> int:
        """How many services' names contain the phrase as whole words."""
        docs = self.name_runs.get(key)
        return 0 if docs is None else int(docs.size)

    def score(self, weighted_terms: dict[str, float]) -> np.ndarray:
        """Relevance of every service to the weighted query terms."""
        scores = np.zeros(len(self.services), dtype=float)
        for term, weight in weighted_terms.items():
            posting = self.postings.get(term)
            if posting is not None:
                scores[posting[0]] += weight * posting[1]
        return scores

    def phrase_scores(self, phrases: list[tuple[tuple[str, ...], float]]) -> np.ndarray:
        """Each service's best match to any one of the phrases: the sum of a phrase's terms'
        weights, only where the service has every term of it, side by side ('visual
        impairment' is not 'hearing impairment')."""
        best = np.zeros(len(self.services), dtype=float)
        for phrase, strength in phrases:
            postings = [self.postings.get(term) for term in phrase]
            if not postings or any(p is None for p in postings):
                continue
            docs = postings[0][0]  # type: ignore[index]
            for other in postings[1:]:
                docs = np.intersect1d(docs, other[0], assume_unique=True)  # type: ignore[index]
            for a, b in zip(phrase, phrase[1:], strict=False):
                pair = f"{a} {b}"
                if self.tracked_pairs is not None and pair not in self.tracked_pairs:
                    continue  # a pair no phrase of ours holds: not known side by side
                together = self.pairs.get(pair)
                docs = (np.intersect1d(docs, together, assume_unique=True)
                        if together is not None else docs[:0])
            if docs.size == 0:
                continue
            total = np.zeros(docs.size, dtype=float)
            for term_docs, weights in postings:  # type: ignore[misc]
                total += weights[np.searchsorted(term_docs, docs)]
            best[docs] = np.maximum(best[docs], strength * total)
        return best

    def nearest_km(self, distances: np.ndarray) -> np.ndarray:
        """Each service's nearest position's distance; NaN for services with no position."""
        nearest = np.full(len(self.services), np.inf)
        np.minimum.at(nearest, self.position_owner, distances)
        nearest[np.isinf(nearest)] = np.nan
        return nearest
