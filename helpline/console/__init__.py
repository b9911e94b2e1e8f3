"""The advisers' console: council staff sign in to see who is waiting and work callbacks.

Server-rendered with the GOV.UK Design System (govuk-frontend assets built into static/govuk by
scripts/build-console-assets; govuk-frontend-jinja macros), usable without JavaScript. Every
page needs a signed-in account and checks its role; every form carries a CSRF token; every view
of a family's record and every action is written to the audit log.
"""

from __future__ import annotations

import logging
import os
import secrets
import time
from pathlib import Path
from typing import Any

from flask import Blueprint, Flask, Response, g, render_template, request
from flask_login import LoginManager
from flask_wtf.csrf import CSRFError, CSRFProtect
from jinja2 import ChoiceLoader, PackageLoader, PrefixLoader
from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)

bp = Blueprint(
    "console", __name__, url_prefix="/console", template_folder="templates",
    static_folder="static", static_url_path="/static",
)
login_manager = LoginManager()
csrf = CSRFProtect()
SESSION_HOURS = 10  # a working day: signed out after this however busy


def _secret_key(app: Flask) -> str:
    """SECRET_KEY, or one kept in the instance folder (shared by the processes on one machine)."""
    if app.config.get("SECRET_KEY"):
        return str(app.config["SECRET_KEY"])
    path = Path(app.instance_path) / "secret_key"
    try:
        # O_EXCL: when several processes start at once, one writes the key and all read it.
        handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    else:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(secrets.token_hex(32))
        log.warning("SECRET_KEY is not set: using one kept in %s", path)
    for _ in range(50):  # the process that created it may not have written it yet
        key = path.read_text(encoding="utf-8").strip()
        if key:
            return key
        time.sleep(0.1)
    raise RuntimeError(f"{path} is empty: delete it or set SECRET_KEY")


def init_app(app: Flask) -> None:
    """Register the console: sessions, sign-in, CSRF, the GOV.UK templates and its pages."""
    from datetime import timedelta

    from helpline.console import (  # noqa: F401 - the pages, webhooks and tables
        audit_views,
        callback_views,
        calls,
        commands,
        directory_health_views,
        feedback_views,
        insight_views,
        models,
        rota_views,
        views,
    )
    from helpline.demo import register_demo_note

    app.config["SECRET_KEY"] = _secret_key(app)
    app.config.setdefault("SESSION_COOKIE_SECURE", True)
    if app.config.get("HELPLINE_MODE") == "demo" and "CONSOLE_SECURE_COOKIES" not in os.environ:
        # The demo is plain http on this machine: a Secure cookie would not come back.
        app.config["SESSION_COOKIE_SECURE"] = False
    app.config["SESSION_COOKIE_HTTPONLY"] = True
    app.config["SESSION_COOKIE_SAMESITE"] = "Lax"
    app.config["PERMANENT_SESSION_LIFETIME"] = timedelta(hours=SESSION_HOURS)
    app.config["REMEMBER_COOKIE_SECURE"] = app.config["SESSION_COOKIE_SECURE"]
    # Twilio's webhooks carry no token: only the console's forms are checked (in before_request).
    app.config["WTF_CSRF_CHECK_DEFAULT"] = False
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", SESSION_HOURS * 3600)
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "console.sign_in"
    login_manager.login_message = "Sign in to use the advisers’ console."
    login_manager.session_protection = "strong"
    app.jinja_loader = ChoiceLoader([  # type: ignore[method-assign,assignment]
        *([app.jinja_loader] if app.jinja_loader else []),
        PrefixLoader({"govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja")}),
    ])
    app.register_blueprint(bp)
    calls.init_app(app)
    commands.init_app(app)
    from helpline.checks import register_check
    from helpline.console import texts

    register_check("adviser texts", texts.check)
    register_demo_note(commands.demo_note)


@bp.before_request
def _guard() -> Any:
    """Every page but sign-in needs a session; every form post needs its CSRF token."""
    from flask_login import current_user

    g.csp_nonce = secrets.token_urlsafe(16)
    public = {"console.sign_in", "console.sign_in_post", "console.set_password", "console.static"}
    if request.endpoint not in public and not current_user.is_authenticated:
        return login_manager.unauthorized()
    if request.method == "POST":
        csrf.protect()
    return None


@bp.app_context_processor
def _template_helpers() -> dict[str, Any]:
    return {"csp_nonce": lambda: g.get("csp_nonce", "")}


@bp.after_request
def _headers(response: Response) -> Response:
    """Family records are never cached, framed or sent elsewhere; scripts are the console's."""
    nonce = g.get("csp_nonce", "")
    with_nonce = f" 'nonce-{nonce}'" if nonce else ""
    # Styles too take the nonce: the insight page's charts are SVG with their own stylesheet.
    response.headers["Content-Security-Policy"] = (
        f"default-src 'self'; script-src 'self'{with_nonce}; style-src 'self'{with_nonce};"
        " img-src 'self'; media-src 'self'; frame-ancestors 'none';"
        " form-action 'self'; base-uri 'none'"
    )
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["X-Content-Type-Options"] = "nosniff"
    # same-origin, not no-referrer: on https Flask-WTF refuses a form post without a Referer
    # from this site, and family records must not leak in one to anywhere else.
    response.headers["Referrer-Policy"] = "same-origin"
    if request.endpoint != "console.static":
        response.headers["Cache-Control"] = "no-store"
    return response


@bp.errorhandler(CSRFError)
def _csrf_error(exc: CSRFError) -> tuple[str, int]:
    return render_template(
        "console/message.html", title="This form has expired",
        message="For your security, forms stop working after a while or when you sign in again."
        " Go back, reload the page and try again.",
    ), 400


@bp.errorhandler(HTTPException)
def _http_error(exc: HTTPException) -> tuple[str, int]:
    titles = {403: "You can’t see this page", 404: "Page not found"}
    messages = {
        403: "Your account can’t see or change this. If you need to, ask a manager.",
        404: "There is nothing at this address. It may have been closed or removed.",
    }
    code = exc.code or 500
    return render_template(
        "console/message.html", title=titles.get(code, exc.name),
        message=messages.get(code, "Something went wrong. Go back and try again."),
    ), code
