"""Plain words for advisers, the approved texts' checks, and the console's built assets."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from helpline.advisers import plain_words
from helpline.console import texts
from tests.conftest import PROJECT_ROOT

DATA = PROJECT_ROOT / "data"


def test_a_callers_menu_path_becomes_a_topic_in_words() -> None:
    known = plain_words.topics(str(DATA))
    path = ["language:en", "main", "education", "schools", "adviser"]
    assert plain_words.topic(path, known) == "Schools"
    assert plain_words.topic(["language:pl", "main", "adviser"], known) == "General enquiry"
    assert plain_words.topic([], known) == "General enquiry"
    assert plain_words.describe("Schools", "en", "2 minutes", "+447700900123") == (
        "Schools, in English, waiting 2 minutes, number ending 123")
    assert plain_words.describe("Health", "ur", "under a minute", None) == (
        "Health, in Urdu, waiting under a minute, number withheld")
    assert plain_words.number_ending("+447700900123", spoken=True) == "number ending 1 2 3"


def test_every_phone_menu_has_a_topic(tmp_path: Path) -> None:
    from flask import Flask

    app = Flask(__name__)
    app.config.update(DATA_DIR=str(DATA), IVR_FLOWS_DIR=str(PROJECT_ROOT / "ivr_flows"))
    assert plain_words.check(app) == []
    data = yaml.safe_load((DATA / "adviser_words.yaml").read_text(encoding="utf-8"))
    del data["topics"]["schools"]
    (tmp_path / "adviser_words.yaml").write_text(yaml.safe_dump(data), encoding="utf-8")
    app.config["DATA_DIR"] = str(tmp_path)
    assert plain_words.check(app) == ["adviser_words.yaml: no topic for menu 'schools'"]


def test_approved_texts_are_in_every_language_and_fit_three_parts() -> None:
    data = yaml.safe_load((DATA / "adviser_texts.yaml").read_text(encoding="utf-8"))
    assert texts.problems(data) == []
    broken = {"texts": {"x": {"label": "X", "en": "Hello {name} ’", "pl": "a " * 300}}}
    found = texts.problems(broken)
    assert "x.en: unknown placeholder(s) ['name']" in found
    assert "x.pl: longer than 3 SMS parts" in found
    assert "x.ur: missing (every text needs every language)" in found
    curly = {"texts": {"x": {"label": "X", "en": "It’s", "pl": "a", "ur": "b"}}}
    assert texts.problems(curly) == ["x.en: use GSM-7 characters only"]


def test_the_committed_govuk_build_is_the_pinned_version() -> None:
    pinned = json.loads((PROJECT_ROOT / "tests" / "node" / "package.json").read_text())
    version = pinned["dependencies"]["govuk-frontend"]
    css = PROJECT_ROOT / "helpline" / "console" / "static" / "govuk" / "console.css"
    first_line = css.read_text(encoding="utf-8").splitlines()[0]
    assert first_line == f"/*! govuk-frontend {version}, built by scripts/build-console-assets */"
    # GDS Transport is for GOV.UK services only: a council's console is in Arial.
    assert "GDS Transport" not in css.read_text(encoding="utf-8")


def test_a_calls_way_through_the_menu_reads_as_words_not_ids() -> None:
    known = plain_words.topics(str(DATA))
    steps = ["language:pl", "main", "breaks", "shortbreaks", "text", "adviser", "closed",
             "message left"]
    assert plain_words.path(steps, known) == (
        "Short breaks and social care, then Short breaks, then had the services texted, then"
        " asked for an adviser, then called out of hours, then left a message")
    summary = "Phone menu in Polish (pl): language:pl > main > ehc > callback"
    assert plain_words.summary_steps(summary) == ["language:pl", "main", "ehc", "callback"]
    assert plain_words.path([], known) == "made no choice"


def test_rota_hours_read_back_as_a_person_writes_them() -> None:
    from helpline.advisers.models import Adviser
    from helpline.advisers.rota import add_hours, hour_lines, parse_hours

    adviser = Adviser(name="A", mobile="+447700900201")
    written = ["mon-fri 09:00-17:00", "sat 10:00-12:30", "wed 18:00-20:00"]
    add_hours(adviser, written)
    lines = hour_lines(adviser.hours)
    assert lines == ["mon-fri 09:00-17:00", "wed 18:00-20:00", "sat 10:00-12:30"]
    again = Adviser(name="B", mobile="+447700900202")
    add_hours(again, lines)
    assert sorted((s.weekday, s.start_minute, s.end_minute) for s in again.hours) == sorted(
        (s.weekday, s.start_minute, s.end_minute) for s in adviser.hours)
    assert parse_hours(lines[0]).weekdays == (0, 1, 2, 3, 4)
