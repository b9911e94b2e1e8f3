"""Hostile requests get 403, 400, 404, 413 or a safe TwiML answer: never a 500, never a trace."""

from __future__ import annotations

import time
import xml.etree.ElementTree as ET
from typing import Any
from urllib.parse import urlencode

import pytest
from flask import Flask
from sqlalchemy import func, select

from helpline.extensions import db
from helpline.sms.models import SmsMessage
from helpline.voice.models import CallLog
from tests.conftest import PUBLIC_BASE_URL, TwilioSigner

CALL_SID = "CA" + "1" * 32
SMS = {"MessageSid": "SM" + "1" * 32, "From": "+447700900123", "To": "+447700900000",
       "Body": "SHORTBREAKS"}
CALL = {"CallSid": CALL_SID, "From": "+447700900123", "To": "+447700900000",
        "CallStatus": "ringing", "AccountSid": "AC" + "0" * 32}


def twilio_routes(app: Flask) -> list[str]:
    """Every POST webhook Twilio calls."""
    return sorted({str(rule.rule) for rule in app.url_map.iter_rules()
                   if rule.rule.startswith("/twilio/") and "POST" in (rule.methods or ())})


def rows(app: Flask, model: Any) -> int:
    with app.app_context():
        return int(db.session.scalar(select(func.count()).select_from(model)) or 0)


def assert_safe(response: Any) -> None:
    """Not a server error, no trace, and TwiML (if any) that parses."""
    assert response.status_code < 500, response.get_data(as_text=True)[:300]
    text = response.get_data(as_text=True)
    assert "Traceback" not in text
    if response.mimetype == "text/xml" and text:
        ET.fromstring(text)


def test_every_webhook_is_listed(app: Flask) -> None:
    assert len(twilio_routes(app)) >= 12


@pytest.mark.parametrize("query", ["bodySHA256=", "bodySHA256", "bodySHA256=abc",
                                   "bodySHA256=&bodySHA256=x", "bodySHA256=%00"])
def test_a_forged_signature_with_a_body_hash_is_refused_everywhere(
    app: Flask, query: str
) -> None:
    client = app.test_client()
    for path in twilio_routes(app):
        for body, kind in ((urlencode(SMS), "application/x-www-form-urlencoded"),
                           ('{"Body": "x"}', "application/json"), ("", "text/plain")):
            response = client.post(f"{path}?{query}", data=body, content_type=kind,
                                   headers={"X-Twilio-Signature": "bm90IGEgc2lnbmF0dXJl"})
            # A NUL anywhere in a URL is 400 before the signature is looked at.
            assert response.status_code == (400 if "%00" in query else 403), (path, query, kind)
            assert_safe(response)
    assert rows(app, SmsMessage) == 0 and rows(app, CallLog) == 0


def test_odd_signature_headers_are_refused(app: Flask) -> None:
    client = app.test_client()
    for headers in ({"X-Twilio-Signature": "\x00"}, {"X-Twilio-Signature": "é" * 40},
                    {"X-Twilio-Signature": "x", "X-Twilio-Webhooks-Signature-Settings":
                     "algorithm=MD5"}):
        response = client.post("/twilio/sms", data=SMS, headers=headers)
        assert response.status_code == 403
        assert_safe(response)


HOSTILE_VALUES = ["\x00", "CA\x00" + "1" * 30, "x" * 5000, "' OR 1=1 --", "\ud800",
                  "<Say>hi</Say>\u202e"]
FIELDS = ["CallSid", "MessageSid", "SmsSid", "From", "To", "Body", "Digits", "SpeechResult",
          "CallStatus", "MessageStatus", "QueueResult", "QueueTime", "QueuePosition",
          "RecordingUrl", "RecordingDuration", "NumMedia", "ErrorCode"]


def _clean(value: str) -> str:
    # A lone surrogate can't be form-encoded by a real client: send its replacement.
    return value.encode("utf-8", "replace").decode("utf-8")


