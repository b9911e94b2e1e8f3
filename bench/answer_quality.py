"""Answer quality on judged family texts: the search, the SMS reply, and a plain BM25 baseline.

Usage: .venv/bin/python bench/answer_quality.py [--feed north-lincolnshire|sample|all]
       [--fast] [--failures]

For every text in bench/answer_quality/judgements-<feed>.yaml (graded by a judge who never saw
the helpline's answers; see bench/answer_quality/README.md) it measures, in the same run:
  (a) search: `helpline.directory.search.search(text, limit=3)`;
  (b) sms:    the services a family is actually listed in the first reply to that text, from
              a fresh number, through the real dialogue and database (answer_text_message);
  (c) bm25:   a plain SQLite FTS5 BM25 search over name, description and organisation name,
              the text's words OR-ed together.
and prints success@3 (a grade-2 service in the first 3), precision@3 (share of the first 3 graded
1 or 2) and nDCG@3, over the texts whose answer is in the feed, then how each system treated the
texts whose answer is not in the feed (an honest "nothing close" is right there), and the texts
each system failed. Targets: sms success@3 >= 90%; sms nDCG@3 >= bm25 + 0.25; no text answered
with the menu or "nothing close" when the search had a grade-2 service in its first 3.
"""

from __future__ import annotations

import argparse
import math
import sqlite3
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

JUDGED = ROOT / "bench" / "answer_quality"
FEEDS = {
    "north-lincolnshire": [ROOT / "data" / "oruk" / "north-lincolnshire-services-2024-12.json"],
    "sample": [ROOT / "data" / "local-offer"],
}
K = 3
SYSTEMS = ("search", "sms", "bm25")
# The fast subset the test suite runs: every kind of text, a third of the set.
FAST_EVERY = 3


@dataclass
class Judged:
    """One judged text."""

    id: str
    text: str
    kind: str
    in_feed: bool
    grades: dict[str, int]


@dataclass
class Scores:
    """One system's figures over a set of judged texts."""

    success: list[float] = field(default_factory=list)
    precision: list[float] = field(default_factory=list)
    ndcg: list[float] = field(default_factory=list)
    failed: list[tuple[Judged, list[str]]] = field(default_factory=list)
    absent_named: int = 0  # texts with no answer in the feed where it named services anyway
    # ... and every service it named was graded 0: an unrelated answer passed off as one
    absent_unrelated: int = 0
    absent: int = 0

    def mean(self, name: str) -> float:
        values: list[float] = getattr(self, name)
        return sum(values) / len(values) if values else 0.0


def load_judged(feed: str, fast: bool = False) -> list[Judged]:
    """The judged texts of one feed (every third one for the fast subset)."""
    raw = yaml.safe_load((JUDGED / f"judgements-{feed}.yaml").read_text(encoding="utf-8"))
    judged = [Judged(r["id"], str(r["text"]), r["kind"], bool(r["in_feed"]),
                     {str(k): int(v) for k, v in (r.get("grades") or {}).items()})
              for r in raw]
    return judged[::FAST_EVERY] if fast else judged


def ndcg_at_k(ranked: list[str], grades: dict[str, int]) -> float:
    """nDCG@K with the grade as the gain."""
    dcg = sum(grades.get(sid, 0) / math.log2(i + 2) for i, sid in enumerate(ranked[:K]))
    ideal = sorted(grades.values(), reverse=True)[:K]
    best = sum(g / math.log2(i + 2) for i, g in enumerate(ideal))
    return dcg / best if best else 0.0


def score(judged: list[Judged], answers: dict[str, list[str]]) -> Scores:
    """success@3, precision@3 and nDCG@3 of one system's answers (feed ids, best first)."""
    out = Scores()
    for item in judged:
        ranked = answers[item.id][:K]
        if not item.in_feed:
            out.absent += 1
            out.absent_named += bool(ranked)
            out.absent_unrelated += bool(ranked) and not any(item.grades.get(sid, 0)
                                                             for sid in ranked)
            continue
        hit = any(item.grades.get(sid, 0) == 2 for sid in ranked)
        out.success.append(float(hit))
        out.precision.append(sum(item.grades.get(sid, 0) >= 1 for sid in ranked) / K)
        out.ndcg.append(ndcg_at_k(ranked, item.grades))
        if not hit:
            out.failed.append((item, ranked))
    return out


