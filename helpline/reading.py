"""`helpline check`'s plain-words check over every family-facing text, in every language.

Texts: the SMS replies (sms_templates/), the process facts (sms_templates/facts/), the phone's
spoken phrases (ivr_flows/prompts/) and the texts the helpline sends on its own (call-back
confirmation and expiry). Each is checked against data/glossary.yaml, and English ones for
reading grade. Menus that only name areas ("Short breaks, press 1") are labels: not checked.
"""

from __future__ import annotations

from pathlib import Path

from flask import Flask

from helpline.glossary import Glossary, grade_problems, load_glossary

# Texts the helpline sends a family on its own (the others in wording.yaml are for advisers).
FAMILY_WORDING = ("callback_created_text", "callback_expired_text")


def _sms_texts(app: Flask) -> dict[str, list[tuple[str, list[tuple[str, str]]]]]:
    from helpline.sms.templates import templates_from

    texts: dict[str, list[tuple[str, list[tuple[str, str]]]]] = {}
    templates = templates_from(app.config["SMS_TEMPLATES_DIR"])
    for code, language in templates.languages.items():
        groups = texts.setdefault(code, [])
        groups.append((f"sms_templates/{code}.yaml",
                       [(f"message {k!r}", v) for k, v in language.messages.items()]))
        for keyword, facts in language.process.items():
            groups.append((f"sms_templates/facts/{code}.yaml", [(keyword, facts)]))
    return texts


def _phone_texts(app: Flask) -> dict[str, list[tuple[str, list[tuple[str, str]]]]]:
    from helpline.flows.model import load_flow

    flow = load_flow(Path(app.config["IVR_FLOWS_DIR"]))
    return {code: [(f"ivr_flows/prompts/{code}.yaml",
                    [(f"phrase {k!r}", v) for k, v in flow.prompts[code].phrases.items()])]
            for code in flow.languages}


def _wording_texts() -> dict[str, list[tuple[str, list[tuple[str, str]]]]]:
    from helpline.outbound.wording import load

    texts: dict[str, list[tuple[str, list[tuple[str, str]]]]] = {}
    for key in FAMILY_WORDING:
        for code, text in load()[key].items():
            texts.setdefault(code, []).append(("helpline/outbound/wording.yaml",
                                               [(f"{key} ({code})", text)]))
    return texts


def reading_problems(app: Flask) -> list[str]:
    """Unexplained glossary words in any language, and English texts above grade 5."""
    try:
        glossary: Glossary = load_glossary(Path(app.config["DATA_DIR"]) / "glossary.yaml")
    except ValueError as exc:
        return [f"data/glossary.yaml: {exc}"]
    problems: list[str] = []
    sources = []
    for collect in (lambda: _sms_texts(app), lambda: _phone_texts(app), _wording_texts):
        try:
            sources.append(collect())
        except Exception:  # noqa: BLE001, S112 - the file's own check names what is wrong
            continue
    languages: set[str] = set()
    for source in sources:
        for code, groups in source.items():
            languages.add(code)
            for where, texts in groups:
                problems += glossary.problems(code, where, texts)
                if code == "en":
                    problems += grade_problems(where, texts)
    problems += glossary.missing_languages(sorted(languages))
    return problems
