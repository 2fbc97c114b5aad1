"""The console's fixture (signed-in clients) serves the seller's tests too."""

from accounts.conftest import _small_captcha_and_short_padding  # noqa: F401

from tests.console.conftest import login  # noqa: F401
