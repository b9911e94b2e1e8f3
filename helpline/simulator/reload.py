"""Edited SMS wording, keywords and vocabulary show on the next request (demo, development).

The phone menu already reads ivr_flows/ again when a file changes; SMS templates, keywords and
the vocabulary are read once per process, so in demo and development their files are looked at
(at most once a second) and the cached copies dropped when one has changed.
"""

from __future__ import annotations

import time
from pathlib import Path

from flask import current_app

RECHECK_SECONDS = 1.0
_seen: dict[str, tuple[float, tuple[float, ...]]] = {}


def _stamps(files: list[Path]) -> tuple[float, ...]:
    return tuple(f.stat().st_mtime if f.exists() else 0.0 for f in files)


def reload_changed_data() -> None:
    """Drop the cached templates and keywords when their files changed since last looked at."""
    config = current_app.config
    templates_dir, data_dir = str(config["SMS_TEMPLATES_DIR"]), str(config["DATA_DIR"])
    key = f"{templates_dir}|{data_dir}"
    seen = _seen.get(key)
    now = time.monotonic()
    if seen is not None and now - seen[0] < RECHECK_SECONDS:
        return
    files = [*sorted(Path(templates_dir).glob("*.yaml")), Path(data_dir) / "keywords.yaml",
             Path(data_dir) / "vocabulary.yaml"]
    stamps = _stamps(files)
    _seen[key] = (now, stamps)
    if seen is not None and seen[1] != stamps:
        from helpline.directory.keywords import keywords_from
        from helpline.directory.vocabulary import vocabulary_from
        from helpline.sms.templates import templates_from

        for cached in (templates_from, keywords_from, vocabulary_from):
            cached.cache_clear()
        current_app.logger.info("SMS templates, keywords or vocabulary changed: read again")
