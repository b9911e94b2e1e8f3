"""The audit log, for managers: who viewed or worked which record, and when."""

from __future__ import annotations

from flask import request

from helpline.console import audit, bp
from helpline.console.pages import page
from helpline.console.permissions import manager_only
from helpline.console.worklist import masked
from helpline.extensions import db

PAGE_SIZE = 100


@bp.get("/audit")
@manager_only
def audit_log() -> str:
    """The latest entries, newest first; numbers masked."""
    before = request.args.get("before", "")
    entries = audit.recent(db.session(), PAGE_SIZE,
                           int(before) if before.isdecimal() and len(before) < 10 else None)
    older = entries[-1].id if len(entries) == PAGE_SIZE else None
    return page("audit.html", "Audit log", "audit", entries=entries, masked=masked, older=older)
