"""Insight: what families ask for, and what the Local Offer could not answer.

The council must keep its Local Offer under review with families. For a period, managers see
what was asked by text and by phone, which searches found nothing (the words, never numbers or
whole messages), how the adviser queue and call backs did, opt-outs, and what texts cost; and
what families can't be told about the directory (directory_health). The console's pages, their
CSV and `helpline insight` all count with one function, records.insight_for.
"""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import with_appcontext

from helpline.directory.models import utcnow
from helpline.extensions import db
from helpline.insight.period import MAX_DAYS, last_days


@click.command("insight")
@click.option("--days", default=30, show_default=True, type=click.IntRange(1, MAX_DAYS),
              help="The period: this many days up to now.")
@click.option("--top", default=20, show_default=True, type=click.IntRange(1, 200),
              help="How many of the commonest unmet words to list.")
@click.option("--csv", "as_csv", is_flag=True,
              help="Every figure as CSV (figure, period, label, column, value), for scripts.")
@with_appcontext
def insight_command(days: int, top: int, as_csv: bool) -> None:
    """Report what families asked for by text and phone, and what found nothing."""
    from helpline.insight import tables
    from helpline.insight.records import insight_for

    figures = insight_for(db.session(), last_days(days, utcnow()))
    click.echo(tables.as_csv(figures) if as_csv else tables.as_text(figures, top), nl=not as_csv)


def init_app(app: Flask) -> None:
    """Register the insight command."""
    app.cli.add_command(insight_command)