@pytest.mark.parametrize("value", HOSTILE_VALUES)
def test_signed_hostile_fields_never_give_a_server_error(
    app: Flask, twilio: TwilioSigner, value: str
) -> None:
    value = _clean(value)
    base = {**CALL, **SMS}
    for path in twilio_routes(app):
        # Each field hostile in an otherwise real request (so the row it names is found)...
        for field in FIELDS:
            assert_safe(twilio.post(path + "?node=main&try=0&lang=en&ref=1&escalation=1"
                                    "&attempt=1", {**base, field: value}))
        # ...and every field and URL parameter hostile at once.
        for query in ("", "?node={0}&try={0}&lang={0}&ref={0}&escalation={0}&attempt={0}"):
            assert_safe(twilio.post(path + query.format(value.encode().hex()[:40]),
                                    dict.fromkeys(FIELDS, value)))


def test_nul_in_an_api_id_or_filter_is_not_a_server_error(app: Flask) -> None:
    client = app.test_client()
    for url in ("/api/oruk/services/abc%00", "/api/oruk/services/%00",
                "/api/oruk/services/" + "a" * 5000,
                "/api/oruk/services?taxonomy_term_id=%00", "/api/oruk/services?search=%00",
                "/api/oruk/services?search=" + "x" * 5000, "/api/oruk/services?page=%00",
                "/api/oruk/taxonomy_terms?per_page=%00"):
        response = client.get(url)
        assert response.status_code in (200, 400, 404), url
        assert_safe(response)


def test_a_body_over_64_kb_gets_413_before_it_is_read(app: Flask, twilio: TwilioSigner) -> None:
    big = {**SMS, "Body": "x" * (65 * 1024)}
    for path in ("/twilio/sms", "/twilio/voice/step?node=main&try=0", "/twilio/voice"):
        response = twilio.post(path, big)
        assert response.status_code == 413
        assert_safe(response)
    assert rows(app, SmsMessage) == 0 and rows(app, CallLog) == 0


def test_a_body_just_under_the_limit_is_answered_quickly_and_cut(
    app: Flask, twilio: TwilioSigner
) -> None:
    started = time.perf_counter()
    twilio.post("/twilio/voice", CALL)
    speech = ("short breaks please " * 3200)[: 63 * 1024]
    response = twilio.post("/twilio/voice/step?node=main&lang=en&try=0",
                           {**CALL, "SpeechResult": speech})
    assert_safe(response)
    assert ET.fromstring(response.get_data(as_text=True)) is not None
    response = twilio.post("/twilio/sms", {**SMS, "Body": "short breaks " * 4800})
    assert_safe(response)
    assert time.perf_counter() - started < 5
    with app.app_context():
        stored = db.session.scalar(select(SmsMessage.body).where(SmsMessage.direction == "in"))
        assert stored is not None and len(stored) <= 1600
        path = db.session.scalar(select(CallLog.path))
        assert path is not None and len(path) < 2000


def test_a_replayed_voice_step_changes_nothing_twice(app: Flask, twilio: TwilioSigner) -> None:
    twilio.post("/twilio/voice", CALL)
    first = twilio.post("/twilio/voice/step?node=%40language&lang=en&try=0",
                        {**CALL, "Digits": "1"})
    with app.app_context():
        before = db.session.scalar(select(CallLog.path))
    again = twilio.post("/twilio/voice/step?node=%40language&lang=en&try=0",
                        {**CALL, "Digits": "1"})
    assert again.get_data() == first.get_data()
    with app.app_context():
        after = db.session.scalar(select(CallLog.path))
    assert before and after == before
    # The caller's next, different step is still taken.
    twilio.post("/twilio/voice/step?node=main&lang=en&try=0", {**CALL, "Digits": "1"})
    with app.app_context():
        later = db.session.scalar(select(CallLog.path))
    assert later is not None and later != before and later.startswith(before)


def test_the_signed_url_with_a_body_hash_still_works_for_a_real_json_body(app: Flask) -> None:
    from twilio.request_validator import RequestValidator

    from tests.conftest import TWILIO_TEST_TOKEN

    validator = RequestValidator(TWILIO_TEST_TOKEN)
    body = '{"MessageSid": "SM1"}'
    url = f"/twilio/sms/status?bodySHA256={validator.compute_hash(body)}"
    signature = validator.compute_signature(PUBLIC_BASE_URL + url, {})
    response = app.test_client().post(url, data=body, content_type="application/json",
                                      headers={"X-Twilio-Signature": signature})
    assert response.status_code == 200
