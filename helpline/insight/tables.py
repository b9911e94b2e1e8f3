"""The figures as titled tables: what the page shows beside each chart, the CSV and the command."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from helpline.advisers.plain_words import language_name
from helpline.insight.figures import Figures

Cell = str | int


@dataclass(frozen=True)
class Table:
    """One figure: its id, title, a sentence on what it counts, columns and rows.

    `chart` names the columns the chart draws (the first column labels the bars).
    """

    key: str
    title: str
    about: str
    columns: tuple[str, ...]
    rows: list[tuple[Cell, ...]]
    chart: tuple[str, ...] = ()


def minutes(seconds: float | None) -> str:
    """A wait in words a manager reads at a glance: "2 min 05 s", or "none" with no calls."""
    if seconds is None:
        return "none"
    whole = round(seconds)
    return f"{whole // 60} min {whole % 60:02d} s"


def count(n: int, one: str, many: str) -> str:
    """'1 text', '2 texts': a figure with its noun."""
    return f"{n} {one if n == 1 else many}"


def tables(figures: Figures, top_words: int = 30) -> list[Table]:
    """Every insight figure as a table, in the order the page shows them."""
    queue, callbacks = figures.queue, figures.callbacks
    return [
        Table("requests", "Requests by area and keyword",
              "Texts and calls that asked for services. A call counts once for each area its"
              " caller chose; texts in a family's own words are counted as their own words.",
              ("Area", "Keyword", "Texts", "Calls", "Found nothing"),
              [(r.area, r.keyword, r.texts, r.calls, r.found_nothing)
               for r in figures.requests],
              ("Keyword", "Texts", "Calls")),
        Table("nothing_found", "Words of searches that found nothing or nothing close",
              f"{count(figures.searches_found_nothing, 'text', 'texts')} and"
              f" {count(figures.calls_found_nothing, 'caller’s', 'callers’')} own words found no"
              " service, or none close to what they asked. Their words,"
              " counted once a text or call (no numbers, postcodes or whole messages).",
              ("Word", "Texts and calls"),
              [(w, n) for w, n in figures.missed_words[:top_words]],
              ("Word", "Texts and calls")),
        Table("calls", "Calls for an adviser",
              f"{count(figures.calls_received, 'call', 'calls')} came in;"
              f" {count(queue.asked, 'caller', 'callers')} asked for an adviser. Waits are"
              " medians, from joining the queue.",
              ("Outcome", "Calls", "Median wait"),
              [("Answered by an adviser", queue.answered, minutes(queue.median_wait_answered)),
               ("Abandoned in the queue", queue.abandoned, minutes(queue.median_wait_abandoned)),
               ("No adviser free (offered a message or call back)", queue.no_adviser_free, ""),
               ("Still waiting", queue.waiting, "")],
              ("Outcome", "Calls")),
        Table("callbacks", "Callbacks",
              f"{count(callbacks.requested, 'call back was', 'call backs were')} asked for."
              " On time means an adviser rang by the promised working day.",
              ("Callbacks", "Number"),
              [("Made on time", callbacks.on_time), ("Made late", callbacks.late),
               ("Not made, overdue", callbacks.overdue), ("Not yet due", callbacks.not_yet_due),
               ("Closed without a call", callbacks.closed_without_a_call)],
              ("Callbacks", "Number")),
        Table("opt_outs", "Opt-outs",
              f"Of {count(figures.texts_received, 'text', 'texts')} received, the ones that"
              " stopped or restarted"
              " texts from the helpline.",
              ("Texted", "Number"),
              [("STOP (opted out)", figures.opt_outs), ("START (opted back in)", figures.opt_ins)],
              ("Texted", "Number")),
        Table("texts_sent", "Texts sent and their cost",
              "Replies and texts the helpline sent on its own, by language. Each SMS segment is"
              " charged as one text.",
              ("Language", "Texts", "SMS segments"),
              [(language_name(s.language), s.texts, s.segments) for s in figures.sent],
              ("Language", "Texts", "SMS segments")),
    ]


def as_csv(figures: Figures) -> str:
    """Every figure in one CSV: figure, row label(s), column, value (one value a line)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["figure", "period_start", "period_end", "label", "column", "value"])
    start, end = figures.period.start.isoformat(), figures.period.end.isoformat()
    for table in tables(figures, top_words=len(figures.missed_words)):
        labels = 2 if table.key == "requests" else 1
        for row in table.rows:
            label = " / ".join(str(c) for c in row[:labels])
            for column, value in zip(table.columns[labels:], row[labels:], strict=True):
                writer.writerow([table.key, start, end, _safe(label), column, _safe(value)])
    return out.getvalue()


def _safe(value: Cell) -> Cell:
    """A cell a spreadsheet won't run as a formula (a family's word could start with "=")."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def as_text(figures: Figures, top_words: int = 20) -> str:
    """The figures for a terminal: each table with its rows."""
    lines = [f"Insight for {figures.period.label}:"
             f" {count(figures.texts_received, 'text', 'texts')} received,"
             f" {count(figures.calls_received, 'call', 'calls')}."]
    for table in tables(figures, top_words):
        lines += ["", f"{table.title}:", f"  {table.about}"]
        lines.append("  " + " | ".join(table.columns))
        lines += ["  " + " | ".join(str(c) for c in row) for row in table.rows] or ["  (none)"]
    return "\n".join(lines)
