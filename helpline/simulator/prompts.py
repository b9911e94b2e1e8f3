"""What a caller hears, as words: the text behind a pre-rendered prompt, and how long it takes."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from helpline.flows.model import Flow
from helpline.speech.cache import audio_name
from helpline.speech.engines import ENGINES

# Twilio's voices and gTTS speak at about 150 words a minute.
WORDS_PER_SECOND = 2.5
_AUDIO_PATH = re.compile(r"^/audio/(?P<language>[^/]+)/(?P<name>[0-9a-f]{32}\.mp3)$")


def seconds_to_say(text: str) -> float:
    """An estimate of the seconds a voice takes to say the text (a digit is a word)."""
    words = len(re.findall(r"\d|[^\W\d]+", text))
    return round(max(0.5, words / WORDS_PER_SECOND), 1)


# The flow the index was built for (flows are read again only when a file changes).
_index: tuple[Flow, dict[str, tuple[str, str]]] | None = None


def _texts_of(flow: Flow) -> dict[str, tuple[str, str]]:
    global _index
    if _index is None or _index[0] is not flow:
        from helpline.speech.commands import prompts_to_render

        texts: dict[str, tuple[str, str]] = {}
        for code, _tts, text in prompts_to_render(flow):
            for engine in ENGINES:
                texts[audio_name(engine, code, text)] = (code, text)
        _index = (flow, texts)
    return _index[1]


def played_text(flow: Flow, url: str) -> tuple[str, str] | None:
    """(language, words) of a <Play> of one of the helpline's prompts, or None if unknown."""
    found = _AUDIO_PATH.match(urlsplit(url).path)
    if not found:
        return None
    known = _texts_of(flow).get(found["name"])
    return known if known and known[0] == found["language"] else None


def audio_path_of(url: str) -> str | None:
    """The app's own path for an audio URL it gave (so a browser can fetch it from here)."""
    path = urlsplit(url).path
    return path if _AUDIO_PATH.match(path) else None
