"""Bad input gets a clear 4xx with a problem+json body, never a 500."""

from __future__ import annotations

import pytest

from tests.accounts.conftest import Api

POST_PATHS = [
    "/sign-up",
    "/sign-up/verify-email",
    "/sign-in",
    "/password/forgot",
    "/password/forgot/verify",
    "/password/forgot/reset",
    "/username/forgot",
    "/username/forgot/verify",
]


@pytest.mark.parametrize("path", POST_PATHS)
def test_empty_body_is_a_clear_4xx(api: Api, path: str) -> None:
    response = api.post(path, {})
    assert 400 <= response.status_code < 500
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["detail"]


@pytest.mark.parametrize("path", POST_PATHS)
def test_wrong_content_type_is_415(api: Api, path: str) -> None:
    response = api.client.post(
        f"/api/v1/auth{path}",
        content=b"identifier=x",
        headers={"content-type": "text/plain", "x-csrf-token": api.csrf},
    )
    assert response.status_code == 415


def test_malformed_json_is_400(api: Api) -> None:
    response = api.client.post(
        "/api/v1/auth/sign-in",
        content=b'{"identifier": ',
        headers={"content-type": "application/json", "x-csrf-token": api.csrf},
    )
    assert response.status_code == 400


def test_oversize_body_is_413(api: Api) -> None:
    response = api.client.post(
        "/api/v1/auth/sign-in",
        content=b'{"identifier": "' + b"a" * (11 * 1024 * 1024) + b'"}',
        headers={"content-type": "application/json", "x-csrf-token": api.csrf},
    )
    assert response.status_code == 413


def test_oversize_field_is_422(api: Api) -> None:
    response = api.post("/sign-in", {"identifier": "a" * 5000, "password": "x"})
    assert response.status_code == 422


@pytest.mark.parametrize(
    "identifier",
    [
        "аna@example.com",  # Cyrillic "а"
        "ana@example.com\u0000",
        "＋１４１５５５５０１０１",  # full-width digits
        "ana@@example.com",
        "+",
    ],
)
def test_confusables_and_odd_characters_are_refused_clearly(api: Api, identifier: str) -> None:
    response = api.post("/sign-in", {"identifier": identifier, "password": "whatever it is"})
    assert response.status_code == 422
    assert response.json()["field"] == "identifier"


def test_wrong_types_are_422(api: Api) -> None:
    response = api.post("/sign-in", {"identifier": ["a"], "password": 5})
    assert response.status_code == 422


def test_unknown_fields_are_422(api: Api) -> None:
    response = api.post("/sign-in", {"identifier": "a@b.co", "password": "x", "admin": True})
    assert response.status_code == 422


@pytest.mark.parametrize("path", ["/sign-in", "/forgot-password", "/sign-up", "/forgot-username"])
def test_pages_show_empty_forms_back_with_the_error(api: Api, path: str) -> None:
    response = api.client.post(path, data={"csrf_token": api.csrf}, headers={"accept": "text/html"})
    assert response.status_code == 422
    assert 'class="error-summary"' in response.text
    assert 'aria-invalid="true"' in response.text
