"""Logging that never writes a family's phone number in full."""

from __future__ import annotations

import json
import logging
import re
from datetime import UTC, datetime

from flask import Flask

# International or UK national numbers of 10+ digits, written any way people and URLs write
# them: spaces, hyphens, dots, brackets, "+" or its URL form "%2B".
_PHONE = re.compile(r"(?<![\w%.])((?:\+|%2[Bb])?\(?\d[\d \-()]{8,}\d)(?!\w|\.\d)")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
MIN_DIGITS = 10


# PostgreSQL's error details quote the row or key a statement failed on: a family's text.
_ROW_DETAILS = re.compile(r"^(\s*DETAIL:).*$", re.MULTILINE)
_ROW_HIDDEN = r"\1  (row values hidden)"


def mask_phone(number: str | None) -> str:
    """Show only the last three digits of a phone number, for logs and adviser lists."""
    if not number:
        return "(withheld)"
    digits = re.sub(r"\D", "", number)
    if len(digits) < 6:
        return "***"
    return "*" * (len(digits) - 3) + digits[-3:]


def mask_phone_numbers(text: str) -> str:
    """Mask every phone number found in free text."""
    return _PHONE.sub(_masked, text)


def _masked(found: re.Match[str]) -> str:
    number = found.group(1)
    digits = re.sub(r"\D", "", number.replace("%2B", "").replace("%2b", ""))
    if len(digits) < MIN_DIGITS or _DATE.match(number):
        return number  # a date, a short code: not a phone number
    return mask_phone(digits)


class MaskPhoneNumbers(logging.Filter):
    """Rewrites log records so that no handler ever sees a whole phone number."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_phone_numbers(message)
        if masked != message:
            record.msg = masked
            record.args = None
        # A traceback can quote a number too (an exception's message, a local's repr).
        # Formatters print exc_text when it is set, so set it masked before any of them runs.
        if record.exc_info and not record.exc_text:
            record.exc_text = _TRACEBACKS.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_phone_numbers(_ROW_DETAILS.sub(_ROW_HIDDEN, record.exc_text))
        if record.stack_info:
            record.stack_info = mask_phone_numbers(record.stack_info)
        return True


_TRACEBACKS = logging.Formatter()


class JsonLines(logging.Formatter):
    """One JSON object a line (LOG_FORMAT=json), for log platforms that index fields."""

    def format(self, record: logging.LogRecord) -> str:
        """The record as JSON: time, level, logger, message, and the traceback if any."""
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["exception"] = record.exc_text
        return json.dumps(entry, ensure_ascii=False)


# twilio-python logs every request it makes at INFO, about 11 lines each: headers, the URL
# (which names a recording or a call), the response. Its warnings and errors still come through.
QUIET_LOGGERS = ("twilio.http_client", "twilio")


def init_app(app: Flask) -> None:
    """Attach the masking filter to the root and app loggers; JSON lines if LOG_FORMAT=json."""
    root = logging.getLogger()
    if not root.handlers:
        logging.basicConfig(
            level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
        )
    if app.config.get("LOG_FORMAT") == "json":
        for handler in root.handlers + app.logger.handlers:
            if not isinstance(handler.formatter, JsonLines):
                handler.setFormatter(JsonLines())
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
    mask = MaskPhoneNumbers()
    for handler in root.handlers + app.logger.handlers:
        if not any(isinstance(f, MaskPhoneNumbers) for f in handler.filters):
            handler.addFilter(mask)
