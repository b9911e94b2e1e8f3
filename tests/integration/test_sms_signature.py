"""The shared Twilio signature check: 403 and nothing done without a valid signature."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from twilio.request_validator import RequestValidator

from helpline.twilio_webhooks import twilio_request
from tests.conftest import PUBLIC_BASE_URL, TWILIO_TEST_TOKEN, TwilioSigner

CALLS: list[dict[str, Any]] = []


@pytest.fixture
def probe_app(make_app: Any) -> Flask:
    """An app with one signed probe route that records each call it gets."""
    application = make_app()
    CALLS.clear()

    @application.post("/probe/signed")
    @twilio_request
    def probe() -> str:
        CALLS.append({"ran": True})
        return "ran"

    return application


PARAMS = {"From": "+447700900123", "Body": "HELP", "MessageSid": "SM" + "1" * 32}


def _signed_route(application: Flask, path: str) -> Flask:
    """The app with a signed route at `path` that answers "ran"."""
    application.post(path, endpoint=path)(twilio_request(lambda: "ran"))
    return application


def test_correctly_signed_request_reaches_the_view(probe_app: Flask) -> None:
    response = TwilioSigner(probe_app.test_client()).post("/probe/signed", PARAMS)
    assert response.status_code == 200
    assert response.get_data(as_text=True) == "ran"
    assert len(CALLS) == 1


def test_missing_signature_gets_403_and_the_view_never_runs(probe_app: Flask) -> None:
    response = TwilioSigner(probe_app.test_client()).post("/probe/signed", PARAMS, signature="")
    assert response.status_code == 403
    assert CALLS == []


def test_wrong_signature_gets_403(probe_app: Flask) -> None:
    response = TwilioSigner(probe_app.test_client()).post(
        "/probe/signed", PARAMS, signature="bm90IGEgc2lnbmF0dXJl"
    )
    assert response.status_code == 403
    assert CALLS == []


def test_tampered_body_gets_403(probe_app: Flask) -> None:
    signer = TwilioSigner(probe_app.test_client())
    signature = signer.signature("/probe/signed", PARAMS)
    response = signer.post("/probe/signed", {**PARAMS, "Body": "STOP"}, signature=signature)
    assert response.status_code == 403
    assert CALLS == []


def test_signature_from_another_token_gets_403(probe_app: Flask) -> None:
    signer = TwilioSigner(probe_app.test_client(), token="someone-elses-token")
    assert signer.post("/probe/signed", PARAMS).status_code == 403


def test_query_string_is_part_of_the_signed_url(probe_app: Flask) -> None:
    client = probe_app.test_client()
    validator = RequestValidator(TWILIO_TEST_TOKEN)
    path = "/probe/signed?lang=pl"
    good = validator.compute_signature(PUBLIC_BASE_URL + path, PARAMS)
    bare = validator.compute_signature(PUBLIC_BASE_URL + "/probe/signed", PARAMS)
    assert client.post(path, data=PARAMS, headers={"X-Twilio-Signature": good}).status_code == 200
    assert client.post(path, data=PARAMS, headers={"X-Twilio-Signature": bare}).status_code == 403


def test_without_public_base_url_the_request_url_is_used(make_app: Any) -> None:
    client = _signed_route(make_app(PUBLIC_BASE_URL=""), "/probe/own-url").test_client()
    validator = RequestValidator(TWILIO_TEST_TOKEN)
    own = validator.compute_signature("http://localhost/probe/own-url", PARAMS)
    public = validator.compute_signature(PUBLIC_BASE_URL + "/probe/own-url", PARAMS)

    def post(signature: str) -> int:
        headers = {"X-Twilio-Signature": signature}
        return client.post("/probe/own-url", data=PARAMS, headers=headers).status_code

    assert post(own) == 200
    assert post(public) == 403


def test_while_the_token_is_rotated_the_previous_one_signs_too_and_no_other(
    make_app: Any,
) -> None:
    rotating = make_app(TWILIO_AUTH_TOKEN="new-token-after-rotation",
                        TWILIO_PREVIOUS_AUTH_TOKEN=TWILIO_TEST_TOKEN)

    @rotating.post("/probe/rotating")
    @twilio_request
    def probe() -> str:
        return "ran"

    client = rotating.test_client()
    assert TwilioSigner(client).post("/probe/rotating", PARAMS).status_code == 200  # old token
    signed_new = TwilioSigner(client, token="new-token-after-rotation")
    assert signed_new.post("/probe/rotating", PARAMS).status_code == 200
    stranger = TwilioSigner(client, token="somebody-elses-token")
    assert stranger.post("/probe/rotating", PARAMS).status_code == 403


@pytest.mark.parametrize("base", ["https://helpline.example", "https://helpline.example:443"])
@pytest.mark.parametrize("algorithm", ["HMAC_SHA1", "HMAC_SHA256"])
def test_the_url_is_signed_with_or_without_its_port_whichever_the_base_url_has(
    make_app: Any, base: str, algorithm: str
) -> None:
    client = _signed_route(make_app(PUBLIC_BASE_URL=base), "/probe/ported").test_client()
    validator = RequestValidator(TWILIO_TEST_TOKEN)
    headers = {"X-Twilio-Webhooks-Signature-Settings": f"key=k,algorithm={algorithm}"}

    def post(url: str, params: dict[str, str] = PARAMS) -> int:
        signature = validator.compute_signature(url, params, algorithm)
        return client.post("/probe/ported?lang=pl", data=PARAMS,
                           headers={**headers, "X-Twilio-Signature": signature}).status_code

    assert post("https://helpline.example/probe/ported?lang=pl") == 200
    assert post("https://helpline.example:443/probe/ported?lang=pl") == 200
    assert post("https://helpline.example:8443/probe/ported?lang=pl") == 403
    assert post("https://helpline.example/probe/ported") == 403
    assert post("https://helpline.example/probe/ported?lang=pl", {**PARAMS, "Body": "x"}) == 403
