"""Console access: sign-in, lockout, password links, sessions, roles, claims and CSRF."""

from __future__ import annotations

import re
from datetime import timedelta

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from helpline.console import accounts
from helpline.console.models import AuditEntry, StaffUser
from helpline.directory.models import utcnow
from helpline.extensions import db
from tests.console import PASSWORD, add_callback, add_staff, adviser_id_of, post, sign_in

PUBLIC = {"console.sign_in", "console.sign_in_post", "console.set_password", "console.static"}


def _console_urls(app: Flask) -> list[tuple[str, str]]:
    """Every console route with made-up ids: (method, path)."""
    found = []
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("console.") or rule.endpoint in PUBLIC:
            continue
        path = re.sub(r"<(?:int:)?(\w+)>", lambda m: "1" if "id" in m.group(1) else "x", rule.rule)
        found += [(method, path) for method in sorted(rule.methods or ()) if method in
                  ("GET", "POST")]
    return found


def test_every_console_route_without_a_session_goes_to_sign_in(app: Flask,
                                                               client: FlaskClient) -> None:
    add_callback(app)
    urls = _console_urls(app)
    assert len(urls) >= 15  # today, callbacks, work, text, voicemail, rota, audit, sign-out...
    for method, path in urls:
        answer = client.open(path, method=method)
        assert answer.status_code == 302, (method, path, answer.status_code)
        assert answer.headers["Location"].startswith("/console/sign-in?next="), (method, path)


def test_sign_in_sets_a_secure_http_only_same_site_session(app: Flask,
                                                           client: FlaskClient) -> None:
    add_staff(app, "asha@example.org")
    answer = sign_in(client, "asha@example.org")
    assert answer.status_code == 302 and answer.headers["Location"] == "/console/"
    cookie = next(c for c in answer.headers.getlist("Set-Cookie") if c.startswith("session="))
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    today = client.get("/console/")
    assert today.status_code == 200 and "Callers waiting now" in today.get_data(as_text=True)
    assert today.headers["Cache-Control"] == "no-store"
    assert "frame-ancestors 'none'" in today.headers["Content-Security-Policy"]


def test_sign_in_goes_back_only_to_a_console_page(app: Flask, client: FlaskClient) -> None:
    add_staff(app, "asha@example.org")
    token = re.search(r'name="csrf_token" value="([^"]+)"',
                      client.get("/console/sign-in").get_data(as_text=True))
    assert token
    answer = client.post("/console/sign-in", data={
        "csrf_token": token.group(1), "email": "asha@example.org", "password": PASSWORD,
        "next": "https://evil.example/console"})
    assert answer.headers["Location"] == "/console/"


def test_a_wrong_password_is_refused_and_five_lock_the_account(app: Flask,
                                                              client: FlaskClient) -> None:
    add_staff(app, "asha@example.org")
    unknown = sign_in(client, "nobody@example.org")
    wrong = sign_in(client, "asha@example.org", "not the password")
    # The same words for an unknown email and a wrong password: nothing says which it was.
    assert unknown.status_code == wrong.status_code == 401
    assert "Enter a correct email address and password" in wrong.get_data(as_text=True)
    for _ in range(3):
        sign_in(client, "asha@example.org", "not the password")
    locked = sign_in(client, "asha@example.org", "still not it")
    assert "locked for 15 minutes" in locked.get_data(as_text=True)
    # Locked: even the right password is refused until the lock ends.
    assert sign_in(client, "asha@example.org").status_code == 401
    with app.app_context():
        user = accounts.find(db.session(), "asha@example.org")
        assert user is not None and user.locked_until is not None
        refused = db.session.scalars(
            select(AuditEntry).where(AuditEntry.action == "sign-in-refused")).all()
        assert len(refused) == 7 and refused[0].staff_email == "nobody@example.org"
        user.locked_until = utcnow() - timedelta(seconds=1)
        db.session.commit()
    assert sign_in(client, "asha@example.org").status_code == 302


def test_a_first_password_link_works_once_and_ends_older_sessions(app: Flask) -> None:
    add_staff(app, "asha@example.org")
    old = app.test_client()
    sign_in(old, "asha@example.org")
    with app.app_context():
        user = accounts.find(db.session(), "asha@example.org")
        assert user is not None
        token = accounts.issue_password_token(user)
        db.session.commit()
    new = app.test_client()
    form = new.get(f"/console/set-password/{token}")
    assert form.status_code == 200 and "Choose your password" in form.get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', form.get_data(as_text=True))
    assert csrf
    short = new.post(f"/console/set-password/{token}",
                     data={"csrf_token": csrf.group(1), "password": "short", "confirm": "short"})
    assert short.status_code == 400 and "at least 12" in short.get_data(as_text=True)
    fresh = "a new and longer password"
    saved = new.post(f"/console/set-password/{token}",
                     data={"csrf_token": csrf.group(1), "password": fresh, "confirm": fresh})
    assert saved.status_code == 302
    assert new.get(f"/console/set-password/{token}").status_code == 404  # used up
    # The session signed in with the old password has ended.
    assert old.get("/console/").status_code == 302
    assert sign_in(new, "asha@example.org", fresh).status_code == 302


