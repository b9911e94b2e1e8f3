"""`helpline simulate sms|call` (the simulator in a terminal) and `helpline demo` (its welcome)."""

from __future__ import annotations

import logging
from typing import Any

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from helpline.simulator import call, texts
from helpline.simulator.exchange import Exchange, as_twilio_gives_it

DEFAULT_FROM = "+447700900101"
# A silent caller is walked at most this many moves (the ladder, the queue, a message).
MAX_MOVES = 40


def _caller(number: str) -> str:
    found = as_twilio_gives_it(number)
    if found is None:
        raise click.BadParameter(f"{number!r} is not a phone number", param_hint="--from")
    return found


def simulator_app() -> Flask:
    """The app to simulate on: this one in demo or development (texts kept on this machine),
    else the demo on the same database. Never one that would text a real family."""
    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
    mode = app.config["HELPLINE_MODE"]
    if mode in ("demo", "development") and app.config.get("OUTBOUND_TRANSPORT") == "local":
        return app
    from helpline import create_app

    demo = create_app({"HELPLINE_MODE": "demo"})
    if demo.config["HELPLINE_MODE"] != "demo":
        raise click.ClickException(
            "real Twilio credentials are set: unset TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN "
            "to simulate (the simulator never texts or rings anyone)")
    return demo


@click.group("simulate")
@click.pass_context
def simulate(context: click.Context) -> None:
    """Text or ring the helpline through its real webhooks, as Twilio would."""
    # The helpline's own INFO lines would come between the prompts: only warnings are shown.
    logger = logging.getLogger("helpline")
    level = logger.level
    logger.setLevel(logging.WARNING)
    context.call_on_close(lambda: logger.setLevel(level))


def _echo_text(prefix: str, item: dict[str, Any]) -> None:
    plural = "s" if item["segments"] != 1 else ""
    click.echo(f"{prefix} ({item['segments']} segment{plural}, {item['encoding']}):")
    for line in item["body"].splitlines() or [""]:
        click.echo(f"    {line}")


@simulate.command("sms")
@click.argument("body")
@click.option("--from", "from_number", default=DEFAULT_FROM, show_default=True,
              help="The family's number.")
@click.option("--lang", default=None, help="Text this language's word first (pl, ur...).")
@with_appcontext
def simulate_sms(body: str, from_number: str, lang: str | None) -> None:
    """Text BODY to the helpline and print the replies with their segments."""
    from_number = _caller(from_number)
    app = simulator_app()
    exchange = Exchange(app)
    start = _last_captured(app)
    bodies = [body]
    if lang:
        from helpline.sms.templates import templates_from

        with app.app_context():
            words = templates_from(app.config["SMS_TEMPLATES_DIR"]).commands.languages
        if lang not in words:
            raise click.BadParameter(f"no language {lang!r} (try {', '.join(words)})",
                                     param_hint="--lang")
        bodies.insert(0, words[lang][0])
    for one in bodies:
        result = texts.send(exchange, from_number, one)
        _echo_text(f"> {from_number} texts", result["sent"])
        if result.get("error"):
            raise click.ClickException(result["error"])
        for reply in result["replies"]:
            _echo_text("< reply" if reply["by"] == "the helpline" else f"< reply by {reply['by']}",
                       reply)
        if not result["replies"]:
            click.echo("< (no reply)")
    _echo_sent_after(app, start, "later")


def _last_captured(app: Flask) -> int:
    from helpline.outbound.local_transport import capture_path, captured

    return max((e["seq"] for e in captured(capture_path(app))), default=0)


def _echo_sent_after(app: Flask, start: int, what: str) -> None:
    """The texts the helpline sent on its own (through the outbox) since `start`."""
    from helpline.outbound.local_transport import capture_path, captured

    found = captured(capture_path(app), after=start)
    for entry in found:
        if entry["kind"] == "call":  # escalation ringing an adviser, say
            click.echo(f"The helpline rang {entry['to']} ({entry['sid']})")
    sent = [e for e in found if e["kind"] == "text"]
    click.echo(f"Texts sent {what}: {len(sent)}")
    for entry in sent:
        _echo_text(f"< text to {entry['to']}", texts.describe(entry.get("body") or ""))


