"""The insight page's period (presets, dates, mistakes) and its charts' accessible SVG."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime

from helpline.insight.charts import chart_svg
from helpline.insight.period import chosen
from helpline.insight.tables import Table, as_csv, minutes

SVG = "{http://www.w3.org/2000/svg}"
TODAY = date(2026, 7, 15)  # British Summer Time: the council's days start at 23:00 UTC


def test_a_preset_is_that_many_whole_days_up_to_today_in_the_councils_time() -> None:
    period, problems = chosen("", "", "7", TODAY, "Europe/London")
    assert problems == []
    assert period.start == datetime(2026, 7, 8, 23, 0, tzinfo=UTC)
    assert period.end == datetime(2026, 7, 15, 23, 0, tzinfo=UTC)
    assert period.label == "last 7 days (9 July 2026 to 15 July 2026)"
    assert period.holds(datetime(2026, 7, 8, 23, 0)) and not period.holds(period.end)


def test_dates_win_over_a_preset_and_a_wrong_period_says_why_and_shows_the_default() -> None:
    period, problems = chosen("2026-07-01", "2026-07-01", "90", TODAY, "Europe/London")
    assert problems == [] and period.label == "1 July 2026 to 1 July 2026"
    backwards, problems = chosen("2026-07-10", "2026-07-01", "", TODAY, "Europe/London")
    assert problems == ["The end date must be the same as or after the start date"]
    assert backwards.label.startswith("last 30 days")
    _, problems = chosen("01/07/2026", "", "", TODAY, "Europe/London")
    assert problems == ["Enter dates as year, month and day, like 2026-11-01"]


def test_a_chart_is_one_named_image_with_no_script_and_its_style_allowed_by_nonce() -> None:
    table = Table("calls", "Calls for an adviser", "", ("Outcome", "Calls", "Median wait"),
                  [("Answered by an adviser", 3, "4 min 00 s"), ("Abandoned", 2, "2 min 00 s")],
                  ("Outcome", "Calls"))
    root = ET.fromstring(str(chart_svg(table, nonce="n0nce")))
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "chart-calls-title chart-calls-desc"
    assert root.findtext(f"{SVG}title") == "Calls for an adviser"
    assert "table beside it" in (root.findtext(f"{SVG}desc") or "")
    # One title and one description: pygal's own per-bar ones would be read out as noise.
    assert len(list(root.iter(f"{SVG}title"))) == len(list(root.iter(f"{SVG}desc"))) == 1
    assert not list(root.iter(f"{SVG}script"))
    assert all("style" not in element.attrib for element in root.iter())
    styles = list(root.iter(f"{SVG}style"))
    assert styles and all(s.get("nonce") == "n0nce" for s in styles)
    assert "#chart-calls" in (styles[0].text or "")
    # The bars are drawn: one for each row with a count.
    assert len([r for r in root.iter(f"{SVG}rect") if "rect" in r.get("class", "")]) == 2


def test_waits_read_as_minutes_and_seconds() -> None:
    assert (minutes(None), minutes(59.6), minutes(245)) == ("none", "1 min 00 s", "4 min 05 s")


def test_a_word_that_looks_like_a_formula_is_made_harmless_in_the_csv() -> None:
    from helpline.insight.figures import CallbackFigures, Figures, QueueFigures
    from helpline.insight.period import between

    figures = Figures(
        period=between(TODAY, TODAY, "Europe/London"), texts_received=1, calls_received=0,
        requests=[], searches_found_nothing=1, calls_found_nothing=0, missed_words=[("=cmd", 1)],
        queue=QueueFigures(0, 0, 0, 0, 0, None, None),
        callbacks=CallbackFigures(0, 0, 0, 0, 0, 0), opt_outs=0, opt_ins=0, sent=[])
    line = "nothing_found,2026-07-14T23:00:00+00:00,2026-07-15T23:00:00+00:00,'=cmd,"
    assert line + "Texts and calls,1" in as_csv(figures).splitlines()