def test_an_expired_link_is_refused(app: Flask, client: FlaskClient) -> None:
    with app.app_context():
        user, token = accounts.create_account(db.session(), email="new@example.org", name="New",
                                              role="adviser")
        user.password_token_expires = utcnow() - timedelta(minutes=1)
        db.session.commit()
    assert client.get(f"/console/set-password/{token}").status_code == 404
    assert client.get("/console/set-password/not-a-token").status_code == 404


def test_a_deactivated_account_is_signed_out(app: Flask, client: FlaskClient) -> None:
    add_staff(app, "asha@example.org")
    sign_in(client, "asha@example.org")
    with app.app_context():
        db.session.scalars(select(StaffUser)).one().active = False
        db.session.commit()
    assert client.get("/console/").status_code == 302


def test_an_adviser_cannot_reach_manager_pages(app: Flask, client: FlaskClient) -> None:
    add_staff(app, "asha@example.org")
    sign_in(client, "asha@example.org")
    for path in ("/console/rota", "/console/rota/new", "/console/rota/1",
                 "/console/rota/1/remove", "/console/audit"):
        assert client.get(path).status_code == 403, path
    assert post(client, "/console/rota/new", {"name": "Eve", "mobile": "07700900999"}
                ).status_code == 403
    manager = app.test_client()
    add_staff(app, "mo@example.org", role="manager", name="Mo")
    sign_in(manager, "mo@example.org")
    assert manager.get("/console/rota").status_code == 200
    assert manager.get("/console/audit").status_code == 200


def test_an_adviser_cannot_read_or_change_another_advisers_callback(app: Flask) -> None:
    add_staff(app, "asha@example.org")
    add_staff(app, "ben@example.org", mobile="+447700900202", name="Ben")
    bens = add_callback(app, claimed_by=adviser_id_of(app, "ben@example.org"))
    asha = app.test_client()
    sign_in(asha, "asha@example.org")
    assert "900123" not in asha.get("/console/callbacks").get_data(as_text=True)
    assert asha.get(f"/console/callbacks/{bens}").status_code == 403
    assert asha.get(f"/console/callbacks/{bens}/text").status_code == 403
    assert asha.get(f"/console/callbacks/{bens}/voicemail/x").status_code == 404
    for action, form in (("claim", {}), ("call", {}), ("done", {}), ("text", {"text": "call_us"}),
                         ("attempt", {"outcome": "reached", "note": "x"})):
        answer = post(asha, f"/console/callbacks/{bens}/{action}", form)
        assert answer.status_code == 403, action
    with app.app_context():
        from helpline.families.models import CallbackRequest

        row = db.session.get(CallbackRequest, bens)
        assert row is not None and row.status == "claimed" and row.attempts == 0
        assert row.claimed_by == adviser_id_of(app, "ben@example.org")
    # Ben sees it in full, and so does a manager.
    ben = app.test_client()
    sign_in(ben, "ben@example.org")
    assert "+447700900123" in ben.get(f"/console/callbacks/{bens}").get_data(as_text=True)


def test_posts_without_a_csrf_token_are_refused(app: Flask, client: FlaskClient) -> None:
    add_staff(app, "mo@example.org", role="manager", name="Mo")
    add_staff(app, "asha@example.org")
    callback = add_callback(app)
    token_free = app.test_client()
    assert token_free.post("/console/sign-in", data={
        "email": "asha@example.org", "password": PASSWORD}).status_code == 400
    sign_in(client, "asha@example.org")
    for path, form in ((f"/console/callbacks/{callback}/claim", {}),
                       ("/console/sign-out", {})):
        answer = client.post(path, data=form)
        assert answer.status_code == 400, path
        assert "This form has expired" in answer.get_data(as_text=True)
    manager = app.test_client()
    sign_in(manager, "mo@example.org")
    assert manager.post("/console/rota/new", data={"name": "Eve", "mobile": "07700900999",
                                                   "priority": "100"}).status_code == 400
    with app.app_context():
        from helpline.families.models import CallbackRequest

        assert db.session.get(CallbackRequest, callback).status == "new"  # type: ignore[union-attr]


def test_over_https_a_form_posted_from_the_console_is_accepted(app: Flask) -> None:
    # Flask-WTF refuses an https post whose Referer is missing or another site's: the console
    # must let browsers send its own address (same-origin), never none (no-referrer).
    add_staff(app, "asha@example.org")
    client = app.test_client()
    page = client.get("/console/sign-in", base_url="https://helpline.example.org")
    assert page.headers["Referrer-Policy"] == "same-origin"
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.get_data(as_text=True))
    assert token
    form = {"csrf_token": token.group(1), "email": "asha@example.org", "password": PASSWORD}
    elsewhere = client.post("/console/sign-in", data=form, base_url="https://helpline.example.org",
                            headers={"Referer": "https://evil.example/console/sign-in"})
    assert elsewhere.status_code == 400
    ours = client.post("/console/sign-in", data=form, base_url="https://helpline.example.org",
                       headers={"Referer": "https://helpline.example.org/console/sign-in"})
    assert ours.status_code == 302 and ours.headers["Location"] == "/console/"
    assert client.get("/console/", base_url="https://helpline.example.org").status_code == 200
