"""Feedback in Chromium: a family's FEEDBACK text is answered and published by a manager, found
on the public "You said, we did" page without signing in (with no phone number anywhere on it),
and the family's "answered" text reaches Twilio's API (prism); every page passes axe-core."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from flask import Flask

from tests.browser.conftest import axe_violations
from tests.browser.test_console import accessible, press_on, sign_in_by_keyboard
from tests.conftest import TwilioSigner
from tests.console import add_staff
from tests.e2e.test_sms_support import Phone
from tests.prism import TwilioApi

FAMILY_NUMBER = "+447700900456"
# Seven or more digits in a row, however they are spaced: anything that could be a phone number.
PHONE_LIKE = re.compile(r"\+?\d[\d \-.()]{5,}\d")
PUBLISHED = "There is no swimming club for autistic children near us."
RESPONSE = "Thank you. We are talking to the leisure centre about quiet sessions."
ACTION = "Two quiet swimming sessions a week start at the leisure centre in January."


def no_phone_number(page: Any) -> None:
    """Nothing on the page, its text or its markup, could be a phone number."""
    for where in (page.content(), page.locator("body").inner_text()):
        found = [m.group(0) for m in PHONE_LIKE.finditer(where)
                 if len(re.sub(r"\D", "", m.group(0))) >= 7]
        assert found == [], (page.url, found)


def test_a_texted_comment_is_answered_published_and_the_family_told(
    live_app: Flask, live_url: str, page: Any, browser: Any, twilio_api: TwilioApi,
    screenshots: Path,
) -> None:
    add_staff(live_app, "mo@example.org", role="manager", name="Mo Khan")
    add_staff(live_app, "asha@example.org")
    thanks = Phone(TwilioSigner(live_app.test_client()), FAMILY_NUMBER).text(
        "FEEDBACK no swim club for my son Tom at Hillside School. Ring me on 07700 900456")
    assert thanks[0].startswith("Thank you for your comments")

    # An adviser has no Feedback page.
    adviser = browser.new_context().new_page()
    sign_in_by_keyboard(adviser, live_url, "asha@example.org")
    assert "Feedback" not in adviser.locator("nav").inner_text()
    adviser.goto(f"{live_url}/console/feedback")
    assert adviser.get_by_role("heading", level=1).inner_text() == "You can’t see this page"
    adviser.context.close()

    # The manager: Feedback in the navigation, the comment newest first, its own words private.
    sign_in_by_keyboard(page, live_url, "mo@example.org")
    press_on(page, "a.govuk-service-navigation__link[href='/console/feedback']")
    assert "no swim club for my son Tom" in page.locator("main").inner_text()
    accessible(page, screenshots, "feedback")
    page.get_by_role("link", name=re.compile(r"Comment \d+")).first.click()
    assert "ending 456" in page.locator("main").inner_text()
    accessible(page, screenshots, "feedback-comment")

    # Publishing with the number still in the wording is refused, with an error summary.
    page.get_by_label("Local Offer area").select_option("SHORTBREAKS")
    page.get_by_role("button", name="Publish", exact=True).click()
    summary = page.locator(".govuk-error-summary").inner_text()
    assert "Remove the phone number" in summary and "Enter the council’s response" in summary
    accessible(page)

    page.get_by_label("Theme (optional)").fill("swimming")
    page.get_by_label("The comment as it will be published").fill(PUBLISHED)
    page.get_by_label("The council’s response").fill(RESPONSE)
    page.get_by_label("The action taken").fill(ACTION)
    page.get_by_role("button", name="Publish", exact=True).click()
    banner = page.locator(".govuk-notification-banner").inner_text()
    assert "Published" in banner and "being sent a text" in banner
    accessible(page, screenshots, "feedback-published")

    # The family's "answered" text went to Twilio's API, which prism checked against its spec.
    sent = twilio_api.posts_to("/Messages.json")[-1]
    assert sent.status == 201, sent.reply
    assert sent.form["To"] == FAMILY_NUMBER
    assert sent.form["Body"].startswith("The council has answered your comment")
    assert "/you-said-we-did" in sent.form["Body"]

    # The public page, signed out: the manager's words, none of the family's, no number.
    public = browser.new_context(viewport={"width": 1100, "height": 900}).new_page()
    public.goto(f"{live_url}/you-said-we-did")
    assert "/console/sign-in" not in public.url
    main = public.locator("main").inner_text()
    assert PUBLISHED in main and RESPONSE in main and ACTION in main and "Short breaks" in main
    for private in ("Tom", "Hillside", "456"):
        assert private not in public.content(), private
    no_phone_number(public)
    accessible(public, screenshots, "you-said-we-did")
    public.get_by_label("Show comments about").select_option("TRANSPORT")
    public.get_by_role("button", name="Show", exact=True).click()
    assert "area=TRANSPORT" in public.url and PUBLISHED not in public.locator("main").inner_text()
    accessible(public)
    # In Urdu (right to left) and Polish: the page's words translated, the council's marked English.
    public.goto(f"{live_url}/you-said-we-did?lang=ur")
    assert public.locator("body").get_attribute("dir") == "rtl"
    assert public.locator(f"span[lang=en]:has-text('{PUBLISHED}')").count() == 1
    accessible(public, screenshots, "you-said-we-did-ur")
    public.get_by_role("link", name="Polski").click()
    assert public.get_by_role("heading", level=1).inner_text() == "Wasze uwagi i nasze działania"
    accessible(public)
    public.goto(f"{live_url}/you-said-we-did/print")
    assert PUBLISHED in public.locator("table").inner_text()
    no_phone_number(public)
    assert axe_violations(public) == []
    public.emulate_media(media="print")
    assert public.locator(".you-said-screen-only").is_hidden()
    public.context.close()
