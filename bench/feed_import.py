"""Import North Lincolnshire's real feed from a paginated ORUK API, beside the same from a file.

`.venv/bin/python bench/feed_import.py [--per-page 100] [--version 3.0|1.0]` (a fresh SQLite
file; `--database-url` for PostgreSQL). Three runs on an empty directory each time: the file
(the baseline), the URL page by page from a local HTTP server, and the URL again with nothing
changed (every page answered 304, nothing imported). Prints seconds and the ratio to the file.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    """Run the three imports and print them."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-page", type=int, default=100)
    parser.add_argument("--version", choices=("3.0", "1.0"), default="3.0")
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()

    from flask_migrate import upgrade
    from sqlalchemy import delete

    from helpline import create_app
    from helpline.directory import models as m
    from helpline.directory.commands import run_import
    from helpline.extensions import db
    from tests.conftest import NORTH_LINCS_FEED
    from tests.feed_server import FeedServer

    folder = tempfile.mkdtemp(prefix="helpline-bench-")
    url = args.database_url or f"sqlite:///{folder}/bench.sqlite3"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "REDIS_URL": "",
                      "FEED_RETRY_BACKOFF_SECONDS": 0})
    server = FeedServer(json.loads(NORTH_LINCS_FEED.read_text()), version=args.version,
                        per_page=args.per_page)
    with app.app_context():
        upgrade()

        def empty() -> None:
            for model in (m.Service, m.Organization, m.FeedImport):
                db.session.execute(delete(model))
            db.session.commit()

        def timed(paths: list[str], source: str) -> tuple[float, str]:
            started = time.perf_counter()
            summary = run_import(paths, source)
            seconds = time.perf_counter() - started
            shape = ("not modified" if summary.not_modified
                     else f"created {summary.created}, pages {summary.pages}")
            return seconds, shape

        empty()
        file_seconds, file_shape = timed([str(NORTH_LINCS_FEED)], "north-lincs")
        empty()
        url_seconds, url_shape = timed([server.url], "north-lincs")
        again_seconds, again_shape = timed([server.url], "north-lincs")
        db.engine.dispose()
    server.close()
    print(f"feed: North Lincolnshire, 738 services; ORUK {args.version}, {args.per_page} a page; "
          f"{url.split(':')[0]}")
    print(f"  file (baseline)        {file_seconds:6.2f} s  ({file_shape})")
    print(f"  URL, page by page      {url_seconds:6.2f} s  ({url_shape})  "
          f"{url_seconds / file_seconds:4.2f}x the file")
    print(f"  URL again, unchanged   {again_seconds:6.2f} s  ({again_shape})  "
          f"{again_seconds / file_seconds:4.2f}x the file")


if __name__ == "__main__":
    main()
