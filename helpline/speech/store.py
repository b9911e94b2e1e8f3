"""Where rendered prompts live, so that every process reads the same ones: a database table of
MP3 clips by name (the hash of engine, language and text that speech.cache gives), or an
S3-compatible bucket when AUDIO_S3_BUCKET is set.

No process needs a folder another process writes: the worker (or `helpline audio build`) puts a
clip, any web process serves it. Both stores keep one small interface, AudioStore.
"""

from __future__ import annotations

import hashlib
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from flask import Flask, current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from helpline.extensions import db
from helpline.speech.cache import audio_name, audio_path
from helpline.speech.engines import render
from helpline.speech.models import AudioClip


@dataclass(frozen=True)
class Clip:
    """One rendered prompt: its MP3 bytes and an ETag for them."""

    data: bytes
    etag: str


class AudioStore(Protocol):
    """Rendered prompts by language and name."""

    def exists(self, language: str, name: str) -> bool:
        """True when the clip has been rendered."""

    def playable(self, language: str, name: str) -> bool:
        """exists(), except that a clip found missing moments ago is taken as still missing."""

    def get(self, language: str, name: str) -> Clip | None:
        """The clip, or None if it has not been rendered yet."""

    def put(self, language: str, name: str, engine: str, data: bytes,
            replace: bool = False) -> None:
        """Keep a rendered clip (a second put of the same name keeps the first, unless
        `replace`)."""


# A clip found missing is looked for again after this long. A call step says several prompts and
# each look-up is a round trip: before this, the unrendered prompts' look-ups were half a voice
# step's server time (bench/README.md). A clip rendered meanwhile is said by <Say> until then.
MISSING_RECHECK_SECONDS = 30.0


class SeenClips:
    """What one store has seen: clips found (they never go away) and clips found missing, and
    when."""

    def __init__(self) -> None:
        self.found: set[tuple[str, str]] = set()
        self._missing: dict[tuple[str, str], float] = {}

    def playable(self, language: str, name: str, exists: Callable[[str, str], bool]) -> bool:
        """`exists(language, name)`, asked only for a clip not found missing in the last
        MISSING_RECHECK_SECONDS."""
        key = (language, name)
        if key in self.found:
            return True
        now = time.monotonic()
        checked = self._missing.get(key)
        if checked is not None and now - checked < MISSING_RECHECK_SECONDS:
            return False
        if exists(language, name):
            self._missing.pop(key, None)
            return True
        if len(self._missing) > 10_000:  # bounded: a service line is one clip per language
            self._missing.clear()
        self._missing[key] = now
        return False

    def stored(self, language: str, name: str) -> None:
        """The clip is there now (seen, or put by this process)."""
        self.found.add((language, name))
        self._missing.pop((language, name), None)


class DatabaseAudioStore:
    """Clips in the `audio_clip` table, read and written in transactions of their own."""

    def __init__(self) -> None:
        self._seen = SeenClips()

    def playable(self, language: str, name: str) -> bool:
        """exists(), except that a clip found missing moments ago is taken as still missing."""
        return self._seen.playable(language, name, self.exists)

    def exists(self, language: str, name: str) -> bool:
        """True when the clip has been rendered (remembered once seen)."""
        if (language, name) in self._seen.found:
            return True
        with db.engine.connect() as conn:
            found = conn.execute(
                select(AudioClip.name).where(AudioClip.language == language,
                                             AudioClip.name == name)
            ).first()
        if found is not None:
            self._seen.stored(language, name)
        return found is not None

    def get(self, language: str, name: str) -> Clip | None:
        """The clip's bytes and ETag, or None."""
        with db.engine.connect() as conn:
            row = conn.execute(
                select(AudioClip.content, AudioClip.sha256)
                .where(AudioClip.language == language, AudioClip.name == name)
            ).first()
        if row is None:
            return None
        self._seen.stored(language, name)
        return Clip(bytes(row.content), row.sha256)

    def put(self, language: str, name: str, engine: str, data: bytes,
            replace: bool = False) -> None:
        """Insert the clip; one already there (another worker's) is kept, unless `replace`."""
        values = {"language": language, "name": name, "engine": engine, "content": data,
                  "sha256": hashlib.sha256(data).hexdigest()}
        table = AudioClip.__table__
        try:
            with db.engine.begin() as conn:
                if replace:
                    conn.execute(table.delete().where(table.c.language == language,
                                                      table.c.name == name))
                conn.execute(table.insert().values(**values))
        except IntegrityError:
            pass  # rendered meanwhile by another process: the same words
        self._seen.stored(language, name)


