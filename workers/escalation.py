"""Jobs that ring advisers for a waiting caller."""

from __future__ import annotations

from datetime import datetime


def escalate(
    call_sid: str, queue_name: str, menu_path: list[str], language: str, waiting_since: str
) -> int:
    """Start ringing advisers for the caller on `call_sid`; returns the escalation id."""
    from helpline.advisers.escalation import start
    from helpline.extensions import db
    from helpline.jobs import job_app_context

    with job_app_context():
        escalation = start(
            db.session(),
            call_sid=call_sid,
            queue_name=queue_name,
            menu_path=menu_path,
            language=language,
            waiting_since=datetime.fromisoformat(waiting_since),
        )
        return int(escalation.id)


def escalation_timeout(escalation_id: int, attempt: int) -> None:
    """Nobody took the call for `attempt` in time: ring the next adviser (no-op if they did)."""
    from helpline.advisers.escalation import adviser_call_ended
    from helpline.extensions import db
    from helpline.jobs import job_app_context

    with job_app_context():
        adviser_call_ended(db.session(), escalation_id, attempt)
