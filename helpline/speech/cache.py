"""Where a rendered prompt lives: a file named by a hash of (engine, language, text)."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

_AUDIO_NAME = re.compile(r"^[0-9a-f]{32}\.mp3$")
_LANGUAGE = re.compile(r"^[a-z]{2,3}(-[A-Za-z]{2,4})?$")


def audio_name(engine: str, language: str, text: str) -> str:
    """The cache file name for this text in this language from this engine."""
    digest = hashlib.sha256(f"{engine}\0{language}\0{text}".encode()).hexdigest()
    return digest[:32] + ".mp3"


def audio_path(cache_dir: str | Path, engine: str, language: str, text: str) -> Path:
    """The cache file for a prompt (which may not exist yet)."""
    return Path(cache_dir) / language / audio_name(engine, language, text)


def is_audio_file_name(language: str, name: str) -> bool:
    """True for names the cache writes: nothing else is ever served from it."""
    return bool(_LANGUAGE.match(language) and _AUDIO_NAME.match(name))
