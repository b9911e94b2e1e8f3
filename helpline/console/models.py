"""Staff accounts (advisers and managers who sign in to the console) and the audit log."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from helpline.directory.models import utcnow
from helpline.extensions import db

ROLES = ("adviser", "manager")


class StaffUser(db.Model):  # type: ignore[name-defined,misc]
    """Someone who signs in to the console: an adviser (linked to their rota entry) or a manager.

    Staff data, not a family's: the retention job leaves it alone.
    """

    __tablename__ = "staff_user"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(80))
    role: Mapped[str] = mapped_column(String(16), default="adviser")
    # The rota entry whose phone "Call the family" rings, and whose claims are theirs.
    adviser_id: Mapped[int | None] = mapped_column(
        ForeignKey("adviser.id", ondelete="SET NULL"), index=True
    )
    password_hash: Mapped[str | None] = mapped_column(String(255))
    # A first-password (or reset) link: only its SHA-256 is kept, and it expires.
    password_token_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    password_token_expires: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    failed_sign_ins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Part of the session's id: a new password ends every session signed in with the old one.
    session_version: Mapped[int] = mapped_column(Integer, default=1)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_sign_in_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    @property
    def is_manager(self) -> bool:
        """Managers see every callback and reach the rota and the audit log."""
        return self.role == "manager"

    # Flask-Login's interface.
    is_authenticated = True
    is_anonymous = False

    @property
    def is_active(self) -> bool:
        """A deactivated account can't sign in, and its sessions end."""
        return bool(self.active)

    def get_id(self) -> str:
        """The session's id for this account: changes with every new password."""
        return f"{self.id}.{self.session_version}"


class AuditEntry(db.Model):  # type: ignore[name-defined,misc]
    """Who did what, when: every view of a family's record and every action in the console.

    Kept for AUDIT_RETENTION_DAYS, not RETENTION_DAYS (so its number column is not named
    phone_number, which the general retention sweep clears); `helpline erase NUMBER` clears
    subject_number too.
    """

    __tablename__ = "audit_entry"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, index=True
    )
    # No foreign key: the log outlives a staff account that is removed.
    staff_user_id: Mapped[int | None] = mapped_column(Integer, index=True)
    staff_email: Mapped[str] = mapped_column(String(254), default="")
    action: Mapped[str] = mapped_column(String(40), index=True)
    callback_id: Mapped[int | None] = mapped_column(Integer, index=True)
    subject_number: Mapped[str | None] = mapped_column(String(32), index=True)
    detail: Mapped[str] = mapped_column(Text, default="")
