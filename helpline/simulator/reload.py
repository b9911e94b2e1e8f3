"""Edited SMS wording, keywords and vocabulary show on the next request (demo, development).

The phone menu already reads ivr_flows/ again when a file changes; SMS templates, keywords and
the vocabulary are read once per process, so in demo and development their files are looked at
(at most once a second) and the cached copies dropped when one has changed.
"""

from __future__ import annotations

from pathlib import Path

from flask import current_app

from helpline.looked_at import looked_at

_last: dict[str, tuple[float, ...]] = {}


def _stamps(files: list[Path]) -> tuple[float, ...]:
    return tuple(f.stat().st_mtime if f.exists() else 0.0 for f in files)


def reload_changed_data() -> None:
    """Drop the cached templates and keywords when their files changed since last looked at."""
    config = current_app.config
    templates_dir, data_dir = str(config["SMS_TEMPLATES_DIR"]), str(config["DATA_DIR"])
    key = f"{templates_dir}|{data_dir}"
    stamps = looked_at(f"sms data|{key}", lambda: _stamps([
        *sorted(Path(templates_dir).glob("*.yaml")), Path(data_dir) / "keywords.yaml",
        Path(data_dir) / "vocabulary.yaml"]))
    seen = _last.get(key)
    _last[key] = stamps
    if seen is not None and seen != stamps:
        from helpline.directory.keywords import keywords_from
        from helpline.directory.vocabulary import vocabulary_from
        from helpline.sms.templates import templates_from

        for cached in (templates_from, keywords_from, vocabulary_from):
            cached.cache_clear()
        current_app.logger.info("SMS templates, keywords or vocabulary changed: read again")
