"""The advisers' console in Chromium: an adviser's day, every page checked by axe-core for
WCAG 2.2 A and AA, and the keyboard alone (Tab and Enter) enough to work a callback."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from flask import Flask
from sqlalchemy import select

from helpline.extensions import db
from helpline.families.models import CallbackAttempt, CallbackRequest
from tests.browser.conftest import axe_violations
from tests.conftest import HELPLINE_NUMBER, PUBLIC_BASE_URL, TwilioSigner
from tests.console import PASSWORD, add_staff
from tests.e2e.test_sms_support import Phone
from tests.e2e.test_voice_caller import Caller
from tests.prism import TwilioApi

ADVISER_MOBILE = "+447700900201"
CALLER_NUMBER = "+447700900123"
FAMILY_NUMBER = "+447700900456"
WEDNESDAY_MORNING = datetime(2026, 12, 2, 11, 0, tzinfo=ZoneInfo("Europe/London"))


def accessible(page: Any, shots: Path | None = None, name: str = "") -> None:
    """No WCAG 2.2 A/AA violations here, every control reached by Tab; and a screenshot for the
    docs when named."""
    assert axe_violations(page) == [], page.url
    if shots is not None and name:
        page.screenshot(path=str(shots / f"{name}.png"), full_page=True)
    every_control_reached_by_tab(page)


_MARK_CONTROLS = """() => {
  const seen = new Set();
  let n = 0;
  for (const el of document.querySelectorAll(
      'a[href], button, input:not([type=hidden]), textarea, select, audio[controls]')) {
    if (!el.checkVisibility() || el.disabled) continue;
    // One radio of a group is in the Tab order; the arrow keys move between them.
    if (el.type === 'radio') { if (seen.has(el.name)) continue; seen.add(el.name); }
    el.dataset.kb = String(n++);
  }
  return n;
}"""


def every_control_reached_by_tab(page: Any) -> None:
    """Tab from the top of the page reaches every link, button and field, each seen focused."""
    count = page.evaluate(_MARK_CONTROLS)
    page.evaluate("() => { document.activeElement && document.activeElement.blur(); }")
    page.evaluate("() => window.scrollTo(0, 0)")
    reached: set[str] = set()
    for _ in range(count * 2 + 5):
        page.keyboard.press("Tab")
        mark = page.evaluate("() => document.activeElement.dataset.kb || ''")
        if mark:
            reached.add(mark)
        if len(reached) == count:
            break
    missing = page.evaluate(
        "marks => [...document.querySelectorAll('[data-kb]')]"
        ".filter(e => !marks.includes(e.dataset.kb)).map(e => e.outerHTML.slice(0, 80))",
        sorted(reached))
    assert missing == [], (page.url, missing)


def sign_in_by_keyboard(page: Any, base: str, email: str) -> None:
    """Sign in with Tab, typing and Enter only."""
    page.goto(f"{base}/console/")
    assert "/console/sign-in" in page.url
    tab_to(page, "#email")
    page.keyboard.type(email)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "password"
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{base}/console/")


def tab_to(page: Any, selector: str, limit: int = 60) -> None:
    """Press Tab until the element matching `selector` has the focus (and is seen to)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement.matches(s)", selector):
            outline = page.evaluate(
                "() => { const s = getComputedStyle(document.activeElement);"
                " return [s.outlineStyle, s.boxShadow, s.backgroundColor]; }")
            # GOV.UK's focus style: a yellow background or outline, or a thick box shadow.
            assert outline[0] != "none" or outline[1] != "none" or \
                outline[2] == "rgb(255, 221, 0)", (selector, outline)
            return
    raise AssertionError(f"Tab never reached {selector} on {page.url}")


def press_on(page: Any, selector: str) -> None:
    """Tab to a link or button and press Enter on it: the next page loads."""
    tab_to(page, selector)
    with page.expect_navigation():
        page.keyboard.press("Enter")


