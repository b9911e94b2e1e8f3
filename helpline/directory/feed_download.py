"""Download an ORUK feed from a council's API, page by page, without trusting the network.

`/services?page=N` is read until the last page (ORUK 3.0 `contents`/`total_pages`/`last_page`
or 1.0 `content`/`totalPages`/`last`; a plain list or a single service is the whole feed). Each
request has a timeout and a size limit, and is retried with backoff on network errors, 5xx and
429. A server that sent ETag or Last-Modified is asked again conditionally: when every page is
unchanged, nothing is downloaded or imported.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import requests

USER_AGENT = "local-offer-helpline (ORUK import)"
_RETRY_STATUSES = {429, 500, 502, 503, 504}


@dataclass(frozen=True)
class DownloadLimits:
    """How patient and how trusting one download is."""

    timeout: float = 30.0
    max_bytes: int = 50_000_000  # the whole feed, every page together
    retries: int = 3
    backoff: float = 2.0  # seconds before the first retry; doubled each time
    max_pages: int = 2000


class FeedDownloadError(Exception):
    """The feed could not be read whole; the pages read before it are on `pages`."""

    def __init__(self, message: str, pages: list[Any]) -> None:
        super().__init__(message)
        self.pages = pages


@dataclass
class Download:
    """The feed's pages as parsed JSON, and the validators to ask with next time."""

    pages: list[Any] = field(default_factory=list)
    validators: list[dict[str, str]] = field(default_factory=list)
    not_modified: bool = False


def is_url(text: str) -> bool:
    """True for an http(s) address rather than a file or folder."""
    return urlsplit(text).scheme in {"http", "https"}


def page_url(url: str, page: int) -> str:
    """The address of page `page`, keeping every other query parameter the council gave."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "page"]
    return parts._replace(query=urlencode([*query, ("page", str(page))])).geturl()


def is_last_page(document: Any, page: int) -> bool:
    """Whether this page ends the feed, from the paging fields of either ORUK version."""
    if not isinstance(document, dict):
        return True  # a plain list is the whole feed
    if isinstance(document.get("contents"), list):
        flag, total, records = document.get("last_page"), document.get("total_pages"), "contents"
    elif isinstance(document.get("content"), list):
        flag, total, records = document.get("last"), document.get("totalPages"), "content"
    else:
        return True  # one service
    if flag is True or not document[records]:
        return True
    if isinstance(total, int) and not isinstance(total, bool):
        return page >= total
    return flag is not False  # no paging fields at all: one page


def download_feed(
    url: str,
    validators: list[dict[str, str]] | None = None,
    limits: DownloadLimits | None = None,
    http: requests.Session | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> Download:
    """Every page of the feed at `url`; raises FeedDownloadError if any page can't be read."""
    limits = limits or DownloadLimits()
    known = validators or []
    http = http or requests.Session()
    got = Download()
    used = 0
    bodies: list[Any] = []  # None where the server said 304
    page = 1
    while True:
        if page > limits.max_pages:
            raise FeedDownloadError(f"more than {limits.max_pages} pages", _read(bodies))
        ask = known[page - 1] if page <= len(known) else {}
        status, document, seen, size = _fetch(http, page_url(url, page), ask, limits, sleep,
                                              limits.max_bytes - used, bodies)
        used += size
        got.validators.append(seen if status != 304 else ask)
        bodies.append(document if status != 304 else None)
        last = page >= len(known) if status == 304 else is_last_page(document, page)
        if last:
            break
        page += 1
    if all(body is None for body in bodies):
        got.not_modified = True
        return got
    for index, body in enumerate(bodies):
        if body is None:  # unchanged, but another page changed: its body is needed after all
            _, bodies[index], seen, size = _fetch(http, page_url(url, index + 1), {}, limits,
                                                  sleep, limits.max_bytes - used, bodies)
            used += size
            got.validators[index] = seen
    got.pages = bodies
    return got


def _read(bodies: list[Any]) -> list[Any]:
    return [body for body in bodies if body is not None]


def _fetch(
    http: requests.Session,
    url: str,
    ask: dict[str, str],
    limits: DownloadLimits,
    sleep: Callable[[float], None],
    allowance: int,
    bodies: list[Any],
) -> tuple[int, Any, dict[str, str], int]:
    """(status, parsed JSON or None for 304, validators, bytes read) for one page, retried."""
    headers = {"Accept": "application/json", "User-Agent": USER_AGENT}
    if ask.get("etag"):
        headers["If-None-Match"] = ask["etag"]
    if ask.get("last_modified"):
        headers["If-Modified-Since"] = ask["last_modified"]
    problem = ""
    for attempt in range(limits.retries + 1):
        if attempt:
            sleep(limits.backoff * 2 ** (attempt - 1))
        try:
            with http.get(url, headers=headers, timeout=limits.timeout, stream=True) as response:
                if response.status_code in _RETRY_STATUSES:
                    problem = f"HTTP {response.status_code}"
                    continue
                if response.status_code == 304:
                    return 304, None, ask, 0
                if response.status_code != 200:
                    raise FeedDownloadError(f"{url}: HTTP {response.status_code}", _read(bodies))
                body = _body(response, allowance, url, bodies)
                seen = {k: v for k, v in (("etag", response.headers.get("ETag")),
                        ("last_modified", response.headers.get("Last-Modified"))) if v}
        except requests.RequestException as exc:
            problem = exc.__class__.__name__
            continue
        try:
            return 200, json.loads(body.decode("utf-8-sig")), seen, len(body)
        except ValueError as exc:
            raise FeedDownloadError(f"{url}: not JSON", _read(bodies)) from exc
    raise FeedDownloadError(f"{url}: {problem} after {limits.retries + 1} tries", _read(bodies))


def _body(response: requests.Response, allowance: int, url: str, bodies: list[Any]) -> bytes:
    """The response body, read no further than the feed's remaining size allowance."""
    declared = response.headers.get("Content-Length", "")
    too_big = FeedDownloadError(f"{url}: the feed is larger than the size limit", _read(bodies))
    if declared.isdigit() and int(declared) > allowance:
        raise too_big
    chunks, size = [], 0
    for chunk in response.iter_content(chunk_size=65536):
        size += len(chunk)
        if size > allowance:
            raise too_big
        chunks.append(chunk)
    return b"".join(chunks)
