"""The insight figures, worked out from plain rows: one function the page, CSV and command share.

Nothing here reads the database or Flask: `records.load` fetches the rows of a period and
`figures_from` counts them, so a test can pin every figure on rows it writes by hand.
"""

from __future__ import annotations

import re
import statistics
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime

from helpline.directory.text_match import STOP_WORDS, words
from helpline.insight.period import Period

# Intents of a text that asked for services (see helpline/sms/engine.py's Insight).
REQUEST_INTENTS = frozenset({"keyword", "process", "search", "no_match"})
# Where a search was in the family's own words, not a keyword area.
OWN_WORDS = "(their own words)"
# The caller's own words at the phone menu (helpline/flows/engine.py SEARCH_NODE).
SPOKEN_SEARCH_STEP = "@search"

# Words that say nothing about a need: greetings and dialogue commands.
_NOT_A_NEED = STOP_WORDS | {
    "hi", "hello", "hey", "thanks", "thank", "ok", "yes", "no", "menu", "help", "more", "stop",
    "start", "please", "pls", "x", "xx",
}
_POSTCODE_LIKE = re.compile(r"^[a-z]{1,2}\d[a-z\d]?$")


@dataclass(frozen=True)
class TextIn:
    """A text a family sent: what it was taken as (its words only if it found nothing)."""

    intent: str
    keyword: str | None
    area: str | None
    result_count: int | None
    body: str | None


@dataclass(frozen=True)
class TextOut:
    """Texts the helpline sent (replies, or sent on its own) and their cost in segments."""

    language: str
    segments: int
    texts: int = 1


@dataclass(frozen=True)
class Call:
    """A call's way through the menu (the steps, " > "-joined in the call log), and what the
    caller said in their own words when it found no service."""

    steps: tuple[str, ...]
    unmet: str | None = None


@dataclass(frozen=True)
class QueuedCall:
    """A caller who asked for an adviser: when, whether one answered, and when it ended."""

    status: str  # ringing, connected, unanswered, ended (helpline/advisers/models.py)
    joined_at: datetime
    answered_at: datetime | None
    changed_at: datetime


@dataclass(frozen=True)
class Callback:
    """A family's call-back request, when it was promised by and when an adviser first rang."""

    status: str
    due_at: datetime
    first_call_at: datetime | None


@dataclass
class Records:
    """Everything the figures are counted from, for one period."""

    period: Period
    now: datetime
    texts_in: list[TextIn] = field(default_factory=list)
    texts_out: list[TextOut] = field(default_factory=list)
    calls: list[Call] = field(default_factory=list)
    queued: list[QueuedCall] = field(default_factory=list)
    callbacks: list[Callback] = field(default_factory=list)
    # The phone menu's services nodes -> their keyword, and each keyword's Local Offer area.
    node_keywords: dict[str, str] = field(default_factory=dict)
    keyword_areas: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Request:
    """How often one area and keyword was asked for, by text and by phone."""

    area: str
    keyword: str
    texts: int
    calls: int
    found_nothing: int  # texts and calls

    @property
    def total(self) -> int:
        """Texts and calls together."""
        return self.texts + self.calls


@dataclass(frozen=True)
class QueueFigures:
    """Callers who asked for an adviser, and how their wait ended."""

    asked: int
    answered: int
    abandoned: int
    no_adviser_free: int
    waiting: int
    median_wait_answered: float | None  # seconds
    median_wait_abandoned: float | None


@dataclass(frozen=True)
class CallbackFigures:
    """Call-back requests made in the period, by whether the promise was kept."""

    requested: int
    on_time: int
    late: int
    overdue: int  # no call yet, and the promised day has passed
    not_yet_due: int
    closed_without_a_call: int


@dataclass(frozen=True)
class SentFigures:
    """Texts the helpline sent in one language and what they cost."""

    language: str
    texts: int
    segments: int


@dataclass(frozen=True)
class Figures:
    """Everything on the insight page, for one period."""

    period: Period
    texts_received: int
    calls_received: int
    requests: list[Request]
    searches_found_nothing: int  # texts
    calls_found_nothing: int  # callers' own words at the menu
    missed_words: list[tuple[str, int]]
    queue: QueueFigures
    callbacks: CallbackFigures
    opt_outs: int
    opt_ins: int
    sent: list[SentFigures]


def found_nothing(text: TextIn) -> bool:
    """True for a text whose search found no service, or none close to what it asked for."""
    if text.intent == "no_match":
        return True
    return text.intent in ("keyword", "process", "search") and text.result_count == 0


