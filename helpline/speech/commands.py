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
    from helpline.opening_hours import hours_in

    config = current_app.config
    flow = load_flow(Path(config["IVR_FLOWS_DIR"]))
    days = int(config.get("CALLBACK_WORKING_DAYS", 2))
    hours = hours_in(config["IVR_FLOWS_DIR"])
    return _render_all(engine, prompts_to_render(flow, days=days, hours=hours), only_missing)


def render_service_audio(engine: str, *, only_missing: bool = True) -> tuple[int, int, list[str]]:
    """Render every active service's spoken line in every language; (rendered, cached, problems)."""
    from helpline.extensions import db
    from helpline.flows.model import load_flow
    from helpline.voice.spoken import every_service_line

    flow = load_flow(Path(current_app.config["IVR_FLOWS_DIR"]))
    return _render_all(engine, every_service_line(db.session(), flow), only_missing)


def _render_all(
    engine: str, wanted: list[tuple[str, str, str]], only_missing: bool
) -> tuple[int, int, list[str]]:
    config = current_app.config
    rendered = cached = 0
    problems: list[str] = []
    store = audio_store()
    for code, tts, text in wanted:
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


def render_after_import() -> bool:
    """Queue the rendering of every service's spoken line (after an import changed the
    directory); False when there is no worker queue or no engine that renders audio."""
    from helpline.jobs import EnqueueFailed, enqueue, job_id_for, queues

    engine = str(current_app.config.get("TTS_ENGINE", "say")).lower()
    if engine not in ("gtts", "espeak") or queues() is None:
        return False  # without a worker, `helpline audio build --services` does it
    try:
        enqueue("workers.audio.render_service_lines", engine,
                job_id=job_id_for("audio", "services"))
    except EnqueueFailed:
        return False
    return True


@click.group("audio")
def audio() -> None:
    """The phone menu's pre-rendered prompts."""


@audio.command("build")
@click.option("--engine", default=None, help="gtts or espeak (default: TTS_ENGINE).")
@click.option("--force", is_flag=True, help="Render again even when a file is cached.")
@click.option("--services", is_flag=True,
              help="Also every service's spoken line (a worker does it after each import).")
@with_appcontext
def build_command(engine: str | None, force: bool, services: bool) -> None:
    """Render every prompt in every language into the audio store (the database)."""
    engine = (engine or current_app.config["TTS_ENGINE"]).lower()
    if engine == "say":
        click.echo("TTS_ENGINE=say: prompts are spoken by Twilio's <Say>; nothing to render.")
        return
    if engine not in ("gtts", "espeak"):
        raise click.UsageError(f"unknown engine {engine!r}: use gtts, espeak or say")
    rendered, cached, problems = build_audio(engine, only_missing=not force)
    if services:
        more = render_service_audio(engine, only_missing=not force)
        rendered, cached, problems = rendered + more[0], cached + more[1], problems + more[2]
    click.echo(
        f"{rendered} rendered, {cached} already cached, {len(problems)} failed "
        f"({engine}, stored in the database)"
    )
    for problem in problems[:20]:
        click.echo(f"  - {problem}")
    if problems:
        raise SystemExit(1)
