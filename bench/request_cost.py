"""What one webhook request costs the server, in-process: CPU, SQL statements, Redis round trips.

Usage: .venv/bin/python bench/request_cost.py [--scenario sms|voice] [--requests 900]
       [--warmup 150] [--profile 25] [--statements]
       (HELPLINE_BENCH_DATABASE_URL=postgresql+psycopg://... for PostgreSQL, else a fresh SQLite
        file; HELPLINE_BENCH_REDIS_URL=redis://... to run with Redis as production)

The same signed requests as bench/webhook_load.py's scenarios, sent through Flask's test client
to the app the web process runs (settings from the environment, as `helpline.wsgi`), one at a
time in this process. For each request: `time.process_time` (this process's CPU, so other
people's work on a shared machine barely moves it), the statements sent to the database (an
engine `before_cursor_execute` event), commits, and the commands and round trips sent to Redis
(each write to a Redis socket is one round trip: a pipeline is one). Round trips to the
database are its statements and, on PostgreSQL, psycopg's BEGIN, COMMIT and ROLLBACK; the
PostgreSQL server's own CPU per request is read from /proc for its processes serving the
database (the server on this machine, as in the benchmark). Every
answer is checked as webhook_load.py checks it. `--profile N` prints cProfile's top N
functions (by CPU time) over the measured requests; `--statements` prints each kind of statement
with how often a request sent it.
The floor server (bench/floor_app.py) is measured the same way beside it, in the same run.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.webhook_load import (  # noqa: E402 - the path above makes bench importable
    ACCOUNT_SID,
    PUBLIC_BASE_URL,
    SCENARIOS,
    TOKEN,
    answered,
    prepare_database,
)


class Tally:
    """Counts of what one request sent to the database and to Redis."""

    def __init__(self) -> None:
        self.statements: Counter[str] = Counter()
        self.commits = 0
        self.transaction_commands = 0  # BEGIN, COMMIT, ROLLBACK: each a round trip of its own
        self.redis_commands = 0
        self.redis_trips = 0

    def total_statements(self) -> int:
        return sum(self.statements.values())


_current = Tally()


def _kind(statement: str) -> str:
    """A statement's shape without its values: its first 110 characters, spaces squeezed."""
    return " ".join(statement.split())[:110]


