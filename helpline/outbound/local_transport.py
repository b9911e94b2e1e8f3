"""The local transport: Twilio's REST API answered on this machine, for demo and development.

The gateway's Twilio client sends its requests here instead of over the network when
OUTBOUND_TRANSPORT=local. Every text and call the helpline asks for is written, one JSON line
each, to a capture file in instance/ (every web and worker process appends to the same file),
and answered as Twilio answers, so the code that sent it can't tell the difference.
"""

from __future__ import annotations

import fcntl
import json
import logging
import re
import secrets
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from twilio.http import HttpClient
from twilio.http.response import Response

log = logging.getLogger(__name__)

CAPTURE_FILE = "outbound_captured.jsonl"
# The capture file is cut back to its newest lines when it grows past this many.
KEEP_LINES = 2000

_MESSAGES = re.compile(r"/Accounts/(?P<account>[^/]+)/Messages\.json$")
_CALLS = re.compile(r"/Accounts/(?P<account>[^/]+)/Calls\.json$")
_CALL = re.compile(r"/Accounts/(?P<account>[^/]+)/Calls/(?P<sid>CA\w+)\.json$")
_RECORDING = re.compile(r"/Accounts/(?P<account>[^/]+)/Recordings/(?P<sid>RE\w+)\.json$")


def capture_path(app: Any) -> Path:
    """Where an app's local transport keeps what it captured (a file in its instance folder)."""
    return Path(app.config.get("OUTBOUND_CAPTURE_FILE") or Path(app.instance_path) / CAPTURE_FILE)


def new_sid(prefix: str) -> str:
    """A Twilio-shaped id: two letters and 32 hex digits."""
    return prefix + secrets.token_hex(16)


class LocalTransport(HttpClient):  # type: ignore[misc]
    """Answers the REST calls the gateway makes, and keeps what each one asked for."""

    def __init__(self, capture_path: str | Path) -> None:
        super().__init__(logger=log, is_async=False, timeout=None)
        self.path = Path(capture_path)

    def request(
        self,
        method: str,
        uri: str,
        params: dict[str, object] | None = None,
        data: dict[str, object] | None = None,
        headers: dict[str, str] | None = None,
        auth: tuple[str, str] | None = None,
        timeout: float | None = None,
        allow_redirects: bool = False,
    ) -> Response:
        """Capture a create, update or delete, and answer with Twilio's JSON for it."""
        path = urlsplit(uri).path
        form = {k: str(v) for k, v in (data or {}).items()}
        method = method.upper()
        if method == "POST" and (found := _MESSAGES.search(path)):
            sid = new_sid("SM")
            self.capture("text", sid, form, body=form.get("Body", ""))
            return _json(201, sid=sid, account_sid=found["account"], to=form.get("To"),
                         from_=form.get("From"), body=form.get("Body"), status="queued")
        if method == "POST" and (found := _CALLS.search(path)):
            sid = new_sid("CA")
            self.capture("call", sid, form, url=form.get("Url", ""),
                         method=form.get("Method", ""),
                         status_callback=form.get("StatusCallback", ""))
            return _json(201, sid=sid, account_sid=found["account"], to=form.get("To"),
                         from_=form.get("From"), status="queued")
        if method == "POST" and (found := _CALL.search(path)):
            self.capture("call-update", found["sid"], form, status=form.get("Status", ""),
                         url=form.get("Url", ""), method=form.get("Method", ""))
            return _json(200, sid=found["sid"], account_sid=found["account"],
                         status=form.get("Status") or "in-progress")
        if method == "DELETE" and (found := _RECORDING.search(path)):
            self.capture("recording-deleted", found["sid"], form)
            return Response(204, "")
        return _json(404, code=20404, message=f"The local transport has no {method} {path}",
                     status=404)

    def capture(self, kind: str, sid: str, form: dict[str, str], **extra: str) -> None:
        """Append one captured request to the capture file."""
        entry = {"kind": kind, "sid": sid, "to": form.get("To", ""),
                 "from": form.get("From", ""), "at": time.time(), **extra}
        with _locked(self.path) as handle:
            lines = handle.read().splitlines()
            entry["seq"] = _last_seq(lines) + 1
            if len(lines) >= KEEP_LINES:
                handle.seek(0)
                handle.truncate()
                handle.write("".join(line + "\n" for line in lines[-KEEP_LINES // 2:]))
            handle.write(json.dumps(entry, ensure_ascii=False) + "\n")
        log.info("captured a %s locally (%s)", kind, sid)


def captured(
    capture_path: str | Path, *, after: int = 0, to: str | None = None
) -> list[dict[str, Any]]:
    """What the local transport captured after sequence number `after` (to one number only)."""
    path = Path(capture_path)
    if not path.exists():
        return []
    with _locked(path) as handle:
        lines = handle.read().splitlines()
    found = []
    for line in lines:
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if entry.get("seq", 0) > after and (to is None or entry.get("to") == to):
            found.append(entry)
    return found


def _last_seq(lines: list[str]) -> int:
    for line in reversed(lines):
        try:
            return int(json.loads(line)["seq"])
        except (ValueError, KeyError, TypeError):
            continue
    return 0


@contextmanager
def _locked(path: Path) -> Iterator[Any]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+", encoding="utf-8") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            handle.seek(0)
            yield handle
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _json(http_status: int, **fields: Any) -> Response:
    if "from_" in fields:
        fields["from"] = fields.pop("from_")
    return Response(http_status, json.dumps(fields), headers={"Content-Type": "application/json"})
