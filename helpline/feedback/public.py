"""The public "You said, we did" page (no sign-in): published comments on the Local Offer with
the council's response and action, filtered by area; as CSV and JSON for the council's website;
and a printable page for the annual publication."""

from __future__ import annotations

import secrets
from datetime import date

from flask import Blueprint, Response, current_app, g, jsonify, render_template, request

from helpline.directory.keywords import keywords_from
from helpline.extensions import db
from helpline.feedback import published

PATH = "/you-said-we-did"
# No url_prefix: Flask would put a "/" between it and ".csv".
bp = Blueprint("you_said_we_did", __name__, template_folder="templates",
               static_folder="static", static_url_path=f"{PATH}/static")
# Published comments change when a manager publishes: a website may cache them for a while.
CACHE_SECONDS = 300


def _area_names() -> dict[str, str]:
    return {a.keyword: a.area for a in keywords_from(current_app.config["DATA_DIR"]).areas}


def _chosen_area(names: dict[str, str]) -> str | None:
    wanted = request.args.get("area", "").strip().upper()
    return wanted if wanted in names else None


def _comments(area: str | None) -> list[published.PublishedComment]:
    return published.published_comments(
        db.session(), _area_names(), area=area,
        timezone=current_app.config.get("ROTA_TIMEZONE", "Europe/London"))


@bp.before_request
def _nonce() -> None:
    g.you_said_nonce = secrets.token_urlsafe(16)


@bp.after_request
def _headers(response: Response) -> Response:
    """Cached briefly, never framed; the only script is GOV.UK's own one-line class setter."""
    nonce = g.get("you_said_nonce", "")
    response.headers["Content-Security-Policy"] = (
        f"default-src 'self'; script-src 'nonce-{nonce}'; style-src 'self'; img-src 'self';"
        " frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "strict-origin-when-cross-origin"
    # The council's website reads the CSV and JSON from its own pages.
    if request.endpoint in ("you_said_we_did.as_csv", "you_said_we_did.as_json"):
        response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers.setdefault("Cache-Control", f"public, max-age={CACHE_SECONDS}")
    return response


def _render(template: str, **context: object) -> str:
    return render_template(f"feedback/{template}", you_said_nonce=g.you_said_nonce, **context)


@bp.get(PATH)
def page() -> str:
    """Published comments, by area and date, with a filter by area."""
    names = _area_names()
    area = _chosen_area(names)
    items = _comments(area)
    area_items = [{"value": "", "text": "Every area", "selected": area is None}] + [
        {"value": keyword, "text": name, "selected": keyword == area}
        for keyword, name in names.items()]
    return _render("you_said.html", groups=published.by_area(items), count=len(items),
                   names=names, area=area, area_items=area_items)


@bp.get(f"{PATH}/print")
def printable() -> str:
    """Every published comment on one plain page, for the annual publication."""
    names = _area_names()
    area = _chosen_area(names)
    items = _comments(area)
    return _render("print.html", groups=published.by_area(items), count=len(items),
                   area=area, names=names, today=date.today())


@bp.get(f"{PATH}.csv")
def as_csv() -> Response:
    """The published comments as CSV (`?area=KEYWORD` for one area)."""
    body = published.as_csv(_comments(_chosen_area(_area_names())))
    return Response(body, mimetype="text/csv", headers={
        "Content-Disposition": 'attachment; filename="you-said-we-did.csv"'})


@bp.get(f"{PATH}.json")
def as_json() -> Response:
    """The published comments as JSON (`?area=KEYWORD` for one area)."""
    names = _area_names()
    items = _comments(_chosen_area(names))
    return jsonify({"title": "You said, we did", "count": len(items),
                    "areas": [{"area": k, "area_name": v} for k, v in names.items()],
                    "comments": published.as_json(items)})
