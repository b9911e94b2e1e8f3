"""`helpline adviser add|list|remove|hours`: manage advisers and the rota."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup
from sqlalchemy import select

from helpline.advisers.models import Adviser
from helpline.advisers.rota import add_hours, describe, new_adviser
from helpline.extensions import db
from helpline.logs import mask_phone

adviser_cli = AppGroup("adviser", help="Manage advisers and their hours (the rota).")


@adviser_cli.command("add")
@click.argument("name")
@click.argument("mobile")
@click.option("--hours", "hours", multiple=True, help='e.g. "mon-fri 09:00-17:00" (repeatable)')
@click.option("--priority", default=100, show_default=True, help="Lower is rung first.")
@click.option("--email", default=None, help="Give them a console account; prints a link to "
              "choose their first password.")
def add(name: str, mobile: str, hours: tuple[str, ...], priority: int, email: str | None) -> None:
    """Add an adviser who can be rung on MOBILE."""
    from helpline.console.accounts import AccountError, create_account
    from helpline.console.commands import echo_password_link

    try:
        adviser = new_adviser(db.session(), name, mobile, hours, priority)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from exc
    token = None
    if email:
        try:
            _, token = create_account(db.session(), email=email, name=adviser.name,
                                      role="adviser", adviser_id=adviser.id)
        except AccountError as exc:
            raise click.BadParameter(str(exc), param_hint="--email") from exc
    db.session.commit()
    click.echo(f"Added adviser {adviser.id}: {adviser.name} ({mask_phone(adviser.mobile)})")
    if token:
        echo_password_link(email or "", token)


def _add_hours(adviser: Adviser, text: str, priority: int) -> None:
    try:
        add_hours(adviser, [text], priority)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--hours") from exc


@adviser_cli.command("hours")
@click.argument("adviser_id", type=int)
@click.argument("hours", nargs=-1, required=False)
@click.option("--priority", default=100, show_default=True, help="Lower is rung first.")
@click.option("--clear", is_flag=True, help="Remove the adviser's existing hours first.")
def hours_command(adviser_id: int, hours: tuple[str, ...], priority: int, clear: bool) -> None:
    """Set an adviser's hours, e.g. helpline adviser hours 1 "mon-fri 09:00-17:00"."""
    adviser = _get(adviser_id)
    if clear:
        adviser.hours.clear()
    for text in hours:
        _add_hours(adviser, text, priority)
    db.session.commit()
    click.echo(f"{adviser.name}: " + (", ".join(describe(s) for s in adviser.hours) or "no hours"))


@adviser_cli.command("list")
def list_command() -> None:
    """List advisers, their masked numbers and hours."""
    for adviser in db.session.scalars(select(Adviser).order_by(Adviser.id)):
        hours = ", ".join(describe(s) for s in adviser.hours) or "no hours"
        state = "" if adviser.active else " (inactive)"
        click.echo(f"{adviser.id}\t{adviser.name}{state}\t{mask_phone(adviser.mobile)}\t{hours}")


@adviser_cli.command("remove")
@click.argument("adviser_id", type=int)
def remove(adviser_id: int) -> None:
    """Remove an adviser and their hours."""
    adviser = _get(adviser_id)
    db.session.delete(adviser)
    db.session.commit()
    click.echo(f"Removed adviser {adviser_id}")


def _get(adviser_id: int) -> Adviser:
    adviser = db.session.get(Adviser, adviser_id)
    if adviser is None:
        raise click.ClickException(f"no adviser {adviser_id}")
    return adviser


def init_app(app: Flask) -> None:
    """Register the adviser commands."""
    app.cli.add_command(adviser_cli)
