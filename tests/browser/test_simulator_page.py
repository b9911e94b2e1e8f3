"""The simulator page on scripts/serve's demo, as a council officer would try it: a keyword and
its details by text, a call through language, menu, services and text-me-this with the text
arriving in the thread, a silent call to the offer of an adviser, two phones kept apart, and no
WCAG 2.2 A/AA violations. scripts/serve runs as it would on a fresh clone (its own database)."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import threading
import time
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest

from tests.browser.conftest import PROJECT_ROOT, axe_violations
from tests.walks import keys_to_text_me_this, said

PHONE = re.compile(r"\b0\d{4} \d{6}\b")
START_SECONDS = 300  # scripts/serve installs before it serves


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """scripts/serve on a free port, with no Twilio settings: the demo."""
    port = _free_port()
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("TWILIO_", "HELPLINE_", "PUBLIC_BASE_URL", "REDIS_URL"))}
    database = tmp_path_factory.mktemp("demo") / "demo.sqlite3"
    env.update(PORT=str(port), DATABASE_URL=f"sqlite:///{database}")
    process = subprocess.Popen([str(PROJECT_ROOT / "scripts" / "serve")], cwd=PROJECT_ROOT,
                               env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               text=True, start_new_session=True)
    output: list[str] = []
    assert process.stdout is not None
    reader = threading.Thread(target=lambda: output.extend(process.stdout or []), daemon=True)
    reader.start()
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_SECONDS
        while True:
            assert process.poll() is None, "scripts/serve stopped:\n" + "".join(output)
            assert time.monotonic() < deadline, "scripts/serve did not start:\n" + "".join(output)
            try:
                with urllib.request.urlopen(f"{base}/healthz", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                time.sleep(0.5)
        yield {"base": base, "output": output}
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
        reader.join(timeout=5)
        process.stdout.close()


def phone(page: Any, n: int) -> Any:
    return page.locator("section.phone").nth(n - 1)


def settled(section: Any) -> None:
    """Wait for the phone's request to the helpline to finish."""
    section.page.wait_for_function(
        "el => el.getAttribute('aria-busy') === 'false'", arg=section.element_handle())


def text(section: Any, body: str) -> None:
    section.get_by_label("Text the helpline").fill(body)
    section.get_by_role("button", name="Send text").click()
    settled(section)


def press(section: Any, key: str) -> None:
    names = {"*": "star", "#": "hash"}
    section.get_by_role("group", name="Keypad").get_by_role(
        "button", name=names.get(key, key), exact=True).click()
    settled(section)


def heard(section: Any) -> str:
    return str(section.locator(".call__heard").inner_text())


def test_scripts_serve_prints_the_simulator_address(demo: dict[str, Any]) -> None:
    printed = "".join(demo["output"])
    assert f"{demo['base']}/simulator" in printed


def test_scripts_serve_makes_a_demo_adviser_who_can_sign_in(
    demo: dict[str, Any], page: Any
) -> None:
    printed = "".join(demo["output"])
    assert "Sign in as demo.adviser@example.org" in printed
    link = re.search(re.escape(demo["base"]) + r"/console/set-password/\S+", printed)
    assert link, printed
    page.goto(link.group(0))
    page.get_by_label("New password").fill("a demo password to try")
    page.get_by_label("Type it again").fill("a demo password to try")
    page.get_by_role("button", name="Save password").click()
    page.get_by_label("Email address").fill("demo.adviser@example.org")
    page.get_by_label("Password", exact=True).fill("a demo password to try")
    page.get_by_role("button", name="Sign in").click()
    assert page.url == f"{demo['base']}/console/"
    assert "Demo Adviser" in page.locator("main").inner_text()  # on duty now


