"""Reading a family's words as a search: the needs they name, the area, an age.

"my son is 12 n wont sleep pls" is read as one need (sleep) for age 12: the family's own words
decide what is searched for; a keyword area only widens the search; words that carry no need
("my son", "pls") are not searched for at all.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from helpline.directory.keywords import Area, Keywords
from helpline.directory.search_index import SearchIndex, name_key
from helpline.directory.text_match import STOP_WORDS, stem, terms, words
from helpline.directory.vocabulary import Need, Vocabulary

# Words before or after a number that make it an age ("12 years", "aged 7", "ma 5 lat").
_AGE_CONTEXT = frozenset(
    "age aged year years yr yrs old yo is hes shes lat latka lata roku ma sal saal umar".split()
)
MAX_AGE = 25


# The words a family said count fully; the directory's other words for the same need (a
# need's `search` list in the vocabulary) count for this much: they widen, the family decides.
SYNONYM_STRENGTH = 0.7
# A service for SEND or disability in general serves a family who names one condition
# ("blind"), for this much: less than the condition's own words.
ANY_CONDITION_STRENGTH = 0.5


@dataclass(frozen=True)
class Concept:
    """One thing the family asked for, and the directory's ways of saying it.

    A service covers the concept when it matches any one phrase of it.
    """

    label: str  # in the family's words, for replies and --explain
    phrases: tuple[tuple[tuple[str, ...], float], ...]  # (index terms, all-of; strength)
    name_keys: tuple[tuple[str, float], ...]  # the same phrases as whole-word keys into names
    own: bool  # the family's own need (True) or a keyword area widening it (False)
    # A word the vocabulary doesn't know as a need may be noise ("uses", a name): it counts
    # for less when judging whether a service is close.
    known_need: bool = True
    # "condition": who the help is for (autism, deafness), not what help (a club, a job);
    # "general": disability or SEND in general, which nearly every Local Offer service is for.
    kind: str = "need"

    @property
    def condition(self) -> bool:
        """Says who the help is for rather than what help."""
        return self.kind != "need"


@dataclass(frozen=True)
class Query:
    """A text read for searching."""

    concepts: tuple[Concept, ...]
    areas: tuple[Area, ...]
    area_keys: frozenset[str]  # every phrase of the areas named, as name keys
    said_keys: frozenset[str]  # the keyword phrases actually said, as name keys
    age: int | None
    looked_for: str  # the words we searched for, as the family wrote them
    nearest_area: str | None  # the keyword of the area nearest to the need, if any
    bare: bool = False  # nothing but keywords ("TRANSPORT"): the area is the whole question

    @property
    def own(self) -> tuple[Concept, ...]:
        """The concepts the family named themselves."""
        return tuple(c for c in self.concepts if c.own)


def _phrases(texts: list[str] | tuple[str, ...]) -> tuple[tuple[str, ...], ...]:
    found = dict.fromkeys(tuple(terms(t)) for t in texts)
    return tuple(p for p in found if p)


def _keys(texts: list[str] | tuple[str, ...]) -> frozenset[str]:
    return frozenset(k for k in (name_key(words(t)) for t in texts) if len(k) >= 3)


def concept(
    label: str, said: list[str], synonyms: list[str], own: bool = True, known_need: bool = True,
    any_condition: list[str] | None = None, kind: str = "need",
) -> Concept:
    """A concept from the words said (full strength) and other words for it (less).

    `any_condition` (for a condition): words for SEND in general, which serve it for less still.
    """
    strong = _phrases(said)
    phrases = [(p, 1.0) for p in strong]
    phrases += [(p, SYNONYM_STRENGTH) for p in _phrases(synonyms) if p not in strong]
    seen = {p for p, _ in phrases}
    phrases += [(p, ANY_CONDITION_STRENGTH) for p in _phrases(any_condition or [])
                if p not in seen]
    strong_keys = _keys(said)
    keys = [(k, 1.0) for k in sorted(strong_keys)]
    keys += [(k, SYNONYM_STRENGTH) for k in sorted(_keys(synonyms) - strong_keys)]
    return Concept(label, tuple(phrases), tuple(keys), own, known_need, kind)


def _need_concept(need: Need, said: str, vocabulary: Vocabulary, index: SearchIndex) -> Concept:
    """The need as the family said it. Words no service uses (a need said in Polish or Urdu)
    stand for the need's first English words, so a text in any language is answered alike."""
    strong = said if all(t in index.idf for t in terms(said)) else need.say[0]
    general = vocabulary.data.any_condition if need.kind != "need" else None
    return concept(said, [strong], need.search, any_condition=general, kind=need.kind)


def read_age(tokens: list[str], vocabulary: Vocabulary) -> tuple[int | None, int | None]:
    """(age, its position): a number up to 25 on its own, or a number word beside an age word
    ("twelve years", "he is twelve"); a bigger number is no age."""
    for i, token in enumerate(tokens):
        value = vocabulary.age_in(token)
        if value is None or value > MAX_AGE:
            continue
        beside = {tokens[j] for j in (i - 1, i + 1) if 0 <= j < len(tokens)}
        if token.isdecimal() or beside & _AGE_CONTEXT:
            return value, i
    return None, None


