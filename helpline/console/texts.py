"""Approved texts an adviser sends a family ("Text the family"), from data/adviser_texts.yaml,
through the outbox (so opt-outs are respected), in the family's language."""

from __future__ import annotations

import string
import uuid
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml
from flask import Flask, current_app
from sqlalchemy.orm import Session

from helpline.console import audit
from helpline.console.models import StaffUser
from helpline.families.models import CallbackRequest

TEXTS_FILE = "adviser_texts.yaml"
LANGUAGES = ("en", "pl", "ur")
PLACEHOLDERS = {"helpline_number"}


@dataclass(frozen=True)
class ApprovedText:
    """One approved text: what advisers see it called, and its words in each language."""

    key: str
    label: str
    versions: dict[str, str]

    def body(self, language: str, helpline_number: str) -> str:
        """The text in `language` (English if the family's language has none), filled in."""
        text = self.versions.get(language, self.versions["en"])
        return text.format(helpline_number=helpline_number or "the number you called")


def problems(data: object) -> list[str]:
    """What is wrong with a loaded texts file (empty when it is usable)."""
    from helpline.sms.segments import fits, is_gsm7

    texts = data.get("texts") if isinstance(data, dict) else None
    if not isinstance(texts, dict) or not texts:
        return ["texts: must map each text's key to its label and languages"]
    found = []
    for key, entry in texts.items():
        if not isinstance(entry, dict) or not isinstance(entry.get("label"), str):
            found.append(f"{key}: needs a label")
            continue
        for language in LANGUAGES:
            text = entry.get(language)
            if not isinstance(text, str) or not text.strip():
                found.append(f"{key}.{language}: missing (every text needs every language)")
                continue
            unknown = {n for _, n, _, _ in string.Formatter().parse(text) if n} - PLACEHOLDERS
            if unknown:
                found.append(f"{key}.{language}: unknown placeholder(s) {sorted(unknown)}")
                continue
            sample = text.format(helpline_number="+447700900000")
            if language == "en" and not is_gsm7(sample):
                found.append(f"{key}.en: use GSM-7 characters only")
            if not fits(sample):
                found.append(f"{key}.{language}: longer than 3 SMS parts")
    return found


@lru_cache(maxsize=4)
def _load(path: Path, stamp: float) -> tuple[ApprovedText, ...]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    found = problems(data)
    if found:
        raise ValueError(f"{path.name}: " + "; ".join(found))
    return tuple(
        ApprovedText(key, entry["label"], {lang: entry[lang] for lang in LANGUAGES})
        for key, entry in data["texts"].items()
    )


def approved(data_dir: str | None = None) -> tuple[ApprovedText, ...]:
    """The approved texts, validated (read again when the file changes)."""
    path = Path(data_dir or current_app.config["DATA_DIR"]) / TEXTS_FILE
    return _load(path, path.stat().st_mtime)


def send(session: Session, callback: CallbackRequest, user: StaffUser, key: str) -> bool:
    """Queue an approved text to the family; False when their number can't be texted (opted
    out, withheld or erased). Commits."""
    from helpline.outbound.outbox import queue_text

    chosen = next((t for t in approved() if t.key == key), None)
    if chosen is None:
        raise KeyError(key)
    body = chosen.body(callback.language, current_app.config.get("TWILIO_PHONE_NUMBER", ""))
    row = queue_text(
        session, to=callback.phone_number, body=body,
        cause=f"callback-{callback.id}-adviser-text-{uuid.uuid4().hex}",
        purpose="adviser-text", language=callback.language,
    )
    audit.record(session, user, "text-family", callback_id=callback.id,
                 number=callback.phone_number, detail=key if row else f"{key}: not sent")
    session.commit()
    return row is not None


def check(app: Flask) -> list[str]:
    """`helpline check`: the approved texts file."""
    try:
        approved(app.config["DATA_DIR"])
    except (OSError, ValueError, yaml.YAMLError) as exc:
        return [str(exc)]
    return []