def need_words(body: str) -> set[str]:
    """The words of a text that could name a need: no numbers, postcodes or greetings."""
    return {w for w in words(body) if w not in _NOT_A_NEED and not any(c.isdigit() for c in w)
            and not _POSTCODE_LIKE.match(w)}


def figures_from(records: Records) -> Figures:
    """Count the period's records into the insight figures."""
    requests = _requests(records)
    missed = [t for t in records.texts_in if found_nothing(t)]
    counted: Counter[str] = Counter()
    for text in missed:
        counted.update(need_words(text.body or ""))
    unmet_calls = [c for c in records.calls if c.unmet]
    for call in unmet_calls:
        counted.update(need_words(call.unmet or ""))
    intents = Counter(t.intent for t in records.texts_in)
    return Figures(
        period=records.period,
        texts_received=len(records.texts_in),
        calls_received=len(records.calls),
        requests=requests,
        searches_found_nothing=len(missed),
        calls_found_nothing=len(unmet_calls),
        missed_words=sorted(counted.items(), key=lambda kv: (-kv[1], kv[0])),
        queue=_queue(records.queued),
        callbacks=_callbacks(records.callbacks, records.now),
        opt_outs=intents["opt_out"],
        opt_ins=intents["opt_in"],
        sent=_sent(records.texts_out),
    )


def _requests(records: Records) -> list[Request]:
    texts: Counter[tuple[str, str]] = Counter()
    empty: Counter[tuple[str, str]] = Counter()
    for text in records.texts_in:
        if text.intent not in REQUEST_INTENTS:
            continue  # a command: MORE, a number for details, STOP, FEEDBACK...
        keyword = text.keyword or OWN_WORDS
        key = (text.area or records.keyword_areas.get(keyword, OWN_WORDS), keyword)
        texts[key] += 1
        if found_nothing(text):
            empty[key] += 1
    calls: Counter[tuple[str, str]] = Counter()
    for call in records.calls:
        asked = {records.node_keywords[s] for s in call.steps if s in records.node_keywords}
        if SPOKEN_SEARCH_STEP in call.steps:
            asked.add(OWN_WORDS)
            if call.unmet:
                empty[(OWN_WORDS, OWN_WORDS)] += 1
        for keyword in asked:  # once a call, however often the caller went back to it
            calls[(records.keyword_areas.get(keyword, OWN_WORDS), keyword)] += 1
    keys = set(texts) | set(calls)
    rows = [Request(area, keyword, texts[(area, keyword)], calls[(area, keyword)],
                    empty[(area, keyword)]) for area, keyword in keys]
    return sorted(rows, key=lambda r: (-r.total, r.area, r.keyword))


def _seconds(later: datetime, earlier: datetime) -> float:
    return (_utc(later) - _utc(earlier)).total_seconds()


def _utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _median(values: list[float]) -> float | None:
    return float(statistics.median(values)) if values else None


def _queue(queued: list[QueuedCall]) -> QueueFigures:
    answered = [q for q in queued if q.answered_at is not None]
    # Ended with no adviser: the caller hung up (or went back to the menu) while waiting.
    abandoned = [q for q in queued if q.answered_at is None and q.status == "ended"]
    return QueueFigures(
        asked=len(queued),
        answered=len(answered),
        abandoned=len(abandoned),
        no_adviser_free=sum(1 for q in queued if q.answered_at is None
                            and q.status == "unanswered"),
        waiting=sum(1 for q in queued if q.answered_at is None and q.status == "ringing"),
        median_wait_answered=_median([_seconds(q.answered_at, q.joined_at) for q in answered
                                      if q.answered_at is not None]),
        median_wait_abandoned=_median([max(0.0, _seconds(q.changed_at, q.joined_at))
                                       for q in abandoned]),
    )


def _callbacks(callbacks: list[Callback], now: datetime) -> CallbackFigures:
    on_time = late = overdue = not_yet = closed = 0
    for callback in callbacks:
        if callback.first_call_at is not None:
            if _utc(callback.first_call_at) <= _utc(callback.due_at):
                on_time += 1
            else:
                late += 1
        elif callback.status == "done":
            closed += 1  # closed by an adviser without ringing (the family rang in, say)
        elif _utc(callback.due_at) < _utc(now):
            overdue += 1
        else:
            not_yet += 1
    return CallbackFigures(len(callbacks), on_time, late, overdue, not_yet, closed)


def _sent(texts_out: list[TextOut]) -> list[SentFigures]:
    count: Counter[str] = Counter()
    segments: Counter[str] = Counter()
    for text in texts_out:
        count[text.language] += text.texts
        segments[text.language] += text.segments
    return [SentFigures(lang, count[lang], segments[lang]) for lang in sorted(count)]
