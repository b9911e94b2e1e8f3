"""Managers' rota pages: add, change and remove advisers and their hours, with the CLI's rules
(helpline.advisers.rota)."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, request, url_for

from helpline.advisers.models import Adviser
from helpline.advisers.rota import add_hours, hour_lines, new_adviser
from helpline.console import audit, bp
from helpline.console.pages import page
from helpline.console.permissions import manager_only, staff
from helpline.console.worklist import staff_mask
from helpline.extensions import db
from helpline.families.phone_numbers import to_e164


def _hour_lines(adviser: Adviser | None) -> str:
    return "\n".join(hour_lines(adviser.hours)) if adviser else ""


def _form() -> tuple[str, str, list[str], int | None]:
    priority = request.form.get("priority", "100").strip()
    lines = [line.strip() for line in request.form.get("hours", "").splitlines() if line.strip()]
    number = int(priority) if priority.lstrip("-").isdecimal() and len(priority) < 6 else None
    return request.form.get("name", "")[:80], request.form.get("mobile", "")[:40], lines, number


@bp.get("/rota")
@manager_only
def rota() -> str:
    """Every adviser, their hours and masked mobile."""
    advisers = db.session.scalars(db.select(Adviser).order_by(Adviser.name, Adviser.id)).all()
    return page("rota.html", "Rota", "rota", advisers=advisers, hour_lines=hour_lines,
                masked=staff_mask)


@bp.route("/rota/new", methods=["GET", "POST"])
@manager_only
def rota_add() -> Any:
    """Add an adviser and their hours."""
    values = {"name": "", "mobile": "", "hours": "", "priority": "100"}
    if request.method == "POST":
        name, mobile, lines, priority = _form()
        values = {"name": name, "mobile": mobile, "hours": "\n".join(lines),
                  "priority": request.form.get("priority", "")}
        try:
            if priority is None:
                raise ValueError("the priority must be a whole number, like 100")
            adviser = new_adviser(db.session(), name, mobile, lines, priority)
        except ValueError as exc:
            db.session.rollback()
            return page("rota_form.html", "Add an adviser", "rota", values=values, adviser=None,
                        errors=[{"text": _sentence(exc), "href": "#name"}]), 400
        audit.record(db.session(), staff(), "rota-add", detail=f"adviser {adviser.id}")
        db.session.commit()
        flash(f"{adviser.name} is on the rota.", "success")
        return redirect(url_for("console.rota"))
    return page("rota_form.html", "Add an adviser", "rota", values=values, adviser=None)


@bp.route("/rota/<int:adviser_id>", methods=["GET", "POST"])
@manager_only
def rota_change(adviser_id: int) -> Any:
    """Change an adviser's name, mobile, hours or whether they are rung."""
    adviser = db.session.get(Adviser, adviser_id) or abort(404)
    values = {"name": adviser.name, "mobile": "", "hours": _hour_lines(adviser),
              "priority": str(adviser.hours[0].priority if adviser.hours else 100),
              "active": adviser.active}
    if request.method == "POST":
        name, mobile, lines, priority = _form()
        values = {"name": name, "mobile": mobile, "hours": "\n".join(lines),
                  "priority": request.form.get("priority", ""),
                  "active": request.form.get("active") == "yes"}
        try:
            if not name.strip():
                raise ValueError("enter the adviser's name")
            if priority is None:
                raise ValueError("the priority must be a whole number, like 100")
            number = to_e164(mobile) if mobile.strip() else adviser.mobile
            if number is None:
                raise ValueError(f"{mobile!r} is not a phone number")
            adviser.hours.clear()
            add_hours(adviser, lines, priority)
            adviser.name, adviser.mobile = name.strip(), number
            adviser.active = bool(values["active"])
        except ValueError as exc:
            db.session.rollback()
            return page("rota_form.html", f"Change {adviser.name}", "rota", values=values,
                        adviser=adviser, masked=staff_mask,
                        errors=[{"text": _sentence(exc), "href": "#name"}]), 400
        audit.record(db.session(), staff(), "rota-change", detail=f"adviser {adviser.id}")
        db.session.commit()
        flash(f"{adviser.name}’s details are saved.", "success")
        return redirect(url_for("console.rota"))
    return page("rota_form.html", f"Change {adviser.name}", "rota", values=values,
                adviser=adviser, masked=staff_mask)


@bp.route("/rota/<int:adviser_id>/remove", methods=["GET", "POST"])
@manager_only
def rota_remove(adviser_id: int) -> Any:
    """Take an adviser off the rota (after a confirmation page)."""
    adviser = db.session.get(Adviser, adviser_id) or abort(404)
    if request.method == "GET":
        return page("rota_remove.html", f"Remove {adviser.name}", "rota", adviser=adviser)
    name = adviser.name
    db.session.delete(adviser)
    audit.record(db.session(), staff(), "rota-remove", detail=f"adviser {adviser_id}")
    db.session.commit()
    flash(f"{name} is no longer on the rota.", "success")
    return redirect(url_for("console.rota"))


def _sentence(exc: Exception) -> str:
    text = str(exc)
    return text[:1].upper() + text[1:]
