"""Turning lists and service details into texts that fit: cleaned characters, 3 parts at most."""

from __future__ import annotations

from dataclasses import dataclass

from helpline.sms.segments import MAX_SEGMENTS, count_segments, plain_spaces, to_gsm7
from helpline.sms.templates import Templates

# Most texts a single reply may hold; more would cost a family on pay-as-you-go too much.
MAX_MESSAGES = 3
# Name lengths to try, longest first, until a page of the list fits in one message.
NAME_LENGTHS = (70, 50, 36, 28)


@dataclass(frozen=True)
class ServiceSummary:
    """A service as a list shows it: a name and one way to reach it."""

    id: str
    name: str
    phone: str | None = None
    email: str | None = None
    url: str | None = None

    def contact(self) -> str:
        """Phone first (works on any phone), else email, else the website."""
        if self.phone:
            return self.phone
        if self.email:
            return self.email
        return short_url(self.url) if self.url else ""


@dataclass(frozen=True)
class ServiceDetails:
    """What a family asks about one service: who it is for, when, where, cost, contact."""

    id: str
    name: str
    minimum_age: float | None = None
    maximum_age: float | None = None
    hours: str | None = None
    address: str | None = None
    cost: str | None = None
    free: bool = False
    phone: str | None = None
    email: str | None = None
    url: str | None = None


def short_url(url: str) -> str:
    """A web address without the scheme or a trailing slash, to save characters."""
    for prefix in ("https://", "http://"):
        if url.lower().startswith(prefix):
            url = url[len(prefix) :]
    return url.rstrip("/")


def clean(text: str, language: str) -> str:
    """English stays GSM-7 only (one stray character doubles the cost); all lose odd spaces."""
    text = to_gsm7(text) if language == "en" else plain_spaces(text)
    return "\n".join(" ".join(line.split()) for line in text.splitlines()).strip()


def shorten(text: str, limit: int) -> str:
    """Cut text at a word boundary to at most `limit` characters, marking the cut."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 3].rsplit(" ", 1)[0] if " " in text[: limit - 3] else text[: limit - 3]
    return cut.rstrip(" ,;:-") + "..."


def fits(text: str) -> bool:
    """At most 3 parts."""
    return count_segments(text).segments <= MAX_SEGMENTS


def pack(lines: list[str], language: str) -> list[str]:
    """Lines grouped into as few messages as fit, each within 3 parts; never more than 3."""
    messages: list[str] = []
    current = ""
    for raw in lines:
        line = clean(raw, language)
        if not line:
            continue
        while not fits(line):
            line = shorten(line, max(20, len(line) - 10))
        candidate = f"{current}\n{line}" if current else line
        if fits(candidate):
            current = candidate
            continue
        messages.append(current)
        current = line
    if current:
        messages.append(current)
    return messages[:MAX_MESSAGES]


def page_lines(
    t: Templates,
    header: str,
    items: list[tuple[int, ServiceSummary]],
    has_more: bool,
    name_length: int,
) -> list[str]:
    """A page of a list: header, numbered services with contacts, and what to reply."""
    lines = [header]
    for number, item in items:
        lines.append(
            t.render("list_item", number=number, name=shorten(item.name, name_length),
                     contact=item.contact())
        )
    first, last = items[0][0], items[-1][0]
    if first == last and not has_more:
        lines.append(t.render("list_footer_one", first=first))
    else:
        key = "list_footer_more" if has_more else "list_footer_end"
        lines.append(t.render(key, first=first, last=last))
    return lines


def render_page(
    t: Templates, header: str, items: list[tuple[int, ServiceSummary]], has_more: bool
) -> list[str]:
    """The page in one message if shorter names make it fit, else over several."""
    for length in NAME_LENGTHS:
        packed = pack(page_lines(t, header, items, has_more, length), t.language)
        if len(packed) == 1:
            return packed
    return pack(page_lines(t, header, items, has_more, NAME_LENGTHS[-1]), t.language)


def ages_text(t: Templates, minimum: float | None, maximum: float | None) -> str | None:
    """'ages 0 to 18', 'age 16 and over', 'up to age 5', or None when the feed doesn't say."""
    low = None if minimum is None else int(minimum)
    high = None if maximum is None else int(maximum)
    if low is not None and high is not None:
        return t.render("ages_range", minimum=low, maximum=high)
    if low is not None:
        return t.render("ages_from", minimum=low)
    if high is not None:
        return t.render("ages_to", maximum=high)
    return None


def render_details(t: Templates, details: ServiceDetails) -> list[str]:
    """One service in full: the parts the feed gives, in the order a parent needs them."""
    lines = [shorten(details.name, 90)]
    ages = ages_text(t, details.minimum_age, details.maximum_age)
    if ages:
        lines.append(t.render("details_for", ages=ages))
    if details.hours:
        lines.append(t.render("details_hours", hours=shorten(details.hours, 120)))
    if details.address:
        lines.append(t.render("details_address", address=shorten(details.address, 120)))
    cost = t.render("cost_free") if details.free else details.cost
    if cost:
        lines.append(t.render("details_cost", cost=shorten(cost, 120)))
    contacts = [c for c in (details.phone, details.email,
                            short_url(details.url) if details.url else None) if c]
    if contacts:
        lines.append(t.render("details_contact", contact=", ".join(contacts)))
    lines.append(t.render("details_footer"))
    return pack(lines, t.language)
