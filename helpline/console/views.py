"""Console pages: sign in and out, choosing a password, and Today."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import flash, redirect, request, session, url_for
from flask_login import login_user, logout_user
from werkzeug.wrappers import Response

from helpline.advisers.rota import on_duty
from helpline.console import accounts, audit, bp, login_manager
from helpline.console.models import StaffUser
from helpline.console.pages import page
from helpline.console.permissions import staff
from helpline.directory.models import utcnow
from helpline.extensions import db


@login_manager.user_loader
def _load_user(user_id: str) -> StaffUser | None:
    """The account a session names, while its password (session_version) is unchanged."""
    number, _, version = user_id.partition(".")
    if not number.isdecimal() or len(number) > 9:
        return None
    user = db.session.get(StaffUser, int(number))
    if user is None or not user.active or str(user.session_version) != version:
        return None
    return user


def _safe_next(target: str | None) -> str:
    # Only a path on this site: never send someone elsewhere after signing in.
    parts = urlsplit(target or "")
    if target and not parts.scheme and not parts.netloc and target.startswith("/console"):
        return target
    return url_for("console.today")


@bp.get("/sign-in")
def sign_in() -> Any:
    """The sign-in form."""
    return page("sign_in.html", "Sign in", email="", next=request.args.get("next", ""))


@bp.post("/sign-in")
def sign_in_post() -> Any:
    """Check the email and password; lock the account after repeated failures."""
    email = request.form.get("email", "")[:254]
    result = accounts.sign_in(db.session(), email, request.form.get("password", "")[:200])
    if result.user is None:
        audit.record(db.session(), None, "sign-in-refused", email=accounts.normal_email(email),
                     detail="locked" if result.locked else "")
        db.session.commit()
        message = (
            "Too many wrong passwords: this account is locked for 15 minutes. A manager can send"
            " you a new link." if result.locked else "Enter a correct email address and password"
        )
        return page("sign_in.html", "Sign in", email=email, next=request.form.get("next", ""),
                    errors=[{"text": message, "href": "#email"}]), 401
    audit.record(db.session(), result.user, "sign-in")
    db.session.commit()
    session.clear()
    session.permanent = True
    login_user(result.user)
    return redirect(_safe_next(request.form.get("next")))


@bp.post("/sign-out")
def sign_out() -> Response:
    """End the session."""
    audit.record(db.session(), staff(), "sign-out")
    db.session.commit()
    logout_user()
    session.clear()
    flash("You have signed out.", "success")
    return redirect(url_for("console.sign_in"))


@bp.route("/set-password/<token>", methods=["GET", "POST"])
def set_password(token: str) -> Any:
    """Choose a password from a first-password (or reset) link."""
    user = accounts.user_for_token(db.session(), token)
    if user is None:
        return page("message.html", "This link has expired",
                    message="Links to choose a password work once, for 72 hours. Ask a manager"
                    " for a new one."), 404
    if request.method == "GET":
        return page("set_password.html", "Choose your password", user=user,
                    min_length=accounts.MIN_PASSWORD_LENGTH)
    password = request.form.get("password", "")
    problem = accounts.password_problem(password, user)
    if problem is None and password != request.form.get("confirm", ""):
        problem = "The two passwords are not the same"
    if problem:
        return page("set_password.html", "Choose your password", user=user,
                    min_length=accounts.MIN_PASSWORD_LENGTH,
                    errors=[{"text": problem, "href": "#password"}]), 400
    accounts.set_password(user, password)
    audit.record(db.session(), user, "password-set")
    db.session.commit()
    logout_user()
    flash("Your password is saved. Sign in with it now.", "success")
    return redirect(url_for("console.sign_in"))


@bp.get("/")
def today() -> str:
    """Today: callers waiting now, callbacks due, who is on duty."""
    from flask import current_app

    from helpline.console import worklist

    user = staff()
    session_ = db.session()
    callbacks = worklist.by_due(worklist.visible_open_callbacks(session_, user))
    duty = on_duty(session_, utcnow(), current_app.config.get("ROTA_TIMEZONE", "Europe/London"))
    return page(
        "today.html", "Today", "today",
        waiting=worklist.waiting_callers(session_),
        callbacks=callbacks[:10], more=max(0, len(callbacks) - 10),
        due_words=worklist.due_words, masked=worklist.masked,
        names=worklist.adviser_names(session_), on_duty=duty,
    )
