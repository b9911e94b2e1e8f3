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
from helpline.feedback.page_words import PageWords, page_words

PATH = "/you-said-we-did"
# No url_prefix: Flask would put a "/" between it and ".csv".
bp = Blueprint("you_said_we_did", __name__, template_folder="templates",
               static_folder="static", static_url_path=f"{PATH}/static")
# Published comments change when a manager publishes: a website may cache them for a while.
CACHE_SECONDS = 300


def _area_names() -> dict[str, str]:
    """Area names in English, by keyword: the CSV's and JSON's, and the filter's keys."""
    return {a.keyword: a.area for a in keywords_from(current_app.config["DATA_DIR"]).areas}


def _words() -> PageWords:
    """The page's words in the language asked for (?lang=pl), English otherwise."""
    every = page_words(current_app.config["DATA_DIR"])
    return every.get(request.args.get("lang", "en"), every["en"])


def _names_in(language: str) -> dict[str, str]:
    """Area names in a language (from sms_templates), in the keyword file's order."""
    from helpline.sms.templates import templates_from

    english = _area_names()
    if language == "en":
        return english
    translated = templates_from(current_app.config["SMS_TEMPLATES_DIR"]).get(language).areas
    return {keyword: translated.get(keyword, name) for keyword, name in english.items()}


def _chosen_area(names: dict[str, str]) -> str | None:
    wanted = request.args.get("area", "").strip().upper()
    return wanted if wanted in names else None


def _comments(area: str | None, names: dict[str, str]) -> list[published.PublishedComment]:
    return published.published_comments(
        db.session(), names, area=area,
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


def _render(template: str, words: PageWords, **context: object) -> str:
    others = [w for w in page_words(current_app.config["DATA_DIR"]).values()]
    return render_template(f"feedback/{template}", you_said_nonce=g.you_said_nonce, w=words,
                           languages=others, lang=None if words.language == "en" else
                           words.language, **context)


@bp.get(PATH)
def page() -> str:
    """Published comments, by area and date, with a filter by area, in the family's language."""
    words = _words()
    names = _names_in(words.language)
    area = _chosen_area(names)
    items = _comments(area, names)
    area_items = [{"value": "", "text": words["every_area"], "selected": area is None}] + [
        {"value": keyword, "text": name, "selected": keyword == area}
        for keyword, name in names.items()]
    return _render("you_said.html", words, groups=published.by_area(items), count=len(items),
                   names=names, area=area, area_items=area_items)


@bp.get(f"{PATH}/print")
def printable() -> str:
    """Every published comment on one plain page, for the annual publication."""
    words = _words()
    names = _names_in(words.language)
    area = _chosen_area(names)
    items = _comments(area, names)
    return _render("print.html", words, groups=published.by_area(items), count=len(items),
                   area=area, names=names, today=date.today())


@bp.get(f"{PATH}.csv")
def as_csv() -> Response:
    """The published comments as CSV (`?area=KEYWORD` for one area)."""
    names = _area_names()
    body = published.as_csv(_comments(_chosen_area(names), names))
    return Response(body, mimetype="text/csv", headers={
        "Content-Disposition": 'attachment; filename="you-said-we-did.csv"'})


@bp.get(f"{PATH}.json")
def as_json() -> Response:
    """The published comments as JSON (`?area=KEYWORD` for one area)."""
    names = _area_names()
    items = _comments(_chosen_area(names), names)
    return jsonify({"title": "You said, we did", "count": len(items),
                    "areas": [{"area": k, "area_name": v} for k, v in names.items()],
                    "comments": published.as_json(items)})