def _listen(engine: Any) -> None:
    from sqlalchemy import event

    @event.listens_for(engine, "before_cursor_execute")
    def _statement(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        _current.statements[_kind(statement)] += 1

    @event.listens_for(engine, "commit")
    def _commit(conn: Any) -> None:
        _current.commits += 1


def _watch_redis() -> None:
    """Count what goes down every Redis socket: one write is one round trip."""
    from redis.connection import AbstractConnection

    send = AbstractConnection.send_packed_command

    def counted(self: Any, command: Any, check_health: bool = True) -> None:
        _current.redis_trips += 1
        send(self, command, check_health)

    pack = AbstractConnection.pack_commands

    def packed(self: Any, commands: Any) -> Any:
        commands = list(commands)
        _current.redis_commands += len(commands)
        return pack(self, commands)

    pack_one = AbstractConnection.pack_command

    def packed_one(self: Any, *args: Any) -> Any:
        _current.redis_commands += 1
        return pack_one(self, *args)

    AbstractConnection.send_packed_command = counted  # type: ignore[method-assign]
    AbstractConnection.pack_commands = packed  # type: ignore[method-assign]
    AbstractConnection.pack_command = packed_one  # type: ignore[method-assign]


def _watch_postgres() -> None:
    """Count psycopg's BEGIN, COMMIT and ROLLBACK: it sends each in a round trip of its own."""
    try:
        from psycopg._connection_base import BaseConnection
    except ImportError:
        return
    command = BaseConnection._exec_command

    def counted(self: Any, *args: Any, **kwargs: Any) -> Any:
        _current.transaction_commands += 1
        return command(self, *args, **kwargs)

    BaseConnection._exec_command = counted  # type: ignore[method-assign]


def _requests(scenario: str, clients: int, total: int) -> list[tuple[str, dict[str, str], str]]:
    """The scenario's requests, signed, interleaved across clients as a load would send them."""
    from twilio.request_validator import RequestValidator

    validator = RequestValidator(TOKEN)
    make = SCENARIOS[scenario]
    built = []
    for index in range(total // clients):
        for client in range(clients):
            path, params = make(client, index)
            built.append(
                (path, params, validator.compute_signature(PUBLIC_BASE_URL + path, params))
            )
    return built


@contextmanager
def _tallied() -> Iterator[Tally]:
    global _current
    _current = Tally()
    yield _current


def database_cpu(engine: Any) -> dict[int, float]:
    """CPU seconds used so far by each server process on the engine's PostgreSQL database (the
    server runs on this machine); empty for SQLite or off Linux."""
    from sqlalchemy import text

    if engine.dialect.name != "postgresql":
        return {}
    with engine.connect() as connection:
        pids = connection.execute(
            text("SELECT pid FROM pg_stat_activity WHERE datname = current_database()")
        ).scalars()
        used = {}
        for pid in pids:
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            used[pid] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return used


def database_share(engine: Any, before: dict[int, float], requests: int) -> float | None:
    """The database server's CPU seconds per request since `before`."""
    after = database_cpu(engine)
    if not after:
        return None
    return sum(spent - before.get(pid, 0.0) for pid, spent in after.items()) / requests


def measure(
    app: Any,
    requests: list[tuple[str, dict[str, str], str]],
    check: str | None,
    profiler: cProfile.Profile | None,
) -> tuple[list[float], list[Tally]]:
    """CPU seconds and tallies for each request, in order; exits if an answer is wrong."""
    client = app.test_client()
    cpu: list[float] = []
    tallies: list[Tally] = []
    for path, params, signature in requests:
        with _tallied() as tally:
            started = time.process_time()
            if profiler is not None:
                profiler.enable()
            response = client.post(path, data=params, headers={"X-Twilio-Signature": signature})
            if profiler is not None:
                profiler.disable()
            cpu.append(time.process_time() - started)
        tallies.append(tally)
        body = response.get_data(as_text=True)
        if response.status_code != 200 or (check and not answered(check, body)):
            raise SystemExit(f"{path} answered {response.status_code}: {body[:300]}")
    return cpu, tallies


def report(name: str, cpu: list[float], tallies: list[Tally], server: float | None) -> None:
    n = len(cpu)
    print(
        f"  {name:9s} CPU {statistics.mean(cpu) * 1000:6.2f} ms/request "
        f"(median {statistics.median(cpu) * 1000:.2f}"
        + (f", PostgreSQL's {server * 1000:.2f} ms" if server is not None else "")
        + ")   "
        f"SQL {sum(t.total_statements() for t in tallies) / n:5.2f} statements, "
        f"{sum(t.commits for t in tallies) / n:4.2f} commits, "
        f"{sum(t.total_statements() + t.transaction_commands for t in tallies) / n:4.2f} "
        "round trips   "
        f"Redis {sum(t.redis_trips for t in tallies) / n:4.2f} round trips "
        f"({sum(t.redis_commands for t in tallies) / n:4.2f} commands) per request"
    )


def statements(tallies: list[Tally]) -> None:
    together: Counter[str] = Counter()
    for tally in tallies:
        together.update(tally.statements)
    for kind, times in together.most_common():
        print(f"    {times / len(tallies):5.2f}  {kind}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scenario", default="sms", choices=sorted(SCENARIOS))
    parser.add_argument("--requests", type=int, default=900)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--warmup", type=int, default=160)
    parser.add_argument("--profile", type=int, default=0, metavar="N")
    parser.add_argument("--statements", action="store_true")
    parser.add_argument("--no-floor", action="store_true")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        database = os.environ.get("HELPLINE_BENCH_DATABASE_URL") or (
            "sqlite:///" + str(Path(folder) / "bench.sqlite3")
        )
        settings = {
            "DATABASE_URL": database,
            "PUBLIC_BASE_URL": PUBLIC_BASE_URL,
            "TWILIO_AUTH_TOKEN": TOKEN,
            "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
            "TWILIO_PHONE_NUMBER": "+447700900000",
            "REDIS_URL": os.environ.get("HELPLINE_BENCH_REDIS_URL", ""),
            "LIMIT_SMS_REPLIES_PER_HOUR": "1000000",
        }
        os.environ.update(settings)
        prepare_database({**os.environ, "PYTHONPATH": str(ROOT)})
        _watch_redis()
        _watch_postgres()

        from helpline import create_app
        from helpline.directory.warmup import keep_warm
        from helpline.extensions import db, statement_engines

        app = create_app()
        # As helpline.wsgi starts a web worker: the index built before the first request, and
        # the thread that keeps it current running through the measured requests.
        warmer = keep_warm(app)
        # Requests of the warm-up (the index built, the flow read) and of the measured run
        # are different texts and calls: a call's steps are sent once each.
        wanted = args.warmup + args.requests
        everything = _requests(args.scenario, args.clients, wanted)
        warmup, measured = everything[: args.warmup], everything[args.warmup :]
        # CPU time, not wall time: waits on the database are not the server's work.
        profiler = cProfile.Profile(time.process_time) if args.profile else None
        with app.app_context():
            for engine in statement_engines(db.engine):  # its autocommit one too
                _listen(engine)
        measure(app, warmup, args.scenario, None)
        with app.app_context(), _tallied():  # not counted as a request's
            before = database_cpu(db.engine)
        cpu, tallies = measure(app, measured, args.scenario, profiler)
        with app.app_context(), _tallied():
            server = database_share(db.engine, before, len(cpu))
        results = [("helpline", cpu, tallies, server)]
        if warmer is not None:
            warmer.stop()

        if not args.no_floor:
            from bench.floor_app import _ENGINE
            from bench.floor_app import app as floor

            _listen(_ENGINE)
            # Requests of their own: the floor logs texts under their MessageSids too.
            again = _requests(args.scenario, args.clients, wanted)
            measure(floor, again[: args.warmup], None, None)
            with _tallied():
                before = database_cpu(_ENGINE)
            floor_cpu, floor_tallies = measure(floor, again[args.warmup :], None, None)
            with _tallied():
                server = database_share(_ENGINE, before, len(floor_cpu))
            results.append(("floor", floor_cpu, floor_tallies, server))

    load = os.getloadavg()
    print(
        f"scenario {args.scenario}: {len(cpu)} requests in-process after {len(warmup)} "
        f"warm-up, database {database.split(':')[0]}, Redis "
        f"{'on' if settings['REDIS_URL'] else 'off'}, load average {load[0]:.2f}"
    )
    for name, spent, counted, database in results:
        report(name, spent, counted, database)
    if len(results) == 2:
        print(
            f"  helpline CPU {statistics.mean(cpu) / statistics.mean(results[1][1]):.2f}x "
            "the floor's"
        )
    if args.statements:
        print("  statements per request (helpline):")
        statements(tallies)
    if profiler is not None:
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out)
        stats.sort_stats("cumulative").print_stats(args.profile)
        stats.sort_stats("tottime").print_stats(args.profile)
        print(out.getvalue())


if __name__ == "__main__":
    main()
