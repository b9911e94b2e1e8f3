"""The wording of texts and calls the helpline starts on its own, from wording.yaml."""

from __future__ import annotations

import string
from functools import lru_cache
from pathlib import Path

import yaml

WORDING_FILE = Path(__file__).resolve().parent / "wording.yaml"

# Each key and the placeholders its text may use.
PLACEHOLDERS: dict[str, set[str]] = {
    "adviser_alert": {"caller", "menu_path", "language", "wait"},
    "whisper": {"caller", "menu_path", "language", "wait"},
    "whisper_no_key": set(),
    "adviser_connecting": set(),
    "adviser_caller_gone": set(),
    "callback_created_text": {"days"},
    "callback_expired_text": set(),
}


def validate(data: object) -> list[str]:
    """Problems with a loaded wording file (empty when it is usable)."""
    if not isinstance(data, dict):
        return ["the file must be a mapping of keys to {language: text}"]
    problems = []
    for key, allowed in PLACEHOLDERS.items():
        versions = data.get(key)
        if not isinstance(versions, dict) or not isinstance(versions.get("en"), str):
            problems.append(f"{key}: needs an 'en' text")
            continue
        for language, text in versions.items():
            if not isinstance(text, str) or not text.strip():
                problems.append(f"{key}.{language}: must be non-empty text")
                continue
            used = {name for _, name, _, _ in string.Formatter().parse(text) if name}
            if used - allowed:
                problems.append(
                    f"{key}.{language}: unknown placeholder(s) {sorted(used - allowed)}"
                )
    problems += [f"{key}: not a known key" for key in data if key not in PLACEHOLDERS]
    return problems


@lru_cache(maxsize=4)
def load(path: Path = WORDING_FILE) -> dict[str, dict[str, str]]:
    """The wording, validated; raises ValueError listing every problem."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    problems = validate(data)
    if problems:
        raise ValueError(f"{path.name}: " + "; ".join(problems))
    return data  # type: ignore[no-any-return]


def words(key: str, lang: str = "en", **values: str) -> str:
    """The text for `key` in `language` (English when there is no translation), filled in."""
    versions = load()[key]
    return versions.get(lang, versions["en"]).format(**values)


def check(app: object) -> list[str]:
    """`helpline check`: problems with wording.yaml."""
    try:
        load.cache_clear()
        load()
    except Exception as exc:  # noqa: BLE001 - report any failure as a problem
        return [str(exc)]
    return []