def make_app(database_url: str) -> Any:
    """The helpline on its own database, as the webhooks run it."""
    from helpline import create_app

    return create_app({"SQLALCHEMY_DATABASE_URI": database_url, "REDIS_URL": "",
                       "TWILIO_ACCOUNT_SID": "", "TWILIO_AUTH_TOKEN": "", "TTS_ENGINE": "say"})


NAMES: dict[str, str] = {}  # feed id -> service name, for the failure list


def load_feed(app: Any, feed: str) -> dict[str, str]:
    """Import the feed; map the helpline's service ids to the feed's own ids."""
    from flask_migrate import upgrade
    from sqlalchemy import select

    from helpline.directory import models as m
    from helpline.directory.commands import run_import
    from helpline.extensions import db

    with app.app_context():
        upgrade()
        run_import([str(p) for p in FEEDS[feed]], feed)
        rows = db.session.execute(select(m.Service.id, m.Service.source_id, m.Service.name)).all()
    NAMES.update({row.source_id or row.id: row.name for row in rows})
    return {row.id: row.source_id or row.id for row in rows}


Ranked = dict[str, list[str]]  # judged text id -> feed ids, best first


def answers_of_search(app: Any, judged: list[Judged], to_feed: dict[str, str]) -> Ranked:
    """(a) the search function, first 3."""
    from helpline.directory.search import search

    with app.app_context():
        return {j.id: [to_feed[r.id] for r in search(j.text, limit=K)] for j in judged}


def answers_of_sms(app: Any, judged: list[Judged], to_feed: dict[str, str]) -> Ranked:
    """(b) the services listed in the first reply a family gets, from a fresh number each."""
    from helpline.extensions import db
    from helpline.sms.conversations import InboundSms, answer_text_message, settings_for
    from helpline.sms.engine import PAGE_SIZE
    from helpline.sms.models import SmsConversation

    out: dict[str, list[str]] = {}
    with app.app_context():
        settings = settings_for(app.config)
        for n, item in enumerate(judged):
            phone = f"+4477009{n:05d}"
            inbound = InboundSms(f"SM{item.id.replace('-', '')}{n:020d}"[:34], phone,
                                 "+447700900000", item.text)
            answer_text_message(db.session(), inbound, settings)
            row = db.session.get(SmsConversation, phone)
            listing = (row.state or {}).get("listing") if row is not None else None
            items = listing["items"][:PAGE_SIZE] if listing else []
            out[item.id] = [to_feed[i[0]] for i in items]
    return out


def answers_of_bm25(app: Any, judged: list[Judged], to_feed: dict[str, str]) -> Ranked:
    """(c) a plain FTS5 BM25 search over name, description and organisation name."""
    from sqlalchemy import select

    from helpline.directory import models as m
    from helpline.directory.text_match import words
    from helpline.extensions import db

    fts = sqlite3.connect(":memory:")
    fts.execute("CREATE VIRTUAL TABLE doc USING fts5(id UNINDEXED, name, description, org,"
                " tokenize='porter unicode61 remove_diacritics 2')")
    with app.app_context():
        rows = db.session.execute(
            select(m.Service.id, m.Service.name, m.Service.description, m.Organization.name)
            .outerjoin(m.Organization, m.Service.organization_id == m.Organization.id)
            .where(m.Service.status == "active")).all()
    fts.executemany("INSERT INTO doc VALUES (?, ?, ?, ?)",
                    [(r[0], r[1], r[2] or "", r[3] or "") for r in rows])
    out: dict[str, list[str]] = {}
    for item in judged:
        query = " OR ".join(f'"{w}"' for w in words(item.text))
        found = fts.execute("SELECT id FROM doc WHERE doc MATCH ? ORDER BY bm25(doc) LIMIT ?",
                            (query, K)).fetchall() if query else []
        out[item.id] = [to_feed[r[0]] for r in found]
    return out


