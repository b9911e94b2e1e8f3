"""The `helpline` command: every Flask command of the app (db, import, seed, search, ...)."""

from __future__ import annotations

from flask.cli import FlaskGroup

from helpline import create_app


def main() -> None:
    """Entry point of the `helpline` console script."""
    # A command or a worker: its statements have the commands' time limit, not the webhooks'.
    cli = FlaskGroup(create_app=lambda: create_app(command=True),
                     help="Local Offer Helpline commands.")
    cli.main(prog_name="helpline")
