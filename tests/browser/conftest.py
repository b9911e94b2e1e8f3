"""Browser fixtures: Debian's Chromium driven by Playwright, and axe-core's accessibility check;
the app served on a local port for the console's tests.

Chromium comes from Debian (scripts/lib/setup.sh installs it in CI); Playwright launches it by
its path and never downloads a browser of its own. axe-core comes from tests/node.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from werkzeug.serving import make_server

from helpline import create_app
from helpline.extensions import db
from tests.conftest import base_config
from tests.prism import free_port, prism_url, twilio_api  # noqa: F401 - fixtures

PROJECT_ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("HELPLINE_TEST_CHROMIUM", "/usr/bin/chromium"))
AXE = PROJECT_ROOT / "tests" / "node" / "node_modules" / "axe-core" / "axe.min.js"
# Every WCAG 2.0, 2.1 and 2.2 rule at levels A and AA.
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]


def _missing(what: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"{what} is missing (scripts/test installs it in CI)")
    pytest.skip(f"{what} is missing")


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Debian's Chromium, headless, for the whole test session."""
    if not CHROMIUM.exists():
        _missing(f"Chromium at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        # As root (CI, containers) Chromium refuses to start inside its own sandbox.
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM),
                                              args=["--no-sandbox"])
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A fresh page in its own browser context (no cookies or storage shared between tests)."""
    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    one = context.new_page()
    yield one
    context.close()


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """axe-core's WCAG 2.2 A and AA violations on the page as it is now."""
    if not AXE.exists():
        _missing(f"axe-core at {AXE} (npm ci in tests/node)")
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        # Evaluated, not added as a <script>: a page's Content-Security-Policy (the console's)
        # would refuse an inline script.
        page.evaluate(AXE.read_text(encoding="utf-8"))
    found: list[dict[str, Any]] = page.evaluate(
        "async (tags) => (await axe.run(document, {runOnly: {type: 'tag', values: tags}}))"
        ".violations.map(v => ({id: v.id, impact: v.impact, help: v.help,"
        " nodes: v.nodes.map(n => n.target.join(' '))}))",
        WCAG_AA,
    )
    return found


# Screenshots for docs/console.md: written there with HELPLINE_SCREENSHOTS=1, else to a tmp dir.
DOCS_SCREENSHOTS = PROJECT_ROOT / "docs" / "console"


@pytest.fixture(scope="session")
def browser_database(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A migrated SQLite database for the console's browser tests (its queries are tested on
    PostgreSQL too, by the integration tests)."""
    from flask_migrate import upgrade

    url = "sqlite:///" + str(tmp_path_factory.mktemp("browser") / "helpline.sqlite3")
    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        upgrade()
        db.engine.dispose()
    return url


@pytest.fixture
def live_app(
    browser_database: str, tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[Flask]:
    """The app on an emptied database, sending to prism through the recorder (twilio_api)."""
    from tests.conftest import _empty_all_tables

    recorder = request.getfixturevalue("twilio_api")
    app = create_app({
        **base_config(browser_database, tmp_path),
        "TWILIO_API_BASE_URL": recorder.url,
        "SECRET_KEY": "browser-tests",
    })
    app.config["TESTING"] = False  # errors render as users see them
    with app.app_context():
        _empty_all_tables()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def live_url(live_app: Flask) -> Iterator[str]:
    """The app served over HTTP on 127.0.0.1 (Chromium sends Secure cookies to loopback)."""
    server = make_server("127.0.0.1", free_port(), live_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)


@pytest.fixture
def screenshots(tmp_path: Path) -> Path:
    """Where to save screenshots: docs/console with HELPLINE_SCREENSHOTS=1, else a tmp dir."""
    if os.environ.get("HELPLINE_SCREENSHOTS") == "1":
        DOCS_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        return DOCS_SCREENSHOTS
    return tmp_path
