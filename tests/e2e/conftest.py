"""End-to-end fixtures: Twilio's API as prism serving Twilio's OpenAPI spec, behind a recorder."""

from tests.prism import prism_url, twilio_api  # noqa: F401 - fixtures for every end-to-end test
