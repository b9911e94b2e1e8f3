"""`helpline smoke`: after go-live, text a keyword and walk a call against the running deployment.

Every request is signed as Twilio signs it (PUBLIC_BASE_URL + path, TWILIO_AUTH_TOKEN), so it
passes the same check a real text or call does; nothing is sent to any phone (the TwiML comes
back to this command, not to Twilio). The caller is a number from Ofcom's drama range, and its
rows are erased afterwards when this command can reach the deployment's database.
"""

from __future__ import annotations

import time
import uuid
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import click
import requests
from flask import Flask, current_app
from flask.cli import with_appcontext
from twilio.request_validator import RequestValidator

SMOKE_NUMBER = "+447700900999"  # Ofcom's drama range: never a real family


@dataclass
class Step:
    """One request of the smoke test and what came of it."""

    name: str
    ok: bool
    detail: str
    seconds: float = 0.0


@dataclass
class SmokeRun:
    """The signed requests of one smoke test, against `base` (signed for `public`)."""

    base: str
    public: str
    token: str
    number: str = SMOKE_NUMBER
    timeout: float = 15.0
    steps: list[Step] = field(default_factory=list)
    http: requests.Session = field(default_factory=requests.Session)
    _last: float = 0.0  # how long the latest request took

    def get(self, name: str, path: str) -> requests.Response | None:
        """An unsigned GET (health), recorded as a step if it fails to arrive."""
        return self._send(name, "GET", path, {})

    def post(self, name: str, path: str, params: dict[str, str]) -> ET.Element | None:
        """A signed POST; its TwiML, or None (and a failed step) if it is not TwiML."""
        response = self._send(name, "POST", path, params)
        if response is None:
            return None
        try:
            return ET.fromstring(response.content)
        except ET.ParseError:
            self.fail(name, f"HTTP {response.status_code}, not TwiML")
            return None

    def fail(self, name: str, detail: str) -> None:
        """Record a failed step."""
        self.steps.append(Step(name, False, detail, self._last))

    def passed(self, name: str, detail: str) -> None:
        """Record a step that did what it should."""
        self.steps.append(Step(name, True, detail, self._last))

    def _send(self, name: str, method: str, path: str,
              params: dict[str, str]) -> requests.Response | None:
        signature = RequestValidator(self.token).compute_signature(self.public + path, params)
        started = time.monotonic()
        try:
            response = self.http.request(
                method, urljoin(self.base + "/", path.lstrip("/")), data=params or None,
                headers={"X-Twilio-Signature": signature}, timeout=self.timeout,
            )
        except requests.RequestException as exc:
            self._last = time.monotonic() - started
            self.fail(name, f"no answer ({exc.__class__.__name__})")
            return None
        self._last = time.monotonic() - started
        if response.status_code != 200:
            self.fail(name, f"HTTP {response.status_code}")
            return None
        return response


def _words(root: ET.Element) -> list[str]:
    """What the caller or family would hear or read, in order."""
    found = []
    for element in root.iter():
        if element.tag in ("Say", "Message", "Body") and (element.text or "").strip():
            found.append(" ".join((element.text or "").split()))
        elif element.tag == "Play":
            found.append("(recording)")
    return found


def check_health(run: SmokeRun) -> None:
    """GET /healthz: 200 and every part ok."""
    response = run.get("health", "/healthz")
    if response is not None:
        run.passed("health", response.text.strip()[:200])


def text_keyword(run: SmokeRun, keyword: str) -> None:
    """A family texts a keyword: the reply must list something."""
    params = {"MessageSid": "SM" + uuid.uuid4().hex, "AccountSid": "", "From": run.number,
              "To": "", "Body": keyword, "NumMedia": "0"}
    root = run.post(f"text {keyword}", "/twilio/sms", params)
    if root is None:
        return
    replies = _words(root)
    if not replies:
        run.fail(f"text {keyword}", "no reply")
    else:
        count = f"{len(replies)} repl{'ies' if len(replies) > 1 else 'y'}"
        run.passed(f"text {keyword}", f"{count}: {replies[0][:70]}")


def walk_call(run: SmokeRun, keys: str) -> None:
    """A caller rings and presses `keys` one menu at a time; every step must say something."""
    sid = "CA" + uuid.uuid4().hex
    base = {"CallSid": sid, "AccountSid": "", "From": run.number, "To": "",
            "Direction": "inbound"}
    root = run.post("call", "/twilio/voice", {**base, "CallStatus": "ringing"})
    steps = ["call"] + [f"press {key}" for key in keys]
    for index, key in enumerate(["", *keys]):
        if root is None:
            return
        heard = _words(root)
        gather = root.find("Gather")
        if not heard:
            run.fail(steps[index], "nothing said")
            return
        run.passed(steps[index], f"{len(heard)} line{'s' * (len(heard) != 1)}: {heard[0][:60]}")
        if index == len(keys):
            break
        if gather is None or not gather.get("action"):
            run.fail(f"press {keys[index]}", "no menu to press it at")
            return
        action = urlsplit(urljoin(run.public + "/twilio/voice", gather.get("action", "")))
        path = action.path + (f"?{action.query}" if action.query else "")
        root = run.post(f"press {key}", path, {**base, "CallStatus": "in-progress",
                                               "Digits": keys[index]})
    ended = {**base, "CallStatus": "completed", "CallDuration": "30"}
    if run.post("hang up", "/twilio/voice/status", ended) is not None:
        run.passed("hang up", "status recorded")


def _erase_smoke_rows(number: str) -> str:
    from helpline.extensions import db
    from helpline.retention import erase_number

    try:
        counts = erase_number(db.session(), number)
    except Exception as exc:  # noqa: BLE001 - a laptop without the deployment's database
        db.session.rollback()
        return f"not erased here ({exc.__class__.__name__}): retention will erase them"
    return f"erased {sum(counts.values())} rows about the smoke number"


@click.command("smoke")
@click.option("--base-url", help="Where to send the requests; default PUBLIC_BASE_URL.")
@click.option("--keyword", default="SHORTBREAKS", show_default=True)
@click.option("--keys", default="111", show_default=True,
              help="Keys pressed at successive phone menus (language, then menus).")
@with_appcontext
def smoke_command(base_url: str | None, keyword: str, keys: str) -> None:
    """Text a keyword and walk a call against the running helpline; exits 1 if a step fails."""
    config = current_app.config
    public, token = config.get("PUBLIC_BASE_URL", ""), config.get("TWILIO_AUTH_TOKEN", "")
    if not public or not token:
        raise click.UsageError("PUBLIC_BASE_URL and TWILIO_AUTH_TOKEN must be set, as in the "
                               "deployment: the requests are signed with them")
    run = SmokeRun(base=(base_url or public).rstrip("/"), public=public, token=token)
    check_health(run)
    text_keyword(run, keyword)
    walk_call(run, keys)
    for step in run.steps:
        mark = "ok  " if step.ok else "FAIL"
        click.echo(f"{mark} {step.name:<16} {step.seconds * 1000:6.0f} ms  {step.detail}")
    click.echo(_erase_smoke_rows(run.number))
    failed = [step for step in run.steps if not step.ok]
    if failed:
        click.echo(f"{len(failed)} step{'s' * (len(failed) != 1)} failed", err=True)
        raise SystemExit(1)


def init_app(app: Flask) -> None:
    """Register `helpline smoke`."""
    app.cli.add_command(smoke_command)
