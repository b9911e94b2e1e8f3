"""Search latency on 10,000 services, beside one plain indexed SQL lookup by id.

Usage: .venv/bin/python bench/search_latency.py [--services 10000] [--queries 2000]
       [--database-url URL]   (default: a fresh SQLite file in a temp folder)

Builds a directory of N services from the real North Lincolnshire and Bristol feeds (repeated with
new ids, ages and places), then times `search()` over a mix of keyword, typo, free-text, age and
postcode queries, and a plain `SELECT ... WHERE id = ?` on the same engine in the same run.
Target: search median under 5 ms.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

from sqlalchemy import text

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

FEEDS = [
    ROOT / "data" / "oruk" / "north-lincolnshire-services-2024-12.json",
    ROOT / "data" / "oruk" / "bristol-services-2024-12.json",
]
QUERIES = [
    "SHORTBREAKS",
    "short breaks",
    "shortbrakes",
    "EHC",
    "ehcp",
    "TRANSPORT",
    "transprot",
    "advice about send",
    "autism",
    "speech therapy",
    "SENDIASS",
    "help with money",
    "youth club for disabled children",
    "COMPLAINTS",
    "college",
    "respite",
]
DISTRICTS = ["DN15", "DN16", "DN17", "DN18", "DN19", "DN20", "BS1", "BS2", "BS5", "BS16", "LN1"]


def build_feed(count: int, seed: int = 7) -> list[dict]:
    """N services drawn from the real feeds, each with a fresh id and an age range and place."""
    rng = random.Random(seed)
    base = [s for f in FEEDS for s in json.loads(f.read_text()) if s.get("name", "").strip()]
    services = []
    for i in range(count):
        record = dict(base[i % len(base)])
        record["id"] = str(uuid.UUID(int=rng.getrandbits(128)))
        if i >= len(base):
            record["name"] = (
                f"{record['name']} ({rng.choice(['North', 'South', 'East', 'West'])} {i})"
            )
        low = rng.choice([0, 0, 0, 5, 11, 16])
        record["eligibilitys"] = [
            {"id": f"e{i}", "minimum_age": low, "maximum_age": rng.choice([18, 25, 25])}
        ]
        if rng.random() < 0.6:
            record["service_at_locations"] = [
                {
                    "id": f"sal{i}",
                    "location": {
                        "id": f"loc{i}",
                        "name": "Venue",
                        "physical_addresses": [
                            {
                                "id": f"a{i}",
                                "address_1": "1 Street",
                                "city": "Town",
                                "postal_code": f"{rng.choice(DISTRICTS)} 1ZZ",
                                "country": "GB",
                            }
                        ],
                    },
                }
            ]
        services.append(record)
    return services


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--services", type=int, default=10_000)
    parser.add_argument("--queries", type=int, default=2_000)
    parser.add_argument("--database-url")
    parser.add_argument("--scale", metavar="SIZES",
                        help="instead: index build time and memory at each size, e.g. "
                             "1000,10000,100000")
    args = parser.parse_args()
    if args.scale:
        scale([int(size) for size in args.scale.split(",")], args.database_url)
        return

    from flask_migrate import upgrade

    from helpline import create_app
    from helpline.directory.commands import run_import
    from helpline.directory.search import index_cache, search
    from helpline.extensions import db

    workdir = Path(tempfile.mkdtemp(prefix="helpline-bench-"))
    url = args.database_url or f"sqlite:///{workdir / 'bench.sqlite3'}"
    feed = workdir / "feed.json"
    feed.write_text(json.dumps(build_feed(args.services)))
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "REDIS_URL": ""})
    with app.app_context():
        upgrade()
        started = time.perf_counter()
        summary = run_import([str(feed)], "bench")
        print(
            f"imported {summary.created + summary.updated + summary.unchanged} services "
            f"in {time.perf_counter() - started:.1f} s ({db.engine.dialect.name})"
        )
        started = time.perf_counter()
        search("warm up")
        print(
            f"index built in {time.perf_counter() - started:.2f} s "
            f"({len(index_cache._entries)} cached)"
        )
        ids = [row[0] for row in db.session.execute(text("SELECT id FROM service")).all()]
        rng = random.Random(11)
        search_ms: list[float] = []
        lookup_ms: list[float] = []
        for i in range(args.queries):
            query = QUERIES[i % len(QUERIES)]
            age = rng.choice([None, None, 4, 12, 19])
            postcode = rng.choice([None, None, rng.choice(DISTRICTS)])
            t0 = time.perf_counter()
            results = search(query, age=age, postcode=postcode, limit=3)
            search_ms.append((time.perf_counter() - t0) * 1000)
            assert results or query == "help with money", query
            service_id = rng.choice(ids)
            t0 = time.perf_counter()
            db.session.execute(
                text("SELECT id, name, email FROM service WHERE id = :id"), {"id": service_id}
            ).one()
            lookup_ms.append((time.perf_counter() - t0) * 1000)
        db.session.remove()
        db.engine.dispose()
    print(f"{'':28}{'median ms':>10}{'p99 ms':>10}")
    median, p99 = statistics.median(search_ms), percentile(search_ms, 0.99)
    print(f"{'search() top 3':28}{median:>10.3f}{p99:>10.3f}")
    print(
        f"{'SQL lookup by id (baseline)':28}{statistics.median(lookup_ms):>10.3f}"
        f"{percentile(lookup_ms, 0.99):>10.3f}"
    )
    print(
        f"search median / lookup median: "
        f"{statistics.median(search_ms) / statistics.median(lookup_ms):.1f}x; target: median < 5 ms"
    )


def scale(sizes: list[int], database_url: str | None) -> None:
    """Index build time and memory for directories of each size, beside reading the same rows.

    The baseline is the plain read of every active service's row (one SELECT, no index): what
    any search must at least do to know the directory.
    """
    import tracemalloc

    from flask_migrate import upgrade
    from sqlalchemy import select

    from helpline import create_app
    from helpline.directory import models as m
    from helpline.directory.commands import run_import
    from helpline.directory.geo import centroids_in
    from helpline.directory.search import build_index
    from helpline.directory.vocabulary import vocabulary_from
    from helpline.extensions import db

    print(f"{'services':>9}{'import s':>10}{'read rows s':>13}{'build s':>9}{'s / 10k':>9}"
          f"{'index MB':>10}{'peak MB':>9}")
    for size in sizes:
        workdir = Path(tempfile.mkdtemp(prefix="helpline-bench-"))
        url = database_url or f"sqlite:///{workdir / 'bench.sqlite3'}"
        feed = workdir / "feed.json"
        feed.write_text(json.dumps(build_feed(size)))
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "REDIS_URL": ""})
        with app.app_context():
            upgrade()
            started = time.perf_counter()
            run_import([str(feed)], f"bench-{size}")
            imported = time.perf_counter() - started
            data_dir = app.config["DATA_DIR"]
            centroids, vocabulary = centroids_in(data_dir), vocabulary_from(data_dir)
            started = time.perf_counter()
            db.session.execute(select(m.Service).where(m.Service.status == "active")).all()
            read = time.perf_counter() - started
            db.session.expunge_all()
            started = time.perf_counter()
            index = build_index(db.session, centroids, vocabulary)
            built = time.perf_counter() - started
            del index
            db.session.expunge_all()
            tracemalloc.start()
            index = build_index(db.session, centroids, vocabulary)
            db.session.expunge_all()
            held, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            print(f"{size:>9}{imported:>10.1f}{read:>13.2f}{built:>9.2f}"
                  f"{built / size * 10_000:>9.2f}{held / 2**20:>10.1f}{peak / 2**20:>9.1f}")
            del index
            db.session.remove()
            if database_url:  # a shared server database: leave it empty for the next size
                db.drop_all()
            db.engine.dispose()
    print("target: build under 1 s per 10,000 services; index small enough for a web worker")


if __name__ == "__main__":
    main()
