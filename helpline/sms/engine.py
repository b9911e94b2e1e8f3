"""The text dialogue as a pure function: (conversation, text, context) -> outcome.

No Flask, database or Twilio here: the directory is passed in, and what should happen
(opt-out, callback, feedback) comes back as actions for the caller to carry out.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

from helpline.directory.keywords import Area, Keywords
from helpline.directory.text_match import compact, words
from helpline.sms.replies import (
    ServiceDetails,
    ServiceSummary,
    pack,
    render_details,
    render_page,
)
from helpline.sms.templates import Templates, TemplateSet

LIST_MEMORY_SECONDS = 30 * 60
CALLBACK_REPEAT_SECONDS = 24 * 60 * 60
PAGE_SIZE = 3
MAX_LISTED = 12
MAX_ASKED = 5
MAX_AGE = 25
MAX_AGE_SAID = 120  # a bigger number is no age at all (a year, a house number): say nothing
# "2", "no. 2", "#2", "number 2 please": a choice from the list.
_NUMBER = re.compile(
    r"^\s*(?:no\.?|number|#)?\s*(\d{1,3})\s*[.)!]?\s*"
    r"(?:please|pls|plz|thanks|thank you|thx|ta)?\s*[.!]*\s*$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Found:
    """What the directory found for a family's words."""

    items: list[ServiceSummary]
    looked_for: str = ""  # the need words searched for, as the family wrote them
    nearest_area: str | None = None  # a keyword to offer when nothing close was found
    age: int | None = None  # the age used: given, or read from the text


class Directory(Protocol):
    """The services directory as the dialogue needs it."""

    def answer(self, text: str, age: int | None, postcode: str | None, limit: int) -> Found: ...

    def details(self, service_id: str) -> ServiceDetails | None: ...


class Place(Protocol):
    """A postcode or district found in a text (read-only, so frozen dataclasses fit)."""

    @property
    def outcode(self) -> str: ...

    @property
    def start(self) -> int: ...

    @property
    def end(self) -> int: ...


@dataclass(frozen=True)
class Listing:
    """The last list sent to a number, so that '2' and MORE work."""

    keyword: str
    header: str
    items: tuple[ServiceSummary, ...]
    shown: int
    saved_at: float
    # What the header was made of, so a family who switches language mid-list reads it in theirs.
    language: str = ""
    age: int | None = None
    outcode: str | None = None


@dataclass(frozen=True)
class Conversation:
    """What the helpline remembers about one number."""

    language: str = "en"
    opted_out: bool = False
    listing: Listing | None = None
    asked: tuple[str, ...] = ()
    callback_at: float | None = None

    def state(self) -> dict[str, Any]:
        """Plain JSON for the database (language and opt-out are kept elsewhere)."""
        listing = None
        if self.listing is not None:
            listing = {
                "keyword": self.listing.keyword, "header": self.listing.header,
                "shown": self.listing.shown, "saved_at": self.listing.saved_at,
                "language": self.listing.language, "age": self.listing.age,
                "outcode": self.listing.outcode,
                "items": [[s.id, s.name, s.phone, s.email, s.url] for s in self.listing.items],
            }
        return {"listing": listing, "asked": list(self.asked), "callback_at": self.callback_at}

    @classmethod
    def from_state(
        cls, state: dict[str, Any] | None, language: str, opted_out: bool
    ) -> Conversation:
        """Rebuild from stored JSON; anything unreadable is forgotten rather than failing."""
        state = state or {}
        listing = None
        raw = state.get("listing")
        if isinstance(raw, dict):
            try:
                items = tuple(ServiceSummary(*row) for row in raw["items"])
                age = raw.get("age")
                listing = Listing(str(raw["keyword"]), str(raw["header"]), items,
                                  int(raw["shown"]), float(raw["saved_at"]),
                                  str(raw.get("language") or ""),
                                  int(age) if isinstance(age, int) else None,
                                  str(raw["outcode"]) if raw.get("outcode") else None)
            except (KeyError, TypeError, ValueError):
                listing = None
        asked = tuple(str(a) for a in state.get("asked") or ())[-MAX_ASKED:]
        callback_at = state.get("callback_at")
        return cls(language, opted_out, listing, asked,
                   float(callback_at) if isinstance(callback_at, int | float) else None)


@dataclass(frozen=True)
class OptOut:
    word: str


@dataclass(frozen=True)
class OptIn:
    pass


@dataclass(frozen=True)
class RequestCallback:
    summary: str


@dataclass(frozen=True)
class StoreFeedback:
    text: str


Action = OptOut | OptIn | RequestCallback | StoreFeedback


