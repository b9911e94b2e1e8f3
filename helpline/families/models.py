"""Tables holding personal data: each row has created_at so the retention job can erase it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from helpline.directory.models import utcnow
from helpline.extensions import db

CALLBACK_STATUSES = ("new", "claimed", "attempted", "done", "expired")
OPEN_CALLBACK_STATUSES = ("new", "claimed", "attempted")
OPEN_CALLBACK = f"status IN {OPEN_CALLBACK_STATUSES!r} AND phone_number IS NOT NULL"


class OptOut(db.Model):  # type: ignore[name-defined,misc]
    """A number that texted STOP: nothing more is sent to it until it texts START."""

    __tablename__ = "opt_out"
    phone_number: Mapped[str] = mapped_column(String(32), primary_key=True)
    opted_out_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    keyword: Mapped[str] = mapped_column(String(32), default="STOP")


class LimitCount(db.Model):  # type: ignore[name-defined,misc]
    """How many of something (follow-up texts to a number, all outbound texts and calls) this
    clock hour, when Redis is not configured. The subject is a digest, never the number."""

    __tablename__ = "limit_count"
    kind: Mapped[str] = mapped_column(String(32), primary_key=True)
    subject: Mapped[str] = mapped_column(String(32), primary_key=True)
    hour: Mapped[int] = mapped_column(Integer, primary_key=True)  # hours since 1970
    count: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))


class CallbackRequest(db.Model):  # type: ignore[name-defined,misc]
    """A family asked a person to call them back (by text, voicemail or the phone menu)."""

    __tablename__ = "callback_request"
    # One open request a number at most, even for two asks at the same moment in two
    # processes: the second insert fails and joins the first (families.callbacks).
    __table_args__ = (Index(
        "uq_callback_request_open_number", "phone_number", unique=True,
        postgresql_where=text(OPEN_CALLBACK), sqlite_where=text(OPEN_CALLBACK)),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # What caused it (MessageSid or CallSid plus purpose): makes a repeated webhook harmless.
    cause: Mapped[str] = mapped_column(String(128), unique=True)
    phone_number: Mapped[str | None] = mapped_column(String(32), index=True)
    channel: Mapped[str] = mapped_column(String(16))  # sms, voice, voicemail
    language: Mapped[str] = mapped_column(String(8), default="en")
    # What the family asked so far, in plain words, for the adviser.
    summary: Mapped[str] = mapped_column(Text, default="")
    recording_url: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="new", index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    claimed_by: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, index=True
    )
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


ATTEMPT_OUTCOMES = ("reached", "no-answer", "wrong-number", "message-left")


class CallbackAttempt(db.Model):  # type: ignore[name-defined,misc]
    """An adviser's call to a family for a callback request, and what came of it.

    phone_number (the number rung) and body (the adviser's note) are personal data: the
    retention job and `helpline erase` clear them like every other table's.
    """

    __tablename__ = "callback_attempt"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    callback_id: Mapped[int] = mapped_column(
        ForeignKey("callback_request.id", ondelete="CASCADE"), index=True
    )
    adviser_id: Mapped[int | None] = mapped_column(Integer)
    phone_number: Mapped[str | None] = mapped_column(String(32), index=True)
    # None while the call is being made; then one of ATTEMPT_OUTCOMES.
    outcome: Mapped[str | None] = mapped_column(String(16))
    body: Mapped[str | None] = mapped_column(Text)
    adviser_call_sid: Mapped[str | None] = mapped_column(String(64), index=True)
    family_call_sid: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, index=True
    )
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
