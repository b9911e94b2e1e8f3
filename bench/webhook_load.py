"""Load /twilio/sms under gunicorn beside a bare Flask endpoint with the same settings.

Usage: .venv/bin/python bench/webhook_load.py [--requests 4000] [--clients 8] [--workers 2]
       [--scenario sms]   (HELPLINE_BENCH_DATABASE_URL=postgresql+psycopg://... for PostgreSQL;
                           default: a fresh SQLite file seeded with the sample Local Offer;
                           HELPLINE_BENCH_REDIS_URL=redis://... to run with Redis as production)

Both servers: gunicorn, sync workers, bound to a free 127.0.0.1 port. The load generator is a
separate process with N client threads, each a keep-alive http.client connection, sending
signed Twilio posts from many numbers (built and signed before the clock starts). Prints
req/s, p50 and p99 for each, and the ratio. Every helpline answer is checked (a reply to each
text, a menu at each call step, never the apology): a fast wrong answer counts as failed, and
one failure makes the run a MISS.
Targets: the helpline at least 0.5x the bare endpoint's throughput, p99 under 25 ms.
A scenario is a function (client index, request index) -> (path, params); add one to SCENARIOS.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from twilio.request_validator import RequestValidator

ROOT = Path(__file__).resolve().parent.parent
PUBLIC_BASE_URL = "https://helpline-bench.example"
TOKEN = "bench-auth-token-0123456789abcdef"
ACCOUNT_SID = "AC" + "0" * 32
Request = tuple[str, dict[str, str]]

_KEYWORDS = ["SHORTBREAKS", "short breaks 12", "EHC", "TRANSPORT LN1", "HEALTH 5", "shortbrakes",
             "SENDIASS", "EDUCATION LN2 8", "MONEY", "AUTISM 9", "ADULTHOOD 19", "TRAINING"]
_FOLLOW_UPS = ["2", "MORE", "1", "3", "MORE"]
_UNKNOWN = ["hello there", "swimming", "what is this", "HELP", "thanks"]


def sms_scenario(client: int, index: int) -> Request:
    """A family texting: a keyword, then follow-ups on that list, with some unknown texts."""
    rng = random.Random(client * 100_003 + index)
    number = f"+4477009{client:02d}{index % 50:03d}"  # many numbers, each texting several times
    step = (index // 50) % 4
    if step == 0:
        body = rng.choice(_KEYWORDS)
    elif step in (1, 2):
        body = rng.choice(_FOLLOW_UPS)
    else:
        body = rng.choice(_UNKNOWN)
    sid = "SM" + uuid.uuid4().hex
    return "/twilio/sms", {
        "MessageSid": sid, "SmsSid": sid, "AccountSid": ACCOUNT_SID, "From": number,
        "To": "+447700900000", "Body": body, "NumMedia": "0", "NumSegments": "1",
        "ApiVersion": "2010-04-01",
    }


# A phone call as Twilio makes it: the call, the language key, a main-menu key, silence at the
# sub-menu (the <Redirect> re-prompt), a key into a services menu (a directory search, read
# out), then # back. URLs are the ones the helpline's own TwiML gives Twilio.
_VOICE_CALL = [
    ("/twilio/voice", None, ""),
    ("/twilio/voice/step", ("@language", "en", 0), "{language_key}"),
    ("/twilio/voice/step", ("main", "{language}", 0), "{area}"),
    ("/twilio/voice/step", ("{submenu}", "{language}", 0), ""),
    ("/twilio/voice/step", ("{submenu}", "{language}", 1), "1"),
    ("/twilio/voice/step", ("{services}", "{language}", 0), "#"),
]
_VOICE_ROUTES = [("en", "1"), ("pl", "2"), ("ur", "3")]
_VOICE_AREAS = [("1", "breaks", "shortbreaks"), ("2", "education", "schools"),
                ("5", "money_travel", "transport")]


def voice_scenario(client: int, index: int) -> Request:
    """A caller choosing a language and an area, missing once, hearing services, going back."""
    call, step = divmod(index, len(_VOICE_CALL))
    language, language_key = _VOICE_ROUTES[call % len(_VOICE_ROUTES)]
    area, submenu, services = _VOICE_AREAS[(call // 3) % len(_VOICE_AREAS)]
    fill = {"language": language, "language_key": language_key, "area": area,
            "submenu": submenu, "services": services}
    path, place, digits = _VOICE_CALL[step]
    if place is not None:
        node, lang, tries = (str(part).format(**fill) for part in place)
        path += "?" + urlencode({"node": node, "lang": lang, "try": tries})
    # The generating process's id in the sid: a later run's calls are new calls, not replays of
    # the warm-up's steps (which the helpline would answer without writing anything).
    params = {"CallSid": f"CA{client:04d}{call:08d}{os.getpid():020d}", "AccountSid": ACCOUNT_SID,
              "From": f"+4477009{client:02d}{call % 1000:03d}", "To": "+447700900000",
              "CallStatus": "in-progress", "Direction": "inbound", "ApiVersion": "2010-04-01"}
    if digits.format(**fill):
        params["Digits"] = digits.format(**fill)
    return path, params


SCENARIOS: dict[str, Callable[[int, int], Request]] = {  # each needs an _EXPECTED entry
    "sms": sms_scenario, "voice": voice_scenario,
}


# What every answer in a scenario must hold: a reply to each text, a menu at each call step.
# The helpline's apology ("Sorry, something went wrong") is 200 too, so it is counted apart.
_EXPECTED = {"sms": "<Message", "voice": "<Gather"}
_APOLOGY = "something went wrong"
# Issue 16's targets: the helpline's share of the floor's throughput, per scenario.
_FLOOR_TARGETS = {"sms": 0.6, "voice": 0.75}


def answered(scenario: str, twiml: str) -> bool:
    """True when the response is a real answer: the expected verb and no apology."""
    return _EXPECTED[scenario] in twiml and _APOLOGY not in twiml


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_gunicorn(target: str, port: int, workers: int, env: dict[str, str]) -> subprocess.Popen:
    command = [str(ROOT / ".venv" / "bin" / "gunicorn"), "--workers", str(workers),
               "--worker-class", "sync", "--bind", f"127.0.0.1:{port}", "--log-level", "warning",
               "--chdir", str(ROOT), target]
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL)
    deadline = time.time() + 60
    while time.time() < deadline:
        # Any HTTP answer (a 404 will do): a worker has started, not only the master's socket
        # (the helpline's workers build the search index before they take a request).
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            connection.request("GET", "/")
            connection.getresponse().read()
            connection.close()
            return process
        except OSError:
            time.sleep(0.1)
    process.terminate()
    raise SystemExit(f"gunicorn did not start {target}")


def generate(
    base: str, scenario: str, clients: int, total: int, check: bool
) -> dict[str, float]:
    """Run in its own process: N threads with keep-alive connections; throughput and latency.

    Every request is built and signed before the clock starts, and sent with http.client, so
    the generator takes as little as it can of the CPUs it shares with the server under test.
    """
    validator = RequestValidator(TOKEN)
    make = SCENARIOS[scenario]
    per_client = total // clients
    address = urlsplit(base)
    prepared: list[list[tuple[str, bytes, dict[str, str]]]] = []
    for number in range(clients):
        mine = []
        for index in range(per_client):
            path, params = make(number, index)
            signature = validator.compute_signature(PUBLIC_BASE_URL + path, params)
            mine.append((path, urlencode(params).encode(), {
                "X-Twilio-Signature": signature,
                "Content-Type": "application/x-www-form-urlencoded",
            }))
        prepared.append(mine)
    latencies: list[float] = []
    errors: list[int] = []
    lock = threading.Lock()

    def client(number: int) -> None:
        connection = http.client.HTTPConnection(address.hostname, address.port, timeout=10)
        timings: list[float] = []
        answers: list[tuple[int, bytes]] = []
        for path, body, headers in prepared[number]:
            started = time.perf_counter()
            connection.request("POST", path, body, headers)
            response = connection.getresponse()
            answer = response.read()
            timings.append(time.perf_counter() - started)
            answers.append((response.status, answer))
        connection.close()
        failed = [status for status, answer in answers if status != 200 or (
            check and not answered(scenario, answer.decode()))]
        with lock:
            latencies.extend(timings)
            errors.extend(failed)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    ordered = sorted(latencies)
    return {
        "requests": len(ordered), "errors": len(errors), "rps": len(ordered) / elapsed,
        "p50_ms": statistics.median(ordered) * 1000,
        "p99_ms": ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000,
    }


def server_cpu_seconds(master: int) -> float | None:
    """CPU time (user + system) used so far by a gunicorn master's workers; None off Linux."""
    try:
        children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
        total = 0
        for pid in children:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime in clock ticks
    except (OSError, IndexError, ValueError):
        return None
    return total / os.sysconf("SC_CLK_TCK")


