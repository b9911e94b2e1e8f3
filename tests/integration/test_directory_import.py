from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select

from helpline.directory import models as m
from helpline.directory.commands import run_import
from helpline.extensions import db
from tests.conftest import BRISTOL_FEED, NORTH_LINCS_FEED


def _three_services() -> list[dict[str, object]]:
    """The first three records of North Lincolnshire's real feed, a small feed to edit."""
    return list(json.loads(NORTH_LINCS_FEED.read_text())[:3])


def _count(model: type, *where: object) -> int:
    return int(db.session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


def test_north_lincolnshire_imports_all_its_services_then_reports_no_changes(app: Flask) -> None:
    with app.app_context():
        first = run_import([str(NORTH_LINCS_FEED)], "north-lincs")
        assert (first.created, first.updated, len(first.skipped)) == (738, 0, 0)
        second = run_import([str(NORTH_LINCS_FEED)], "north-lincs")
        assert (second.created, second.updated, second.unchanged, second.deactivated) == (
            0,
            0,
            738,
            0,
        )
        assert not second.changed
        service = db.session.scalar(select(m.Service).where(m.Service.name == "Short Breaks Team"))
        assert service is not None and "<" not in service.description
        assert service.organization is not None


def test_bristol_keeps_both_services_that_share_an_id_and_skips_the_nameless_one(
    app: Flask,
) -> None:
    with app.app_context():
        summary = run_import([str(BRISTOL_FEED)], "bristol")
        assert summary.created == 818
        assert [s.reason for s in summary.skipped] == ["no name"]
        assert [s.name for s in summary.renamed] == ["Yoga for Fitness & Relaxation"]
        shared_id = "2af617e5-4532-bebe-1036-ffdf2e93ce55"
        assert _count(m.Service, m.Service.source_id == shared_id) == 2
        again = run_import([str(BRISTOL_FEED)], "bristol")
        assert (again.created, again.updated, again.unchanged) == (0, 0, 818)


def test_a_changed_service_is_updated_and_a_dropped_one_marked_inactive(
    app: Flask, tmp_path: Path
) -> None:
    records = _three_services()
    feed = tmp_path / "feed.json"
    feed.write_text(json.dumps(records))
    with app.app_context():
        run_import([str(feed)], "small")
        records[0]["description"] = "<p>New opening hours from January.</p>"
        dropped = records.pop()
        feed.write_text(json.dumps(records))
        summary = run_import([str(feed)], "small")
        assert (summary.created, summary.updated, summary.unchanged, summary.deactivated) == (
            0,
            1,
            1,
            1,
        )
        gone = db.session.get(m.Service, dropped["id"])
        assert gone is not None and gone.status == "inactive"
        changed = db.session.get(m.Service, records[0]["id"])
        assert changed is not None and changed.description == "New opening hours from January."


def test_the_sample_local_offer_seeds_through_the_importer(app: Flask, runner) -> None:  # type: ignore[no-untyped-def]
    result = runner.invoke(args=["seed"])
    assert result.exit_code == 0, result.output
    assert "created" in result.output
    with app.app_context():
        assert _count(m.Service, m.Service.status == "active") >= 60
        assert _count(m.TaxonomyTerm) >= 10
        assert _count(m.Location) > 0
    again = runner.invoke(args=["seed"])
    assert "No changes." in again.output


def test_a_file_that_is_not_json_is_reported_not_fatal(app: Flask, tmp_path: Path) -> None:
    (tmp_path / "broken.json").write_text("{not json")
    (tmp_path / "ok.json").write_text(json.dumps([{"id": str(uuid.uuid4()), "name": "Ok"}]))
    with app.app_context():
        summary = run_import([str(tmp_path)], "folder")
    assert summary.created == 1
    assert any("not readable as JSON" in s.reason for s in summary.skipped)


def test_a_service_listed_again_after_it_was_dropped_comes_back(
    app: Flask, tmp_path: Path
) -> None:
    records = _three_services()
    feed = tmp_path / "feed.json"
    feed.write_text(json.dumps(records[:2]))
    with app.app_context():
        run_import([str(feed)], "small")
        feed.write_text(json.dumps(records[:1]))
        assert run_import([str(feed)], "small").deactivated == 1
        feed.write_text(json.dumps(records[:2]))
        summary = run_import([str(feed)], "small")
        assert (summary.updated, summary.unchanged) == (1, 1)
        back = db.session.get(m.Service, records[1]["id"])
        assert back is not None and back.status == "active"


@pytest.mark.parametrize(
    "broken", ["{not json", '{"error": "rate limited"}', '{"contents": "nope"}', "[]"]
)
def test_a_broken_or_empty_feed_marks_nothing_inactive(
    app: Flask, tmp_path: Path, broken: str
) -> None:
    # A failed download or an error page must not empty the council's directory.
    records = _three_services()
    feed = tmp_path / "feed.json"
    feed.write_text(json.dumps(records))
    with app.app_context():
        run_import([str(feed)], "small")
        feed.write_text(broken)
        summary = run_import([str(feed)], "small")
        assert summary.deactivated == 0 and summary.kept_missing
        assert _count(m.Service, m.Service.status == "active") == 3


def test_one_unreadable_file_in_a_folder_keeps_the_others_services(
    app: Flask, tmp_path: Path
) -> None:
    records = _three_services()
    (tmp_path / "a.json").write_text(json.dumps(records[:2]))
    (tmp_path / "b.json").write_text(json.dumps(records[2:]))
    with app.app_context():
        run_import([str(tmp_path)], "folder")
        (tmp_path / "b.json").write_text("{truncated")
        summary = run_import([str(tmp_path)], "folder")
        assert summary.deactivated == 0 and "could not be read" in summary.kept_missing
        assert _count(m.Service, m.Service.status == "active") == 3


def test_services_sharing_one_venue_both_keep_it(app: Flask, tmp_path: Path) -> None:
    venue = {"id": "venue-1", "name": "Civic Centre", "latitude": 53.2, "longitude": -0.5,
             "addresses": [{"id": "addr-1", "address_1": "1 Castle Street", "city": "Town",
                            "postal_code": "LN1 9ZX"}]}

    def service(name: str) -> dict[str, object]:
        return {"id": str(uuid.uuid5(uuid.NAMESPACE_DNS, name)), "name": name,
                "service_at_locations": [{"id": f"sal-{name}", "location": venue}]}

    feed = tmp_path / "feed.json"
    feed.write_text(json.dumps([service("Swim club"), service("Drama club")]))
    with app.app_context():
        run_import([str(feed)], "venues")
        venue["name"] = "Civic Centre (Hall 2)"
        feed.write_text(json.dumps([service("Swim club"), service("Drama club")]))
        run_import([str(feed)], "venues")
        for name in ("Swim club", "Drama club"):
            row = db.session.scalar(select(m.Service).where(m.Service.name == name))
            assert row is not None
            [link] = row.service_at_locations
            assert link.location is not None and link.location.name == "Civic Centre (Hall 2)"
            assert [a.postal_code for a in link.location.addresses] == ["LN1 9ZX"]


def test_two_services_reusing_a_short_child_id_are_both_imported(
    app: Flask, tmp_path: Path
) -> None:
    def service(name: str, number: str) -> dict[str, object]:
        return {"id": str(uuid.uuid5(uuid.NAMESPACE_DNS, name)), "name": name,
                "phones": [{"id": "p1", "number": number}]}

    feed = tmp_path / "feed.json"
    feed.write_text(json.dumps([service("Swim club", "01632 960001"),
                                service("Drama club", "01632 960002")]))
    with app.app_context():
        summary = run_import([str(feed)], "phones")
        assert summary.created == 2
        numbers = {row.name: [p.number for p in row.phones]
                   for row in db.session.scalars(select(m.Service))}
    assert numbers == {"Swim club": ["01632 960001"], "Drama club": ["01632 960002"]}
