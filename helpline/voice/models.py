"""The call log: one row per call, holding its place in the menu between Twilio's requests."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from helpline.directory.models import utcnow
from helpline.extensions import db

# How far a call got, least to most; a call's outcome only ever moves up this list.
OUTCOMES = ("hung up", "informed", "texted", "queued", "callback", "message left")
ENDED_STATUSES = {"completed", "busy", "failed", "no-answer", "canceled"}


class CallLog(db.Model):  # type: ignore[name-defined,misc]
    """A phone call: its language, path through the menu and outcome.

    phone_number, recording_url and body are personal data: the retention job erases them.
    """

    __tablename__ = "call_log"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    call_sid: Mapped[str] = mapped_column(String(64), unique=True)
    phone_number: Mapped[str | None] = mapped_column(String(32))
    recording_url: Mapped[str | None] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(8), default="en")
    node: Mapped[str] = mapped_column(String(64), default="")
    tries: Mapped[int] = mapped_column(Integer, default=0)
    # The menus and choices so far: "language:pl > main > breaks > shortbreaks > text".
    path: Mapped[str] = mapped_column(Text, default="")
    outcome: Mapped[str | None] = mapped_column(String(16), index=True)
    status: Mapped[str] = mapped_column(String(16), default="ringing")
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, index=True
    )
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # A digest of the request that took the last step: the same request again changes nothing.
    last_step: Mapped[str | None] = mapped_column(String(64))
    # The services read to the caller, space-separated ids: directory health names the services
    # no search returns, by phone as by text.
    service_ids: Mapped[str | None] = mapped_column(Text)
    # What the caller said in their own words when it found no service (for insight's unmet
    # words). Named body so retention and `helpline erase` clear it like a text's words.
    body: Mapped[str | None] = mapped_column(Text)

    @property
    def steps(self) -> tuple[str, ...]:
        """The path as a tuple of steps."""
        return tuple(p for p in self.path.split(" > ") if p)

    def reached(self, outcome: str) -> None:
        """Record an outcome unless the call already got further."""
        if outcome not in OUTCOMES:
            raise ValueError(f"unknown call outcome {outcome!r}")
        if self.outcome is None or OUTCOMES.index(outcome) > OUTCOMES.index(self.outcome):
            self.outcome = outcome
