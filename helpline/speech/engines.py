"""Text to MP3: gTTS (Google Translate's voice, online) or espeak-ng (offline, from Debian)."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

ENGINES = ("gtts", "espeak", "say")
# espeak-ng's voice names where they differ from gTTS's language codes.
ESPEAK_VOICES = {"en": "en-gb"}
GTTS_PATH = "_/TranslateWebserverUi/data/batchexecute"


class SpeechError(RuntimeError):
    """A prompt could not be rendered; the caller still hears <Say> meanwhile."""


def render(engine: str, text: str, tts_language: str, dest: Path, *, gtts_url: str = "") -> Path:
    """Write the spoken text as MP3 to dest (atomically: a half-written file is never served)."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=dest.parent, suffix=".part")
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        if engine == "gtts":
            _gtts(text, tts_language, tmp, gtts_url)
        elif engine == "espeak":
            _espeak(text, tts_language, tmp)
        else:
            raise SpeechError(f"TTS_ENGINE {engine!r} renders no audio")
        if tmp.stat().st_size == 0:
            raise SpeechError("the engine wrote no audio")
        tmp.replace(dest)
    finally:
        tmp.unlink(missing_ok=True)
    return dest


def _gtts(text: str, language: str, dest: Path, base_url: str) -> None:
    from gtts import gTTS
    from gtts.tts import gTTSError

    class _Endpoint(gTTS):  # type: ignore[misc]
        """gTTS with its endpoint moved (GTTS_URL): a proxy, or a local fake in tests."""

        def _prepare_requests(self) -> list[Any]:
            prepared = super()._prepare_requests()
            if base_url:
                for request in prepared:
                    request.prepare_url(f"{base_url.rstrip('/')}/{GTTS_PATH}", None)
            return prepared

    try:
        # tld co.uk: British English pronunciation for "en".
        _Endpoint(text, lang=language, tld="co.uk", timeout=30).save(str(dest))
    except (gTTSError, ValueError, AssertionError) as exc:
        raise SpeechError(f"gTTS could not render {language}: {exc}") from exc


def espeak_available() -> bool:
    """True when espeak-ng and an MP3 encoder (lame or ffmpeg) are installed."""
    return shutil.which("espeak-ng") is not None and _encoder() is not None


def _encoder() -> list[str] | None:
    if shutil.which("lame"):
        return ["lame", "--quiet", "-", "{out}"]
    if shutil.which("ffmpeg"):
        return ["ffmpeg", "-loglevel", "error", "-y", "-f", "wav", "-i", "-", "-f", "mp3", "{out}"]
    return None


def _espeak(text: str, language: str, dest: Path) -> None:
    encoder = _encoder()
    if shutil.which("espeak-ng") is None or encoder is None:
        raise SpeechError(
            "TTS_ENGINE=espeak needs espeak-ng and lame (apt-get install espeak-ng lame)"
        )
    voice = ESPEAK_VOICES.get(language, language)
    try:
        wav = subprocess.run(
            ["espeak-ng", "-v", voice, "-s", "150", "--stdout", text],
            check=True,
            capture_output=True,
            timeout=60,
        ).stdout
        subprocess.run(
            [part.replace("{out}", str(dest)) for part in encoder],
            input=wav,
            check=True,
            capture_output=True,
            timeout=60,
        )
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
        raise SpeechError(f"espeak-ng could not render {language}: {exc}") from exc
