"""Console test helpers: staff accounts with passwords, signing in, CSRF tokens from pages."""

from __future__ import annotations

import re
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from helpline.advisers.models import Adviser, RotaSlot
from helpline.console import accounts
from helpline.extensions import db
from helpline.families.models import CallbackRequest

PASSWORD = "correct horse battery staple"
_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def add_staff(
    app: Flask, email: str, *, role: str = "adviser", mobile: str | None = "+447700900201",
    name: str = "Asha Patel", on_duty: bool = True,
) -> int:
    """An account with PASSWORD (an adviser on the rota all week, unless a manager); its id."""
    with app.app_context():
        adviser_id = None
        if role == "adviser" and mobile:
            adviser = Adviser(name=name, mobile=mobile)
            if on_duty:
                adviser.hours = [RotaSlot(weekday=d, start_minute=0, end_minute=24 * 60)
                                 for d in range(7)]
            db.session.add(adviser)
            db.session.flush()
            adviser_id = adviser.id
        user, _ = accounts.create_account(db.session(), email=email, name=name, role=role,
                                          adviser_id=adviser_id)
        accounts.set_password(user, PASSWORD)
        db.session.commit()
        return int(user.id)


def adviser_id_of(app: Flask, email: str) -> int | None:
    """The rota entry of an account."""
    with app.app_context():
        user = accounts.find(db.session(), email)
        return user.adviser_id if user else None


def csrf_token(client: FlaskClient, path: str = "/console/sign-in") -> str:
    """The CSRF token a page's forms carry."""
    found = _TOKEN.search(client.get(path).get_data(as_text=True))
    assert found, f"no CSRF token on {path}"
    return found.group(1)


def sign_in(client: FlaskClient, email: str, password: str = PASSWORD) -> Any:
    """Sign in through the form, as a browser does."""
    token = csrf_token(client)
    return client.post("/console/sign-in",
                       data={"csrf_token": token, "email": email, "password": password})


def post(client: FlaskClient, path: str, data: dict[str, str] | None = None) -> Any:
    """A form post with the session's CSRF token."""
    return client.post(path, data={"csrf_token": csrf_token(client, "/console/"), **(data or {})})


def add_callback(app: Flask, number: str = "+447700900123", *, claimed_by: int | None = None,
                 channel: str = "sms", language: str = "en", recording_url: str | None = None,
                 summary: str = "Asked for a call back by text. Asked so far: SHORTBREAKS.") -> int:
    """A callback request as a channel stores it; its id."""
    with app.app_context():
        row = CallbackRequest(cause=f"test:{number}:{channel}:{claimed_by}", phone_number=number,
                              channel=channel, language=language, summary=summary,
                              recording_url=recording_url,
                              status="claimed" if claimed_by else "new", claimed_by=claimed_by)
        db.session.add(row)
        db.session.commit()
        return int(row.id)
