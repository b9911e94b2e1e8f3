"""Periodic jobs: what runs every few minutes or hours, and the ticker that enqueues them once."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from typing import Any

from workers.maintenance import erase_old_personal_data, expire_callbacks
from workers.outbound import enqueue_pending

# name -> (job, seconds between runs)
PERIODIC: dict[str, tuple[Callable[[], Any], int]] = {
    "enqueue_pending": (enqueue_pending, 300),
    "expire_callbacks": (expire_callbacks, 3600),
    "erase_old_personal_data": (erase_old_personal_data, 6 * 3600),
}


def enqueue_due(connection: Any, now: float | None = None, force: Iterable[str] = ()) -> list[str]:
    """Enqueue each periodic job whose period has started; returns the names enqueued.

    A Redis key per job and period (SET NX) means several workers enqueue each run only once.
    """
    from helpline.jobs import enqueue, job_id_for

    now = time.time() if now is None else now
    forced = set(force)
    done = []
    for name, (job, every) in PERIODIC.items():
        bucket = int(now // every)
        key = f"helpline:periodic:{name}:{bucket}"
        if connection.set(key, "1", nx=True, ex=every * 2) or name in forced:
            # No long timestamps in the id: the log filter would take them for phone numbers.
            kind = "periodic-start" if name in forced else "periodic"
            enqueue(job, job_id=job_id_for(kind, f"{name}-{bucket}"))
            done.append(name)
    return done


def run_due_in_process() -> None:
    """Without Redis: run every periodic job now."""
    for job, _ in PERIODIC.values():
        job()