@dataclass(frozen=True)
class Insight:
    """What a text was taken as, for the council's log of what families ask for."""

    intent: str
    keyword: str | None = None
    area: str | None = None
    result_count: int | None = None
    # The services a search found: directory health names the services no search returns.
    service_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class Outcome:
    """The new conversation, the texts to send back, and what the caller must do."""

    conversation: Conversation
    replies: list[str]
    actions: list[Action] = field(default_factory=list)
    insight: Insight = Insight("menu")


@dataclass(frozen=True)
class Context:
    """Everything the dialogue reads besides the conversation and the text."""

    keywords: Keywords
    templates: TemplateSet
    directory: Directory
    find_place: Callable[[str], Place | None]
    now: float
    # A district shaped like a postcode's that no postcode has ("ZZ99"), to say it wasn't used.
    unknown_place: Callable[[str], str | None] = lambda text: None
    # The one call-back promise (CALLBACK_WORKING_DAYS): "within 2 working days".
    promise_days: int = 2


def respond(conversation: Conversation, text: str, ctx: Context) -> Outcome:
    """Answer one text from a family."""
    said = compact(text)
    command = ctx.templates.index.commands.get(said)
    if command == "opt_out":
        # Twilio sends the carrier's confirmation itself: we send nothing at all.
        quiet = replace(conversation, opted_out=True, listing=None)
        return Outcome(quiet, [], [OptOut(said.upper())], Insight("opt_out"))
    if command == "opt_in":
        back = replace(conversation, opted_out=False)
        t = ctx.templates.get(back.language)
        if not conversation.opted_out:  # nothing was stopped: "texts again" would puzzle
            return Outcome(back, _texts(t, "menu"), [OptIn()], Insight("opt_in"))
        return Outcome(back, _texts(t, "welcome_back", "menu"), [OptIn()], Insight("opt_in"))
    if conversation.opted_out:
        return Outcome(conversation, [], [], Insight("ignored_opted_out"))
    conversation = _forget_old_list(conversation, ctx.now)
    t = ctx.templates.get(conversation.language)
    language = ctx.templates.index.languages.get(said)
    if language is not None:
        switched = replace(conversation, language=language)
        t = ctx.templates.get(language)
        return Outcome(switched, _texts(t, "language_set", "menu"), [], Insight("language"))
    if command == "menu" or not said:
        return Outcome(conversation, _texts(t, "menu"), [], Insight("menu"))
    if command == "more":
        return _more(conversation, t, ctx)
    number = _NUMBER.match(text)
    if number:
        return _details(conversation, t, int(number.group(1)), ctx)
    written = ctx.templates.index.written_in(text)
    if written is not None and written != conversation.language:
        # Written in Urdu script or with Polish letters: answered in that language from now on.
        conversation = replace(conversation, language=written)
        t = ctx.templates.get(written)
    tokens = words(text)
    if ctx.templates.index.commands.get(tokens[0]) == "feedback" if tokens else False:
        return _feedback(conversation, t, text)
    if (command == "adviser" or _names_adviser(tokens, ctx, at_start_only=True)
            or _names_adviser(tokens, ctx, at_start_only=False, min_words=2)):
        # "Please call me about EHC": asked in so many words, a call wins over the keyword.
        return _callback(conversation, t, ctx, text)
    return _keyword(conversation, t, text, ctx)


def _texts(t: Templates, *keys: str) -> list[str]:
    return pack([t.render(k) for k in keys], t.language)


def _forget_old_list(conversation: Conversation, now: float) -> Conversation:
    listing = conversation.listing
    if listing is not None and now - listing.saved_at > LIST_MEMORY_SECONDS:
        return replace(conversation, listing=None)
    return conversation


def _remember(conversation: Conversation, asked: str) -> Conversation:
    return replace(conversation, asked=(*conversation.asked, asked)[-MAX_ASKED:])


def _names_adviser(
    tokens: list[str], ctx: Context, at_start_only: bool, min_words: int = 1
) -> bool:
    """True when the text asks for a person ("CALL ME", "please call me back", ...).

    A single word ("adviser") anywhere in a text may be about a service, so callers ask for
    phrases of two words or more when the text may name an area too.
    """
    starts = [0] if at_start_only else range(len(tokens))
    for start in starts:
        for size in range(min_words, 5):
            span = tokens[start : start + size]
            if len(span) == size and ctx.templates.index.commands.get("".join(span)) == "adviser":
                return True
    return False


def _page(listing: Listing, t: Templates, ctx: Context, notes: tuple[str, ...] = ()) -> list[str]:
    start = listing.shown
    end = min(start + PAGE_SIZE, len(listing.items))
    items = [(i + 1, listing.items[i]) for i in range(start, end)]
    header = listing.header
    area = ctx.keywords.by_keyword.get(listing.keyword)
    if listing.language and listing.language != t.language and area is not None:
        header = _header(t, area, listing.age, listing.outcode, found=True)
    return render_page(t, "\n".join((*notes, header)), items, has_more=end < len(listing.items))


