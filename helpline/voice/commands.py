"""`helpline flows check`: validate the phone menu before callers hear it."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext


@click.group("flows")
def flows() -> None:
    """The phone menu in ivr_flows/."""


@flows.command("check")
@with_appcontext
def check_command() -> None:
    """Check targets, reachability, the way back, menu sizes and wording in every language."""
    from helpline.voice import check_flows

    problems = check_flows(current_app._get_current_object())  # type: ignore[attr-defined]
    _print_times()
    if not problems:
        click.echo(f"ivr_flows: ok ({current_app.config['IVR_FLOWS_DIR']})")
        return
    click.echo(f"ivr_flows: {len(problems)} problem(s)")
    for problem in problems:
        click.echo(f"  - {problem}")
    raise SystemExit(1)


def _print_times() -> None:
    """Each menu's spoken length and each path's time to a phone number, as a caller hears them."""
    from pathlib import Path

    from helpline.flows.model import FlowError, load_flow
    from helpline.flows.timing import timing_report

    try:
        flow = load_flow(Path(current_app.config["IVR_FLOWS_DIR"]))
        lines = timing_report(flow)
    except (FlowError, KeyError, ValueError, StopIteration):
        return  # the problems below say why
    for line in lines:
        click.echo(line)
