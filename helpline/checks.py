"""`helpline check`: validate every data file a council edits (keywords, templates, flows)."""

from __future__ import annotations

from collections.abc import Callable

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

# Each channel registers a function that returns a list of problems (empty when all is well).
CheckFunction = Callable[[Flask], list[str]]
_CHECKS: dict[str, CheckFunction] = {}


def register_check(name: str, check: CheckFunction) -> None:
    """Add a named data check to `helpline check`."""
    _CHECKS[name] = check


def run_checks(app: Flask) -> dict[str, list[str]]:
    """Problems found by every registered check, by check name."""
    return {name: check(app) for name, check in sorted(_CHECKS.items())}


@click.command("check")
@click.option("--untranslated", is_flag=True,
              help="List the wording made by machine translation, for a native speaker to check.")
@with_appcontext
def check_command(untranslated: bool) -> None:
    """Validate keywords, SMS templates and IVR flows; exit 1 on any problem."""
    if untranslated:
        _list_untranslated()
        return
    failed = False
    for name, problems in run_checks(current_app._get_current_object()).items():  # type: ignore[attr-defined]
        if problems:
            failed = True
            click.echo(f"{name}: {len(problems)} problem(s)")
            for problem in problems:
                click.echo(f"  - {problem}")
        else:
            click.echo(f"{name}: ok")
    if failed:
        raise SystemExit(1)


def _list_untranslated() -> None:
    """Every fact marked machine-made, to be checked by a native speaker."""
    from pathlib import Path

    from helpline.sms.facts import load_facts

    found = load_facts(Path(current_app.config["SMS_TEMPLATES_DIR"])).untranslated()
    click.echo(f"{len(found)} text(s) made by machine translation, not yet checked by a native "
               "speaker (remove `machine: true` once one has):")
    for line in found:
        click.echo(f"  - {line}")


def _check_keywords(app: Flask) -> list[str]:
    from pathlib import Path

    from helpline.directory.keywords import load_keywords

    try:
        load_keywords(Path(app.config["DATA_DIR"]) / "keywords.yaml")
    except Exception as exc:  # noqa: BLE001 - report any failure as a problem
        return [f"data/keywords.yaml: {exc}"]
    return []


def _check_vocabulary(app: Flask) -> list[str]:
    from pathlib import Path

    from helpline.directory.keywords import load_keywords
    from helpline.directory.vocabulary import load_vocabulary

    data = Path(app.config["DATA_DIR"])
    try:
        vocabulary = load_vocabulary(data / "vocabulary.yaml")
    except Exception as exc:  # noqa: BLE001 - report any failure as a problem
        return [f"data/vocabulary.yaml: {exc}"]
    try:
        keywords = {a.keyword for a in load_keywords(data / "keywords.yaml").areas}
    except Exception:  # noqa: BLE001 - the keywords check reports it
        return []
    problems = [f"data/vocabulary.yaml: need {n.name!r} names area {n.area}, which is not a "
                "keyword in data/keywords.yaml" for n in vocabulary.data.needs
                if n.area is not None and n.area not in keywords]
    problems += [f"data/vocabulary.yaml: {clash}" for clash in vocabulary.clashes()]
    return problems


def init_app(app: Flask) -> None:
    """Register the check command and the directory's own checks."""
    from helpline.reading import reading_problems

    register_check("keywords", _check_keywords)
    register_check("plain words", reading_problems)
    register_check("vocabulary", _check_vocabulary)
    app.cli.add_command(check_command)
