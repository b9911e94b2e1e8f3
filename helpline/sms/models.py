"""What the text channel keeps: conversations, the message log and feedback.

Columns named phone_number and body hold personal data; the retention job erases them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from helpline.directory.models import utcnow
from helpline.extensions import db


class SmsConversation(db.Model):  # type: ignore[name-defined,misc]
    """One number's dialogue: its language (kept) and its last list (expires after 30 minutes)."""

    __tablename__ = "sms_conversation"
    phone_number: Mapped[str] = mapped_column(String(32), primary_key=True)
    language: Mapped[str] = mapped_column(String(8), default="en")
    state: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, index=True
    )
    # Each write names the version it read: two texts at once can't undo each other.
    version: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    # Texts from this number in the clock hour counted_hour (hours since 1970): past
    # LIMIT_SMS_REPLIES_PER_HOUR they get one notice, then no reply until the next hour.
    counted_hour: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    texts_this_hour: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))


_SENT = "message_sid IS NOT NULL"
_REPLY = "replying_to IS NOT NULL"


class SmsMessage(db.Model):  # type: ignore[name-defined,misc]
    """Every text in and out, with what it matched: the council's view of unmet needs."""

    __tablename__ = "sms_message"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    direction: Mapped[str] = mapped_column(String(8))  # "in" or "out"
    message_sid: Mapped[str | None] = mapped_column(String(64))
    phone_number: Mapped[str | None] = mapped_column(String(32), index=True)
    body: Mapped[str | None] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(8), default="en")
    # What the text was taken as: keyword, process, details, more, menu, no_match, callback, ...
    # Not indexed: the insight pages read them for a period (created_at's index), never look
    # a text up by them, and each index is written again for every row a text logs.
    intent: Mapped[str] = mapped_column(String(32), default="")
    keyword: Mapped[str | None] = mapped_column(String(32))
    area: Mapped[str | None] = mapped_column(Text)
    result_count: Mapped[int | None] = mapped_column(Integer)
    segments: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, index=True
    )
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # On a reply: the MessageSid of the text it answers, so a redelivery gets the same replies.
    replying_to: Mapped[str | None] = mapped_column(String(64))
    # On an inbound search: the ids of the services it found, space-separated, so directory
    # health can name services no search returns. Kept on the row the text writes anyway, so
    # recording it costs the text no extra statement.
    service_ids: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (
        # One inbound row per MessageSid: the insert that logs a text is also its dedupe.
        Index("uq_sms_message_inbound_sid", "message_sid", unique=True,
              sqlite_where=text("direction = 'in'"), postgresql_where=text("direction = 'in'")),
        # Partial, so the rows a text logs write no entry they will never be found by: a reply
        # gets its MessageSid only when its first status callback (which looks it up) arrives,
        # and a text in replies to nothing. "IS NOT NULL" because a look-up's "= :sid" implies
        # it, for SQLite's planner too (it can't match a bound parameter to a constant).
        Index("ix_sms_message_message_sid", "message_sid",
              sqlite_where=text(_SENT), postgresql_where=text(_SENT)),
        Index("ix_sms_message_replying_to", "replying_to",
              sqlite_where=text(_REPLY), postgresql_where=text(_REPLY)),
    )


class LocalOfferFeedback(db.Model):  # type: ignore[name-defined,misc]
    """A family's comment on the Local Offer; the council publishes comments with its response.

    The family's own words (body, recording_url) and number are personal data, seen only by
    managers and erased by the retention job. What is published is the manager's wording
    (published_comment), with names of children, schools and staff taken out, beside the
    council's response and the action it takes (SEND Regulations 2014, reg. 56).
    """

    __tablename__ = "local_offer_feedback"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel: Mapped[str] = mapped_column(String(16), default="sms")  # sms, voicemail, phone
    # What caused it (a MessageSid, a CallSid): a repeated webhook stores it once.
    message_sid: Mapped[str | None] = mapped_column(String(64), unique=True)
    phone_number: Mapped[str | None] = mapped_column(String(32), index=True)
    body: Mapped[str | None] = mapped_column(Text)
    recording_url: Mapped[str | None] = mapped_column(Text)
    # A voicemail an adviser marked as feedback: its callback holds the recording.
    callback_id: Mapped[int | None] = mapped_column(Integer, index=True)
    language: Mapped[str] = mapped_column(String(8), default="en")
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, index=True
    )
    # The manager's side: a Local Offer area (a keyword of data/keywords.yaml) and a theme.
    area: Mapped[str | None] = mapped_column(String(32), index=True)
    theme: Mapped[str] = mapped_column(String(80), default="", server_default="")
    published_comment: Mapped[str] = mapped_column(Text, default="", server_default="")
    response: Mapped[str] = mapped_column(Text, default="", server_default="")
    action_taken: Mapped[str] = mapped_column(Text, default="", server_default="")
    published_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)
    # When the family was texted that the council answered: once, however often it is edited.
    answered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
