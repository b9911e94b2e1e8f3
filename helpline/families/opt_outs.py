"""STOP and START: the record every outbound path checks before it sends anything."""

from __future__ import annotations

from sqlalchemy.orm import Session

from helpline.families.models import OptOut


def is_opted_out(session: Session, phone_number: str | None) -> bool:
    """True when this number has asked for nothing more to be sent."""
    if not phone_number:
        return False
    return session.get(OptOut, phone_number) is not None


def record_opt_out(session: Session, phone_number: str, keyword: str = "STOP") -> None:
    """Remember the opt-out (idempotent); the caller commits."""
    if session.get(OptOut, phone_number) is None:
        session.add(OptOut(phone_number=phone_number, keyword=keyword.upper()[:32]))


def record_opt_in(session: Session, phone_number: str) -> bool:
    """Forget an opt-out after START or UNSTOP; True when there was one."""
    row = session.get(OptOut, phone_number)
    if row is None:
        return False
    session.delete(row)
    return True
