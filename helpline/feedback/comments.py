"""Families' comments on the Local Offer, as managers work them: newest first, tagged, answered
and published. The family's own words stay private; only the manager's wording is published."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from helpline.console import audit
from helpline.console.models import StaffUser
from helpline.directory.models import utcnow
from helpline.feedback.wording import MAX_THEME_CHARACTERS, publish_problems
from helpline.sms.models import LocalOfferFeedback

PAGE_SIZE = 50
SOURCES = {"sms": "Text message", "voicemail": "Voicemail", "phone": "Phone menu"}


@dataclass(frozen=True)
class Answer:
    """What a manager writes about a comment: its tags, the wording to publish and the answer."""

    area: str | None
    theme: str
    published_comment: str
    response: str
    action_taken: str


def newest_first(session: Session, *, limit: int = PAGE_SIZE,
                 before_id: int | None = None) -> list[LocalOfferFeedback]:
    """Comments, newest first (older pages with `before_id`)."""
    query = select(LocalOfferFeedback).order_by(LocalOfferFeedback.id.desc()).limit(limit)
    if before_id is not None:
        query = query.where(LocalOfferFeedback.id < before_id)
    return list(session.scalars(query))


def status(row: LocalOfferFeedback) -> str:
    """Where a comment is, in a manager's words."""
    if row.published_at is not None:
        return "Published"
    if row.response.strip():
        return "Answered, not published"
    return "New"


def problems(answer: Answer, areas: set[str], *, publishing: bool) -> dict[str, str]:
    """What is wrong with an answer, by form field; published wording is held to the public
    page's rules (filled in, never a phone number) whenever it is or will be public."""
    found: dict[str, str] = {}
    if answer.area is not None and answer.area not in areas:
        found["area"] = "Choose a Local Offer area from the list"
    if len(answer.theme) > MAX_THEME_CHARACTERS:
        found["theme"] = f"Shorten the theme to {MAX_THEME_CHARACTERS} characters or fewer"
    if publishing:
        if answer.area is None:
            found["area"] = "Choose the Local Offer area the comment is about"
        found.update(publish_problems(answer.published_comment, answer.response,
                                      answer.action_taken))
    return found


def save(session: Session, row: LocalOfferFeedback, answer: Answer, user: StaffUser,
         areas: set[str], *, publish: bool | None = None) -> dict[str, str]:
    """Store the manager's answer; publish (True), take down (False) or leave it (None).

    Nothing is stored when there is a problem (returned by field). A published comment stays
    held to the publishing rules. Commits.
    """
    public = publish if publish is not None else row.published_at is not None
    found = problems(answer, areas, publishing=public)
    if found:
        return found
    now = utcnow()
    row.area = answer.area
    row.theme = answer.theme.strip()
    row.published_comment = answer.published_comment.strip()
    row.response = answer.response.strip()
    row.action_taken = answer.action_taken.strip()
    row.updated_at = now
    action = "answer-feedback"
    if publish is True and row.published_at is None:
        row.published_at = now
        action = "publish-feedback"
    elif publish is False and row.published_at is not None:
        row.published_at = None
        action = "unpublish-feedback"
    audit.record(session, user, action, callback_id=row.callback_id, number=row.phone_number,
                 detail=f"feedback {row.id}")
    if row.published_at is not None and row.answered_at is None:
        from helpline.feedback.family_text import tell_family

        if tell_family(session, row):
            row.answered_at = now
    session.commit()
    return {}


def for_callback(session: Session, callback_id: int) -> int | None:
    """The comment a callback's voicemail was marked as, if it was."""
    return session.scalar(select(LocalOfferFeedback.id)
                          .where(LocalOfferFeedback.message_sid == f"voicemail:{callback_id}"))


def viewed(session: Session, user: StaffUser, row: LocalOfferFeedback) -> None:
    """Record that a manager saw a family's own words (personal data). Commits."""
    audit.record(session, user, "view-feedback", callback_id=row.callback_id,
                 number=row.phone_number, detail=f"feedback {row.id}")
    session.commit()


def listed(session: Session, user: StaffUser, rows: list[LocalOfferFeedback]) -> None:
    """Record that a manager saw the start of these comments in the list. Commits."""
    if rows:
        audit.record(session, user, "view-feedback-list",
                     detail="feedback " + ", ".join(str(r.id) for r in rows))
        session.commit()


def from_voicemail(session: Session, callback_id: int, phone_number: str | None,
                   language: str, summary: str, user: StaffUser) -> LocalOfferFeedback:
    """A voicemail an adviser marked as a comment on the Local Offer (once per voicemail);
    the recording stays with its callback. Commits."""
    cause = f"voicemail:{callback_id}"
    row = session.scalar(select(LocalOfferFeedback)
                         .where(LocalOfferFeedback.message_sid == cause))
    if row is None:
        row = LocalOfferFeedback(channel="voicemail", message_sid=cause, callback_id=callback_id,
                                 phone_number=phone_number, language=language, body=summary)
        session.add(row)
        session.flush()
        audit.record(session, user, "mark-feedback", callback_id=callback_id,
                     number=phone_number, detail=f"feedback {row.id}")
        session.commit()
    return row


def from_phone_menu(session: Session, *, cause: str, phone_number: str | None,
                    language: str, recording_url: str | None = None,
                    words: str = "", at: datetime | None = None) -> LocalOfferFeedback:
    """A comment left at the phone menu (recorded, or said and heard as words); once per
    recording (`cause`, its RecordingSid). The caller commits."""
    cause = f"phone:{cause}"[:64]
    row = session.scalar(select(LocalOfferFeedback)
                         .where(LocalOfferFeedback.message_sid == cause))
    if row is None:
        row = LocalOfferFeedback(channel="phone", message_sid=cause, phone_number=phone_number,
                                 language=language, body=words or None,
                                 recording_url=recording_url, created_at=at or utcnow())
        session.add(row)
    elif recording_url and not row.recording_url:
        row.recording_url = recording_url
    return row
