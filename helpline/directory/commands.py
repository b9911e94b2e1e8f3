"""`helpline import`, `helpline seed` and `helpline search`."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from helpline.directory import feed_runs
from helpline.directory.feed_download import is_url
from helpline.directory.importer import ImportSummary
from helpline.directory.oruk_feed import Skipped

if TYPE_CHECKING:
    from click._termui_impl import ProgressBar


@contextmanager
def _progress_bar(length: int, name: str) -> Iterator[Callable[[int], None]]:
    bar: ProgressBar[int]
    with click.progressbar(length=length, label=f"Importing {name}", file=sys.stderr) as bar:
        yield bar.update


def run_import(
    paths: list[str], source: str | None = None, show_progress: bool = False
) -> ImportSummary:
    """Read the named files, folders or URLs as one feed and apply it in one transaction."""
    for path in paths:
        if not is_url(path) and not Path(path).exists():
            raise click.UsageError(f"no such file or folder: {path}")
    try:
        return feed_runs.run_import(paths, source, _progress_bar if show_progress else None)
    except feed_runs.NothingToImport as exc:
        raise click.UsageError(str(exc)) from exc


def print_summary(summary: ImportSummary) -> None:
    """The closing report: created, updated, unchanged, retired, skipped with reasons."""
    if summary.not_modified:
        click.echo("Not modified since the last import (the server said so): nothing to do.")
        return
    if summary.pages:
        click.echo(f"downloaded {summary.pages} page{'s' * (summary.pages != 1)}")
    if summary.problem:
        click.echo(f"The download stopped short: {summary.problem}", err=True)
    click.echo(
        f"created {summary.created}, updated {summary.updated}, unchanged {summary.unchanged}, "
        f"marked inactive {summary.deactivated}, skipped {len(summary.skipped)}"
    )
    if not summary.changed:
        click.echo("No changes.")
    if summary.kept_missing:
        click.echo(f"Nothing marked inactive: {summary.kept_missing}. Fix the feed and import "
                   "it again.")
    for item in summary.renamed:
        click.echo(f"  kept under a new id (its id was used twice): {item.name}")
    reasons: dict[str, list[Skipped]] = {}
    for item in summary.skipped:
        reasons.setdefault(item.reason, []).append(item)
    for reason, items in sorted(reasons.items()):
        click.echo(f"  skipped ({reason}): {len(items)}")
        for item in items[:5]:
            click.echo(f"    id={item.source_id or '-'} name={item.name or '-'}")


@click.command("import")
@click.argument("paths", nargs=-1, required=True)
@click.option("--source", help="Name of the feed; defaults to the first file, folder or URL.")
@with_appcontext
def import_command(paths: tuple[str, ...], source: str | None) -> None:
    """Import ORUK JSON files or folders, or an ORUK API's /services URL (3.0 or 1.0).

    Exits 1 when a download stopped short (what was read is imported; nothing is retired).
    """
    summary = run_import(list(paths), source, show_progress=sys.stderr.isatty())
    print_summary(summary)
    if summary.problem:
        raise SystemExit(1)


@click.command("seed")
@with_appcontext
def seed_command() -> None:
    """Load the sample Local Offer shipped in data/local-offer through the importer."""
    folder = Path(current_app.config["DATA_DIR"]) / "local-offer"
    summary = run_import([str(folder)], "sample-local-offer", show_progress=sys.stderr.isatty())
    print_summary(summary)


@click.command("search")
@click.argument("text")
@click.option("--age", type=click.IntRange(0, 25), help="The child's or young person's age.")
@click.option("--postcode", help="A postcode or postcode district, such as DN15 or DN15 6AB.")
@click.option("--limit", default=5, show_default=True, type=click.IntRange(1, 50))
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@click.option("--explain", is_flag=True,
              help="Show how the text was read and why each service ranked where it did.")
@with_appcontext
def search_command(
    text: str, age: int | None, postcode: str | None, limit: int, as_json: bool, explain: bool
) -> None:
    """Search the directory as the text and phone channels do."""
    from helpline.directory.search import explain as explain_search
    from helpline.directory.search import search

    if explain:
        for line in explain_search(text, age=age, postcode=postcode, limit=limit):
            click.echo(line)
        return
    results = search(text, age=age, postcode=postcode, limit=limit)
    if as_json:
        click.echo(json.dumps([r.as_dict() for r in results], indent=2))
        return
    if not results:
        click.echo("No matching services.")
    for rank, result in enumerate(results, start=1):
        distance = f"  {result.distance_km:.1f} km" if result.distance_km is not None else ""
        click.echo(f"{rank}. {result.name}  [{result.score:.2f}]{distance}")
        if result.phone:
            click.echo(f"   {result.phone}")


def init_app(app: Flask) -> None:
    """Register the directory commands on the app's CLI."""
    for command in (import_command, seed_command, search_command):
        app.cli.add_command(command)
