"""Jobs that send the outbox's texts."""

from __future__ import annotations

import logging

log = logging.getLogger(__name__)


def send_text(message_id: int) -> str:
    """Send outbox message `message_id` if still pending; RQ retries it on a passing failure."""
    from rq import get_current_job

    from helpline.extensions import db
    from helpline.jobs import job_app_context
    from helpline.outbound.gateway import OutboundError
    from helpline.outbound.outbox import send_message

    job = get_current_job()
    with job_app_context():
        try:
            return send_message(
                db.session(), message_id, last_attempt=job is not None and not job.retries_left
            )
        except OutboundError:
            if job is not None:
                raise  # RQ retries it with backoff
            # In-process (no Redis): the row stays pending for `helpline worker --burst`.
            log.warning("outbox message %s stays pending after a passing failure", message_id)
            return "pending"


def enqueue_pending() -> int:
    """Enqueue every outbox message still pending (worker start and a periodic sweep)."""
    from helpline.extensions import db
    from helpline.jobs import job_app_context
    from helpline.outbound.outbox import deliver_pending

    with job_app_context():
        count = deliver_pending(db.session())
    if count:
        log.info("enqueued %s pending outbox message(s)", count)
    return count
