"""Search latency on 10,000 services, beside one plain indexed SQL lookup by id.

Usage: .venv/bin/python bench/search_latency.py [--services 10000] [--queries 2000]
       [--database-url URL]   (default: a fresh SQLite file in a temp folder)
       [--distinct]           (each copy of a real service gets a description of its own)
       [--through-import]     (write the directory with `helpline import`'s code: minutes)
   or: .venv/bin/python bench/search_latency.py --scale 1000,10000,100000 [--distinct]

Builds a directory of N services from the real North Lincolnshire and Bristol feeds (repeated with
new ids, ages and places), then times `search()` over a mix of keyword, typo, free-text, age and
postcode queries, and a plain `SELECT ... WHERE id = ?` on the same engine in the same run.
Target: search median under 5 ms. With --scale: the index's build time and memory at each size.

The directory is written as the rows `helpline import` writes for the same feed, inserted in bulk
(the importer's per-service ORM work took minutes for 10,000 services); --through-import uses the
importer itself.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
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


def build_feed(count: int, seed: int = 7, distinct: bool = False) -> list[dict]:
    """N services drawn from the real feeds, each with a fresh id and an age range and place.

    Past the real services they repeat with new names; their descriptions repeat too, unless
    `distinct`: then each copy's description is its own sentences in a shuffled order with one
    or two sentences of another real service's among them, so no two texts are the same (an
    index reads each distinct text once) while the words stay the feeds' own.
    """
    rng = random.Random(seed)
    base = [s for f in FEEDS for s in json.loads(f.read_text()) if s.get("name", "").strip()]
    sentences = [_sentences(s.get("description") or "") for s in base]
    services = []
    for i in range(count):
        record = dict(base[i % len(base)])
        record["id"] = str(uuid.UUID(int=rng.getrandbits(128)))
        if i >= len(base):
            record["name"] = (
                f"{record['name']} ({rng.choice(['North', 'South', 'East', 'West'])} {i})"
            )
            if distinct:
                own = list(sentences[i % len(base)])
                other = [s for s in rng.choice(sentences) if s]
                own += rng.sample(other, min(len(other), rng.choice([1, 2])))
                rng.shuffle(own)
                record["description"] = " ".join(own)
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


def _sentences(description: str) -> list[str]:
    """A description cut after each full stop, question or exclamation mark (HTML and all)."""
    return [part for part in re.split(r"(?<=[.!?])\s+", description) if part]


def insert_directory(records: list[dict], source: str) -> None:
    """The rows `helpline import` writes for these feed records, inserted a table at a time.

    The same canonical rows the importer builds (`parse_document`), and the same rule for rows
    several services share (organisations, taxonomy terms, venues): one row, the last
    service's values, a venue's addresses replaced by the last service's.
    """
    from sqlalchemy import insert

    from helpline.directory import models as m
    from helpline.directory.importer import bump_revision, content_hash
    from helpline.directory.oruk_feed import parse_document
    from helpline.extensions import db

    feed = parse_document(records, source)
    assert not feed.skipped, feed.skipped[:3]
    shared: dict[type, dict[str, dict]] = {m.Organization: {}, m.TaxonomyTerm: {}, m.Location: {}}
    venue_rows: dict[str, dict[type, list[dict]]] = {}
    rows: dict[type, list[dict]] = {
        table: []
        for table in (
            m.Service,
            m.Phone,
            m.Contact,
            m.Schedule,
            m.ServiceArea,
            m.ServiceAtLocation,
            m.CostOption,
            m.Language,
            m.Attribute,
        )
    }
    now = m.utcnow()
    for term in feed.taxonomy_terms:
        shared[m.TaxonomyTerm][term["id"]] = term
    for service in feed.services:
        organization = service["organization"]
        if organization:
            shared[m.Organization][organization["id"]] = _columns(m.Organization, organization)
        rows[m.Service].append(
            _columns(m.Service, service)
            | {
                "organization_id": organization["id"] if organization else None,
                "source": source,
                "source_id": service["source_id"],
                "content_hash": content_hash(service),
                "imported_at": now,
                "last_modified": now,
            }
        )
        for table, key in (
            (m.Phone, "phones"),
            (m.Contact, "contacts"),
            (m.Schedule, "schedules"),
            (m.ServiceArea, "service_areas"),
            (m.CostOption, "cost_options"),
            (m.Language, "languages"),
        ):
            rows[table] += [
                _columns(table, item) | {"service_id": service["id"]} for item in service[key]
            ]
        for link in service["service_at_locations"]:
            location = link["location"]
            shared[m.Location][location["id"]] = _columns(m.Location, location)
            venue_rows[location["id"]] = {
                m.Address: [
                    _columns(m.Address, a) | {"location_id": location["id"]}
                    for a in location["addresses"]
                ],
                m.Accessibility: [
                    _columns(m.Accessibility, a) | {"location_id": location["id"]}
                    for a in location["accessibility"]
                ],
            }
            rows[m.ServiceAtLocation].append(
                {
                    "id": link["id"],
                    "description": link["description"],
                    "service_id": service["id"],
                    "location_id": location["id"],
                }
            )
        for attribute in service["attributes"]:
            term = attribute["taxonomy_term"]
            shared[m.TaxonomyTerm][term["id"]] = term
            rows[m.Attribute].append(
                {
                    "id": attribute["id"],
                    "link_type": attribute["link_type"],
                    "value": attribute["value"],
                    "link_entity": "service",
                    "link_id": service["id"],
                    "taxonomy_term_id": term["id"],
                }
            )
    for table in (m.Organization, m.TaxonomyTerm, m.Location):
        _insert(insert(table), [_columns(table, row) for row in shared[table].values()])
    for kind in (m.Address, m.Accessibility):
        _insert(insert(kind), [row for venue in venue_rows.values() for row in venue[kind]])
    for table, table_rows in rows.items():
        _insert(insert(table), table_rows)
    bump_revision(db.session)
    db.session.commit()


def _columns(table: type, values: dict) -> dict:
    """The values that are columns of the table."""
    return {key: value for key, value in values.items() if key in table.__table__.columns}


def _insert(statement: object, rows: list[dict]) -> None:
    from helpline.extensions import db

    for start in range(0, len(rows), 10_000):
        if rows[start : start + 10_000]:
            db.session.execute(statement, rows[start : start + 10_000])


def write_directory(feed: list[dict], source: str, workdir: Path, through_import: bool) -> None:
    """The directory in the database: by the importer itself, or its rows in bulk."""
    if through_import:
        from helpline.directory.commands import run_import

        path = workdir / f"{source}.json"
        path.write_text(json.dumps(feed))
        run_import([str(path)], source)
    else:
        insert_directory(feed, source)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--services", type=int, default=10_000)
    parser.add_argument("--queries", type=int, default=2_000)
    parser.add_argument("--database-url")
    parser.add_argument(
        "--scale",
        metavar="SIZES",
        help="instead: index build time and memory at each size, e.g. 1000,10000,100000",
    )
    parser.add_argument(
        "--distinct",
        action="store_true",
        help="give each copy of a real service a description of its own",
    )
    parser.add_argument(
        "--through-import",
        action="store_true",
        help="write the directory with the importer's own code (minutes)",
    )
    args = parser.parse_args()
    if args.scale:
        scale(
            [int(size) for size in args.scale.split(",")],
            args.database_url,
            args.distinct,
            args.through_import,
        )
        return

    from flask_migrate import upgrade

    from helpline import create_app
    from helpline.directory.search import forget_recent_answers, index_cache, search
    from helpline.extensions import db

    workdir = Path(tempfile.mkdtemp(prefix="helpline-bench-"))
    url = args.database_url or f"sqlite:///{workdir / 'bench.sqlite3'}"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "REDIS_URL": ""})
    with app.app_context():
        upgrade()
        started = time.perf_counter()
        write_directory(
            build_feed(args.services, distinct=args.distinct), "bench", workdir, args.through_import
        )
        print(
            f"wrote {args.services} services "
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
        again_ms: list[float] = []
        lookup_ms: list[float] = []
        for i in range(args.queries):
            query = QUERIES[i % len(QUERIES)]
            age = rng.choice([None, None, 4, 12, 19])
            postcode = rng.choice([None, None, rng.choice(DISTRICTS)])
            # The ranking itself: each index keeps recent answers, which would time a look-up.
            forget_recent_answers()
            t0 = time.perf_counter()
            results = search(query, age=age, postcode=postcode, limit=3)
            search_ms.append((time.perf_counter() - t0) * 1000)
            assert results or query == "help with money", query
            t0 = time.perf_counter()
            search(query, age=age, postcode=postcode, limit=3)
            again_ms.append((time.perf_counter() - t0) * 1000)
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
    print(f"{'the same search again (kept)':28}{statistics.median(again_ms):>10.3f}"
          f"{percentile(again_ms, 0.99):>10.3f}")
    print(
        f"{'SQL lookup by id (baseline)':28}{statistics.median(lookup_ms):>10.3f}"
        f"{percentile(lookup_ms, 0.99):>10.3f}"
    )
    print(
        f"search median / lookup median: "
        f"{statistics.median(search_ms) / statistics.median(lookup_ms):.1f}x; target: median < 5 ms"
    )


def scale(sizes: list[int], database_url: str | None, distinct: bool, through_import: bool) -> None:
    """Index build time and memory for directories of each size, beside reading the same rows.

    The baseline is the plain read of every active service's row (one SELECT, no index): what
    any search must at least do to know the directory.
    """
    import tracemalloc

    from flask_migrate import upgrade
    from sqlalchemy import select

    from helpline import create_app
    from helpline.directory import models as m
    from helpline.directory.geo import centroids_in
    from helpline.directory.search import build_index
    from helpline.directory.vocabulary import vocabulary_from
    from helpline.extensions import db

    print(f"load average at the start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(
        f"{'services':>9}{'write s':>10}{'read rows s':>13}{'build s':>9}{'again s':>9}"
        f"{'again CPU s':>13}{'s / 10k':>9}{'index MB':>10}{'peak MB':>9}"
    )
    for size in sizes:
        workdir = Path(tempfile.mkdtemp(prefix="helpline-bench-"))
        url = database_url or f"sqlite:///{workdir / 'bench.sqlite3'}"
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "REDIS_URL": ""})
        with app.app_context():
            upgrade()
            started = time.perf_counter()
            write_directory(
                build_feed(size, distinct=distinct), f"bench-{size}", workdir, through_import
            )
            imported = time.perf_counter() - started
            data_dir = app.config["DATA_DIR"]
            centroids, vocabulary = centroids_in(data_dir), vocabulary_from(data_dir)
            started = time.perf_counter()
            db.session.execute(select(m.Service).where(m.Service.status == "active")).all()
            read = time.perf_counter() - started
            db.session.expunge_all()
            # The first build (at a worker's start), then another (after an import, in a
            # worker whose word caches are warm), with the CPU time it took: on a shared
            # machine the wall time also counts waiting for a CPU.
            started = time.perf_counter()
            index = build_index(db.session, centroids, vocabulary)
            built = time.perf_counter() - started
            del index
            started, cpu = time.perf_counter(), time.process_time()
            index = build_index(db.session, centroids, vocabulary)
            again, again_cpu = time.perf_counter() - started, time.process_time() - cpu
            del index
            db.session.expunge_all()
            tracemalloc.start()
            index = build_index(db.session, centroids, vocabulary)
            db.session.expunge_all()
            held, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            print(
                f"{size:>9}{imported:>10.1f}{read:>13.2f}{built:>9.2f}{again:>9.2f}"
                f"{again_cpu:>13.2f}{built / size * 10_000:>9.2f}{held / 2**20:>10.1f}"
                f"{peak / 2**20:>9.1f}"
            )
            del index
            db.session.remove()
            if database_url:  # a shared server database: leave it empty for the next size
                db.drop_all()
            db.engine.dispose()
    print(f"load average at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(
        "directory: "
        + (
            "each copy of a real service with a description of its own"
            if distinct
            else "copies of the real services repeat their descriptions"
        )
    )
    print("target: build under 1 s per 10,000 services; index small enough for a web worker")


if __name__ == "__main__":
    main()
