"""Background jobs: an RQ queue on Redis when REDIS_URL is set, otherwise the job runs in-process.

Job functions live in `workers/`, take ids and plain values, and open their own app context with
`job_app_context()` so the same function works under `helpline worker`, a test's SimpleWorker,
or in-process inside a web request. `helpline/` names them ("workers.outbound.send_text") and
never imports `workers/`: the jobs depend on the helpline, not the other way round.
"""

from __future__ import annotations

import hashlib
import importlib
import logging
import os
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

from flask import Flask, current_app, has_app_context

log = logging.getLogger(__name__)

# The urgent queue is worked first: a caller waiting for an adviser can't wait behind a sweep.
URGENT_QUEUE = "helpline-urgent"
DEFAULT_QUEUE = "helpline"
QUEUE_NAMES = (URGENT_QUEUE, DEFAULT_QUEUE)

_UNSAFE_ID_CHARS = re.compile(r"[^A-Za-z0-9_-]+")
_worker_app: Flask | None = None
_worker_app_pid: int | None = None


class EnqueueFailed(RuntimeError):
    """Redis could not take the job; whatever the job was for is still pending in the database."""


def job_id_for(kind: str, cause: str) -> str:
    """An RQ job id (letters, digits, _ and - only) that is the same for the same cause."""
    safe = _UNSAFE_ID_CHARS.sub("_", cause).strip("_")[:80]
    digest = hashlib.sha256(cause.encode()).hexdigest()[:12]
    return f"{kind}-{safe}-{digest}"


def init_app(app: Flask) -> None:
    """Hang the RQ queues on the app when REDIS_URL is set."""
    app.extensions["rq_queues"] = None
    url = app.config.get("REDIS_URL")
    if not url:
        return
    from redis import Redis
    from rq import Queue

    # Short timeouts: a webhook that enqueues must answer Twilio even when Redis is down.
    connection = Redis.from_url(url, socket_connect_timeout=2, socket_timeout=5)
    app.extensions["rq_queues"] = {
        name: Queue(name, connection=connection, default_timeout=app.config.get("JOB_TIMEOUT", 120))
        for name in QUEUE_NAMES
    }


def queues(app: Flask | None = None) -> dict[str, Any] | None:
    """The app's RQ queues by name, or None when jobs run in-process."""
    target = app or current_app
    return target.extensions.get("rq_queues")  # type: ignore[no-any-return]


def job_function(name: str) -> Callable[..., Any]:
    """The job function a dotted name ("workers.outbound.send_text") names."""
    module_name, _, attribute = name.rpartition(".")
    if not module_name.startswith("workers."):
        raise ValueError(f"{name!r} is not a job in workers/")
    function: Callable[..., Any] = getattr(importlib.import_module(module_name), attribute)
    return function


def run_now(name: str, *args: Any, **kwargs: Any) -> Any:
    """Run the named job in this process, now."""
    return job_function(name)(*args, **kwargs)


def enqueue(
    name: str,
    *args: Any,
    job_id: str | None = None,
    retry: Any = None,
    urgent: bool = False,
    delay: timedelta | None = None,
    job_timeout: int | None = None,
    **kwargs: Any,
) -> Any:
    """Queue the job `name` (see job_function) with these arguments; without Redis, run it now
    (a delayed job is then skipped).

    `job_id`, `retry`, `urgent`, `delay` and `job_timeout` (seconds; default JOB_TIMEOUT) are
    for the queue and never reach `func`. Raises
    EnqueueFailed when Redis can't be reached, so callers can leave the work pending.
    """
    job_function(name)  # a misspelt name fails here, where it was written, not in a worker
    named = queues()
    if named is None:
        if delay is not None:
            log.info("no REDIS_URL: delayed job %s skipped", name)
            return None
        return run_now(name, *args, **kwargs)
    from redis import RedisError

    queue = named[URGENT_QUEUE if urgent else DEFAULT_QUEUE]
    options: dict[str, Any] = {"job_id": job_id, "retry": retry}
    if job_timeout is not None:
        options["job_timeout"] = job_timeout
    try:
        if job_id and _already_waiting(queue, job_id):
            return None
        if delay is not None:
            return queue.enqueue_in(delay, name, args=args, kwargs=kwargs, **options)
        return queue.enqueue(name, args=args, kwargs=kwargs, **options)
    except RedisError as exc:
        raise EnqueueFailed(
            f"could not enqueue {job_id or name}: {exc.__class__.__name__}"
        ) from exc


def _already_waiting(queue: Any, job_id: str) -> bool:
    """True when a job with this id is queued, scheduled or running: enqueueing it adds nothing."""
    from rq.exceptions import NoSuchJobError
    from rq.job import Job

    try:
        status = Job.fetch(job_id, connection=queue.connection).get_status(refresh=False)
    except NoSuchJobError:
        return False
    return str(getattr(status, "value", status)) in {"queued", "started", "scheduled", "deferred"}


def set_worker_app(app: Flask) -> None:
    """The app jobs use in this worker process (set by `helpline worker`)."""
    global _worker_app, _worker_app_pid
    _worker_app, _worker_app_pid = app, os.getpid()


@contextmanager
def job_app_context() -> Iterator[Flask]:
    """A fresh app context for one job: the current app if there is one, else a created app."""
    global _worker_app, _worker_app_pid
    if has_app_context():
        app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
    else:
        if _worker_app is None:
            from helpline import create_app

            set_worker_app(create_app(command=True))
        assert _worker_app is not None
        app = _worker_app
    with app.app_context():
        if _worker_app is app and _worker_app_pid != os.getpid():
            # A forked work horse must not share its parent's database connections.
            from helpline.extensions import db

            db.engine.dispose(close=False)
            _worker_app_pid = os.getpid()
        yield app
