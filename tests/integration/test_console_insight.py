"""The managers' insight and directory health pages: figures as charts and tables, a CSV, and
no way in for an adviser."""

from __future__ import annotations

import re
import uuid
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from helpline.directory import models as m
from helpline.extensions import db
from helpline.sms.models import SmsMessage
from tests.conftest import HELPLINE_NUMBER, TwilioSigner
from tests.console import add_staff, sign_in

PAGES = ("/console/insight", "/console/insight.csv", "/console/directory-health")


def _text(twilio: TwilioSigner, body: str, sender: str = "+447700900101") -> None:
    response = twilio.post("/twilio/sms", {
        "MessageSid": "SM" + uuid.uuid4().hex, "AccountSid": "AC" + "0" * 32, "From": sender,
        "To": HELPLINE_NUMBER, "Body": body, "NumMedia": "0"})
    assert response.status_code == 200


def test_an_adviser_cannot_reach_insight_or_directory_health(app: Flask,
                                                             client: FlaskClient) -> None:
    add_staff(app, "asha@example.org")
    sign_in(client, "asha@example.org")
    for path in PAGES:
        assert client.get(path).status_code == 403, path
    today = client.get("/console/").get_data(as_text=True)
    assert "Insight" not in today and "Directory health" not in today


def test_a_manager_sees_each_figure_as_a_chart_and_a_table_and_can_download_it(
    app: Flask, client: FlaskClient, runner: Any, twilio: TwilioSigner
) -> None:
    assert runner.invoke(args=["seed"]).exit_code == 0
    _text(twilio, "SHORTBREAKS")
    _text(twilio, "horse riding for my son", sender="+447700900102")
    _text(twilio, "STOP", sender="+447700900103")
    add_staff(app, "mo@example.org", role="manager", name="Mo Khan")
    sign_in(client, "mo@example.org")

    answer = client.get("/console/insight?days=7")
    html = answer.get_data(as_text=True)
    assert answer.status_code == 200
    assert 'href="/console/insight"' in html  # in the navigation
    assert html.count('role="img"') == 6 and html.count('<table class="govuk-table"') == 6
    # The chart's stylesheet carries the nonce the page's policy allows; no script in a chart.
    nonce = re.search(r"style-src 'self' 'nonce-([^']+)'",
                      answer.headers["Content-Security-Policy"])
    assert nonce and f'nonce="{nonce.group(1)}"' in html
    assert "<script" not in html.split("<main", 1)[1].split("</main>", 1)[0]
    requests = html.split('id="requests-table"', 1)[1].split("</table>", 1)[0]
    assert re.search(r">Short breaks</th>\s*<td[^>]*>SHORTBREAKS</td>\s*<td[^>]*>1</td>",
                     requests)
    unmet = html.split('id="nothing_found-table"', 1)[1].split("</table>", 1)[0]
    assert re.search(r">riding</th>\s*<td[^>]*>1</td>", unmet)
    opt_outs = html.split('id="opt_outs-table"', 1)[1].split("</table>", 1)[0]
    assert re.search(r">STOP \(opted out\)</th>\s*<td[^>]*>1</td>", opt_outs)
    assert "7700900" not in html

    download = client.get("/console/insight.csv?days=7")
    assert download.status_code == 200 and download.mimetype == "text/csv"
    assert "attachment" in download.headers["Content-Disposition"]
    rows = download.get_data(as_text=True).splitlines()
    assert any(r.startswith("opt_outs,") and r.endswith("STOP (opted out),Number,1") for r in rows)
    assert "7700900" not in download.get_data(as_text=True)

    wrong = client.get("/console/insight?from=2026-11-10&to=2026-11-01")
    assert wrong.status_code == 200
    assert "The end date must be the same as or after the start date" in wrong.get_data(
        as_text=True)


def test_directory_health_names_what_families_cannot_be_told(
    app: Flask, client: FlaskClient, runner: Any, twilio: TwilioSigner
) -> None:
    assert runner.invoke(args=["seed"]).exit_code == 0
    with app.app_context():
        db.session.add(m.Service(
            id=str(uuid.uuid4()), name="The Wyvern Vale Saturday Morning Inclusive Multi-Sport"
            " and Swimming Club for Disabled Children", status="active", source="test"))
        db.session.commit()
    _text(twilio, "SHORTBREAKS")
    with app.app_context():
        found = db.session.scalar(db.select(SmsMessage.service_ids).where(
            SmsMessage.direction == "in"))
        first = db.session.get(m.Service, (found or "").split()[0])
        assert first is not None
        first_name = first.name
    add_staff(app, "mo@example.org", role="manager", name="Mo Khan")
    sign_in(client, "mo@example.org")

    html = client.get("/console/directory-health?days=7").get_data(as_text=True)

    unreachable = html.split('id="unreachable"', 1)[1].split("</table>", 1)[0]
    assert "Saturday Morning Inclusive" in unreachable
    assert "Saturday Morning Inclusive" in html.split('id="no-ages"', 1)[1].split("</table>")[0]
    assert "Saturday Morning Inclusive" in html.split('id="long-names"', 1)[1].split(
        "</table>")[0]
    never = html.split('id="never-returned"', 1)[1].split("</table>", 1)[0]
    assert "Saturday Morning Inclusive" in never and first_name not in never
    assert 'href="/api/oruk/services/' in unreachable
