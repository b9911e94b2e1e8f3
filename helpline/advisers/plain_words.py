"""A caller in plain words for advisers: "Schools, in English, waiting 2 minutes, number ending
123", from the menu path, language and number (topics in data/adviser_words.yaml)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

import yaml
from flask import Flask, current_app

WORDS_FILE = "adviser_words.yaml"
GENERAL = "General enquiry"

LANGUAGE_NAMES = {
    "en": "English",
    "cy": "Welsh",
    "pl": "Polish",
    "ro": "Romanian",
    "ur": "Urdu",
    "pa": "Punjabi",
    "ar": "Arabic",
    "bn": "Bengali",
    "so": "Somali",
    "uk": "Ukrainian",
}


@lru_cache(maxsize=4)
def _load(path: Path, stamp: float) -> dict[str, str]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    topics = data.get("topics") if isinstance(data, dict) else None
    if not isinstance(topics, dict) or not all(
        isinstance(k, str) and isinstance(v, str) and v.strip() for k, v in topics.items()
    ):
        raise ValueError(f"{path.name}: topics: must map each menu id to words")
    return {k: v.strip() for k, v in topics.items()}


def topics(data_dir: str | None = None) -> dict[str, str]:
    """Menu id -> what a caller who got there wants, in words (read again when edited)."""
    path = Path(data_dir or current_app.config["DATA_DIR"]) / WORDS_FILE
    return _load(path, path.stat().st_mtime)


def topic(steps: Sequence[str], known: dict[str, str] | None = None) -> str:
    """The furthest menu a caller reached, in words; "General enquiry" when none."""
    known = topics() if known is None else known
    for step in reversed(steps):
        if step in known and step != "main":
            return known[step]
    return GENERAL


# What a caller did at a menu, in words; menus are named by their topics.
ACTIONS = {
    "adviser": "asked for an adviser",
    "text": "had the services texted",
    "message": "chose to leave a message",
    "message left": "left a message",
    "callback": "asked for a call back",
    "repeat": "heard them again",
    "hung up": "hung up",
    "closed": "called out of hours",
    "no_adviser_free": "no adviser was free",
}


def path(steps: Sequence[str], known: dict[str, str] | None = None) -> str:
    """A call's way through the menu in words: "Schools, nurseries and colleges, then Schools,
    then asked for an adviser" (the language choice and the main menu left out)."""
    known = topics() if known is None else known
    words = [known.get(s) or ACTIONS.get(s) or s for s in steps
             if not s.startswith("language:") and s != "main"]
    return ", then ".join(words) or "made no choice"


def summary_steps(summary: str) -> list[str]:
    """The menu steps at the end of a phone callback's summary ("...: language:en > main")."""
    _, _, tail = summary.partition("): ")
    return [s for s in tail.split(" > ") if s]


def language_name(code: str) -> str:
    """"Polish" for "pl"; the code itself for a language not named here."""
    return LANGUAGE_NAMES.get(code, code)


def number_ending(number: str | None, *, spoken: bool = False) -> str:
    """ "number ending 123" (digits spaced when spoken, so each is said), or "number withheld". """
    digits = re.sub(r"\D", "", number or "")
    if len(digits) < 6:
        return "number withheld"
    tail = digits[-3:]
    return "number ending " + (" ".join(tail) if spoken else tail)


def describe(topic_words: str, language: str, wait: str, number: str | None,
             *, spoken: bool = False) -> str:
    """ "Schools, in English, waiting 2 minutes, number ending 123". """
    return (f"{topic_words}, in {language_name(language)}, waiting {wait}, "
            f"{number_ending(number, spoken=spoken)}")


def check(app: Flask) -> list[str]:
    """`helpline check`: the topics file reads, and names every menu of the phone flow."""
    from helpline.flows.model import load_flow

    try:
        known = topics(app.config["DATA_DIR"])
    except (OSError, ValueError, yaml.YAMLError) as exc:
        return [f"{WORDS_FILE}: {exc}"]
    try:
        flow = load_flow(Path(app.config["IVR_FLOWS_DIR"]))
    except Exception:  # noqa: BLE001 - the flows check reports a broken flow itself
        return []
    return [f"{WORDS_FILE}: no topic for menu {node!r}" for node in flow.nodes if node not in known]
