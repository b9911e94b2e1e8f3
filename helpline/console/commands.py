"""`helpline manager add` and `helpline staff link|list|deactivate`: console accounts."""

from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from sqlalchemy import select

from helpline.console import accounts
from helpline.console.models import StaffUser
from helpline.extensions import db

manager_cli = AppGroup("manager", help="Console accounts for managers.")
staff_cli = AppGroup("staff", help="Console accounts: password links, list, deactivate.")


def password_link(token: str) -> str:
    """The address where the account's holder chooses a password."""
    base = current_app.config.get("PUBLIC_BASE_URL") or ""
    return f"{base}/console/set-password/{token}"


def echo_password_link(email: str, token: str) -> None:
    """Print the first-password link (send it to the person; it works once, for 72 hours)."""
    click.echo(f"Console account for {email}: choose a password at {password_link(token)}")
    hours = int(accounts.PASSWORD_LINK_VALID.total_seconds()) // 3600
    click.echo(f"(the link works once, for {hours} hours; `helpline staff link EMAIL` makes a new"
               " one)")


@manager_cli.command("add")
@click.argument("name")
@click.option("--email", required=True, help="Their work email: they sign in with it.")
def manager_add(name: str, email: str) -> None:
    """Add a manager: sees every callback, the rota and the audit log."""
    try:
        user, token = accounts.create_account(db.session(), email=email, name=name,
                                              role="manager")
    except accounts.AccountError as exc:
        raise click.BadParameter(str(exc), param_hint="--email") from exc
    db.session.commit()
    click.echo(f"Added manager {user.name}")
    echo_password_link(user.email, token)


@staff_cli.command("link")
@click.argument("email")
def staff_link(email: str) -> None:
    """A new link to choose a password (forgotten, or locked out); the old one stops working."""
    user = accounts.find(db.session(), email)
    if user is None or not user.active:
        raise click.ClickException(f"no active account for {email}")
    token = accounts.issue_password_token(user)
    user.locked_until, user.failed_sign_ins = None, 0
    db.session.commit()
    echo_password_link(user.email, token)


@staff_cli.command("list")
def staff_list() -> None:
    """Every console account, its role and whether it has chosen a password."""
    for user in db.session.scalars(select(StaffUser).order_by(StaffUser.id)):
        state = "active" if user.active else "deactivated"
        password = "password set" if user.password_hash else "no password yet"
        click.echo(f"{user.id}\t{user.email}\t{user.role}\t{state}, {password}")


@staff_cli.command("deactivate")
@click.argument("email")
def staff_deactivate(email: str) -> None:
    """Stop an account signing in (its sessions end at once); the audit log keeps its entries."""
    user = accounts.find(db.session(), email)
    if user is None:
        raise click.ClickException(f"no account for {email}")
    user.active = False
    user.session_version = (user.session_version or 1) + 1
    db.session.commit()
    click.echo(f"Deactivated {user.email}")


DEMO_EMAIL = "demo.adviser@example.org"


def demo_note(app: Flask) -> list[str]:
    """The demo adviser's sign-in, for `helpline demo`: the adviser (on the rota all week, a
    number from Ofcom's drama range) is made once; each start gives a fresh password link."""
    from helpline.advisers.rota import new_adviser

    session = db.session()
    user = accounts.find(session, DEMO_EMAIL)
    if user is None:
        adviser = new_adviser(session, "Demo Adviser", "07700900999", ["mon-sun 00:00-24:00"])
        user, token = accounts.create_account(session, email=DEMO_EMAIL, name=adviser.name,
                                              role="adviser", adviser_id=adviser.id)
    else:
        token = accounts.issue_password_token(user)
        user.active, user.locked_until, user.failed_sign_ins = True, None, 0
    session.commit()
    base = app.config.get("PUBLIC_BASE_URL") or ""
    return [
        f"Advisers' console: {base}/console/ (callers waiting and callbacks the simulator makes)",
        f"  1. Choose the demo adviser's password: {password_link(token)}",
        f"  2. Sign in as {DEMO_EMAIL}",
    ]


def init_app(app: Flask) -> None:
    """Register the account commands."""
    app.cli.add_command(manager_cli)
    app.cli.add_command(staff_cli)
