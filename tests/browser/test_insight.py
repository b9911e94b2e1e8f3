"""Insight and directory health in Chromium: a manager reaches both from the navigation and sees
the figures (charts beside their tables), every page passes axe-core for WCAG 2.2 A and AA and
works by keyboard; an adviser is refused."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from flask import Flask

from helpline.directory import models as m
from helpline.extensions import db
from tests.browser.test_console import accessible, press_on, sign_in_by_keyboard
from tests.conftest import TwilioSigner
from tests.console import add_staff
from tests.e2e.test_sms_support import Phone

UNREACHABLE = "Wyvern Vale Saturday Morning Inclusive Multi-Sport and Swimming Club for Everyone"


def _row(page: Any, table: str, header: str) -> list[str]:
    """The cells of the row a table heads with `header`."""
    row = page.locator(f"#{table} tbody tr", has=page.locator("th", has_text=header)).first
    return [cell.strip() for cell in row.locator("th, td").all_inner_texts()]


def test_a_manager_reads_insight_and_directory_health_and_both_pass_axe(
    live_app: Flask, live_url: str, page: Any, browser: Any, screenshots: Path,
) -> None:
    assert live_app.test_cli_runner().invoke(args=["seed"]).exit_code == 0
    with live_app.app_context():
        db.session.add(m.Service(id=str(uuid.uuid4()), name=UNREACHABLE, status="active",
                                 source="test"))
        db.session.commit()
    signer = TwilioSigner(live_app.test_client())
    Phone(signer, "+447700900456").text("SHORTBREAKS")
    Phone(signer, "+447700900457").text("SHORTBREAKS 12")
    Phone(signer, "+447700900458").text("horse riding for my son")
    Phone(signer, "+447700900459").text("STOP")
    add_staff(live_app, "mo@example.org", role="manager", name="Mo Khan")
    add_staff(live_app, "asha@example.org")

    # An adviser has neither page in the navigation, and is refused at their addresses.
    adviser = browser.new_context().new_page()
    sign_in_by_keyboard(adviser, live_url, "asha@example.org")
    navigation = adviser.locator("nav").inner_text()
    assert "Insight" not in navigation and "Directory health" not in navigation
    for path in ("/console/insight", "/console/directory-health", "/console/insight.csv"):
        answer = adviser.goto(f"{live_url}{path}")
        assert answer is not None and answer.status == 403, path
    adviser.context.close()

    sign_in_by_keyboard(page, live_url, "mo@example.org")
    press_on(page, "a.govuk-service-navigation__link[href='/console/insight']")
    assert page.get_by_role("heading", level=1).inner_text() == "Insight"
    assert _row(page, "requests-table", "Short breaks")[:3] == ["Short breaks", "SHORTBREAKS",
                                                                "2"]
    assert _row(page, "nothing_found-table", "riding") == ["riding", "1"]
    assert _row(page, "opt_outs-table", "STOP") == ["STOP (opted out)", "1"]
    # Each chart is one image named by its title; the table beside it is its equivalent.
    charts = page.get_by_role("img")
    assert charts.count() == 6
    assert page.get_by_role("img", name="Requests by area and keyword").count() == 1
    accessible(page, screenshots, "insight")

    press_on(page, "a[href='/console/insight?days=7']")
    assert "last 7 days" in page.locator("main").inner_text()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download these figures as CSV").click()
    saved = download.value.path()
    assert "opt_outs," in Path(saved).read_text(encoding="utf-8")

    press_on(page, "a.govuk-service-navigation__link[href='/console/directory-health']")
    assert page.get_by_role("heading", level=1).inner_text() == "Directory health"
    for table in ("unreachable", "no-ages", "long-names", "never-returned"):
        assert UNREACHABLE in page.locator(f"#{table}").inner_text(), table
    assert "Short Breaks" not in page.locator("#unreachable").inner_text()
    accessible(page, screenshots, "directory-health")
