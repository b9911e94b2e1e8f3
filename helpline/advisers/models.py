"""Advisers and their hours (the rota), and escalations: a caller waiting for an adviser."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from helpline.directory.models import utcnow
from helpline.extensions import db

ESCALATION_STATUSES = ("ringing", "connected", "unanswered", "ended")


class Adviser(db.Model):  # type: ignore[name-defined,misc]
    """A council adviser who takes calls passed on by the helpline (staff data, not a family's)."""

    __tablename__ = "adviser"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    # Not "phone_number": the retention job erases columns of that name, and this is staff data.
    mobile: Mapped[str] = mapped_column(String(32))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    hours: Mapped[list[RotaSlot]] = relationship(
        back_populates="adviser", cascade="all, delete-orphan", order_by="RotaSlot.weekday"
    )


class RotaSlot(db.Model):  # type: ignore[name-defined,misc]
    """One stretch of an adviser's hours on one weekday (0 = Monday), local time, start < end."""

    __tablename__ = "rota_slot"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    adviser_id: Mapped[int] = mapped_column(
        ForeignKey("adviser.id", ondelete="CASCADE"), index=True
    )
    weekday: Mapped[int] = mapped_column(Integer)
    start_minute: Mapped[int] = mapped_column(Integer)  # minutes after midnight
    end_minute: Mapped[int] = mapped_column(Integer)
    # Lower rings first: the order of the rota when several advisers are on duty.
    priority: Mapped[int] = mapped_column(Integer, default=100)
    adviser: Mapped[Adviser] = relationship(back_populates="hours")


class Escalation(db.Model):  # type: ignore[name-defined,misc]
    """A caller waiting in the adviser queue, and which adviser we are ringing for them."""

    __tablename__ = "escalation"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    call_sid: Mapped[str] = mapped_column(String(64), unique=True)
    queue_name: Mapped[str] = mapped_column(String(64))
    menu_path: Mapped[str] = mapped_column(Text, default="")  # " > "-joined menu choices
    language: Mapped[str] = mapped_column(String(8), default="en")
    status: Mapped[str] = mapped_column(String(16), default="ringing", index=True)
    attempt: Mapped[int] = mapped_column(Integer, default=0)  # how many advisers rung so far
    tried_adviser_ids: Mapped[str] = mapped_column(Text, default="")  # comma-separated ids
    adviser_id: Mapped[int | None] = mapped_column(Integer)  # the one being rung or connected
    adviser_call_sid: Mapped[str | None] = mapped_column(String(64), index=True)
    # When an adviser took the caller: with created_at, the caller's wait (for insight).
    answered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, index=True
    )
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
