"""Private Redis and PostgreSQL servers a fault test may stop and start: never the machine's
shared ones, which other test runs are using."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.prism import free_port


def _need(program: str) -> str:
    found = shutil.which(program)
    if found is None:
        if os.environ.get("CI") == "true":
            raise RuntimeError(f"{program} is not installed")
        pytest.skip(f"{program} is not installed")
    return found


class PrivateRedis:
    """A redis-server of this test's own, on a free port, with nothing saved to disk."""

    def __init__(self, folder: Path) -> None:
        self.program = _need("redis-server")
        self.port = free_port()
        self.folder = folder
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        """Start it and wait until it answers."""
        import redis

        self.process = subprocess.Popen(
            [self.program, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.folder)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while True:
            try:
                redis.Redis.from_url(self.url, socket_connect_timeout=0.2).ping()
                return
            except redis.RedisError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def stop(self) -> None:
        """Stop it at once, as a crash would."""
        if self.process is not None:
            self.process.kill()
            self.process.wait(10)
            self.process = None


@contextmanager
def private_redis(folder: Path) -> Iterator[PrivateRedis]:
    """A running private Redis, stopped on the way out."""
    server = PrivateRedis(folder)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def _pg_bin(name: str) -> str:
    found = shutil.which(name)
    if found:
        return found
    for folder in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True):
        if (folder / name).exists():
            return str(folder / name)
    return _need(name)


class PrivatePostgres:
    """A PostgreSQL cluster of this test's own (initdb in a temporary folder, a free port), so a
    test can restart it without touching the shared server."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.data = folder / "data"
        self.port = free_port()
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"
        self.initdb, self.pg_ctl = _pg_bin("initdb"), _pg_bin("pg_ctl")

    def _run(self, *args: str) -> None:
        command = list(args)
        if os.geteuid() == 0:  # PostgreSQL refuses to run as root
            shutil.chown(self.folder, "postgres")
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                       timeout=120)

    def create(self) -> None:
        """initdb: a new cluster with trust authentication for local TCP."""
        self._run(self.initdb, "-D", str(self.data), "-U", "postgres", "--auth=trust",
                  "--no-sync", "-E", "UTF8")

    def start(self) -> None:
        """Start it and wait until it takes connections."""
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.folder} -c fsync=off"
        self._run(self.pg_ctl, "-D", str(self.data), "-o", options, "-w", "-l",
                  str(self.folder / "log"), "start")

    def restart(self) -> None:
        """Stop (fast: every connection is cut) and start again."""
        self._run(self.pg_ctl, "-D", str(self.data), "-m", "fast", "-w", "stop")
        self.start()

    def stop(self) -> None:
        """Stop it, cutting every connection."""
        self._run(self.pg_ctl, "-D", str(self.data), "-m", "immediate", "-w", "stop")


@contextmanager
def private_postgres() -> Iterator[PrivatePostgres]:
    """A running private PostgreSQL, stopped and removed on the way out."""
    # Directly under the temporary folder: the postgres user must be able to reach it.
    folder = Path(tempfile.mkdtemp(prefix="helpline-pg-"))
    try:
        server = PrivatePostgres(folder)
        server.create()
        server.start()
        try:
            yield server
        finally:
            try:
                server.stop()
            except subprocess.CalledProcessError:
                pass
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def restart_under_load(server: PrivatePostgres, load: list[threading.Thread],
                       stop: threading.Event, before: float, after: float) -> tuple[float, float]:
    """Start the load, restart the server `before` seconds in, stop the load `after` seconds
    after it is back; returns when the restart began and when the server was back."""
    for thread in load:
        thread.start()
    time.sleep(before)
    restarted_at = time.monotonic()
    server.restart()
    back_at = time.monotonic()
    time.sleep(after)
    stop.set()
    for thread in load:
        thread.join(60)
    return restarted_at, back_at
