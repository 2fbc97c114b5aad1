from __future__ import annotations

import re

import pytest

from tests.accounts.conftest import PASSWORD, Api, Person

PAGES = [
    "/sign-in",
    "/sign-up",
    "/cant-sign-in",
    "/cant-sign-in/suspended",
    "/forgot-password",
    "/forgot-password/code",
    "/forgot-username",
]


@pytest.mark.parametrize("path", PAGES)
def test_pages_speak_english_and_spanish(api: Api, path: str) -> None:
    english = api.client.get(path)
    spanish = api.client.get(path, headers={"accept-language": "es"})
    assert english.status_code == spanish.status_code == 200
    assert spanish.headers["content-language"] == "es"
    assert english.text != spanish.text


def test_every_input_has_a_label(api: Api) -> None:
    for path in PAGES:
        html = api.client.get(path).text
        for field_id in re.findall(
            r'<input type="(?:text|email|tel|password)" name="\w+" id="(\w+)"', html
        ):
            assert f'<label for="{field_id}">' in html, (path, field_id)


def test_account_pages_send_strangers_to_sign_in(api: Api) -> None:
    for path in ("/account", "/account/sessions", "/account/security-activity", "/account/close"):
        response = api.client.get(path, follow_redirects=False)
        assert response.status_code == 303
        assert response.headers["location"] == f"/sign-in?next={path}"


def test_forms_need_the_csrf_token(api: Api, ana: Person) -> None:
    response = api.client.post(
        "/sign-in",
        data={"identifier": ana.email, "password": PASSWORD},
        headers={"accept": "text/html"},
    )
    assert response.status_code == 403


def test_sign_in_form_then_fresh_changes_then_sign_out(api: Api, ana: Person) -> None:
    signed_in = api.client.post(
        "/sign-in?next=/account/name",
        data={"identifier": ana.email, "password": PASSWORD, "csrf_token": api.csrf},
        follow_redirects=False,
    )
    assert signed_in.headers["location"] == "/account/name"
    api.refresh_csrf()
    renamed = api.client.post(
        "/account/name", data={"name": "Ana B.", "csrf_token": api.csrf}, follow_redirects=False
    )
    assert renamed.headers["location"] == "/account"
    assert "Ana B." in api.client.get("/account").text
    api.client.post("/sign-out", data={"csrf_token": api.csrf})
    assert api.client.get("/account", follow_redirects=False).status_code == 303


def test_wrong_password_shows_the_form_with_a_captcha_slot(api: Api, ana: Person) -> None:
    response = api.client.post(
        "/sign-in",
        data={"identifier": ana.email, "password": "not it at all", "csrf_token": api.csrf},
    )
    assert response.status_code == 401
    assert "do not match an account" in response.text
    assert 'class="altcha-slot"' in response.text
    assert ana.email in response.text  # what they typed is kept, the password is not
    assert "not it at all" not in response.text
