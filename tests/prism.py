"""Twilio's API for tests: prism serving Twilio's own OpenAPI spec, and a recorder in front of it.

The recorder answers from a script first (Twilio-shaped errors for the failure cases), then
forwards to prism (which checks each request against Twilio's contract: 422 when it breaks it),
or, with no upstream, answers like Twilio does with a fresh sid. Every request is kept.
"""

from __future__ import annotations

import itertools
import json
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import pytest

PROJECT_ROOT = Path(__file__).resolve().parent.parent
PRISM = PROJECT_ROOT / "tests" / "node" / "node_modules" / ".bin" / "prism"
TWILIO_SPEC = PROJECT_ROOT / "tests" / "twilio" / "twilio_api_v2010.json"


def free_port() -> int:
    """A TCP port nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until_serving(url: str, server: subprocess.Popen[bytes], seconds: float = 60) -> None:
    """Wait until a server we started answers HTTP at `url`; fail if it dies or takes too long
    (a web server's workers build the search index before they answer)."""
    import requests

    deadline = time.monotonic() + seconds
    while True:
        try:
            requests.get(url, timeout=10)
            return
        except requests.RequestException:
            assert server.poll() is None and time.monotonic() < deadline, "the server died"
            time.sleep(0.2)


@dataclass
class Recorded:
    """One request the app made to Twilio's API, and what it got back."""

    method: str
    path: str
    form: dict[str, str]
    status: int
    reply: dict[str, Any] = field(default_factory=dict)


class TwilioApi:
    """A local HTTP server standing in for api.twilio.com (see the module docstring)."""

    def __init__(self, upstream: str | None = None) -> None:
        self.upstream = upstream
        self.script: list[tuple[int, dict[str, Any]]] = []
        self.get_script: list[dict[str, Any]] = []  # 200 replies for GETs only, in order
        self.headers: list[dict[str, str]] = []  # with each scripted answer
        self.delays: list[float] = []  # seconds to wait before each of the next answers
        self.requests: list[Recorded] = []
        self._sids = itertools.count(1)
        self._lock = threading.Lock()
        api = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                api._answer(self, "POST", raw)

            def do_GET(self) -> None:  # noqa: N802
                api._answer(self, "GET", b"")

            def do_DELETE(self) -> None:  # noqa: N802
                api._answer(self, "DELETE", b"")

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def fail_next(
        self, status: int, code: int, message: str = "error", headers: dict[str, str] | None = None
    ) -> None:
        """Answer the next request with a Twilio-shaped error (and these headers)."""
        self.headers.append(headers or {})
        self.script.append(
            (
                status,
                {
                    "code": code,
                    "message": message,
                    "status": status,
                    "more_info": f"https://www.twilio.com/docs/errors/{code}",
                },
            )
        )

    def slow_next(self, seconds: float) -> None:
        """Wait this long before answering the next request, as a struggling API does."""
        self.delays.append(seconds)

    def deletes_of(self, suffix: str) -> list[Recorded]:
        """Recorded DELETEs whose path ends with `suffix`."""
        return [r for r in self.requests if r.method == "DELETE" and r.path.endswith(suffix)]

    def posts_to(self, suffix: str) -> list[Recorded]:
        """Recorded POSTs whose path ends with `suffix` (e.g. "/Messages.json")."""
        return [r for r in self.requests if r.method == "POST" and r.path.endswith(suffix)]

    def close(self) -> None:
        """Stop serving."""
        self.server.shutdown()
        self.server.server_close()

    def _answer(self, handler: BaseHTTPRequestHandler, method: str, raw: bytes) -> None:
        form = {k: v[-1] for k, v in parse_qs(raw.decode(), keep_blank_values=True).items()}
        with self._lock:
            delay = self.delays.pop(0) if self.delays else 0.0
            scripted = self.script.pop(0) if self.script else None
            headers = self.headers.pop(0) if scripted is not None and self.headers else {}
            if scripted is None and method == "GET" and self.get_script:
                scripted = (200, self.get_script.pop(0))
        time.sleep(delay)
        if scripted is not None:
            status, reply = scripted
        elif self.upstream:
            status, reply = self._forward(handler, method, raw)
        elif method == "DELETE":
            status, reply = 204, {}
        else:
            status, reply = self._success(handler.path, form)
        self.requests.append(Recorded(method, handler.path, form, status, reply))
        body = b"" if status == 204 else json.dumps(reply).encode()  # 204 carries no body
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json")
        for name, value in headers.items():
            handler.send_header(name, value)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    def _forward(
        self, handler: BaseHTTPRequestHandler, method: str, raw: bytes
    ) -> tuple[int, dict[str, Any]]:
        headers = {k: v for k, v in handler.headers.items() if k.lower() not in ("host",)}
        request = urllib.request.Request(
            self.upstream + handler.path,
            data=raw if method == "POST" else None,
            headers=headers,
            method=method,
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as answer:
                return answer.status, json.loads(answer.read() or b"{}")
        except urllib.error.HTTPError as exc:
            return exc.code, json.loads(exc.read() or b"{}")

    def _success(self, path: str, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
        prefix = "CA" if "/Calls" in path else "SM"
        sid = f"{prefix}{next(self._sids):032x}"
        return 201, {
            "sid": sid,
            "status": "queued",
            "to": form.get("To"),
            "from": form.get("From"),
            "body": form.get("Body"),
        }


def start_prism(port: int) -> subprocess.Popen[bytes]:
    """Start prism mocking Twilio's API on 127.0.0.1:port; returns once it answers."""
    if not PRISM.exists() or not TWILIO_SPEC.exists():
        pytest.skip("prism (tests/node: npm ci) or tests/twilio/twilio_api_v2010.json missing")
    process = subprocess.Popen(
        [str(PRISM), "mock", "-h", "127.0.0.1", "-p", str(port), str(TWILIO_SPEC)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return process
        except OSError:
            if process.poll() is not None:
                raise RuntimeError("prism exited at start") from None
            time.sleep(0.2)
    process.kill()
    raise RuntimeError("prism did not start within 60 seconds")


@pytest.fixture(scope="session")
def prism_url() -> Iterator[str]:
    """Prism serving Twilio's OpenAPI spec on a free port, for the whole test session."""
    port = free_port()
    process = start_prism(port)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture
def twilio_api(prism_url: str) -> Iterator[TwilioApi]:
    """A recorder in front of prism: what the app sent, checked against Twilio's contract."""
    api = TwilioApi(upstream=prism_url)
    yield api
    api.close()
