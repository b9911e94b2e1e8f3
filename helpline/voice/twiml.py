"""Turning the engine's turns into TwiML: cached audio where it exists, <Say> where it doesn't."""

from __future__ import annotations

import logging
import time
from functools import lru_cache
from typing import Any
from urllib.parse import urlencode

from flask import current_app, request
from twilio.twiml.voice_response import VoiceResponse

from helpline.flows.engine import Line, Menu
from helpline.flows.model import Flow
from helpline.speech.cache import audio_name
from helpline.speech.store import audio_store

log = logging.getLogger(__name__)

GATHER_TIMEOUT_SECONDS = 6
# Renders asked for by this process, and when: a missing prompt is enqueued once every few
# minutes (in case a job failed), not once a call.
_asked_to_render: dict[str, float] = {}
ASK_AGAIN_SECONDS = 600
# After the queue fails once (Redis down or hung), no webhook asks it for audio for a while:
# each ask can wait for Redis's socket timeout, and a call has many prompts.
QUEUE_RETRY_SECONDS = 60
_queue_failed_at: dict[str, float] = {}


def url(path: str, **params: object) -> str:
    """An absolute URL for Twilio to request next (signatures cover the whole URL)."""
    base = current_app.config.get("PUBLIC_BASE_URL") or request.url_root.rstrip("/")
    return _absolute_url(base, path, tuple(params.items()))


# A call's URLs are few (its menus, languages, tries and ages), and quoting them was a tenth of a
# step's CPU: each is built once. The caller's own words (q) are in some, hence the bound.
@lru_cache(maxsize=4096)
def _absolute_url(base: str, path: str, params: tuple[tuple[str, object], ...]) -> str:
    query = urlencode([(k, v) for k, v in params if v is not None])
    return f"{base}{path}" + (f"?{query}" if query else "")


# Prompts are a few hundred texts: their names (a hash each) are worked out once per process.
_audio_name = lru_cache(maxsize=4096)(audio_name)


def join_adviser_queue(response: VoiceResponse, language: str | None) -> str:
    """<Enqueue> the caller for an adviser: the hold message in their language, and the way
    out (a message or a call back) after the longest wait. Returns the queue's name."""
    queue = str(current_app.config["VOICE_QUEUE_NAME"])
    response.enqueue(
        queue,
        wait_url=url("/twilio/voice/queue-wait", lang=language or None),
        wait_url_method="POST",
        action=url("/twilio/voice/queue-done", lang=language or None),
        method="POST",
    )
    return queue


def step_url(node: str, tries: int, language: str, *, item: int = 0, age: int | None = None,
             query: str = "") -> str:
    """Where a menu's answer (or its silence) goes; the URL carries the call's place: the menu,
    which service of its list, the child's age and the caller's own words, if any."""
    return url("/twilio/voice/step", node=node, lang=language, item=item or None, age=age,
               q=query or None, **{"try": tries})


def menu_url(menu: Menu, tries: int) -> str:
    """step_url for a menu."""
    return step_url(menu.node, tries, menu.language, item=menu.item, age=menu.age,
                    query=menu.query)


class Speaker:
    """Says lines in TwiML: <Play> of the cached file, else <Say> in the language's voice."""

    def __init__(self, flow: Flow) -> None:
        config = current_app.config
        self.flow = flow
        self.engine = str(config.get("TTS_ENGINE", "say"))

    def voice_language(self, language: str) -> str:
        """The language spoken by <Say> for this one: itself, or the first that has a voice."""
        if self.flow.language(language).say_language:
            return language
        for code in self.flow.languages:
            if self.flow.language(code).say_language:
                return code
        return language

    def line(self, verb: Any, line: Line) -> None:
        """Play the line's cached audio, or say it (and have the audio rendered for next time)."""
        if self.engine in ("gtts", "espeak"):
            name = _audio_name(self.engine, line.language, line.text)
            if audio_store().playable(line.language, name):
                verb.play(url(f"/audio/{line.language}/{name}"))
                return
            self._render_later(line.language, line.text, name)
        self.say(verb, line)

    def say(self, verb: Any, line: Line) -> None:
        """<Say> the line; a language Twilio can't speak falls back to the same wording."""
        spoken = self.voice_language(line.language)
        text = line.text
        if spoken != line.language:
            info = self.flow.language(line.language)
            if line.key.startswith("choose:"):
                text = info.choose_fallback or text
            elif ":" in line.key:
                text = self.flow.wording(line.key, spoken, **dict(line.values))
        info = self.flow.language(spoken)
        if info.say_language:
            verb.say(text, language=info.say_language, voice=info.say_voice or None)
        else:
            verb.say(text)

    def _render_later(self, language: str, text: str, name: str) -> None:
        # Per store (one per app): a second app in the same process (a test) asks for itself.
        memo = f"{id(audio_store())}/{language}/{name}"
        now = time.monotonic()
        asked = _asked_to_render.get(memo)
        failed = _queue_failed_at.get("queue")
        if ((asked is not None and now - asked < ASK_AGAIN_SECONDS)
                or (failed is not None and now - failed < QUEUE_RETRY_SECONDS)):
            return  # asked lately (the usual case on a call step: looked at before the queue)
        from helpline.jobs import EnqueueFailed, enqueue, job_id_for, queues

        if queues() is None:
            # Without a queue the job would run inside this request: the caller would wait.
            return
        if len(_asked_to_render) > 10_000:
            _asked_to_render.clear()
        _asked_to_render[memo] = now
        tts = self.flow.language(language).tts
        try:
            enqueue("workers.audio.render_prompt", self.engine, language, tts, text,
                    job_id=job_id_for("audio", name))
        except EnqueueFailed as exc:
            _asked_to_render.pop(memo, None)  # ask again once the queue is back
            _queue_failed_at["queue"] = time.monotonic()
            log.warning("prompt %s not queued for rendering: %s", name, exc)


def gather(
    response: VoiceResponse,
    speaker: Speaker,
    menu: Menu,
    tries: int,
    readout: list[Line] | None = None,
) -> None:
    """The menu as a <Gather> (keys and speech), then a <Redirect> that reports silence.

    Everything said is inside the <Gather>, so a key pressed at any moment cuts it short."""
    info = speaker.flow.language(menu.language)
    options: dict[str, Any] = {
        "action": menu_url(menu, tries),
        "method": "POST",
        "num_digits": menu.keys,
        # Twilio's default finishOnKey is #: pressed first, it would end the <Gather> with no
        # digits and the caller's "back" would be heard as silence. An age ends with #.
        "finish_on_key": "#" if menu.keys > 1 else "",
        "timeout": GATHER_TIMEOUT_SECONDS,
        "action_on_empty_result": False,
    }
    if info.gather:
        options.update(input="dtmf speech", language=info.gather, speech_timeout="auto")
        if menu.hints:
            options["hints"] = ", ".join(dict.fromkeys(menu.hints))[:1000]
    else:
        options["input"] = "dtmf"
    verb = response.gather(**options)
    for line in [*(readout or []), *menu.lines]:
        speaker.line(verb, line)
    # On Twilio a <Gather> that hears nothing falls through to the next verb.
    response.redirect(menu_url(menu, tries), method="POST")
