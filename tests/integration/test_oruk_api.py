from __future__ import annotations

import json
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from jsonschema import Draft7Validator
from referencing import Registry, Resource

from tests.conftest import NORTH_LINCS_FEED, UK_PROFILE

SCHEMA_DIR = UK_PROFILE / "schema"


def _validator(name: str) -> Draft7Validator:
    schema = json.loads((SCHEMA_DIR / name).read_text())
    return Draft7Validator(
        schema,
        format_checker=Draft7Validator.FORMAT_CHECKER,
        registry=Registry().with_resource(schema.get("$id", name), Resource.opaque(schema)),
    )


SERVICE = _validator("service.json")
SERVICE_LIST = _validator("service_list.json")


def _errors(validator: Draft7Validator, instance: Any) -> list[str]:
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(instance)]


@pytest.fixture
def seeded(app: Flask, runner: Any) -> FlaskClient:
    assert runner.invoke(args=["seed"]).exit_code == 0
    assert runner.invoke(args=["import", str(NORTH_LINCS_FEED)]).exit_code == 0
    return app.test_client()


def test_every_listed_service_and_every_full_service_validates(seeded: FlaskClient) -> None:
    page, problems, checked = 1, [], 0
    while True:
        body = seeded.get(f"/api/oruk/services?page={page}&per_page=200").get_json()
        for item in body["contents"]:
            problems += _errors(SERVICE_LIST, item)
            full = seeded.get(f"/api/oruk/services/{item['id']}")
            problems += _errors(SERVICE, full.get_json())
            checked += 1
        if body["last_page"]:
            break
        page += 1
    assert checked >= 738 + 60
    assert problems == []


def test_paging_fields_describe_the_page(seeded: FlaskClient) -> None:
    body = seeded.get("/api/oruk/services?page=2&per_page=10").get_json()
    assert body["page_number"] == 2 and body["size"] == 10 and len(body["contents"]) == 10
    assert body["first_page"] is False and body["total_pages"] == -(-body["total_items"] // 10)


def test_search_and_age_filters(seeded: FlaskClient) -> None:
    body = seeded.get("/api/oruk/services?search=short%20breaks&per_page=5").get_json()
    names = [s["name"] for s in body["contents"]]
    assert "Short Breaks Team" in names[:3] or any("short break" in n.lower() for n in names[:3])
    teen = seeded.get("/api/oruk/services?minimum_age=19&maximum_age=25&per_page=200").get_json()
    for item in teen["contents"]:
        assert item.get("maximum_age", 99) >= 19 and item.get("minimum_age", 0) <= 25


def test_taxonomy_terms_list_and_filter(seeded: FlaskClient) -> None:
    terms = seeded.get("/api/oruk/taxonomy_terms?per_page=200").get_json()["contents"]
    assert terms and all({"id", "name", "description"} <= t.keys() for t in terms)
    short_breaks = next(t for t in terms if t["name"].lower() == "short breaks")
    body = seeded.get(f"/api/oruk/services?taxonomy_term_id={short_breaks['id']}").get_json()
    assert body["total_items"] >= 5
    for item in body["contents"]:
        full = seeded.get(f"/api/oruk/services/{item['id']}").get_json()
        assert short_breaks["id"] in {a["taxonomy_term_id"] for a in full["attributes"]}


def test_responses_allow_any_origin_and_errors_are_plain(seeded: FlaskClient) -> None:
    response = seeded.get("/api/oruk/services")
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    missing = seeded.get("/api/oruk/services/00000000-0000-0000-0000-000000000000")
    assert missing.status_code == 404 and missing.headers["Access-Control-Allow-Origin"] == "*"
    bad = seeded.get("/api/oruk/services?page=zero")
    assert bad.status_code == 400 and "Traceback" not in bad.get_data(as_text=True)


@pytest.mark.parametrize("query", ["page=inf", "page=1e400", "per_page=-inf", "minimum_age=inf"])
def test_numbers_too_big_for_an_integer_are_a_400_not_a_500(
    seeded: FlaskClient, query: str
) -> None:
    assert seeded.get(f"/api/oruk/services?{query}").status_code == 400
    assert seeded.get(f"/api/oruk/taxonomy_terms?{query}").status_code in (200, 400)