def test_an_adviser_works_a_callback_and_every_page_passes_axe(
    live_app: Flask, live_url: str, page: Any, browser: Any, twilio_api: TwilioApi,
    screenshots: Path,
) -> None:
    live_app.config["HELPLINE_CLOCK"] = lambda: WEDNESDAY_MORNING  # advisers are answering
    add_staff(live_app, "asha@example.org", mobile=ADVISER_MOBILE)
    add_staff(live_app, "mo@example.org", role="manager", name="Mo Khan")

    # A test call asks for a person from the schools menu: it waits in the queue, Asha is rung.
    caller = Caller(live_app.test_client(), CALLER_NUMBER).dial().press("1").press("2")
    caller.press("1").press("0")
    assert caller.waiting_for == "Enqueue"
    assert [r.form["To"] for r in twilio_api.posts_to("/Calls.json")] == [ADVISER_MOBILE]
    # A test text asks for a call back.
    Phone(TwilioSigner(live_app.test_client()), FAMILY_NUMBER).text("CALL ME")

    # The sign-in page, then Today: who is waiting, in plain words, and who is being rung.
    page.goto(f"{live_url}/console/sign-in")
    accessible(page, screenshots, "sign-in")
    sign_in_by_keyboard(page, live_url, "asha@example.org")
    waiting = page.locator("table[aria-labelledby=waiting]").inner_text()
    assert "Schools, in English, number ending 123" in waiting and "Asha Patel" in waiting
    assert CALLER_NUMBER not in page.content() and "900123" not in page.content()
    accessible(page, screenshots, "today")

    # The worklist: the family who texted, masked.
    press_on(page, "a.govuk-service-navigation__link[href='/console/callbacks']")
    assert "Number ending 456" in page.locator("main").inner_text()
    assert "900456" not in page.content()
    accessible(page, screenshots, "callbacks")

    # Their record: what they texted; take it, and the number shows in full.
    page.get_by_role("link", name=re.compile("Number ending 456")).click()
    assert "CALL ME" in page.locator("main").inner_text()
    accessible(page, screenshots, "callback")
    page.get_by_role("button", name="Take this callback").click()
    assert page.get_by_role("heading", level=1).inner_text() == FAMILY_NUMBER
    accessible(page, screenshots, "callback-claimed")

    # Call the family: Asha's phone is rung first; answering and pressing a key rings the family
    # from the helpline's number. Prism checks both requests against Twilio's API.
    page.get_by_role("button", name="Call the family").click()
    assert "We are ringing your phone" in page.locator(".govuk-notification-banner").inner_text()
    adviser_leg = twilio_api.posts_to("/Calls.json")[-1]
    assert adviser_leg.status == 201, adviser_leg.reply
    assert adviser_leg.form["To"] == ADVISER_MOBILE and adviser_leg.form["From"] == HELPLINE_NUMBER
    signer = TwilioSigner(live_app.test_client())
    answers = adviser_leg.form["Url"].removeprefix(PUBLIC_BASE_URL)
    whisper = ET.fromstring(signer.post(answers, {"CallSid": adviser_leg.reply["sid"]}).data)
    gather = whisper.find("Gather")
    assert gather is not None and "number ending 4 5 6" in "".join(gather.itertext())
    connect = gather.get("action", "").removeprefix(PUBLIC_BASE_URL)
    joined = ET.fromstring(signer.post(connect, {"CallSid": adviser_leg.reply["sid"],
                                                 "Digits": "1"}).data)
    assert joined.find("Dial/Conference") is not None
    family_leg = twilio_api.posts_to("/Calls.json")[-1]
    assert family_leg.status == 201, family_leg.reply
    assert family_leg.form["To"] == FAMILY_NUMBER and family_leg.form["From"] == HELPLINE_NUMBER
    family = ET.fromstring(signer.post(family_leg.form["Url"].removeprefix(PUBLIC_BASE_URL),
                                       {"CallSid": family_leg.reply["sid"]}).data)
    assert family.findtext("Dial/Conference") == joined.findtext("Dial/Conference")

    # Nobody answered: recorded with a note. Then a call that reached them closes it.
    page.check("input[name=outcome][value=no-answer]")
    page.get_by_label("Note (optional)").fill("Rang at 11, no voicemail.")
    page.get_by_role("button", name="Save the call").click()
    assert "Rang at 11, no voicemail." in page.locator("main").inner_text()
    page.check("input[name=outcome][value=reached]")
    page.get_by_label("Note (optional)").fill("Talked about short breaks; texting the list.")
    page.get_by_role("button", name="Save the call").click()
    assert "this callback is closed" in page.locator(".govuk-notification-banner").inner_text()
    assert "Call the family" not in page.content()
    with live_app.app_context():
        row = db.session.scalars(select(CallbackRequest)).one()
        assert row.status == "done" and row.attempts == 2
        outcomes = [a.outcome for a in db.session.scalars(
            select(CallbackAttempt).order_by(CallbackAttempt.id))]
        assert outcomes == ["no-answer", "reached"]
    page.goto(f"{live_url}/console/callbacks")
    assert "No callbacks are waiting." in page.locator("main").inner_text()

    # A manager: the rota, its forms, and the audit log of all of the above.
    manager = browser.new_context(viewport={"width": 1100, "height": 900}).new_page()
    sign_in_by_keyboard(manager, live_url, "mo@example.org")
    for path, name in (("/console/rota", "rota"), ("/console/rota/new", "rota-add"),
                       ("/console/rota/1", "rota-change"), ("/console/rota/1/remove", ""),
                       (f"/console/callbacks/{row.id}", "")):
        manager.goto(live_url + path)
        accessible(manager, screenshots, name)
    manager.goto(f"{live_url}/console/audit")
    log = manager.locator("table").inner_text()
    for action in ("sign-in", "view-callback", "claim", "call-family", "record-attempt"):
        assert action in log
    assert FAMILY_NUMBER not in manager.content()
    accessible(manager, screenshots, "audit")
    manager.context.close()


