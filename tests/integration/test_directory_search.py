from __future__ import annotations

import pytest
from flask import Flask

from helpline.directory.commands import run_import
from helpline.directory.search import search
from tests.conftest import NORTH_LINCS_FEED


@pytest.fixture
def north_lincs(app: Flask) -> Flask:
    with app.app_context():
        run_import([str(NORTH_LINCS_FEED)], "north-lincs")
    return app


@pytest.mark.parametrize("text", ["SHORTBREAKS", "short breaks", "Short-Breaks", "shortbrakes"])
def test_short_breaks_team_and_respite_lead_for_every_spelling(north_lincs: Flask, text: str) -> None:
    with north_lincs.app_context():
        top3 = [r.name for r in search(text, limit=3)]
        reference = [r.name for r in search("SHORTBREAKS", limit=3)]
    assert {"Short Breaks Team", "Respite service"} <= set(top3)
    assert top3 == reference


def test_sendiass_comes_first_for_advice_about_send(north_lincs: Flask) -> None:
    with north_lincs.app_context():
        assert search("advice about send", limit=3)[0].name == "SENDIASS"


def test_typos_in_ordinary_words_still_find_the_service(north_lincs: Flask) -> None:
    with north_lincs.app_context():
        assert search("transprot", limit=1)[0].name == "School Transport Service"


def test_nothing_relevant_gives_no_results(north_lincs: Flask) -> None:
    with north_lincs.app_context():
        assert search("zzzz qqqq") == []
        assert search("") == []


def test_age_filters_out_services_for_other_ages(app: Flask, runner) -> None:  # type: ignore[no-untyped-def]
    runner.invoke(args=["seed"])
    with app.app_context():
        for result in search("SHORTBREAKS", age=3, limit=10):
            assert (result.minimum_age or 0) <= 3 <= (result.maximum_age or 25)
        adults = search("ADULTHOOD", age=24, limit=10)
        assert adults and all((r.maximum_age or 25) >= 24 for r in adults)


def test_nearer_services_come_first_for_a_postcode(app: Flask, runner) -> None:  # type: ignore[no-untyped-def]
    runner.invoke(args=["seed"])
    with app.app_context():
        unplaced = search("SHORTBREAKS", limit=20)
        for district in ("LN1", "LN6"):
            near = search("SHORTBREAKS", postcode=f"{district} 1ZZ", limit=20)
            assert {r.id for r in near} == {r.id for r in unplaced}
            placed = [r for r in near if r.distance_km is not None]
            assert placed, "sample short breaks should have locations"
        far_first = search("SHORTBREAKS", postcode="LN6", limit=3)
        near_first = search("SHORTBREAKS", postcode="LN2", limit=3)
    assert [r.id for r in far_first] != [r.id for r in near_first] or all(
        r.distance_km is None for r in far_first
    )


def test_the_search_command_prints_ranked_results(north_lincs: Flask) -> None:
    result = north_lincs.test_cli_runner().invoke(args=["search", "short breaks", "--age", "12", "--postcode", "DN15"])
    assert result.exit_code == 0
    lines = [line for line in result.output.splitlines() if line[:1].isdigit()]
    assert any("Short Breaks Team" in line for line in lines[:3])
