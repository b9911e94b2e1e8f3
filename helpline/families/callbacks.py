"""Callback requests: created by any channel, worked by advisers, at most once per cause."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from helpline.families.models import CallbackRequest


def request_callback(
    session: Session,
    *,
    cause: str,
    phone_number: str | None,
    channel: str,
    summary: str,
    language: str = "en",
    recording_url: str | None = None,
) -> tuple[CallbackRequest, bool]:
    """The callback request for this cause, and whether it was created now (not a repeat).

    The caller commits, in the same transaction as anything else the event caused.
    """
    existing = session.scalar(select(CallbackRequest).where(CallbackRequest.cause == cause))
    if existing is not None:
        return existing, False
    row = CallbackRequest(
        cause=cause[:128],
        phone_number=phone_number,
        channel=channel,
        summary=summary[:4000],
        language=language,
        recording_url=recording_url,
    )
    session.add(row)
    session.flush()
    return row, True