def build_query(
    text: str, keywords: Keywords, vocabulary: Vocabulary, index: SearchIndex,
    age: int | None = None,
) -> Query:
    """Read a family's words: needs, keyword areas, their other words and an age."""
    written = words(text)
    english = vocabulary.in_english(written)
    tokens = vocabulary.normalise(written, english)
    # Filler can't make a keyword by a slip ("school she" is not "schools").
    kept = [i for i, t in enumerate(tokens) if not vocabulary.is_filler(t)]
    keyword_matches = keywords.find(" ".join(tokens[i] for i in kept))
    in_keywords = {i for m in keyword_matches for i in kept[m.start : m.end]}
    # A number inside a keyword ("post 16") is no age.
    said_age, at = read_age([t if i not in in_keywords else "" for i, t in enumerate(tokens)],
                            vocabulary)
    if age is None:
        age = said_age if said_age is not None else vocabulary.age_implied(tokens)
    consumed = {at} if at is not None else set()
    # Number words ("two") only mean an age beside an age word; other digits are no need.
    consumed |= {i for i, t in enumerate(tokens) if t.isdecimal()}
    labelled: list[tuple[int, Concept]] = []
    nearest: str | None = None
    condition_area: str | None = None  # offered only when no other need names an area
    in_conditions: set[int] = set()
    in_needs: set[int] = set()
    needs_seen: set[str] = set()
    needs_found = vocabulary.find_needs(tokens)
    for match in needs_found:
        need = match.need
        consumed.update(range(match.start, match.end))
        in_needs.update(range(match.start, match.end))
        if need.kind != "need":
            in_conditions.update(range(match.start, match.end))
        if need.name in needs_seen:
            continue  # "speech ... talking": one need, said twice
        needs_seen.add(need.name)
        said = " ".join(tokens[match.start : match.end])
        labelled.append((match.start, _need_concept(need, said, vocabulary, index)))
        if need.kind != "need":
            condition_area = condition_area or need.area
        else:
            nearest = nearest or need.area
    nearest = nearest or condition_area
    # An area named only by a condition's own words ("autism" -> AUTISM) widens as a condition.
    only_conditions = bool(keyword_matches) and all(
        set(kept[f.start : f.end]) <= in_conditions for f in keyword_matches)
    # Needs said in words beyond a keyword's own ("TRANSPORT" is a need and a keyword).
    beyond_keywords = sum(1 for m in needs_found if not set(range(m.start, m.end)) <= in_keywords)
    areas: list[Area] = []
    area_phrases: list[str] = []
    said_keys: set[str] = set()
    for found in keyword_matches:
        positions = kept[found.start : found.end]
        area = found.area
        # A keyword area widens what the family asked for: its words are no need of their own.
        consumed.update(positions)
        if area not in areas:
            areas.append(area)
        nearest = nearest or area.keyword
        area_phrases += [area.keyword, *area.synonyms, *area.search]
        if len(found.phrase) >= 4:
            # A keyword said in Polish or Urdu names services as its English keyword does.
            known = any(t in index.idf for t in terms(found.phrase))
            said_keys.add(name_key([found.phrase if known else area.keyword]))
        # "SHORTBREAKS" or "shortbrakes" names the need "short breaks" as surely as the words,
        # unless those words are part of a need already read ("won't go to school").
        run_together = vocabulary.need_run_together(found.phrase)
        if (run_together is not None and run_together[0].name not in needs_seen
                and not set(positions) <= in_needs):
            need, phrase = run_together
            needs_seen.add(need.name)
            labelled.append((positions[0], _need_concept(need, phrase, vocabulary, index)))
            nearest = nearest or need.area
    for i, token in enumerate(tokens):
        if i in consumed or vocabulary.is_filler(token) or token in STOP_WORDS:
            continue
        corrected = index.correct(stem(token))
        if corrected is None and not english and (labelled or areas):
            continue  # an inflection we can't read must not hide the need we did read
        if corrected is None and len(token) < 3:
            continue  # a stray letter or two: no need in it
        labelled.append((i, concept(token, [corrected or token], [], known_need=False)))
        beyond_keywords += 1
    concepts = [c for _, c in sorted(labelled, key=lambda pair: pair[0])]
    if areas:
        widening = [p for a in areas for p in (*a.search, a.area)]
        widen = concept(" ".join(a.keyword for a in areas), widening, [], own=False)
        concepts.append(replace(widen, kind="condition") if only_conditions else widen)
    looked_for = " ".join(c.label for c in concepts if c.own) or " ".join(
        a.keyword for a in areas)
    return Query(tuple(concepts), tuple(areas), _keys(area_phrases), frozenset(said_keys),
                 age, looked_for, nearest, bare=bool(areas) and not beyond_keywords)
