"""A council's ORUK API for tests: a shipped feed served page by page from a local HTTP server.

`/services?page=N` answers in the ORUK 3.0 shape (`contents`, `total_pages`, ...) or the 1.0
shape (`content`, `totalPages`, ...), with an ETag on each page (304 to a matching
If-None-Match). Pages can be told to fail, to stall or to repeat a status; every request is kept.
"""

from __future__ import annotations

import hashlib
import json
import math
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass
class FeedRequest:
    """One request the importer made, and the status it got."""

    page: int
    if_none_match: str | None
    status: int


@dataclass
class FeedServer:
    """Serve `records` as an ORUK API; see the module docstring."""

    records: list[dict[str, Any]]
    version: str = "3.0"
    per_page: int = 100
    etags: bool = True
    # page -> statuses to answer with before the real page (e.g. [503, 503]); 0 = stall.
    trouble: dict[int, list[int]] = field(default_factory=dict)
    stall_seconds: float = 3.0
    requests: list[FeedRequest] = field(default_factory=list)

    def __post_init__(self) -> None:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                server._answer(self)

            def log_message(self, *args: Any) -> None:
                pass

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)
        self._thread.start()
        self._lock = threading.Lock()

    @property
    def url(self) -> str:
        """The /services address to import from."""
        return f"http://127.0.0.1:{self._httpd.server_address[1]}/services"

    @property
    def total_pages(self) -> int:
        """How many pages the feed has."""
        return max(1, math.ceil(len(self.records) / self.per_page))

    def close(self) -> None:
        """Stop serving."""
        self._httpd.shutdown()
        self._httpd.server_close()

    def page_document(self, page: int) -> dict[str, Any]:
        """Page `page` (from 1) in this server's ORUK version."""
        chunk = self.records[(page - 1) * self.per_page : page * self.per_page]
        last = page >= self.total_pages
        if self.version == "1.0":
            return {"totalElements": len(self.records), "totalPages": self.total_pages,
                    "number": page, "size": self.per_page, "first": page == 1, "last": last,
                    "content": chunk}
        return {"total_items": len(self.records), "total_pages": self.total_pages,
                "page_number": page, "size": self.per_page, "first_page": page == 1,
                "last_page": last, "empty": not chunk, "contents": chunk}

    def _answer(self, handler: BaseHTTPRequestHandler) -> None:
        query = parse_qs(urlsplit(handler.path).query)
        page = int(query.get("page", ["1"])[0])
        asked = handler.headers.get("If-None-Match")
        with self._lock:
            waiting = self.trouble.get(page) or []
            trouble = waiting.pop(0) if waiting else None
        if trouble == 0:
            time.sleep(self.stall_seconds)
            trouble = 503
        if trouble is not None:
            self._send(handler, page, asked, trouble, b'{"error": "trouble"}', None)
            return
        body = json.dumps(self.page_document(page)).encode()
        etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"' if self.etags else None
        if etag and asked == etag:
            self._send(handler, page, asked, 304, b"", etag)
            return
        self._send(handler, page, asked, 200, body, etag)

    def _send(self, handler: BaseHTTPRequestHandler, page: int, asked: str | None, status: int,
              body: bytes, etag: str | None) -> None:
        with self._lock:
            self.requests.append(FeedRequest(page, asked, status))
        try:
            handler.send_response(status)
            handler.send_header("Content-Type", "application/json")
            if etag:
                handler.send_header("ETag", etag)
            if status != 304:
                handler.send_header("Content-Length", str(len(body)))
            handler.end_headers()
            if status != 304:
                handler.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the importer gave up waiting: that is the point of a stall
