"""The outbox table: every text the helpline sends on its own, written before it is sent."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from helpline.directory.models import utcnow
from helpline.extensions import db

# pending -> sending -> sent -> delivered | undelivered | failed; or refused (opted out since)
# or failed (a permanent error, or retries used up).
OUTBOX_STATUSES = ("pending", "sending", "sent", "delivered", "undelivered", "failed", "refused")


class OutboundMessage(db.Model):  # type: ignore[name-defined,misc]
    """A text waiting to go, or gone: one per cause, so a repeated event sends nothing twice."""

    __tablename__ = "outbound_message"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # What caused it, e.g. "CA123:followup": a unique cause makes a repeated webhook harmless.
    cause: Mapped[str] = mapped_column(String(160), unique=True)
    purpose: Mapped[str] = mapped_column(String(32))
    phone_number: Mapped[str | None] = mapped_column(String(32), index=True)
    body: Mapped[str | None] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(8), default="en")
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    # Indexed, not unique: a mock API (and a resent message) can repeat a sid.
    twilio_sid: Mapped[str | None] = mapped_column(String(64), index=True)
    error_code: Mapped[int | None] = mapped_column(Integer)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, index=True
    )
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # What it costs: SMS segments, counted when it is written (the body is erased later).
    segments: Mapped[int | None] = mapped_column(Integer)
