"""The simulator: the helpline tried without a phone, through its real webhooks.

`/simulator` (a phone on a page) and `helpline simulate` (the terminal) post signed requests to
/twilio/sms and /twilio/voice and follow the TwiML as Twilio does. The page answers only in demo
and development (HELPLINE_MODE); there, edited data files also show on the next request.
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """The simulator's page, `helpline simulate`, `helpline demo`, and live data-file reloads."""
    from helpline.demo import is_trial
    from helpline.simulator import commands, reload, views

    app.register_blueprint(views.bp)
    app.cli.add_command(commands.simulate)
    app.cli.add_command(commands.demo_command)
    if is_trial(app):
        app.before_request(reload.reload_changed_data)
