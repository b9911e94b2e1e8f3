"""Families' comments on the Local Offer, for managers: the list newest first, one comment to
tag, answer and publish; and, for any adviser, marking a voicemail as a comment."""

from __future__ import annotations

from typing import Any

from flask import Response, abort, current_app, flash, redirect, request, url_for
from werkzeug.wrappers import Response as Redirect

from helpline.advisers import plain_words
from helpline.console import audit, bp, recordings
from helpline.console.pages import page
from helpline.console.permissions import callback_visible_to, manager_only, staff
from helpline.console.worklist import masked
from helpline.directory.keywords import keywords_from
from helpline.extensions import db
from helpline.families.models import CallbackRequest
from helpline.feedback import comments
from helpline.sms.models import LocalOfferFeedback

RECORDING_SALT = "console-feedback-recording"
# The form's buttons: what saving does to the public page.
PUBLISHING = {"save": None, "publish": True, "unpublish": False}


def _areas() -> list[tuple[str, str]]:
    return [(a.keyword, a.area)
            for a in keywords_from(current_app.config["DATA_DIR"]).areas]


def _comment(feedback_id: int) -> LocalOfferFeedback:
    row = db.session.get(LocalOfferFeedback, feedback_id)
    if row is None:
        abort(404)
    return row


@bp.get("/feedback")
@manager_only
def feedback() -> str:
    """Comments on the Local Offer, newest first."""
    before = request.args.get("before", "")
    rows = comments.newest_first(db.session(), before_id=int(before)
                                 if before.isdecimal() and len(before) < 10 else None)
    comments.listed(db.session(), staff(), rows)
    older = rows[-1].id if len(rows) == comments.PAGE_SIZE else None
    return page("feedback.html", "Feedback", "feedback", rows=rows, older=older,
                status=comments.status, sources=comments.SOURCES, areas=dict(_areas()))


def _form_page(row: LocalOfferFeedback, values: dict[str, Any],
               errors: list[dict[str, str]] | None = None) -> str:
    recording = None
    if row.recording_url:
        token = recordings.link_token(RECORDING_SALT, "f", row.id)
        recording = url_for("console.feedback_recording", feedback_id=row.id, token=token)
    area_items = [{"value": "", "text": "Choose an area", "selected": not values["area"]}] + [
        {"value": keyword, "text": name, "selected": values["area"] == keyword}
        for keyword, name in _areas()]
    return page("feedback_comment.html", f"Comment {row.id}", "feedback", row=row,
                values=values, area_items=area_items, errors=errors or [],
                field_errors={e["href"][1:]: e["text"] for e in errors or []},
                status=comments.status(row), source=comments.SOURCES.get(row.channel, row.channel),
                number=masked(row.phone_number), recording=recording,
                language_name=plain_words.language_name)


@bp.get("/feedback/<int:feedback_id>")
@manager_only
def feedback_comment(feedback_id: int) -> str:
    """One comment: the family's own words (audit-logged) and the council's answer."""
    row = _comment(feedback_id)
    comments.viewed(db.session(), staff(), row)
    values = {"area": row.area or "", "theme": row.theme,
              # The family's words to start from: the manager takes out names before publishing.
              "published_comment": row.published_comment or (row.body or ""),
              "response": row.response, "action_taken": row.action_taken}
    return _form_page(row, values)


@bp.post("/feedback/<int:feedback_id>")
@manager_only
def feedback_save(feedback_id: int) -> Any:
    """Save the tags and the answer; publish it or take it down."""
    row = _comment(feedback_id)
    form = {name: request.form.get(name, "")[:4000] for name in
            ("area", "theme", "published_comment", "response", "action_taken")}
    choice = request.form.get("choice", "save")
    if choice not in PUBLISHING:
        abort(400)
    answer = comments.Answer(area=form["area"] or None, theme=form["theme"],
                             published_comment=form["published_comment"],
                             response=form["response"], action_taken=form["action_taken"])
    found = comments.save(db.session(), row, answer, staff(), {k for k, _ in _areas()},
                          publish=PUBLISHING[choice])
    if found:
        db.session.rollback()
        errors = [{"text": text, "href": f"#{name}"} for name, text in found.items()]
        return _form_page(row, form, errors), 400
    done = {"publish": "Published on the “You said, we did” page.",
            "unpublish": "Taken off the “You said, we did” page."}.get(choice, "Saved.")
    if choice == "publish" and row.answered_at is not None and row.channel == "sms":
        done += " The family is being sent a text to say the council has answered."
    flash(done, "success")
    return redirect(url_for("console.feedback_comment", feedback_id=row.id))


@bp.get("/feedback/<int:feedback_id>/recording/<token>")
@manager_only
def feedback_recording(feedback_id: int, token: str) -> Response:
    """A comment recorded at the phone menu, for this manager only, for 10 minutes."""
    recordings.check_token(RECORDING_SALT, "f", feedback_id, token)
    row = _comment(feedback_id)
    if not row.recording_url:
        abort(404)
    audit.record(db.session(), staff(), "play-feedback", number=row.phone_number,
                 detail=f"feedback {row.id}")
    db.session.commit()
    return recordings.audio(row.recording_url)


@bp.post("/callbacks/<int:callback_id>/feedback")
def mark_feedback(callback_id: int) -> Redirect:
    """An adviser heard a comment on the Local Offer in a voicemail: managers will answer it."""
    row = callback_visible_to(staff(), db.session.get(CallbackRequest, callback_id))
    if not row.recording_url:
        abort(404)
    comments.from_voicemail(db.session(), row.id, row.phone_number, row.language,
                            row.summary, staff())
    flash("Marked as feedback on the Local Offer: a manager will answer it.", "success")
    return redirect(url_for("console.callback", callback_id=callback_id))
