"""Reviewers decide identity recoveries in the console: its signed-in clients serve here too."""

from tests.console.conftest import login  # noqa: F401
