"""An in-memory ranking index over the active services, rebuilt when the directory changes.

Ranking is BM25F-style over three fields (name, organisation and taxonomy terms, description),
so it works on council feeds that carry no taxonomy at all. Each term's contribution to every
service is precomputed as a sparse vector, so a search is a handful of numpy additions.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

import numpy as np
from rapidfuzz import fuzz, process

from helpline.directory.index_names import distinct_sorted, equal_runs, first_two, name_runs
from helpline.directory.text_match import STOP_WORDS, stem, terms
from helpline.directory.texts_read import ServiceTexts, TextsRead

FIELD_WEIGHTS = {"name": 3.0, "tags": 1.5, "description": 1.0}
K1 = 1.2
B = 0.75


@dataclass
class IndexedService:
    """What the index keeps of one service to rank it and describe it briefly."""

    id: str
    name: str
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
    said_maximum_age: float | None = None  # from its own words, where the feed gives no ages
    for_children: bool = False  # its own words say it is for children, young people or SEND
    for_babies: bool = False  # its own words say it is for expectant parents and babies
    for_send: bool = False  # its own words say it is for SEND or disability


def name_key(words_of_phrase: list[str]) -> str:
    """A phrase as the name index keys it: stemmed words run together ('short breaks' ->
    'shortbreak'), so 'SHORTBREAKS', 'Short-Breaks' and 'short break' are one key."""
    return "".join(stem(w) for w in words_of_phrase)


def _among(values: np.ndarray, ordered: np.ndarray) -> np.ndarray:
    """np.isin(values, ordered) for a small sorted array, by binary search: isin sorted the
    million pairs of a directory's descriptions with an argsort."""
    if not ordered.size:
        return np.zeros(values.size, dtype=bool)
    return ordered[np.searchsorted(ordered, values).clip(max=ordered.size - 1)] == values


