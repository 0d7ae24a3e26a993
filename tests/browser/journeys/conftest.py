"""The journeys drive the installed app too: its phone contexts come from the app's own conftest."""

from tests.browser.app.conftest import phone  # noqa: F401  (a fixture, registered by import)
