"""`helpline insight`: what families ask for, and what the Local Offer could not answer.

The council must keep its Local Offer under review with families. This report counts what was
asked by text, which keywords found nothing, and the words of texts that matched nothing, so
the council can see the gaps. It shows words and counts only, never numbers or whole messages.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import click
from flask import Flask
from flask.cli import with_appcontext
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from helpline.directory.models import utcnow
from helpline.directory.text_match import STOP_WORDS, words
from helpline.extensions import db
from helpline.sms.models import SmsMessage

# Words that say nothing about a need: greetings and dialogue commands.
_NOT_A_NEED = STOP_WORDS | {
    "hi",
    "hello",
    "hey",
    "thanks",
    "thank",
    "ok",
    "yes",
    "no",
    "menu",
    "help",
    "more",
    "stop",
    "start",
    "please",
    "pls",
    "x",
    "xx",
}
_POSTCODE_LIKE = re.compile(r"^[a-z]{1,2}\d[a-z\d]?$")


@dataclass
class InsightReport:
    """Counts over one period."""

    since: datetime
    inbound: int = 0
    by_area: Counter[str] = field(default_factory=Counter)
    empty_areas: Counter[str] = field(default_factory=Counter)
    unmatched_texts: int = 0
    unmatched_words: Counter[str] = field(default_factory=Counter)


def build_report(session: Session, days: int, now: datetime | None = None) -> InsightReport:
    """Count inbound texts of the last `days` days by what they matched."""
    since = (now or utcnow()) - timedelta(days=days)
    report = InsightReport(since=since)
    inbound = (SmsMessage.direction == "in", SmsMessage.created_at >= since)
    report.inbound = session.scalar(select(func.count()).where(*inbound)) or 0
    rows = session.execute(
        select(SmsMessage.area, SmsMessage.result_count, func.count())
        .where(*inbound, SmsMessage.area.is_not(None))
        .group_by(SmsMessage.area, SmsMessage.result_count)
    ).all()
    for area, result_count, count in rows:
        if area is None:
            continue
        report.by_area[area] += count
        if result_count == 0:
            report.empty_areas[area] += count
    # Texts in a family's own words: answered from them ("search") or found nothing ("no_match").
    bodies = session.scalars(
        select(SmsMessage.body).where(*inbound, SmsMessage.intent.in_(("no_match", "search")))
    ).all()
    report.unmatched_texts = len(bodies)
    for body in bodies:
        for word in set(words(body or "")):
            if word in _NOT_A_NEED or word.isdigit() or _POSTCODE_LIKE.match(word):
                continue
            report.unmatched_words[word] += 1
    return report


@click.command("insight")
@click.option("--days", default=30, show_default=True, type=click.IntRange(1, 3650))
@click.option("--top", default=20, show_default=True, type=click.IntRange(1, 200))
@with_appcontext
def insight_command(days: int, top: int) -> None:
    """Report what families asked for by text, and what found nothing."""
    report = build_report(db.session(), days)
    click.echo(f"Texts received since {report.since:%d %B %Y}: {report.inbound}")
    click.echo("Asked for, by Local Offer area:")
    for area, count in report.by_area.most_common(top):
        click.echo(f"  {count:6}  {area}")
    click.echo("Areas where a search found no service:")
    for area, count in report.empty_areas.most_common(top) or [("(none)", 0)]:
        click.echo(f"  {count:6}  {area}")
    click.echo(f"Texts that matched no keyword: {report.unmatched_texts}. Their commonest words:")
    for word, count in report.unmatched_words.most_common(top):
        click.echo(f"  {count:6}  {word}")


def init_app(app: Flask) -> None:
    """Register the insight command."""
    app.cli.add_command(insight_command)
