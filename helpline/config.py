"""Settings read from the environment when the app is created, never at import."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def env_str(environ: Mapping[str, str], name: str, default: str = "") -> str:
    """Return a stripped string setting, or the default when unset or blank."""
    value = environ.get(name, "").strip()
    return value or default


def env_int(environ: Mapping[str, str], name: str, default: int) -> int:
    """Return a whole-number setting; a malformed value is a startup error that names it."""
    raw = environ.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ValueError(f"{name} must be a whole number, not {raw!r}") from exc


def env_bool(environ: Mapping[str, str], name: str, default: bool = False) -> bool:
    """Return a yes/no setting written as 1/0, true/false, yes/no or on/off."""
    raw = environ.get(name, "").strip().lower()
    if not raw:
        return default
    return raw in {"1", "true", "yes", "on"}


def default_database_url(instance_path: str) -> str:
    """SQLite in the app's instance folder: works with nothing installed."""
    return "sqlite:///" + str(Path(instance_path) / "helpline.sqlite3")


def load_settings(environ: Mapping[str, str], instance_path: str) -> dict[str, Any]:
    """Build the Flask config mapping from environment variables."""
    database_url = env_str(environ, "DATABASE_URL", default_database_url(instance_path))
    # Heroku-style URLs say postgres://; SQLAlchemy 2 wants a driver name.
    if database_url.startswith("postgres://"):
        database_url = "postgresql+psycopg://" + database_url[len("postgres://") :]
    elif database_url.startswith("postgresql://"):
        database_url = "postgresql+psycopg://" + database_url[len("postgresql://") :]
    return {
        "SQLALCHEMY_DATABASE_URI": database_url,
        # A failed statement's error names its parameters: phone numbers and texts, which
        # must never reach a log.
        "SQLALCHEMY_ENGINE_OPTIONS": _engine_options(
            environ, database_url, env_int(environ, "DATABASE_STATEMENT_TIMEOUT", 5)),
        # Commands and workers (an import, the retention purge, a report): nobody waits on the
        # line, and a statement over a large table may rightly take longer than a webhook's.
        "COMMAND_ENGINE_OPTIONS": _engine_options(
            environ, database_url, env_int(environ, "COMMAND_STATEMENT_TIMEOUT", 0)),
        "REDIS_URL": env_str(environ, "REDIS_URL"),
        "PUBLIC_BASE_URL": env_str(environ, "PUBLIC_BASE_URL").rstrip("/"),
        "TWILIO_ACCOUNT_SID": env_str(environ, "TWILIO_ACCOUNT_SID"),
        "TWILIO_AUTH_TOKEN": env_str(environ, "TWILIO_AUTH_TOKEN"),
        # Only while rotating the token (README, going live): webhooks signed with it pass too.
        "TWILIO_PREVIOUS_AUTH_TOKEN": env_str(environ, "TWILIO_PREVIOUS_AUTH_TOKEN"),
        "TWILIO_PHONE_NUMBER": env_str(environ, "TWILIO_PHONE_NUMBER"),
        "TWILIO_API_BASE_URL": env_str(
            environ, "TWILIO_API_BASE_URL", "https://api.twilio.com"
        ).rstrip("/"),
        "TTS_ENGINE": env_str(environ, "TTS_ENGINE", "gtts").lower(),
        "RETENTION_DAYS": env_int(environ, "RETENTION_DAYS", 90),
        # The one promise made everywhere (phone, texts): an adviser calls back within this
        # many working days.
        "CALLBACK_WORKING_DAYS": env_int(environ, "CALLBACK_WORKING_DAYS", 2),
        # The console's audit log of who saw and did what: its own period (default 2 years).
        "AUDIT_RETENTION_DAYS": env_int(environ, "AUDIT_RETENTION_DAYS", 730),
        # Signs the console's session cookie and its links; required in production.
        "SECRET_KEY": env_str(environ, "SECRET_KEY"),
        # Off only for plain-http development: the session cookie is then sent without https.
        "SESSION_COOKIE_SECURE": env_bool(environ, "CONSOLE_SECURE_COOKIES", True),
        "DATA_DIR": env_str(environ, "HELPLINE_DATA_DIR", str(PROJECT_ROOT / "data")),
        "SMS_TEMPLATES_DIR": env_str(
            environ, "HELPLINE_SMS_TEMPLATES_DIR", str(PROJECT_ROOT / "sms_templates")
        ),
        "IVR_FLOWS_DIR": env_str(
            environ, "HELPLINE_IVR_FLOWS_DIR", str(PROJECT_ROOT / "ivr_flows")
        ),
        "AUDIO_CACHE_DIR": env_str(
            environ, "HELPLINE_AUDIO_CACHE_DIR", str(Path(instance_path) / "audio_cache")
        ),
        "TRUST_PROXY": env_bool(environ, "TRUST_PROXY", False),
        # Rendered prompts in an S3-compatible bucket instead of the database (the s3 extra).
        "AUDIO_S3_BUCKET": env_str(environ, "AUDIO_S3_BUCKET"),
        "AUDIO_S3_PREFIX": env_str(environ, "AUDIO_S3_PREFIX", "audio/"),
        "AUDIO_S3_ENDPOINT_URL": env_str(environ, "AUDIO_S3_ENDPOINT_URL"),
        # production, development or demo (helpline/demo.py); scripts/serve starts the demo.
        "HELPLINE_MODE": env_str(environ, "HELPLINE_MODE", "production").lower(),
        "OUTBOUND_TRANSPORT": _transport(env_str(environ, "OUTBOUND_TRANSPORT", "twilio")),
        # Demo and development only: the local transport's record of what was sent, and the
        # demo's own auth token.
        "OUTBOUND_CAPTURE_FILE": str(Path(instance_path) / "outbound_captured.jsonl"),
        "DEMO_TOKEN_FILE": str(Path(instance_path) / "demo_auth_token"),
        "LOG_FORMAT": env_str(environ, "LOG_FORMAT", "text").lower(),
        # ORUK feeds the worker imports on a schedule (helpline/directory/feed_schedule.py).
        "FEED_URLS": env_str(environ, "FEED_URLS"),
        "FEED_SCHEDULE": env_str(environ, "FEED_SCHEDULE", "daily 02:30"),
        "FEED_TIMEOUT_SECONDS": env_int(environ, "FEED_TIMEOUT_SECONDS", 30),
        "FEED_MAX_BYTES": env_int(environ, "FEED_MAX_BYTES", 50_000_000),
        "FEED_RETRIES": env_int(environ, "FEED_RETRIES", 3),
        "FEED_RETRY_BACKOFF_SECONDS": env_int(environ, "FEED_RETRY_BACKOFF_SECONDS", 2),
        # What one number may cost in an hour, and everyone together: docs/limits.md.
        "LIMIT_SMS_REPLIES_PER_HOUR": env_int(environ, "LIMIT_SMS_REPLIES_PER_HOUR", 30),
        "LIMIT_ESCALATIONS_PER_HOUR": env_int(environ, "LIMIT_ESCALATIONS_PER_HOUR", 3),
        "LIMIT_FOLLOW_UP_TEXTS_PER_HOUR": env_int(environ, "LIMIT_FOLLOW_UP_TEXTS_PER_HOUR", 10),
        "OUTBOUND_CEILING_PER_HOUR": env_int(environ, "OUTBOUND_CEILING_PER_HOUR", 2000),
        # How often a web process looks for a newer directory to index (helpline.wsgi).
        "SEARCH_INDEX_REFRESH_SECONDS": env_int(environ, "SEARCH_INDEX_REFRESH_SECONDS", 5),
        # Larger request bodies get 413 before they are read: a real webhook is a few KB.
        "MAX_CONTENT_LENGTH": env_int(environ, "MAX_REQUEST_BYTES", 64 * 1024),
    }


def _transport(name: str) -> str:
    name = name.lower()
    if name not in ("twilio", "local"):
        raise ValueError(f"OUTBOUND_TRANSPORT must be twilio or local, not {name!r}")
    return name


def _engine_options(
    environ: Mapping[str, str], database_url: str, statement_timeout: int
) -> dict[str, Any]:
    """The database engine's options: parameters never in an error; on PostgreSQL, a connect
    that gives up after DATABASE_CONNECT_TIMEOUT seconds. Without it a server that stopped
    answering (not refusing) holds each request for the operating system's minutes, past
    Twilio's 15 s: the family would meet silence, not the apology. And a statement that runs
    longer than DATABASE_STATEMENT_TIMEOUT seconds (a stalled server, a lock held by a stuck
    session) is cancelled by the server, for the same reason; 0 turns it off."""
    options: dict[str, Any] = {"hide_parameters": True}
    if database_url.startswith("postgresql"):
        statement_ms = statement_timeout * 1000
        options["connect_args"] = {
            "connect_timeout": env_int(environ, "DATABASE_CONNECT_TIMEOUT", 3),
            "options": f"-c statement_timeout={statement_ms}"}
    return options
