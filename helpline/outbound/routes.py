"""POST /twilio/outbound/status: Twilio's status callback for texts we sent."""

from __future__ import annotations

from flask import Blueprint, Flask, Response, request

from helpline.extensions import db, once_more_if_connection_lost
from helpline.outbound.outbox import record_status
from helpline.twilio_webhooks import twilio_request

bp = Blueprint("outbound", __name__)


@bp.post("/twilio/outbound/status")
@twilio_request
def message_status() -> Response:
    """Record a text's final status; unknown ids still get 200 so Twilio never retries."""
    sid, status = request.form.get("MessageSid", ""), request.form.get("MessageStatus", "")
    outbox = request.args.get("outbox", "")
    outbox_id = int(outbox) if outbox.isdecimal() and len(outbox) < 12 else None
    if sid and status:
        session = db.session()
        once_more_if_connection_lost(
            lambda: record_status(session, sid, status, request.form.get("ErrorCode"),
                                  outbox_id), session
        )
    return Response("", status=200)


def init_app(app: Flask) -> None:
    """Register the status callback."""
    app.register_blueprint(bp)
