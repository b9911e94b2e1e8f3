"""`helpline twilio connect` and `helpline twilio check`: the helpline number's webhooks."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

from helpline.outbound import twilio_number
from helpline.outbound.gateway import OutboundError

twilio_cli = AppGroup("twilio", help="The helpline number's settings at Twilio.")

_MARKS = {"ok": "ok   ", "wrong": "WRONG", "unchecked": "?    "}


@twilio_cli.command("connect")
def connect_command() -> None:
    """Point the number's SMS and voice webhooks and call status callback at PUBLIC_BASE_URL."""
    problems = twilio_number.settings_problems()
    if problems:
        raise click.UsageError("; ".join(problems))
    try:
        wanted = twilio_number.connect()
        for field, value in wanted.items():
            click.echo(f"set {field} = {value or '(cleared)'}")
        findings = twilio_number.check()
    except OutboundError as exc:
        raise click.ClickException(str(exc)) from exc
    _report(findings)


@twilio_cli.command("check")
def check_command() -> None:
    """Say what the number's settings at Twilio are and what is wrong; exits 1 if anything is."""
    try:
        findings = twilio_number.check()
    except OutboundError as exc:
        raise click.ClickException(str(exc)) from exc
    _report(findings)


def _report(findings: list[twilio_number.Finding]) -> None:
    for finding in findings:
        click.echo(f"{_MARKS[finding.state]} {finding.what}: {finding.detail}")
    wrong = sum(finding.state == "wrong" for finding in findings)
    if wrong:
        click.echo(f"{wrong} setting{'s' * (wrong != 1)} to fix (helpline twilio connect sets "
                   "the webhooks)", err=True)
        raise SystemExit(1)


def init_app(app: Flask) -> None:
    """Register `helpline twilio`."""
    app.cli.add_command(twilio_cli)
