"""The directory served back read-only as an ORUK 3.0 API under /api/oruk/."""

from __future__ import annotations

import math
from typing import Any

from flask import Blueprint, Flask, Response, abort, jsonify, request
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import selectinload

from helpline.directory import models as m
from helpline.directory.oruk_json import service_json, service_summary_json, taxonomy_term_json
from helpline.directory.search import search
from helpline.extensions import db

bp = Blueprint("oruk_api", __name__, url_prefix="/api/oruk")

DEFAULT_PER_PAGE = 50
MAX_PER_PAGE = 200
PROFILE_URL = "https://github.com/openreferral/uk-profile"


@bp.after_request
def allow_any_origin(response: Response) -> Response:
    """The UK profile requires open CORS so any directory client can read the feed."""
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


def _int_arg(name: str, default: int | None, low: int, high: int) -> int | None:
    raw = request.args.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(float(raw))
    except (ValueError, OverflowError):  # "abc"; "inf" and "1e400" overflow int()
        abort(400, description=f"{name} must be a number")
    if not low <= value <= high:
        abort(400, description=f"{name} must be between {low} and {high}")
    return value


def _page(total: int, page: int, per_page: int, contents: list[dict[str, Any]]) -> dict[str, Any]:
    total_pages = max(1, math.ceil(total / per_page))
    return {
        "total_items": total,
        "total_pages": total_pages,
        "page_number": page,
        "size": len(contents),
        "first_page": page == 1,
        "last_page": page >= total_pages,
        "empty": not contents,
        "contents": contents,
    }


@bp.get("/")
def root() -> Response:
    """Which version and profile this API speaks."""
    return jsonify(version="3.0", profile=PROFILE_URL)


@bp.get("/services")
def list_services() -> Response:
    """Active services, paged; filtered by search text, age range and taxonomy term."""
    page = _int_arg("page", 1, 1, 1_000_000) or 1
    per_page = _int_arg("per_page", DEFAULT_PER_PAGE, 1, MAX_PER_PAGE) or DEFAULT_PER_PAGE
    minimum_age = _int_arg("minimum_age", None, 0, 150)
    maximum_age = _int_arg("maximum_age", None, 0, 150)
    conditions: list[Any] = [m.Service.status == "active"]
    # A service is listed when its age range overlaps the range asked for.
    if minimum_age is not None:
        conditions.append(
            or_(m.Service.maximum_age.is_(None), m.Service.maximum_age >= minimum_age)
        )
    if maximum_age is not None:
        conditions.append(
            or_(m.Service.minimum_age.is_(None), m.Service.minimum_age <= maximum_age)
        )
    term_id = request.args.get("taxonomy_term_id", "").strip()
    if term_id:
        conditions.append(
            m.Service.id.in_(
                select(m.Attribute.link_id).where(
                    m.Attribute.taxonomy_term_id == term_id, m.Attribute.link_entity == "service"
                )
            )
        )
    text = request.args.get("search", "").strip()
    ranked_ids: list[str] | None = None
    if text:
        ranked_ids = [r.id for r in search(text, limit=10_000)]
        conditions.append(m.Service.id.in_(ranked_ids))
    where = and_(*conditions)
    total = db.session.scalar(select(func.count()).select_from(m.Service).where(where)) or 0
    query = select(m.Service).where(where).options(selectinload(m.Service.organization))
    if ranked_ids is None:
        rows = db.session.scalars(
            query.order_by(m.Service.name, m.Service.id)
            .limit(per_page)
            .offset((page - 1) * per_page)
        ).all()
    else:
        by_id = {row.id: row for row in db.session.scalars(query)}
        ordered = [by_id[i] for i in ranked_ids if i in by_id]
        rows = ordered[(page - 1) * per_page : page * per_page]
    return jsonify(_page(total, page, per_page, [service_summary_json(r) for r in rows]))


@bp.get("/services/<service_id>")
def get_service(service_id: str) -> Response:
    """One fully nested service; inactive ones are still served, with their status."""
    service = db.session.get(m.Service, service_id)
    if service is None:
        abort(404, description="No service with that id")
    return jsonify(service_json(service))


@bp.get("/taxonomy_terms")
def list_taxonomy_terms() -> Response:
    """Every taxonomy term, paged."""
    page = _int_arg("page", 1, 1, 1_000_000) or 1
    per_page = _int_arg("per_page", DEFAULT_PER_PAGE, 1, MAX_PER_PAGE) or DEFAULT_PER_PAGE
    total = db.session.scalar(select(func.count()).select_from(m.TaxonomyTerm)) or 0
    rows = db.session.scalars(
        select(m.TaxonomyTerm)
        .order_by(m.TaxonomyTerm.name, m.TaxonomyTerm.id)
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    return jsonify(_page(total, page, per_page, [taxonomy_term_json(t) for t in rows]))


def init_app(app: Flask) -> None:
    """Register the ORUK API blueprint."""
    app.register_blueprint(bp)