class _TermIds:
    """Search terms as ids: each distinct word is stemmed (or dropped as a stop word) once."""

    def __init__(self, reading: TextsRead) -> None:
        self.ids: dict[str, int] = {}
        self.terms: list[str] = []
        self._reading = reading
        # int32: a term id for every word of every description is a build's largest array.
        self._of_word = reading.per_word(self._term_ids).astype(np.int32)

    def _term_ids(self, said: list[str]) -> Iterator[int]:
        ids, terms = self.ids, self.terms
        for word in said:
            if word in STOP_WORDS:
                yield -1
                continue
            term = stem(word)
            if term not in ids:
                ids[term] = len(terms)
                terms.append(term)
            yield ids[term]

    def read(self, texts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Each document's terms (terms() of its text, by id) as (term ids, which document)."""
        word_ids, docs = self._reading.words_of(texts)
        ids = self._of_word[word_ids]
        kept = ids >= 0
        return ids[kept], docs[kept]


class SearchIndex:
    """Term -> (service positions, weights) for every active service."""

    def __init__(
        self, services: list[IndexedService], texts: ServiceTexts,
        phrases: frozenset[str] | None = None,
    ) -> None:
        """Index the services by their texts (read by the loader). `phrases`: the several-word
        phrases a query can hold (from the vocabulary and keywords), whose words must stand
        together; None tracks every pair."""
        self.services = services
        self.tracked_pairs = None if phrases is None else frozenset(
            f"{a} {b}" for phrase in phrases
            for a, b in zip(terms(phrase), terms(phrase)[1:], strict=False))
        n = len(services)
        self.min_age = np.array(
            [s.minimum_age if s.minimum_age is not None else -np.inf for s in services], dtype=float
        )
        self.for_children = np.array([s.for_children for s in services], dtype=bool)
        self.for_send = np.array([s.for_send for s in services], dtype=bool)
        self.for_babies = np.array(
            [s.for_babies and s.minimum_age is None and s.maximum_age is None for s in services],
            dtype=bool)
        self.said_min_age = np.array(
            [s.said_minimum_age if s.minimum_age is None and s.said_minimum_age is not None
             else -np.inf for s in services], dtype=float
        )
        self.said_max_age = np.array(
            [s.said_maximum_age if s.said_maximum_age is not None else np.inf for s in services],
            dtype=float)
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
        fields = {"name": texts.name, "tags": texts.tags, "description": texts.description}
        self._build_postings(n, texts.reading, fields)
        self.max_idf = math.log(1.0 + (n + 0.5) / 0.5)
        self.vocabulary = sorted(self.postings)
        self._corrections: dict[str, str | None] = {}
        self.name_runs = name_runs(texts.reading, texts.name)

    def _build_postings(self, n: int, reading: TextsRead, texts: dict[str, np.ndarray]) -> None:
        """Every term's services and BM25F weights, and the tracked pairs' services, worked out
        on arrays of term ids rather than term by term and service by service (issue 16: the
        loops were 40% of a build's 21 s per 10,000 services)."""
        term_ids = _TermIds(reading)
        said = {field: term_ids.read(ids) for field, ids in texts.items()}
        names = term_ids.terms
        self.name_pattern = first_two(*said["name"], names, n)
        self.pairs = self._pairs_of(said.values(), term_ids, n)
        # Each (term, service) once per field with its count, then the fields' pseudo
        # frequencies summed in the order name, tags, description.
        keys, contributions = [], []
        for f in list(said):
            ids, docs = said.pop(f)  # each field's words let go once counted
            weight = FIELD_WEIGHTS[f]
            lengths = np.bincount(docs, minlength=n)
            average = max(1.0, int(lengths.sum()) / max(n, 1))
            norm = 1.0 - B + B * lengths / average
            wide = ids.astype(np.int64) * max(n, 1) + docs
            del ids, docs
            found, tf = np.unique(wide, return_counts=True)
            del wide
            keys.append(found)
            contributions.append(weight * tf / norm[found % max(n, 1)])
        found = distinct_sorted(np.concatenate(keys))
        tfs = np.zeros(found.size)
        for field_keys, contribution in zip(keys, contributions, strict=True):
            tfs[np.searchsorted(found, field_keys)] += contribution
        del keys, contributions
        term, docs = np.divmod(found, max(n, 1))
        del found
        docs = docs.astype(np.int32)  # the index's largest array, with the weights: 38 MB less
        runs = equal_runs(term)
        del term
        # Each term's idf from its document frequency: worked out once per distinct frequency
        # (math.log, as the search's own figures are), not once per term (100,000 terms).
        df = np.array([end - start for _, start, end in runs], dtype=np.int64)
        frequencies, which = np.unique(df, return_inverse=True)
        idf_of = np.array([math.log(1.0 + (n - f + 0.5) / (f + 0.5))
                           for f in frequencies.tolist()])[which]
        self.idf = dict(zip([names[key] for key, _, _ in runs], idf_of.tolist(), strict=True))
        # weights = idf * tf / (K1 + tf), in place: the same figures, without three more
        # arrays of every (term, service) at once.
        saturation = K1 + tfs
        tfs *= np.repeat(idf_of, df)
        tfs /= saturation
        del saturation
        weights = tfs
        self.postings = {names[key]: (docs[start:end], weights[start:end])
                         for key, start, end in runs}

    def _pairs_of(
        self, said: Iterable[tuple[np.ndarray, np.ndarray]], reading: _TermIds, n: int
    ) -> dict[str, np.ndarray]:
        """Which services have two terms side by side ("toilet training", not "disabled
        toilets ... training"): a phrase of several words must stand together somewhere."""
        size = max(len(reading.terms), 1)
        tracked = None
        if self.tracked_pairs is not None:
            tracked = np.array(sorted(
                reading.ids[a] * size + reading.ids[b]
                for a, b in (pair.split(" ") for pair in self.tracked_pairs)
                if a in reading.ids and b in reading.ids), dtype=np.int64)
            # Only a word that begins a tracked pair, followed by one that ends one, can be a
            # tracked pair: a look-up of each word's term, where the binary search of every
            # pair of words in a directory's descriptions took 0.7 s at 100,000 services.
            begins = np.zeros(size, dtype=bool)
            ends = np.zeros(size, dtype=bool)
            begins[tracked // size] = True
            ends[tracked % size] = True
        found = []
        for ids, docs in said:
            together = docs[1:] == docs[:-1]
            if tracked is not None:
                together &= begins[ids[:-1]] & ends[ids[1:]]
            pairs = ids[:-1][together].astype(np.int64) * size + ids[1:][together]
            pair_docs = docs[1:][together]
            if tracked is not None:
                kept = _among(pairs, tracked)
                pairs, pair_docs = pairs[kept], pair_docs[kept]
            found.append(pairs * max(n, 1) + pair_docs)
        both = distinct_sorted(np.concatenate(found)) if found else np.zeros(0, dtype=np.int64)
        pair, docs = np.divmod(both, max(n, 1))
        names = reading.terms
        return {f"{names[p // size]} {names[p % size]}": docs[start:end]
                for p, start, end in equal_runs(pair)}

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
