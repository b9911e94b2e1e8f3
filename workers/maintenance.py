"""Jobs that look after the data: callback expiry and erasing old personal data."""

from __future__ import annotations

import logging

log = logging.getLogger(__name__)


def expire_callbacks() -> int:
    """Expire callback requests unanswered for too long, texting each family; returns how many."""
    from helpline.extensions import db
    from helpline.families.callbacks import expire_old_callbacks
    from helpline.jobs import job_app_context

    with job_app_context():
        return expire_old_callbacks(db.session())


def erase_old_personal_data() -> dict[str, int]:
    """Erase phone numbers, bodies and recordings older than RETENTION_DAYS, and audit entries
    older than AUDIT_RETENTION_DAYS; counts by table."""
    from flask import current_app

    from helpline.console.audit import delete_older_than
    from helpline.extensions import db
    from helpline.jobs import job_app_context
    from helpline.retention import erase_older_than

    with job_app_context():
        counts = erase_older_than(db.session(), days=int(current_app.config["RETENTION_DAYS"]))
        audited = delete_older_than(
            db.session(), days=int(current_app.config["AUDIT_RETENTION_DAYS"])
        )
        if audited:
            counts["audit_entry"] = audited
        return counts
