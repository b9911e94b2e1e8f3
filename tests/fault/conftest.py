"""Fault fixtures: Twilio's API as prism behind a recorder, as in the integration tests."""

from __future__ import annotations

from tests.integration.conftest import _close_made_apps  # noqa: F401 - closes apps tests make
from tests.prism import prism_url, twilio_api  # noqa: F401 - fixtures for every fault test
