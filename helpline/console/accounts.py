"""Staff accounts: argon2 passwords, first-password links, sign-in with lockout."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from helpline.console.models import ROLES, StaffUser
from helpline.directory.models import utcnow

MAX_FAILED_SIGN_INS = 5
LOCKOUT = timedelta(minutes=15)
PASSWORD_LINK_VALID = timedelta(hours=72)
MIN_PASSWORD_LENGTH = 12

_hasher = PasswordHasher()
# Checked when the email is unknown, so a wrong email takes as long as a wrong password.
_DUMMY_HASH = _hasher.hash(secrets.token_hex(16))


class AccountError(ValueError):
    """A request about an account that can't be carried out; the message is safe to show."""


@dataclass(frozen=True)
class SignIn:
    """What came of a sign-in: the user, or why not (the same words for any wrong detail)."""

    user: StaffUser | None
    locked: bool = False


def normal_email(email: str) -> str:
    """An email address as accounts are keyed: trimmed and lower case."""
    return email.strip().lower()


def find(session: Session, email: str) -> StaffUser | None:
    """The account with this email, if any."""
    return session.scalar(select(StaffUser).where(StaffUser.email == normal_email(email)))


def create_account(
    session: Session, *, email: str, name: str, role: str, adviser_id: int | None = None
) -> tuple[StaffUser, str]:
    """A new account with no password yet, and the token for its first-password link."""
    address = normal_email(email)
    if "@" not in address or len(address) > 254 or " " in address:
        raise AccountError(f"{email!r} is not an email address")
    if role not in ROLES:
        raise AccountError(f"the role must be one of {', '.join(ROLES)}")
    if find(session, address) is not None:
        raise AccountError(f"there is already an account for {address}")
    user = StaffUser(email=address, name=name.strip()[:80], role=role, adviser_id=adviser_id)
    session.add(user)
    session.flush()
    return user, issue_password_token(user)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_password_token(user: StaffUser, now: datetime | None = None) -> str:
    """A new one-time token for choosing a password (any earlier one stops working)."""
    token = secrets.token_urlsafe(32)
    user.password_token_hash = _digest(token)
    user.password_token_expires = (now or utcnow()) + PASSWORD_LINK_VALID
    return token


def user_for_token(session: Session, token: str, now: datetime | None = None) -> StaffUser | None:
    """The active account a password link is for, while the link is valid."""
    if not token or len(token) > 100:
        return None
    user = session.scalar(
        select(StaffUser).where(StaffUser.password_token_hash == _digest(token))
    )
    if user is None or not user.active or user.password_token_expires is None:
        return None
    return user if _aware(user.password_token_expires) > (now or utcnow()) else None


def password_problem(password: str, user: StaffUser) -> str | None:
    """Why a new password can't be used, in words for the form; None when it can."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"Your password must be at least {MIN_PASSWORD_LENGTH} characters long"
    if len(password) > 200:
        return "Your password must be 200 characters or fewer"
    if password.strip().lower() in (user.email, user.email.split("@")[0]):
        return "Your password must not be your email address"
    return None


def set_password(user: StaffUser, password: str) -> None:
    """Hash and keep a new password; the link is used up, lockout cleared, old sessions ended."""
    problem = password_problem(password, user)
    if problem:
        raise AccountError(problem)
    user.password_hash = _hasher.hash(password)
    user.password_token_hash = user.password_token_expires = None
    user.failed_sign_ins, user.locked_until = 0, None
    user.session_version = (user.session_version or 1) + 1


def sign_in(session: Session, email: str, password: str, now: datetime | None = None) -> SignIn:
    """Check an email and password; counts failures and locks the account after too many."""
    now = now or utcnow()
    user = find(session, email) if email.strip() else None
    if user is None or not user.active or not user.password_hash:
        _verify(_DUMMY_HASH, password)
        return SignIn(None)
    if user.locked_until is not None and _aware(user.locked_until) > now:
        return SignIn(None, locked=True)
    if not _verify(user.password_hash, password):
        user.failed_sign_ins = (user.failed_sign_ins or 0) + 1
        if user.failed_sign_ins >= MAX_FAILED_SIGN_INS:
            user.locked_until, user.failed_sign_ins = now + LOCKOUT, 0
            return SignIn(None, locked=True)
        return SignIn(None)
    user.failed_sign_ins, user.locked_until, user.last_sign_in_at = 0, None, now
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    return SignIn(user)


def _verify(password_hash: str, password: str) -> bool:
    try:
        return bool(_hasher.verify(password_hash, password))
    except (VerificationError, InvalidHashError):
        return False


def count(session: Session) -> int:
    """How many staff accounts there are."""
    return int(session.scalar(select(func.count()).select_from(StaffUser)) or 0)


def _aware(moment: datetime) -> datetime:
    # SQLite gives back naive datetimes; every time the helpline writes is UTC.
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
