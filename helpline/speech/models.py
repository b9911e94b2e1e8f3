"""Rendered prompts in the database, where every web and worker process can read them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from helpline.directory.models import utcnow
from helpline.extensions import db


class AudioClip(db.Model):  # type: ignore[name-defined,misc]
    """One rendered prompt: MP3 bytes by language and name (the hash of engine, language, text)."""

    __tablename__ = "audio_clip"
    language: Mapped[str] = mapped_column(String(16), primary_key=True)
    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    engine: Mapped[str] = mapped_column(String(16))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    sha256: Mapped[str] = mapped_column(String(64))  # the ETag it is served with
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