class S3AudioStore:
    """Clips in an S3-compatible bucket (AUDIO_S3_BUCKET), under AUDIO_S3_PREFIX."""

    def __init__(self, bucket: str, prefix: str = "audio/", endpoint_url: str = "",
                 client: Any = None) -> None:
        import boto3  # the s3 extra: pip install ".[s3]"

        self.bucket, self.prefix = bucket, prefix
        # Credentials and region come from the environment, as for every AWS client.
        self.client = client or boto3.client("s3", endpoint_url=endpoint_url or None)
        self._seen = SeenClips()

    def playable(self, language: str, name: str) -> bool:
        """exists(), except that a clip found missing moments ago is taken as still missing."""
        return self._seen.playable(language, name, self.exists)

    def _key(self, language: str, name: str) -> str:
        return f"{self.prefix}{language}/{name}"

    def exists(self, language: str, name: str) -> bool:
        """True when the object is in the bucket (remembered once seen)."""
        from botocore.exceptions import ClientError

        if (language, name) in self._seen.found:
            return True
        try:
            self.client.head_object(Bucket=self.bucket, Key=self._key(language, name))
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return False
            raise
        self._seen.stored(language, name)
        return True

    def get(self, language: str, name: str) -> Clip | None:
        """The object's bytes and the bucket's ETag for them, or None."""
        from botocore.exceptions import ClientError

        try:
            found = self.client.get_object(Bucket=self.bucket, Key=self._key(language, name))
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return None
            raise
        self._seen.stored(language, name)
        return Clip(found["Body"].read(), str(found["ETag"]).strip('"'))

    def put(self, language: str, name: str, engine: str, data: bytes,
            replace: bool = False) -> None:
        """Upload the clip (one already there is kept, unless `replace`)."""
        if not replace and self.exists(language, name):
            return
        self.client.put_object(Bucket=self.bucket, Key=self._key(language, name), Body=data,
                               ContentType="audio/mpeg", Metadata={"engine": engine})
        self._seen.stored(language, name)


def audio_store(app: Flask | None = None) -> AudioStore:
    """The app's audio store: the bucket when AUDIO_S3_BUCKET is set, else the database."""
    target = app or current_app
    store = target.extensions.get("audio_store")
    if store is None:
        config = target.config
        if config.get("AUDIO_S3_BUCKET"):
            store = S3AudioStore(config["AUDIO_S3_BUCKET"],
                                 config.get("AUDIO_S3_PREFIX", "audio/"),
                                 config.get("AUDIO_S3_ENDPOINT_URL", ""))
        else:
            store = DatabaseAudioStore()
        target.extensions["audio_store"] = store
    return store  # type: ignore[no-any-return]


def render_clip(engine: str, language: str, tts_language: str, text: str,
                *, gtts_url: str = "", legacy_dir: str = "", replace: bool = False) -> str:
    """Render a prompt into the store unless it is there (or `replace`); returns its name.

    A file an earlier version rendered into HELPLINE_AUDIO_CACHE_DIR is taken as it is.
    """
    name = audio_name(engine, language, text)
    store = audio_store()
    if not replace and store.exists(language, name):
        return name
    old = audio_path(legacy_dir, engine, language, text) if legacy_dir else None
    if old is not None and old.is_file() and old.stat().st_size:
        data = old.read_bytes()
    else:
        with tempfile.TemporaryDirectory(prefix="helpline-audio-") as folder:
            data = render(engine, text, tts_language, Path(folder) / name,
                          gtts_url=gtts_url).read_bytes()
    store.put(language, name, engine, data, replace=replace)
    return name
