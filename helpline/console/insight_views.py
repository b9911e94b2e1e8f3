"""The managers' insight page and its CSV: what families asked for, and what found nothing."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Response, current_app, g, request

from helpline.console import bp
from helpline.console.pages import page
from helpline.console.permissions import manager_only
from helpline.directory.models import utcnow
from helpline.extensions import db
from helpline.insight import tables
from helpline.insight.charts import chart_svg
from helpline.insight.period import PRESETS, Period, chosen
from helpline.insight.records import insight_for


def current_period() -> tuple[Period, list[dict[str, str]]]:
    """The period the page's form asks for (the last 30 days when it asks for none)."""
    zone = current_app.config.get("ROTA_TIMEZONE", "Europe/London")
    today = datetime.now(ZoneInfo(zone)).date()
    period, problems = chosen(request.args.get("from", "").strip(),
                              request.args.get("to", "").strip(),
                              request.args.get("days", ""), today, zone)
    return period, [{"text": p, "href": "#from"} for p in problems]


@bp.get("/insight")
@manager_only
def insight() -> str:
    """Each figure for the chosen period: a chart and the table it draws, side by side."""
    period, errors = current_period()
    figures = insight_for(db.session(), period, utcnow())
    nonce = g.get("csp_nonce", "")
    shown = [(table, chart_svg(table, nonce)) for table in tables.tables(figures)]
    return page("insight.html", "Insight", "insight", figures=figures, shown=shown,
                presets=PRESETS, errors=errors, args=request.args)


@bp.get("/insight.csv")
@manager_only
def insight_csv() -> Response:
    """The same figures as CSV, for the council's own spreadsheets."""
    period, _ = current_period()
    figures = insight_for(db.session(), period, utcnow())
    name = f"insight-{period.start:%Y-%m-%d}-to-{period.end:%Y-%m-%d}.csv"
    return Response(tables.as_csv(figures), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