def load(base: str, scenario: str, clients: int, total: int, check: bool) -> dict[str, float]:
    """Run the generator as a separate process, so it doesn't share a CPU schedule with us."""
    out = subprocess.run(
        [sys.executable, __file__, "--generate", base, "--scenario", scenario,
         "--clients", str(clients), "--requests", str(total), *(["--check"] if check else [])],
        capture_output=True, text=True, check=True, timeout=600,
    )
    return json.loads(out.stdout)


def prepare_database(env: dict[str, str]) -> None:
    helpline = str(ROOT / ".venv" / "bin" / "helpline")
    for args in (["db", "upgrade"], ["seed"]):
        subprocess.run([helpline, *args], env=env, check=True, cwd=ROOT,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=4000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--scenario", default="sms", choices=sorted(SCENARIOS))
    parser.add_argument("--warmup", type=int, default=200)
    parser.add_argument("--generate", metavar="BASE_URL", help=argparse.SUPPRESS)
    parser.add_argument("--check", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--no-floor", action="store_true",
                        help="skip the floor baseline (signature check and one logged insert)")
    args = parser.parse_args()
    if args.generate:
        print(json.dumps(generate(args.generate, args.scenario, args.clients, args.requests,
                                  args.check)))
        return

    with tempfile.TemporaryDirectory() as folder:
        database = os.environ.get("HELPLINE_BENCH_DATABASE_URL") or (
            "sqlite:///" + str(Path(folder) / "bench.sqlite3"))
        env = {**os.environ, "DATABASE_URL": database, "PUBLIC_BASE_URL": PUBLIC_BASE_URL,
               "TWILIO_AUTH_TOKEN": TOKEN, "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
               "TWILIO_PHONE_NUMBER": "+447700900000",
               "REDIS_URL": os.environ.get("HELPLINE_BENCH_REDIS_URL", ""),
               # The load's numbers text more often in an hour than a family may: measured,
               # not limited (the limit's own check still runs on every text).
               "LIMIT_SMS_REPLIES_PER_HOUR": "1000000",
               "PYTHONPATH": str(ROOT)}
        prepare_database(env)
        results = {}
        servers = [("helpline", "helpline.wsgi:app"), ("bare", "bench.bare_app:app")]
        if not args.no_floor:
            servers.append(("floor", "bench.floor_app:app"))
        for name, target in servers:
            port = free_port()
            server = start_gunicorn(target, port, args.workers, env)
            try:
                base = f"http://127.0.0.1:{port}"
                # Only the helpline's answers are checked: the bare one is a fixed message.
                check = name == "helpline"
                load(base, args.scenario, args.clients, args.warmup, check)
                cpu_before = server_cpu_seconds(server.pid)
                results[name] = load(base, args.scenario, args.clients, args.requests, check)
                cpu_after = server_cpu_seconds(server.pid)
                if cpu_before is not None and cpu_after is not None:
                    served = results[name]["requests"]
                    results[name]["cpu_ms"] = (cpu_after - cpu_before) * 1000 / served
            finally:
                server.terminate()
                server.wait(timeout=30)
    print(f"scenario {args.scenario}: {args.requests} requests, {args.clients} clients, "
          f"gunicorn {args.workers} sync workers, database {database.split(':')[0]}")
    for name, r in results.items():
        print(f"  {name:9s} {r['rps']:8.1f} req/s   p50 {r['p50_ms']:6.2f} ms   "
              f"p99 {r['p99_ms']:6.2f} ms   failed {int(r['errors'])}"
              + (f"   server CPU {r['cpu_ms']:.2f} ms/request" if "cpu_ms" in r else ""))
    ratio = results["helpline"]["rps"] / results["bare"]["rps"]
    p99 = results["helpline"]["p99_ms"]
    failed = int(results["helpline"]["errors"])
    if "floor" in results:
        floor = results["floor"]["rps"] / results["bare"]["rps"]
        print(f"  floor {floor:.2f}x bare: a webhook that only checks the signature and logs "
              "the text (an upper bound for the helpline)")
        share = results["helpline"]["rps"] / results["floor"]["rps"]
        p99_share = p99 / results["floor"]["p99_ms"]
        least = _FLOOR_TARGETS[args.scenario]
        met = share >= least and p99_share <= 2 and not failed
        print(f"  helpline {share:.2f}x the floor's throughput (target >= {least}), p99 "
              f"{p99_share:.2f}x the floor's (target <= 2)   {'PASS' if met else 'MISS'}")
    print(f"  ratio {ratio:.2f}x bare (target >= 0.5)   p99 {p99:.1f} ms (target < 25)   "
          f"{'PASS' if ratio >= 0.5 and p99 < 25 and not failed else 'MISS'}")


if __name__ == "__main__":
    main()