def _header(t: Templates, area: Area, age: int | None, outcode: str | None, found: bool) -> str:
    """'Short breaks (age 12, near DN15):' in the family's language, or that none were found."""
    name = t.areas.get(area.keyword, area.area)
    refinement = _refinement(t, age, outcode)
    key = ("list_header" if found else "no_results") + ("_refined" if refinement else "")
    return t.render(key, area=name, refinement=refinement)


def _refinement(t: Templates, age: int | None, outcode: str | None) -> str:
    """'age 12, near DN15': what narrowed a list, in the family's language ('' if nothing)."""
    return ", ".join(
        [t.render("refine_age", age=age)] * (age is not None)
        + [t.render("refine_place", place=outcode)] * (outcode is not None)
    )


def _more(conversation: Conversation, t: Templates, ctx: Context) -> Outcome:
    listing = conversation.listing
    if listing is None:
        return Outcome(conversation, _texts(t, "list_expired"), [], Insight("more_expired"))
    if listing.shown + PAGE_SIZE >= len(listing.items):
        return Outcome(conversation, _texts(t, "no_more"), [], Insight("more_end", listing.keyword))
    moved = replace(listing, shown=listing.shown + PAGE_SIZE, saved_at=ctx.now)
    replies = _page(moved, t, ctx)
    insight = Insight("more", listing.keyword, result_count=len(listing.items))
    return Outcome(replace(conversation, listing=moved), replies, [], insight)


def _details(conversation: Conversation, t: Templates, number: int, ctx: Context) -> Outcome:
    listing = conversation.listing
    if listing is None:
        return Outcome(conversation, _texts(t, "list_expired"), [], Insight("details_expired"))
    last = min(listing.shown + PAGE_SIZE, len(listing.items))
    if not 1 <= number <= last:
        # MORE only while there are more to show
        key = "bad_number" if last < len(listing.items) else "bad_number_end"
        reply = pack([t.render(key, first=1, last=last)], t.language)
        return Outcome(conversation, reply, [], Insight("details_bad_number", listing.keyword))
    summary = listing.items[number - 1]
    details = ctx.directory.details(summary.id)
    kept = replace(listing, saved_at=ctx.now)
    conversation = replace(conversation, listing=kept)
    if details is None:
        return Outcome(conversation, _texts(t, "details_gone"), [], Insight("details_gone"))
    conversation = _remember(conversation, f"details of {summary.name}")
    return Outcome(conversation, render_details(t, details), [],
                   Insight("details", listing.keyword, result_count=1))


def _feedback(conversation: Conversation, t: Templates, text: str) -> Outcome:
    comment = re.sub(r"^[\W_]*[^\W_]+[\W_]*", "", text.strip(), count=1).strip()
    if not comment:
        return Outcome(conversation, _texts(t, "feedback_empty"), [], Insight("feedback_empty"))
    return Outcome(conversation, _texts(t, "feedback_thanks"), [StoreFeedback(comment)],
                   Insight("feedback"))


def _callback(conversation: Conversation, t: Templates, ctx: Context, text: str) -> Outcome:
    recent = conversation.callback_at
    if recent is not None and ctx.now - recent < CALLBACK_REPEAT_SECONDS:
        already = pack([t.render("callback_already", days=ctx.promise_days)], t.language)
        return Outcome(conversation, already, [], Insight("callback_repeat"))
    named = ctx.keywords.first(text)
    if named is not None:  # the adviser sees what the call is about: "call me about EHC"
        conversation = _remember(conversation, f"a call about {named.area.keyword}")
    asked = "; ".join(conversation.asked) or "nothing yet"
    summary = f"Asked for a call back by text. Asked so far: {asked}."
    called = replace(conversation, callback_at=ctx.now)
    done = pack([t.render("callback_done", days=ctx.promise_days)], t.language)
    return Outcome(called, done, [RequestCallback(summary)], Insight("callback"))


