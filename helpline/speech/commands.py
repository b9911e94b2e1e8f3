"""`helpline audio build`: render every fixed prompt of the phone menu into the audio store."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from helpline.speech.cache import audio_name
from helpline.speech.engines import SpeechError
from helpline.speech.store import audio_store, render_clip


def prompts_to_render(
    flow: object, *, days: int = 2, hours: object | None = None
) -> list[tuple[str, str, str]]:
    """(language code, tts language, text) for every fixed prompt, each language's own, and
    the few filled from settings: the call-back promise (days) and the opening hours."""
    from helpline.flows.model import Flow
    from helpline.opening_hours import OpeningHours
    from helpline.voice.spoken import helpline_hours

    assert isinstance(flow, Flow)
    wanted: list[tuple[str, str, str]] = []
    seen: set[tuple[str, str]] = set()
    for code in flow.languages:
        tts = flow.language(code).tts
        for key in flow.wording_keys():
            if key.startswith("choose:") and key != f"choose:{code}":
                continue
            text = flow.wording(key, code)
            # A few phrases with a count are worth having ready too: "Here are 3 services."
            texts = [text]
            if key == "phrase:greeting":
                texts += [flow.phrase(code, "position", position=n) for n in range(1, 10)]
                texts += [flow.phrase(code, name, days=days) for name in
                          ("callback_booked", "message_saved", "callback_promise")]
                if isinstance(hours, OpeningHours):
                    texts.append(helpline_hours(flow, code, hours))
            for one in texts:
                if (code, one) not in seen:
                    seen.add((code, one))
                    wanted.append((code, tts, one))
    return wanted


def build_audio(engine: str, *, only_missing: bool = True) -> tuple[int, int, list[str]]:
    """Render the prompts; returns (rendered, already cached, problems)."""
    from helpline.flows.model import load_flow

    config = current_app.config
    flow = load_flow(Path(config["IVR_FLOWS_DIR"]))
    rendered = cached = 0
    problems: list[str] = []
    from helpline.opening_hours import hours_in

    days = int(config.get("CALLBACK_WORKING_DAYS", 2))
    hours = hours_in(config["IVR_FLOWS_DIR"])
    store = audio_store()
    for code, tts, text in prompts_to_render(flow, days=days, hours=hours):
        if only_missing and store.exists(code, audio_name(engine, code, text)):
            cached += 1
            continue
        try:
            # Files an earlier version rendered into HELPLINE_AUDIO_CACHE_DIR are taken as they
            # are, unless --force asks for new ones.
            render_clip(engine, code, tts, text, gtts_url=config.get("GTTS_URL", ""),
                        legacy_dir=config["AUDIO_CACHE_DIR"] if only_missing else "",
                        replace=not only_missing)
        except SpeechError as exc:
            problems.append(f"{code}: {text[:40]!r}: {exc}")
            continue
        rendered += 1
    return rendered, cached, problems


@click.group("audio")
def audio() -> None:
    """The phone menu's pre-rendered prompts."""


@audio.command("build")
@click.option("--engine", default=None, help="gtts or espeak (default: TTS_ENGINE).")
@click.option("--force", is_flag=True, help="Render again even when a file is cached.")
@with_appcontext
def build_command(engine: str | None, force: bool) -> None:
    """Render every prompt in every language into the audio store (the database)."""
    engine = (engine or current_app.config["TTS_ENGINE"]).lower()
    if engine == "say":
        click.echo("TTS_ENGINE=say: prompts are spoken by Twilio's <Say>; nothing to render.")
        return
    if engine not in ("gtts", "espeak"):
        raise click.UsageError(f"unknown engine {engine!r}: use gtts, espeak or say")
    rendered, cached, problems = build_audio(engine, only_missing=not force)
    click.echo(
        f"{rendered} rendered, {cached} already cached, {len(problems)} failed "
        f"({engine}, stored in the database)"
    )
    for problem in problems[:20]:
        click.echo(f"  - {problem}")
    if problems:
        raise SystemExit(1)
