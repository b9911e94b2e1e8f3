from __future__ import annotations

import json
import uuid

from helpline.directory.oruk_feed import parse_document, stable_id
from tests.conftest import UK_PROFILE


def test_a_uuid_id_is_kept_and_lower_cased() -> None:
    raw = "AC148810-D857-441C-9679-408F346DE14B"
    assert stable_id(raw, "feed", "service") == raw.lower()


def test_a_malformed_id_gets_a_stable_derived_uuid() -> None:
    first = stable_id("svc-42", "feed", "service")
    assert uuid.UUID(first)
    assert stable_id("svc-42", "feed", "service") == first
    assert stable_id("svc-42", "other-feed", "service") != first


def test_a_30_nested_service_keeps_its_children() -> None:
    document = json.loads((UK_PROFILE / "examples" / "service_full.json").read_text())
    feed = parse_document(document, "example")
    (service,) = feed.services
    assert service["name"] == "Community Counselling"
    assert service["minimum_age"] == 12
    location = service["service_at_locations"][0]["location"]
    assert location["addresses"][0]["address_1"] == "1-30 Main Street"
    assert service["schedules"][0]["opens_at"] == "10:00:00"
    assert service["attributes"][0]["taxonomy_term"]["name"] == "name"


def test_a_30_list_page_is_read_from_contents() -> None:
    page = {
        "total_items": 2,
        "contents": [
            {"id": str(uuid.uuid4()), "name": "One", "status": "active"},
            {"id": str(uuid.uuid4()), "name": "Two", "status": "active"},
        ],
    }
    assert [s["name"] for s in parse_document(page, "p").services] == ["One", "Two"]


def test_a_10_service_is_converted_to_30_shape() -> None:
    record = {
        "id": "legacy-1",
        "name": "<b>Portage</b> Home Visiting",
        "description": "<p>Home visits for&nbsp;under fives.</p>",
        "status": "active",
        "eligibilitys": [{"id": "e1", "eligibility": "age", "minimum_age": 0, "maximum_age": 5}],
        "contacts": [
            {"id": "c1", "name": "Duty", "phones": [{"id": "p1", "number": "01632 960111"}]}
        ],
        "regular_schedules": [
            {"id": "r1", "weekday": "Monday", "opens_at": "9:00", "closes_at": "17:00"}
        ],
        "service_at_locations": [
            {
                "id": "sl1",
                "location": {
                    "id": "l1",
                    "name": "Hub",
                    "latitude": "53.2",
                    "longitude": "-0.5",
                    "physical_addresses": [
                        {
                            "id": "a1",
                            "address_1": "1 High St",
                            "city": "Lincoln",
                            "postal_code": "ln2 9zx",
                            "country": "GB",
                        }
                    ],
                },
            }
        ],
        "service_taxonomys": [
            {"id": "t1", "taxonomy": {"id": "tx1", "name": "Early years", "vocabulary": "local"}}
        ],
    }
    (service,) = parse_document({"content": [record]}, "legacy").services
    assert service["name"] == "Portage Home Visiting"
    assert service["description"] == "Home visits for under fives."
    assert (service["minimum_age"], service["maximum_age"]) == (0, 5)
    assert service["phones"][0]["number"] == "01632 960111"
    assert service["schedules"][0]["byday"] == "MO"
    assert service["schedules"][0]["opens_at"] == "09:00:00"
    address = service["service_at_locations"][0]["location"]["addresses"][0]
    assert address["postal_code"] == "LN2 9ZX"
    assert service["service_at_locations"][0]["location"]["latitude"] == 53.2
    assert service["attributes"][0]["taxonomy_term"]["name"] == "Early years"
    assert uuid.UUID(service["id"])


def test_records_without_a_name_are_skipped_with_a_reason() -> None:
    feed = parse_document(
        [{"id": str(uuid.uuid4()), "name": " ", "description": "<p><br></p>"}, "not an object"], "f"
    )
    assert feed.services == []
    assert sorted(s.reason for s in feed.skipped) == ["entry is not an object", "no name"]


def test_nan_and_infinity_are_no_ages_and_no_intervals() -> None:
    record = {"id": str(uuid.uuid4()), "name": "Club", "minimum_age": "NaN",
              "maximum_age": "Infinity",
              "regular_schedules": [{"freq": "WEEKLY", "interval": "Infinity", "byday": "MO"}]}
    [service] = parse_document([record], "feed").services
    assert service["minimum_age"] is None and service["maximum_age"] is None
    assert json.loads(json.dumps(service, allow_nan=False))  # valid JSON, as the API serves it


def test_messy_contacts_countries_and_statuses_are_made_valid_oruk() -> None:
    address = {"address_1": "1 Road", "postal_code": "LN1 9ZX", "country": "United Kingdom"}
    organization = {"id": str(uuid.uuid4()), "name": "Trust", "website": "javascript:alert(1)",
                    "email": "mailto:hi@trust.example"}
    record = {"id": str(uuid.uuid4()), "name": "Club", "status": "Live",
              "url": "www.club.example", "email": "not an email", "organization": organization,
              "service_at_locations": [
                  {"location": {"id": "v1", "name": "Hall", "addresses": [address]}}]}
    [service] = parse_document([record], "feed").services
    assert service["status"] == "active"
    assert service["url"] == "https://www.club.example" and service["email"] is None
    assert service["organization"]["website"] is None
    assert service["organization"]["email"] == "hi@trust.example"
    [link] = service["service_at_locations"]
    assert link["location"]["addresses"][0]["country"] == "GB"