def _keyword(conversation: Conversation, t: Templates, text: str, ctx: Context) -> Outcome:
    """Every text that is not a command is a search: a keyword area, or the family's words."""
    place = ctx.find_place(text)
    rest = text if place is None else f"{text[: place.start]} {text[place.end :]}"
    matches = ctx.keywords.find(rest)
    if not matches and _names_adviser(words(text), ctx, at_start_only=False):
        # "Can someone call me?" names no area: a request for a person wherever it says so.
        return _callback(conversation, t, ctx, text)
    outcode = place.outcode if place else None
    tokens = words(rest)
    used = {i for m in matches for i in range(m.start, m.end)}
    # isdecimal, not isdigit: "²" or "፩" are digits that int() refuses. A number inside a
    # keyword ("post 16") is no age.
    at = next((i for i, w in enumerate(tokens)
               if i not in used and w.isdecimal() and int(w) <= MAX_AGE), None)
    query = [w for i, w in enumerate(tokens) if i != at]
    found = ctx.directory.answer(" ".join(query), None if at is None else int(tokens[at]),
                                 outcode, MAX_LISTED)
    if not matches and not found.looked_for:
        return Outcome(conversation, _texts(t, "menu"), [], Insight("no_match"))
    age = found.age
    notes = _unused_refinements(t, tokens, used, age, place, rest, ctx)
    named = matches[0].area if matches else None
    replies: list[str] = []
    if named is not None and named.kind == "process":
        explained = t.process.get(named.keyword) or ctx.templates.get("en").process.get(
            named.keyword)
        # One fact a line: a long explanation is split between facts, never inside one.
        replies = pack(explained.splitlines(), t.language) if explained else []
    # The area heads the list when it is what the family asked for ("short breaks"); when they
    # said more ("toilet training"), their words do.
    area = named if named is not None and _asks_for_area(named, found.looked_for) else None
    label = area.keyword if area is not None else found.looked_for
    asked = " ".join(str(x) for x in (label, age, outcode) if x is not None)
    conversation = _remember(conversation, f"{asked} ({len(found.items)} found)")
    found_ids = tuple(item.id for item in found.items)
    if area is not None:
        insight = Insight(area.kind if area.kind == "process" else "keyword", area.keyword,
                          area.area, len(found.items), found_ids)
    else:
        insight = Insight("search" if found.items else "no_match",
                          named.keyword if named is not None else None,
                          _nearest(ctx, found.nearest_area), len(found.items), found_ids)
    if not found.items:
        conversation = replace(conversation, listing=None)
        missing = _nothing_close(t, ctx, found, area, age, outcode)
        return Outcome(conversation, replies + pack([*notes, missing], t.language), [], insight)
    if area is not None:
        header = _header(t, area, age, outcode, found=True)
    else:
        header = _search_header(t, found.looked_for, age, outcode)
    listing = Listing(area.keyword if area else "", header, tuple(found.items), 0, ctx.now,
                      t.language, age, outcode)
    replies += _page(listing, t, ctx, notes)
    return Outcome(replace(conversation, listing=listing), replies, [], insight)


def _asks_for_area(area: Area, looked_for: str) -> bool:
    """True when the family's need words are the area itself (its keyword or a synonym)."""
    return not looked_for or compact(looked_for) in {compact(p) for p in area.phrases()}


def _nearest(ctx: Context, keyword: str | None) -> str | None:
    area = ctx.keywords.by_keyword.get(keyword or "")
    return area.area if area is not None else None


def _search_header(t: Templates, looked_for: str, age: int | None, outcode: str | None) -> str:
    refinement = _refinement(t, age, outcode)
    if refinement:
        return t.render("search_header_refined", query=looked_for, refinement=refinement)
    return t.render("search_header", query=looked_for)


def _nothing_close(
    t: Templates, ctx: Context, found: Found, area: Area | None, age: int | None,
    outcode: str | None,
) -> str:
    """Say what we looked for and found nothing close to, the nearest area, and ADVISER: never
    an unrelated service passed off as an answer."""
    if area is not None:  # the family asked for the area itself, and it has nothing
        return _header(t, area, age, outcode, found=False)
    nearest = ctx.keywords.by_keyword.get(found.nearest_area or "")
    if nearest is None:  # the menu follows: the words we do know
        return t.render("no_close", query=found.looked_for) + "\n\n" + t.render("menu")
    return t.render("no_close_area", query=found.looked_for,
                    area=t.areas.get(nearest.keyword, nearest.area), keyword=nearest.keyword)


def _unused_refinements(
    t: Templates, tokens: list[str], used: set[int], age: int | None, place: Place | None,
    rest: str, ctx: Context,
) -> tuple[str, ...]:
    """Say so when a number or a place in the text could not narrow the list: a family must not
    think a list is for their child's age or their area when it isn't."""
    notes: list[str] = []
    if age is None:
        over = next((w for i, w in enumerate(tokens) if i not in used and w.isdecimal()
                     and MAX_AGE < int(w) <= MAX_AGE_SAID), None)
        if over is not None:
            notes.append(t.render("age_not_used", age=int(over)))
    if place is None:
        unknown = ctx.unknown_place(rest)
        if unknown is not None:
            notes.append(t.render("place_not_known", place=unknown))
    return tuple(notes)
