"""How long the first text takes after a web process starts, and after an import, beside a text
to an already-warm process.

Usage: .venv/bin/python bench/first_text.py [--runs 3]
       (HELPLINE_BENCH_DATABASE_URL=postgresql+psycopg://... for PostgreSQL; default SQLite)

Starts gunicorn (one sync worker) on helpline.wsgi:app, sends a text the moment /healthz says it
has started, then a second text (the warm baseline); then imports a changed feed with
`helpline import` in another process (as a council's scheduled import does) and sends a text
at once, then another after a few seconds. Target: the first text after a start or an import
under 200 ms (the search index is built when the worker starts and, after an import, in the
background: never on a family's request).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))
import webhook_load as wl  # noqa: E402 - the server and the database set-up


def text(port: int, body: str) -> float:
    """Send one signed text; seconds until its answer (which must be a real reply)."""
    params = {"MessageSid": "SM" + uuid.uuid4().hex, "AccountSid": wl.ACCOUNT_SID,
              # Not a number webhook_load.py texts from (+4477009CCnnn, nnn < 050): in a shared
              # bench database such a number may be past its hourly limit, and answered by silence.
              "From": "+447700900" + str(500 + uuid.uuid4().int % 500),
              "To": "+447700900000", "Body": body}
    signature = wl.RequestValidator(wl.TOKEN).compute_signature(
        wl.PUBLIC_BASE_URL + "/twilio/sms", params)
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    started = time.perf_counter()
    connection.request("POST", "/twilio/sms", urlencode(params).encode(), {
        "X-Twilio-Signature": signature, "Content-Type": "application/x-www-form-urlencoded"})
    answer = connection.getresponse().read().decode()
    took = time.perf_counter() - started
    connection.close()
    assert wl.answered("sms", answer), answer[:200]
    return took


def ready(port: int) -> None:
    """Wait until the worker answers /healthz: started (a port open is only the master)."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.05)
    raise SystemExit("the helpline did not start")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        database = os.environ.get("HELPLINE_BENCH_DATABASE_URL") or (
            "sqlite:///" + str(Path(folder) / "bench.sqlite3"))
        env = {**os.environ, "DATABASE_URL": database, "PUBLIC_BASE_URL": wl.PUBLIC_BASE_URL,
               "TWILIO_AUTH_TOKEN": wl.TOKEN, "TWILIO_ACCOUNT_SID": wl.ACCOUNT_SID,
               "TWILIO_PHONE_NUMBER": "+447700900000", "REDIS_URL": "",
               "SEARCH_INDEX_REFRESH_SECONDS": "1", "PYTHONPATH": str(wl.ROOT)}
        wl.prepare_database(env)
        feed = Path(folder) / "extra.json"
        helpline = str(wl.ROOT / ".venv" / "bin" / "helpline")
        rows: dict[str, list[float]] = {"first after start": [], "warm": [],
                                        "first after import": [], "warm after import": []}
        for run in range(args.runs):
            port = wl.free_port()
            server = wl.start_gunicorn("helpline.wsgi:app", port, 1, env)
            try:
                ready(port)
                rows["first after start"].append(text(port, "SHORTBREAKS"))
                rows["warm"].append(text(port, "TRANSPORT"))
                feed.write_text(json.dumps([{"id": str(uuid.uuid4()), "name": f"Swim club {run}",
                                             "description": "Swimming for disabled children."}]))
                subprocess.run([helpline, "import", str(feed), "--source", f"extra-{run}"],
                               env=env, check=True, cwd=wl.ROOT, capture_output=True)
                rows["first after import"].append(text(port, "SHORTBREAKS"))
                time.sleep(3)
                rows["warm after import"].append(text(port, "EHC"))
            finally:
                server.terminate()
                server.wait(timeout=30)
    print(f"first text latency, {args.runs} runs, gunicorn 1 sync worker, "
          f"database {database.split(':')[0]}")
    for name, values in rows.items():
        print(f"  {name:20s} median {statistics.median(values) * 1000:7.1f} ms"
              f"   max {max(values) * 1000:7.1f} ms")
    worst = max(max(rows["first after start"]), max(rows["first after import"])) * 1000
    print(f"  target: first text after a start or an import under 200 ms: "
          f"{'PASS' if worst < 200 else 'MISS'} ({worst:.0f} ms)")


if __name__ == "__main__":
    main()