def _echo_events(events: list[dict[str, Any]]) -> None:
    for event in events:
        kind = event["kind"]
        if kind in ("say", "play"):
            text = event.get("text") or f"(a recording: {event.get('audio')})"
            click.echo(f"  [{event['seconds']:>4.1f} s] {text}")
        elif kind == "pause":
            music = ", hold music" if event.get("hold") else ""
            click.echo(f"  [{event['seconds']:>4.1f} s] (silence{music})")
        elif kind == "queue":
            click.echo(f"  -- on hold in queue '{event['name']}', waited {event['waited']} s")
        else:
            click.echo(f"  -- {event.get('text', kind)}")


@simulate.command("call")
@click.argument("answers", nargs=-1)
@click.option("--say", "spoken", multiple=True, help="Words the caller says, after the keys.")
@click.option("--silent", is_flag=True, help="Then stay silent until the call ends.")
@click.option("--from", "from_number", default=DEFAULT_FROM, show_default=True,
              help="The caller's number.")
@with_appcontext
def simulate_call(answers: tuple[str, ...], spoken: tuple[str, ...], silent: bool,
                  from_number: str) -> None:
    """Ring the helpline and answer each menu in turn: keys (1, 0, *, #) or words."""
    from helpline.outbound.local_transport import capture_path, captured

    from_number = _caller(from_number)
    app = simulator_app()
    exchange = Exchange(app)
    before = start = _last_captured(app)
    click.echo(f"Calling {exchange.helpline_number} from {from_number}")
    step = call.dial(exchange, from_number)
    _echo_events(step.events)
    moves: list[dict[str, Any]] = [
        {"keys": a} if all(c in "0123456789*#" for c in a) else {"speech": a} for a in answers
    ] + [{"speech": words} for words in spoken]
    for _ in range(MAX_MOVES):
        if step.waiting is None:
            break
        if moves:
            action = moves.pop(0)
        elif silent:
            action = {"hold": 60} if step.waiting["for"] == "queue" else {"silence": True}
        else:
            action = {"hangup": True}
        click.echo("> " + _described(action))
        step = call.move(exchange, step.state, action)
        _echo_events(step.events)
        for update in captured(capture_path(app), after=before):
            if update["kind"] == "call-update" and update["sid"] == step.state["sid"]:
                before = max(before, update["seq"])  # the helpline moved or ended this call
                step = call.move(exchange, step.state, {"update": update})
                _echo_events(step.events)
    if step.waiting is not None:
        step = call.move(exchange, step.state, {"hangup": True})
        _echo_events(step.events)
    _echo_sent_after(app, start, "after the call")


def _described(action: dict[str, Any]) -> str:
    if "keys" in action:
        return f"press {action['keys']}"
    if "speech" in action:
        return f"say \"{action['speech']}\""
    if "hold" in action:
        return f"hold on {action['hold']} s"
    return "hang up" if action.get("hangup") else "(silence)"


@click.command("demo")
@with_appcontext
def demo_command() -> None:
    """Say where the demo's simulator is (scripts/serve prints this when it starts)."""
    import os

    from helpline.demo import demo_notes, is_trial

    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
    if not is_trial(app):
        click.echo("Real Twilio credentials are set: the demo and its simulator are off.")
        return
    address = f"http://127.0.0.1:{os.environ.get('PORT', '5000')}"
    mode = app.config["HELPLINE_MODE"]
    click.echo(f"Demo: texts and calls stay on this machine (HELPLINE_MODE={mode}).")
    click.echo(f"Try it without a phone: {address}/simulator")
    click.echo('Or in a terminal: .venv/bin/helpline simulate sms "SHORTBREAKS 12"')
    for line in demo_notes(app):
        click.echo(line)