def test_text_the_family_and_errors_pass_axe_and_work_by_keyboard(
    live_app: Flask, live_url: str, page: Any, twilio_api: TwilioApi,
    screenshots: Path,
) -> None:
    add_staff(live_app, "asha@example.org", mobile=ADVISER_MOBILE)
    Phone(TwilioSigner(live_app.test_client()), FAMILY_NUMBER).text("CALL ME")
    sign_in_by_keyboard(page, live_url, "asha@example.org")

    # Skip link first, then the service navigation: Enter follows each.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Skip to main content"
    press_on(page, "a[href='/console/callbacks']")
    press_on(page, "main a[href^='/console/callbacks/']")
    press_on(page, "button.govuk-button")  # Take this callback
    assert page.get_by_role("heading", level=1).inner_text() == FAMILY_NUMBER
    press_on(page, "a[href$='/text']")
    accessible(page, screenshots, "text-the-family")
    # Sending with nothing chosen: an error summary that passes axe too.
    press_on(page, "button.govuk-button")
    assert "Choose a text to send" in page.locator(".govuk-error-summary").inner_text()
    accessible(page)
    tab_to(page, "#text")
    page.keyboard.press("Space")
    press_on(page, "button.govuk-button")
    assert "on its way" in page.locator(".govuk-notification-banner").inner_text()
    sent = twilio_api.posts_to("/Messages.json")[-1]
    assert sent.form["To"] == FAMILY_NUMBER and sent.status == 201, sent.reply
    assert sent.form["Body"].startswith("Local Offer Helpline: we tried to call you")

    # Pages an adviser can't see answer plainly, and pass axe as well.
    page.goto(f"{live_url}/console/rota")
    assert page.get_by_role("heading", level=1).inner_text() == "You can’t see this page"
    accessible(page)
    page.goto(f"{live_url}/console/set-password/not-a-link")
    accessible(page)

    # Signed out: a wrong password's error, and the page to choose a password.
    with page.expect_navigation():
        page.get_by_role("button", name="Sign out").click()
    page.get_by_label("Email address").fill("asha@example.org")
    page.get_by_label("Password", exact=True).fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    assert "Enter a correct email address and password" in page.locator(
        ".govuk-error-summary").inner_text()
    accessible(page)
    with live_app.app_context():
        from helpline.console import accounts

        user = accounts.find(db.session(), "asha@example.org")
        assert user is not None
        token = accounts.issue_password_token(user)
        db.session.commit()
    page.goto(f"{live_url}/console/set-password/{token}")
    accessible(page, screenshots, "choose-password")
