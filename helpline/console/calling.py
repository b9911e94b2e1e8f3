"""Working a callback: claim, ring the family through the adviser's phone, record, close.

"Call the family" rings the adviser's own phone through the outbound gateway; when they answer
and press a key (/twilio/console/connect), the family is rung from the helpline's number and both
meet in a conference. The family never sees the adviser's number. The claim, attempt and expiry
rules are helpline.families.callbacks'.
"""

from __future__ import annotations

from urllib.parse import urlencode

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from helpline.advisers.models import Adviser
from helpline.console import audit
from helpline.console.models import StaffUser
from helpline.directory.models import utcnow
from helpline.families import callbacks
from helpline.families.models import ATTEMPT_OUTCOMES, CallbackAttempt, CallbackRequest

ADVISER_RING_SECONDS = 30
FAMILY_RING_SECONDS = 30


class CannotCall(ValueError):
    """The call can't be made; the message says why in words for the adviser."""


def _url(path: str, **params: object) -> str:
    return f"{current_app.config['PUBLIC_BASE_URL']}{path}?{urlencode(params)}"


def claim(session: Session, callback: CallbackRequest, user: StaffUser) -> None:
    """The adviser takes the callback (open and unclaimed, or already theirs); commits."""
    if user.adviser_id is None:
        raise CannotCall("Your account is not on the rota, so it can't take callbacks")
    if callback.claimed_by not in (None, user.adviser_id):
        raise CannotCall("Another adviser has already taken this callback")
    callbacks.claim(session, callback.id, user.adviser_id)
    audit.record(session, user, "claim", callback_id=callback.id, number=callback.phone_number)
    session.commit()


def call_family(session: Session, callback: CallbackRequest, user: StaffUser) -> CallbackAttempt:
    """Ring the adviser's phone for this callback; commits the attempt it starts."""
    from helpline.outbound.gateway import OutboundError, start_call

    adviser = session.get(Adviser, user.adviser_id) if user.adviser_id else None
    if adviser is None or callback.claimed_by != adviser.id:
        raise CannotCall("Take this callback before you call the family")
    if callback.status not in callbacks.OPEN_STATUSES:
        raise CannotCall(f"This callback is {callback.status}")
    if not callback.phone_number:
        raise CannotCall("The family’s number was withheld or has been erased")
    attempt = CallbackAttempt(callback_id=callback.id, adviser_id=adviser.id,
                              phone_number=callback.phone_number)
    session.add(attempt)
    audit.record(session, user, "call-family", callback_id=callback.id,
                 number=callback.phone_number)
    session.commit()
    try:
        attempt.adviser_call_sid = start_call(
            adviser.mobile,
            url=_url("/twilio/console/adviser-answers", attempt=attempt.id),
            ring_seconds=ADVISER_RING_SECONDS,
        )
    except OutboundError as exc:
        session.delete(attempt)
        session.commit()
        raise CannotCall("We could not ring your phone. Try again in a minute.") from exc
    session.commit()
    return attempt


def ring_family(session: Session, attempt_id: int, adviser_call_sid: str) -> str | None:
    """The adviser answered and pressed a key: ring the family from the helpline's number.

    Returns the conference both meet in, or None when this is not that adviser's call or the
    family's phone could not be rung.
    """
    from helpline.outbound.gateway import OutboundError, start_call

    attempt = session.get(CallbackAttempt, attempt_id)
    if attempt is None or attempt.adviser_call_sid != adviser_call_sid or attempt.outcome:
        return None
    if not attempt.phone_number:
        return None
    if attempt.family_call_sid:
        return conference_name(attempt)  # a repeated key press: the family is already rung
    try:
        attempt.family_call_sid = start_call(
            attempt.phone_number,
            url=_url("/twilio/console/family-joins", attempt=attempt.id),
            ring_seconds=FAMILY_RING_SECONDS,
        )
    except OutboundError:
        return None
    attempt.updated_at = utcnow()
    session.commit()
    return conference_name(attempt)


def conference_name(attempt: CallbackAttempt) -> str:
    """Where the adviser and the family meet."""
    return f"helpline-callback-{attempt.callback_id}-{attempt.id}"


def record_outcome(
    session: Session, callback: CallbackRequest, user: StaffUser, outcome: str, note: str
) -> CallbackAttempt:
    """Record how a call went (on the call just made, or a new one); commits.

    Reached closes the callback; anything else counts as an unanswered attempt, and the third
    one expires it and texts the family (callbacks.record_attempt's rules).
    """
    if outcome not in ATTEMPT_OUTCOMES:
        raise CannotCall("Choose what happened")
    if callback.claimed_by is None or callback.claimed_by != user.adviser_id:
        raise CannotCall("Take this callback before you record a call")
    attempt = session.scalars(
        select(CallbackAttempt).where(CallbackAttempt.callback_id == callback.id,
                                      CallbackAttempt.adviser_id == user.adviser_id,
                                      CallbackAttempt.outcome.is_(None))
        .order_by(CallbackAttempt.id.desc())
    ).first()
    if attempt is None:
        attempt = CallbackAttempt(callback_id=callback.id, adviser_id=user.adviser_id,
                                  phone_number=callback.phone_number)
        session.add(attempt)
    attempt.outcome, attempt.body, attempt.updated_at = outcome, note.strip()[:2000], utcnow()
    callbacks.record_attempt(session, callback.id, reached=outcome == "reached")
    audit.record(session, user, "record-attempt", callback_id=callback.id,
                 number=callback.phone_number, detail=outcome)
    session.commit()
    return attempt


def close(session: Session, callback: CallbackRequest, user: StaffUser) -> None:
    """Mark the callback done; commits."""
    if callback.claimed_by is None or callback.claimed_by != user.adviser_id:
        raise CannotCall("Take this callback before you close it")
    callbacks.mark_done(session, callback.id)
    audit.record(session, user, "done", callback_id=callback.id, number=callback.phone_number)
    session.commit()
