"""No log line, traceback included, ever shows a family's whole phone number."""

from __future__ import annotations

import io
import logging

import pytest

from helpline.logs import MaskPhoneNumbers, mask_phone_numbers


def _logger(stream: io.StringIO) -> logging.Logger:
    handler = logging.StreamHandler(stream)
    handler.addFilter(MaskPhoneNumbers())
    handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    logger = logging.getLogger(f"test-mask-{id(stream)}")
    logger.handlers = [handler]
    logger.propagate = False
    return logger


def test_a_number_in_the_message_is_masked() -> None:
    stream = io.StringIO()
    _logger(stream).warning("texted by %s", "+447700900123")
    assert "7700900123" not in stream.getvalue() and "*********123" in stream.getvalue()


def test_a_number_inside_a_traceback_is_masked() -> None:
    # An exception's own message can quote a number (a database error quoting its parameters).
    stream = io.StringIO()
    try:
        raise ValueError("insert failed: {'phone_number': '+447700900123'}")
    except ValueError:
        _logger(stream).exception("the text dialogue failed")
    logged = stream.getvalue()
    assert "Traceback" in logged and "insert failed" in logged
    assert "7700900123" not in logged and "*********123" in logged


def test_numbers_in_free_text_keep_only_their_last_three_digits() -> None:
    assert mask_phone_numbers("call 07700 900123 or +44 7700 900456") == (
        "call ********123 or *********456")


@pytest.mark.parametrize(("text", "masked"), [
    ("+44 7700-900123", "*********123"),
    ("(07700) 900123", "********123"),
    ("From=%2B447700900123&To=x", "From=*********123&To=x"),  # a URL-encoded form
    ("call +447700900123.", "call *********123."),
])
def test_numbers_written_with_hyphens_brackets_or_url_encoding_are_masked(
    text: str, masked: str
) -> None:
    assert mask_phone_numbers(text) == masked


@pytest.mark.parametrize("text", ["at 2026-11-28 10:40:50", "took 0.123456789 s",
                                  "CA1234567890abc"])
def test_dates_durations_and_sids_are_left_alone(text: str) -> None:
    assert mask_phone_numbers(text) == text
