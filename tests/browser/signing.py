"""Signing people in through the real pages (shared by the journeys and the accessibility test)."""

from __future__ import annotations

from mfa.people import Person, totp_now
from playwright.sync_api import Page

LABELS = {
    "en": ("E-mail address or phone number", "Password", "Sign in"),
    "es": ("Correo electrónico o número de teléfono", "Contraseña", "Iniciar sesión"),
}


def sign_in(
    page: Page, site: str, person: Person, secret: str | None = None, language: str = "en"
) -> None:
    """Password, then the authenticator code when ``secret`` is given (staff)."""
    identifier, password, button = LABELS[language]
    page.goto(site + "/sign-in")
    page.get_by_label(identifier).fill(person.email)
    page.get_by_label(password, exact=True).fill(person.password)
    page.get_by_role("button", name=button).click()
    if secret is not None:
        page.get_by_label("Code from your authenticator app").fill(totp_now(secret))
        page.get_by_role("button", name="Continue").click()
