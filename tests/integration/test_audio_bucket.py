"""Rendered prompts in an S3-compatible bucket (AUDIO_S3_BUCKET): the worker's build puts them
there, another process plays and serves them. S3 is moto's in-process mock of it."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
from flask import Flask
from moto import mock_aws
from sqlalchemy import func, select

from helpline.extensions import db
from helpline.speech.cache import audio_name
from helpline.speech.models import AudioClip
from tests.conftest import PUBLIC_BASE_URL, TwilioSigner
from tests.integration.conftest import make_app
from tests.integration.test_voice_speech import CALL, FAKE_MP3, GREETING, FakeGoogleTts

BUCKET = "council-helpline-audio"


@pytest.fixture
def bucket(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """An empty bucket in moto's mock of S3."""
    for name, value in (("AWS_ACCESS_KEY_ID", "testing"), ("AWS_SECRET_ACCESS_KEY", "testing"),
                        ("AWS_DEFAULT_REGION", "eu-west-2")):
        monkeypatch.setenv(name, value)
    with mock_aws():
        boto3.client("s3").create_bucket(
            Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "eu-west-2"}
        )
        yield BUCKET


@pytest.fixture
def fake_tts() -> Iterator[FakeGoogleTts]:
    """gTTS's endpoint, faked locally (as in test_voice_speech)."""
    fake = FakeGoogleTts()
    yield fake
    fake.server.shutdown()
    fake.server.server_close()


def test_a_build_into_the_bucket_is_played_and_served_by_another_process(
    app: Flask, tmp_path: Path, bucket: str, fake_tts: FakeGoogleTts
) -> None:
    worker = make_app(app, tmp_path, AUDIO_S3_BUCKET=bucket, GTTS_URL=fake_tts.url,
                      TTS_ENGINE="gtts")
    result = worker.test_cli_runner().invoke(args=["audio", "build"])
    assert result.exit_code == 0, result.output
    rendered = int(result.output.split()[0])
    name = audio_name("gtts", "en", GREETING)
    listed = boto3.client("s3").list_objects_v2(Bucket=bucket, Prefix="audio/")
    keys = {item["Key"] for item in listed["Contents"]}
    assert len(keys) == rendered and f"audio/en/{name}" in keys
    with worker.app_context():
        assert db.session.scalar(select(func.count()).select_from(AudioClip)) == 0

    web = make_app(app, tmp_path, AUDIO_S3_BUCKET=bucket, TTS_ENGINE="gtts")
    client = web.test_client()
    root = ET.fromstring(TwilioSigner(client).post("/twilio/voice", CALL).get_data(as_text=True))
    play = root.find("Gather/Play")
    assert play is not None and play.text == f"{PUBLIC_BASE_URL}/audio/en/{name}"
    with client.get(f"/audio/en/{name}") as audio:
        assert audio.status_code == 200 and audio.mimetype == "audio/mpeg"
        assert audio.data.startswith(FAKE_MP3)
        etag = audio.headers["ETag"]
    assert client.get(f"/audio/en/{name}", headers={"If-None-Match": etag}).status_code == 304
    assert client.get("/audio/en/" + "0" * 32 + ".mp3").status_code == 404
