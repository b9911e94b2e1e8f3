"""Families' comments on the Local Offer and the council's answers: managers answer and publish
them in the console (helpline.console.feedback_views); the public reads them on the "You said,
we did" page (helpline.feedback.public), as the SEND Regulations 2014 (reg. 56) ask."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the public "You said, we did" page, its CSV and JSON, and its words' check."""
    from helpline.checks import register_check
    from helpline.feedback import page_words, public

    app.register_blueprint(public.bp)
    register_check("you said, we did", page_words.check)