RUNNERS: dict[str, Callable[[Any, list[Judged], dict[str, str]], dict[str, list[str]]]] = {
    "search": answers_of_search, "sms": answers_of_sms, "bm25": answers_of_bm25,
}


def evaluate(feed: str, fast: bool = False) -> tuple[list[Judged], dict[str, Scores],
                                                       dict[str, dict[str, list[str]]]]:
    """Every system's scores on one feed, measured in one run on a fresh SQLite database."""
    judged = load_judged(feed, fast)
    with tempfile.TemporaryDirectory() as folder:
        app = make_app(f"sqlite:///{folder}/quality.sqlite3")
        to_feed = load_feed(app, feed)
        answers = {name: run(app, judged, to_feed) for name, run in RUNNERS.items()}
        with app.app_context():
            from helpline.extensions import db

            db.engine.dispose()
    return judged, {name: score(judged, a) for name, a in answers.items()}, answers


def menu_despite_answer(judged: list[Judged], answers: dict[str, Ranked]) -> list[str]:
    """Texts the SMS reply listed nothing for though the search had a grade-2 in its first 3."""
    return [j.id for j in judged
            if not answers["sms"][j.id]
            and any(j.grades.get(s, 0) == 2 for s in answers["search"][j.id][:K])]


def main() -> int:
    """Print the figures for each feed."""
    import logging

    logging.disable(logging.WARNING)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feed", choices=[*FEEDS, "all"], default="all")
    parser.add_argument("--fast", action="store_true", help="every third text only")
    parser.add_argument("--failures", action="store_true", help="list each failed text")
    args = parser.parse_args()
    feeds = list(FEEDS) if args.feed == "all" else [args.feed]
    missed_targets = []
    for feed in feeds:
        judged, scores, answers = evaluate(feed, args.fast)
        present = sum(j.in_feed for j in judged)
        print(f"\n{feed}: {len(judged)} judged texts, {present} with their answer in the feed")
        print(f"{'system':8} {'success@3':>10} {'precision@3':>12} {'nDCG@3':>8} "
              f"{'named services when none fit':>30} {'only unrelated ones':>20}")
        for name in SYSTEMS:
            s = scores[name]
            print(f"{name:8} {s.mean('success'):10.1%} {s.mean('precision'):12.1%} "
                  f"{s.mean('ndcg'):8.3f} {s.absent_named:>20} of {s.absent} "
                  f"{s.absent_unrelated:>17} of {s.absent}")
        lift = scores["sms"].mean("ndcg") - scores["bm25"].mean("ndcg")
        despite = menu_despite_answer(judged, answers)
        print(f"sms nDCG@3 - bm25 nDCG@3 = {lift:+.3f} (target >= +0.25); "
              f"sms success@3 target >= 90%; menu despite a grade-2 answer: {len(despite)} "
              f"{despite if despite else ''}")
        if scores["sms"].mean("success") < 0.9 or lift < 0.25 or despite:
            missed_targets.append(feed)
        if args.failures:
            for name in ("search", "sms"):
                for item, ranked in scores[name].failed:
                    got = "; ".join(f"{NAMES.get(s, s)} ({item.grades.get(s, 0)})" for s in ranked)
                    wanted = "; ".join(NAMES.get(s, s) for s, g in item.grades.items() if g == 2)
                    print(f"  FAILED {name} {item.id} [{item.kind}] {item.text!r}: "
                          f"{got or 'nothing listed'}  | wanted: {wanted}")
    print("\nMISSED targets on: " + ", ".join(missed_targets) if missed_targets
          else "\nAll targets met.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
