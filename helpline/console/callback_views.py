"""Callback pages: the worklist, one family's record, and working it (claim, call, record,
text, close). Each view checks who may see the callback before anything else."""

from __future__ import annotations

from typing import Any

from flask import Response, abort, flash, redirect, request, url_for
from werkzeug.wrappers import Response as Redirect

from helpline.advisers import plain_words
from helpline.console import audit, bp, calling, recordings, texts, worklist
from helpline.console.pages import page
from helpline.console.permissions import callback_visible_to, is_working, staff
from helpline.extensions import db
from helpline.families.callbacks import OPEN_STATUSES
from helpline.families.models import ATTEMPT_OUTCOMES, CallbackRequest
from helpline.feedback import comments

VOICEMAIL_SALT = "console-voicemail"
OUTCOME_WORDS = {
    "reached": "Reached the family",
    "no-answer": "No answer",
    "wrong-number": "Wrong number",
    "message-left": "Left a message",
}


def _callback(callback_id: int) -> CallbackRequest:
    return callback_visible_to(staff(), db.session.get(CallbackRequest, callback_id))


def voicemail_token(callback: CallbackRequest) -> str:
    """A link to this callback's recording for the signed-in adviser, valid for 10 minutes."""
    return recordings.link_token(VOICEMAIL_SALT, "c", callback.id)


@bp.get("/callbacks")
def callbacks() -> str:
    """Open callbacks this account may see, oldest first, numbers masked."""
    rows = worklist.visible_open_callbacks(db.session(), staff())
    return page("callbacks.html", "Callbacks", "callbacks", callbacks=rows,
                due_words=worklist.due_words, masked=worklist.masked,
                names=worklist.adviser_names(db.session()),
                language_name=plain_words.language_name)


@bp.get("/callbacks/<int:callback_id>")
def callback(callback_id: int) -> str:
    """One family's callback: what they asked, their history, and what can be done."""
    user = staff()
    row = _callback(callback_id)
    working = is_working(user, row)
    record = worklist.family_record(db.session(), row)
    audit.record(db.session(), user, "view-callback", callback_id=row.id,
                 number=row.phone_number)
    db.session.commit()
    return page(
        "callback.html", f"Callback {row.id}", "callbacks", callback=row, record=record,
        working=working, is_open=row.status in OPEN_STATUSES,
        number=row.phone_number if working else worklist.masked(row.phone_number),
        due=worklist.due(row), due_words=worklist.due_words(row),
        names=worklist.adviser_names(db.session()), outcomes=OUTCOME_WORDS,
        language_name=plain_words.language_name, call_words=worklist.call_words,
        asked=worklist.asked(row),
        voicemail=url_for("console.voicemail", callback_id=row.id, token=voicemail_token(row))
        if row.recording_url else None,
        masked=worklist.masked, feedback_id=comments.for_callback(db.session(), row.id),
    )


def _act(callback_id: int, action: Any, done: str) -> Redirect:
    row = _callback(callback_id)
    try:
        action(row)
    except (calling.CannotCall, ValueError) as exc:
        db.session.rollback()
        flash(str(exc) if isinstance(exc, calling.CannotCall) else
              "This callback can’t be changed now: it may have been closed.", "error")
    else:
        flash(done, "success")
    return redirect(url_for("console.callback", callback_id=callback_id))


@bp.post("/callbacks/<int:callback_id>/claim")
def claim(callback_id: int) -> Redirect:
    """Take the callback: it is then this adviser's alone."""
    return _act(callback_id, lambda row: calling.claim(db.session(), row, staff()),
                "You have taken this callback.")


@bp.post("/callbacks/<int:callback_id>/call")
def call_family(callback_id: int) -> Redirect:
    """Ring the adviser's phone; answering it rings the family from the helpline's number."""
    return _act(callback_id, lambda row: calling.call_family(db.session(), row, staff()),
                "We are ringing your phone. Answer it and press any key to ring the family.")


@bp.post("/callbacks/<int:callback_id>/attempt")
def record_attempt(callback_id: int) -> Any:
    """Record what happened on a call, with a note."""
    outcome = request.form.get("outcome", "")
    if outcome not in ATTEMPT_OUTCOMES:
        flash("Choose what happened on the call.", "error")
        return redirect(url_for("console.callback", callback_id=callback_id) + "#outcome")
    note = request.form.get("note", "")[:2000]
    words = "Saved. The family was reached and this callback is closed." if outcome == "reached" \
        else f"Saved: {OUTCOME_WORDS[outcome].lower()}."
    return _act(callback_id,
                lambda row: calling.record_outcome(db.session(), row, staff(), outcome, note),
                words)


@bp.post("/callbacks/<int:callback_id>/done")
def done(callback_id: int) -> Redirect:
    """Close the callback: the family has been helped."""
    return _act(callback_id, lambda row: calling.close(db.session(), row, staff()),
                "This callback is closed.")


@bp.get("/callbacks/<int:callback_id>/text")
def text_form(callback_id: int) -> Any:
    """Choose an approved text for the family."""
    row = _callback(callback_id)
    if not is_working(staff(), row):
        abort(403)
    return page("text.html", "Text the family", "callbacks", callback=row,
                texts=texts.approved(), language_name=plain_words.language_name,
                number=row.phone_number)


@bp.post("/callbacks/<int:callback_id>/text")
def text_send(callback_id: int) -> Any:
    """Send the chosen approved text through the outbox."""
    row = _callback(callback_id)
    if not is_working(staff(), row):
        abort(403)
    key = request.form.get("text", "")
    if key not in {t.key for t in texts.approved()}:
        return page("text.html", "Text the family", "callbacks", callback=row,
                    texts=texts.approved(), language_name=plain_words.language_name,
                    number=row.phone_number,
                    errors=[{"text": "Choose a text to send", "href": "#text"}]), 400
    if texts.send(db.session(), row, staff(), key):
        flash("The text is on its way to the family.", "success")
    else:
        flash("We can’t text this family: they have asked for no texts, or their number is"
              " withheld.", "error")
    return redirect(url_for("console.callback", callback_id=callback_id))


@bp.get("/callbacks/<int:callback_id>/voicemail/<token>")
def voicemail(callback_id: int, token: str) -> Response:
    """The family's recorded message, for this adviser only, for 10 minutes."""
    recordings.check_token(VOICEMAIL_SALT, "c", callback_id, token)
    row = _callback(callback_id)
    if not row.recording_url:
        abort(404)
    audit.record(db.session(), staff(), "play-voicemail", callback_id=row.id,
                 number=row.phone_number)
    db.session.commit()
    return recordings.audio(row.recording_url)
