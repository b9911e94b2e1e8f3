"""The gateway: TWILIO_API_BASE_URL beats TWILIO_EDGE/REGION; one error type, permanent or not."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask

from helpline.outbound.gateway import OutboundError, send_text, start_call
from tests.integration.conftest import make_app
from tests.prism import TwilioApi, free_port


@pytest.fixture
def fake_api() -> TwilioApi:
    api = TwilioApi()
    yield api  # type: ignore[misc]
    api.close()


def test_edge_and_region_settings_cannot_send_requests_elsewhere(
    app: Flask, tmp_path: Path, fake_api: TwilioApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TWILIO_EDGE", "dublin")
    monkeypatch.setenv("TWILIO_REGION", "ie1")
    gateway_app = make_app(app, tmp_path, TWILIO_API_BASE_URL=fake_api.url)
    with gateway_app.app_context():
        sid = send_text("+447700900123", "hello")
        call = start_call("+447700900123", url="https://helpline.example.org/w", ring_seconds=20)
    assert sid.startswith("SM") and call.startswith("CA")
    assert [r.path.rsplit("/", 1)[-1] for r in fake_api.requests] == ["Messages.json", "Calls.json"]


@pytest.mark.parametrize(
    ("status", "code", "permanent"),
    [
        (400, 21610, True),
        (400, 21211, True),
        (500, 20500, False),
        (429, 20429, False),
        (503, 20503, False),
        (401, 20003, False),
    ],
)
def test_errors_say_whether_trying_again_can_help(
    app: Flask, tmp_path: Path, fake_api: TwilioApi, status: int, code: int, permanent: bool
) -> None:
    fake_api.fail_next(status, code)
    gateway_app = make_app(app, tmp_path, TWILIO_API_BASE_URL=fake_api.url)
    with gateway_app.app_context(), pytest.raises(OutboundError) as caught:
        send_text("+447700900123", "hello")
    assert (caught.value.permanent, caught.value.code, caught.value.status) == (
        permanent,
        code,
        status,
    )


def test_an_unreachable_api_is_a_passing_failure(app: Flask, tmp_path: Path) -> None:
    gateway_app = make_app(
        app,
        tmp_path,
        TWILIO_API_BASE_URL=f"http://127.0.0.1:{free_port()}",
        OUTBOUND_TIMEOUT_SECONDS=2,
    )
    with gateway_app.app_context(), pytest.raises(OutboundError) as caught:
        send_text("+447700900123", "hello")
    assert caught.value.permanent is False