def test_a_family_tries_texts_and_calls_on_the_page(demo: dict[str, Any], page: Any) -> None:
    page.goto(f"{demo['base']}/simulator")
    assert axe_violations(page) == []
    first = phone(page, 1)

    # A keyword, then the details of the first service listed.
    text(first, "SHORTBREAKS 12")
    replies = first.locator(".thread .msg--in")
    listed = replies.nth(0).inner_text()
    assert re.search(r"Helpline reply · \d segments?, GSM-7", listed)
    first_phone = PHONE.search(listed)
    assert first_phone is not None
    text(first, "1")
    assert first_phone.group(0) in replies.nth(1).inner_text()

    # A call: language, menu, services, text me this; the text arrives in the same thread.
    first.get_by_role("button", name="Call the helpline").click()
    settled(first)
    assert said("phrase:greeting") in heard(first)
    for key in keys_to_text_me_this():
        press(first, key)
    assert said("phrase:texted") in heard(first)
    later = first.locator(".thread .msg--later")
    later.first.wait_for(timeout=10_000)
    assert "Sent later by the helpline" in later.first.inner_text()
    assert PHONE.search(later.first.inner_text())
    first.get_by_role("button", name="Hang up").click()
    settled(first)
    assert "The call has ended." in first.get_by_role("status").inner_text()

    # A silent call walks the ladder to the offer of an adviser, then to the advisers' queue
    # (or, out of hours, to the offer of a call back, then a call back booked: no person).
    first.get_by_role("button", name="Call the helpline").click()
    settled(first)
    for _ in range(3):
        first.get_by_role("button", name="Stay silent").click()
        settled(first)
    offer = next(said(key) for key in ("phrase:offer_adviser", "phrase:offer_callback_closed")
                 if said(key) in heard(first))
    first.get_by_role("button", name="Stay silent").click()
    settled(first)
    after_offer = heard(first).split(offer)[1]
    assert ("On hold in the advisers queue" in after_offer
            or said("phrase:callback_booked") in after_offer)
    assert axe_violations(page) == []


def test_two_phones_keep_their_conversations_apart(demo: dict[str, Any], page: Any) -> None:
    page.goto(f"{demo['base']}/simulator")
    page.get_by_role("button", name="Add another phone").click()
    first, second = phone(page, 1), phone(page, 2)
    assert second.get_by_label("Phone number").input_value() != \
        first.get_by_label("Phone number").input_value()
    text(first, "TRANSPORT")
    text(second, "HEALTH")
    text(second, "MORE")
    sent = [[t.split("\n")[0] for t in p.locator(".thread .msg--out").all_inner_texts()]
            for p in (first, second)]
    assert sent == [["TRANSPORT"], ["HEALTH", "MORE"]]
    assert first.locator(".thread .msg--in").count() >= 1
    assert second.locator(".thread .msg--in").count() >= 2
    assert axe_violations(page) == []


def test_a_call_the_helpline_makes_can_be_answered_on_a_phone(
    demo: dict[str, Any], page: Any
) -> None:
    """A call the helpline started (as escalation rings an adviser) shows with an Answer button;
    answering follows its TwiML on a phone of that number (here: the adviser's whisper for a
    caller who has gone, so it says so and ends)."""
    from helpline.outbound.local_transport import CAPTURE_FILE, LocalTransport, new_sid

    page.goto(f"{demo['base']}/simulator")
    first = phone(page, 1)
    text(first, "MENU")  # the page looks for what the helpline sends while a phone is in use
    LocalTransport(PROJECT_ROOT / "instance" / CAPTURE_FILE).capture(
        "call", new_sid("CA"), {"To": "+447700900201", "From": "+441632960000"},
        url=f"{demo['base']}/twilio/adviser/whisper?escalation=999999", method="POST")
    answer = page.get_by_role("button", name="Answer on +447700900201")
    answer.click()
    adviser = phone(page, 2)
    assert adviser.get_by_label("Phone number").input_value() == "+447700900201"
    settled(adviser)
    adviser.get_by_text("The call has ended.").wait_for()
    assert "The helpline hangs up." in heard(adviser)
    assert axe_violations(page) == []
