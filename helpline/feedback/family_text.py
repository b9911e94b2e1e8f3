"""The text a family gets when the council has answered the comment they texted: in their
language, through the outbox (so an opted-out or withheld number gets nothing), once."""

from __future__ import annotations

from flask import current_app, url_for
from sqlalchemy.orm import Session

from helpline.sms.models import LocalOfferFeedback


def public_page_address(language: str = "en") -> str:
    """The "You said, we did" page's full address in a family's language, to open from a text."""
    base = current_app.config.get("PUBLIC_BASE_URL", "").rstrip("/")
    # English is the page's own language: its address needs no ?lang=.
    return base + url_for("you_said_we_did.page", lang=None if language == "en" else language)


def tell_family(session: Session, row: LocalOfferFeedback) -> bool:
    """Queue the "answered" text for a comment left by text; False when none can go (a comment
    by phone, or a number that is erased, withheld or opted out). The caller commits."""
    from helpline.outbound.outbox import queue_text
    from helpline.sms.templates import templates_from

    if row.channel != "sms" or not row.phone_number:
        return False
    wording = templates_from(current_app.config["SMS_TEMPLATES_DIR"]).get(row.language)
    body = wording.render("feedback_answered", page=public_page_address(wording.language))
    queued = queue_text(session, to=row.phone_number, body=body,
                        cause=f"feedback-{row.id}-answered", purpose="feedback-answered",
                        language=wording.language)
    return queued is not None
