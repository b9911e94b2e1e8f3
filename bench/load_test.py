"""Five minutes of texts and calls together at ten times a large council's busiest hour.

Usage: HELPLINE_BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1/bench \\
       HELPLINE_BENCH_REDIS_URL=redis://127.0.0.1:6379/6 \\
       .venv/bin/python bench/load_test.py [--seconds 300] [--rate 20] [--workers 2]

A large council's busiest hour, assumed generously: one text and one phone-menu step a second
(3,600 of each). Ten times that is 20 requests a second, half texts (bench/webhook_load.py's SMS
scenario: keywords, follow-ups, unknown texts) and half call steps (its voice scenario: calls
walked as Twilio walks them). The load comes from a separate process on 127.0.0.1 only, open
loop: each request has a time it is due, and its latency counts from then, so a stall shows as
the wait it causes. Stops after --seconds whatever happens. Reports throughput, p50 and p99,
errors (anything but 200 with a real answer) and messages lost: texts sent whose MessageSid is
not logged with its replies, and calls with no call log row.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlencode, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))
import webhook_load as wl  # noqa: E402 - the scenarios, the server and the database set-up

THREADS = 8


def generate(base: str, seconds: float, rate: float) -> dict[str, object]:
    """In its own process: THREADS senders, each due a request every THREADS / rate seconds,
    alternating a text and the next step of its current call."""
    validator = wl.RequestValidator(wl.TOKEN)
    address = urlsplit(base)
    latencies: list[float] = []
    failures: list[str] = []
    texts: list[str] = []
    calls: set[str] = set()
    lock = threading.Lock()
    started = time.perf_counter() + 0.5
    every = THREADS / rate

    def sender(number: int) -> None:
        connection = http.client.HTTPConnection(address.hostname, address.port, timeout=30)
        i = 0
        while True:
            due = started + number * every / THREADS + i * every
            if due - started > seconds:
                break
            scenario = "sms" if i % 2 == 0 else "voice"
            make = wl.sms_scenario if scenario == "sms" else wl.voice_scenario
            path, params = make(number, i // 2)
            signature = validator.compute_signature(wl.PUBLIC_BASE_URL + path, params)
            headers = {"X-Twilio-Signature": signature,
                       "Content-Type": "application/x-www-form-urlencoded"}
            time.sleep(max(0.0, due - time.perf_counter()))
            try:
                connection.request("POST", path, urlencode(params).encode(), headers)
                response = connection.getresponse()
                answer = response.read().decode()
                ok = response.status == 200 and wl.answered(scenario, answer)
            except OSError as exc:
                connection.close()
                connection = http.client.HTTPConnection(address.hostname, address.port,
                                                        timeout=30)
                ok, answer = False, repr(exc)
            took = time.perf_counter() - due
            with lock:
                latencies.append(took)
                if not ok:
                    failures.append(f"{scenario} {path}: {answer[:120]}")
                if scenario == "sms":
                    texts.append(params["MessageSid"])
                else:
                    calls.add(params["CallSid"])
            i += 1
        connection.close()

    threads = [threading.Thread(target=sender, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    ordered = sorted(latencies)
    return {"requests": len(ordered), "rps": len(ordered) / elapsed,
            "p50_ms": ordered[len(ordered) // 2] * 1000,
            "p99_ms": ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000,
            "errors": len(failures), "first_errors": failures[:5],
            "texts": texts, "calls": sorted(calls)}


def lost(database: str, texts: list[str], calls: list[str]) -> tuple[int, int]:
    """Texts not logged with a reply, and calls with no log row."""
    from sqlalchemy import bindparam, create_engine, text

    engine = create_engine(database)
    with engine.connect() as connection:
        answered = {row[0] for row in connection.execute(text(
            "SELECT replying_to FROM sms_message WHERE direction = 'out'"
            " AND replying_to IN :sids").bindparams(bindparam("sids", expanding=True)),
            {"sids": texts})} if texts else set()
        logged = {row[0] for row in connection.execute(text(
            "SELECT call_sid FROM call_log WHERE call_sid IN :sids").bindparams(
            bindparam("sids", expanding=True)), {"sids": calls})} if calls else set()
    engine.dispose()
    return len(set(texts) - answered), len(set(calls) - logged)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=300)
    parser.add_argument("--rate", type=float, default=20, help="requests a second, all told")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--generate", metavar="BASE_URL", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.generate:
        print(json.dumps(generate(args.generate, args.seconds, args.rate)))
        return
    database = os.environ.get("HELPLINE_BENCH_DATABASE_URL", "")
    redis = os.environ.get("HELPLINE_BENCH_REDIS_URL", "")
    if not database.startswith("postgresql") or not redis:
        raise SystemExit("set HELPLINE_BENCH_DATABASE_URL (PostgreSQL) and "
                         "HELPLINE_BENCH_REDIS_URL")
    env = {**os.environ, "DATABASE_URL": database, "REDIS_URL": redis,
           "PUBLIC_BASE_URL": wl.PUBLIC_BASE_URL, "TWILIO_AUTH_TOKEN": wl.TOKEN,
           "TWILIO_ACCOUNT_SID": wl.ACCOUNT_SID, "TWILIO_PHONE_NUMBER": "+447700900000",
           "LIMIT_SMS_REPLIES_PER_HOUR": "1000000", "PYTHONPATH": str(wl.ROOT)}
    wl.prepare_database(env)
    port = wl.free_port()
    server = wl.start_gunicorn("helpline.wsgi:app", port, args.workers, env)
    try:
        out = subprocess.run(
            [sys.executable, __file__, "--generate", f"http://127.0.0.1:{port}",
             "--seconds", str(args.seconds), "--rate", str(args.rate)],
            capture_output=True, text=True, check=True, timeout=args.seconds + 120)
    finally:
        server.terminate()
        server.wait(timeout=30)
    result = json.loads(out.stdout)
    lost_texts, lost_calls = lost(database, result["texts"], result["calls"])
    print(f"{args.seconds:.0f} s at {args.rate:g} req/s asked (texts and call steps, half each),"
          f" gunicorn {args.workers} sync workers, PostgreSQL and Redis")
    print(f"  served {result['requests']} requests, {result['rps']:.1f} req/s; latency from when"
          f" due: p50 {result['p50_ms']:.1f} ms, p99 {result['p99_ms']:.1f} ms")
    print(f"  errors {result['errors']}   texts lost {lost_texts} of {len(result['texts'])}"
          f"   calls lost {lost_calls} of {len(result['calls'])}")
    for failure in result["first_errors"]:
        print("   ", failure)
    ok = not result["errors"] and not lost_texts and not lost_calls
    print("  PASS" if ok else "  MISS")


if __name__ == "__main__":
    main()
