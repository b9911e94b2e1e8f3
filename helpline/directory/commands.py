"""`helpline import`, `helpline seed` and `helpline search`."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from helpline.directory.importer import ImportSummary, import_feed
from helpline.directory.oruk_feed import (
    ParsedFeed,
    Skipped,
    iter_feed_files,
    load_document,
    parse_document,
)
from helpline.extensions import db

if TYPE_CHECKING:
    from click._termui_impl import ProgressBar


def _source_name(path: Path) -> str:
    return path.stem if path.is_file() else path.name


def run_import(
    paths: list[str], source: str | None = None, show_progress: bool = False
) -> ImportSummary:
    """Parse the named files or folders as one feed and apply it in one transaction."""
    feed = ParsedFeed()
    files = list(iter_feed_files(paths))
    if not files:
        raise click.UsageError("no JSON files found in " + ", ".join(paths))
    # Ids derived for non-UUID records are scoped by the source name, so name it first.
    name = source or _source_name(Path(paths[0]))
    unreadable = False
    for path in files:
        try:
            part = parse_document(load_document(path), name)
        except (OSError, ValueError) as exc:
            feed.skipped.append(
                Skipped(str(path), "", f"not readable as JSON ({exc.__class__.__name__})")
            )
            unreadable = True
            continue
        feed.services.extend(part.services)
        feed.taxonomy_terms.extend(part.taxonomy_terms)
        feed.skipped.extend(part.skipped)
    if show_progress:
        bar: ProgressBar[int]
        with click.progressbar(
            length=len(feed.services), label=f"Importing {name}", file=sys.stderr
        ) as bar:
            summary = import_feed(db.session(), feed, name, progress=bar.update,
                                  unreadable=unreadable)
    else:
        summary = import_feed(db.session(), feed, name, unreadable=unreadable)
    db.session.commit()
    return summary


def print_summary(summary: ImportSummary) -> None:
    """The closing report: created, updated, unchanged, retired, skipped with reasons."""
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
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("--source", help="Name of the feed; defaults to the first file or folder name.")
@with_appcontext
def import_command(paths: tuple[str, ...], source: str | None) -> None:
    """Import ORUK JSON files or folders (3.0 nested, 3.0 list pages, or 1.0)."""
    summary = run_import(list(paths), source, show_progress=sys.stderr.isatty())
    print_summary(summary)


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
