"""FEED_SCHEDULE and FEED_URLS as the worker reads them, and the ORUK paging rules."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from helpline.directory.feed_download import is_last_page, page_url
from helpline.directory.feed_schedule import parse_schedule, scheduled_feeds


def _at(text: str) -> float:
    return datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp()


def test_a_daily_run_is_due_at_its_uk_time_in_winter_and_in_summer() -> None:
    daily = parse_schedule("daily 02:30")
    # Winter: UK time is UTC. Summer: 02:30 BST is 01:30 UTC.
    assert daily.bucket(_at("2026-01-10T02:29")) + 1 == daily.bucket(_at("2026-01-10T02:30"))
    assert daily.bucket(_at("2026-07-10T01:29")) + 1 == daily.bucket(_at("2026-07-10T01:30"))
    assert daily.bucket(_at("2026-07-10T01:30")) == daily.bucket(_at("2026-07-11T01:29"))


@pytest.mark.parametrize("text, seconds", [
    ("hourly", 3600), ("every 6 hours", 21600), ("30m", 1800), ("1d", 86400),
    ("Every 15 minutes", 900),
])
def test_intervals(text: str, seconds: int) -> None:
    assert parse_schedule(text).period == seconds


@pytest.mark.parametrize("text", ["nightly", "daily 25:00", "every 10 seconds", "0h", ""])
def test_a_malformed_schedule_is_an_error_that_quotes_it(text: str) -> None:
    with pytest.raises(ValueError, match="FEED_SCHEDULE"):
        parse_schedule(text)


def test_feed_urls_take_an_optional_name_and_keep_a_query_with_equals_signs() -> None:
    feeds = scheduled_feeds(
        "north-lincs=https://api.example.gov.uk/services?per_page=100,\n"
        " https://directory.example.org/api/v1/services"
    )
    assert [(f.source, f.url) for f in feeds] == [
        ("north-lincs", "https://api.example.gov.uk/services?per_page=100"),
        ("directory.example.org-api-v1-services", "https://directory.example.org/api/v1/services"),
    ]
    with pytest.raises(ValueError, match="ftp://x"):
        scheduled_feeds("ftp://x")


def test_page_addresses_keep_the_councils_own_query() -> None:
    assert page_url("https://x.org/services?per_page=50&page=9", 3) == (
        "https://x.org/services?per_page=50&page=3"
    )


@pytest.mark.parametrize("document, page, last", [
    ({"contents": [{}], "total_pages": 3, "last_page": False}, 2, False),
    ({"contents": [{}], "total_pages": 3}, 3, True),
    ({"contents": [{}], "last_page": True}, 1, True),
    ({"contents": []}, 4, True),
    ({"content": [{}], "totalPages": 2, "last": False}, 1, False),
    ({"content": [{}], "totalPages": 2}, 2, True),
    ({"content": [{}], "last": False}, 5, False),
    ({"content": [{}]}, 1, True),
    ([{"id": "a"}], 1, True),
    ({"id": "a", "name": "one service"}, 1, True),
])
def test_the_last_page_is_known_from_either_versions_paging_fields(
    document: object, page: int, last: bool
) -> None:
    assert is_last_page(document, page) is last
