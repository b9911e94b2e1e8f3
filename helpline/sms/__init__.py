"""The text channel: families text a keyword and get Local Offer services back."""

from __future__ import annotations

from pathlib import Path

from flask import Flask

from helpline.checks import register_check


def check_templates(app: Flask) -> list[str]:
    """Problems in sms_templates/ (and process areas without wording), for `helpline check`."""
    from helpline.directory.keywords import load_keywords
    from helpline.sms.templates import load_templates

    try:
        templates = load_templates(Path(app.config["SMS_TEMPLATES_DIR"]))
    except (OSError, ValueError) as exc:
        return [f"sms_templates: {problem}" for problem in str(exc).split("; ")]
    problems: list[str] = []
    try:
        keywords = load_keywords(Path(app.config["DATA_DIR"]) / "keywords.yaml")
    except (OSError, ValueError):
        return problems  # the keywords check reports it
    for area in keywords.areas:
        if area.kind != "process":
            continue
        for code, language in templates.languages.items():
            if not language.process.get(area.keyword):
                problems.append(f"sms_templates/{code}.yaml: no process text for {area.keyword}")
    try:
        from helpline.sms.facts import fact_problems, load_facts

        facts = load_facts(Path(app.config["SMS_TEMPLATES_DIR"]))
        process = [area.keyword for area in keywords.areas if area.kind == "process"]
        problems += fact_problems(facts, process, sorted(templates.languages))
    except ValueError as exc:
        problems.append(str(exc))
    for word, command in templates.index.commands.items():
        found = keywords.first(word)
        if found is not None and found.exact:
            problems.append(f"command word {word!r} ({command}) is also keyword "
                            f"{found.area.keyword}")
    return problems


def init_app(app: Flask) -> None:
    """Register the SMS webhooks and the template check."""
    from helpline.sms import models as _models  # noqa: F401 - tables for Alembic
    from helpline.sms.views import blueprint

    app.register_blueprint(blueprint)
    register_check("sms_templates", check_templates)
