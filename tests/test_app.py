"""The HTTP foundation: pages in two languages, problem+json errors, security headers, probes."""

from __future__ import annotations

import sqlite3

import psycopg
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import BaseModel
from sqlalchemy.exc import OperationalError

from goodstanding.app import create_app
from goodstanding.config import Settings
from goodstanding.kit.db import Database


class Greeting(BaseModel):
    name: str


def add_echo_route(app: FastAPI) -> None:
    """A JSON route for exercising the body guards; the guards are generic, the route is not."""

    @app.post("/api/v1/test-echo")
    def echo(greeting: Greeting) -> dict[str, str]:
        return {"hello": greeting.name}


class TestPages:
    def test_home_speaks_english_by_default(self, client: TestClient) -> None:
        response = client.get("/")
        assert response.status_code == 200
        assert response.headers["content-language"] == "en"
        assert "Your marketplace account, in good standing" in response.text
        assert '<html lang="en">' in response.text

    def test_home_speaks_spanish_from_accept_language(self, client: TestClient) -> None:
        response = client.get("/", headers={"accept-language": "es-MX,es;q=0.9,en;q=0.5"})
        assert response.headers["content-language"] == "es"
        assert "Tu cuenta del mercado, en regla" in response.text
        assert '<html lang="es">' in response.text

    def test_language_switch_is_remembered(self, client: TestClient) -> None:
        switch = client.get("/language/es?next=/", follow_redirects=False)
        assert switch.status_code == 303
        assert switch.headers["location"] == "/"
        assert "Tu cuenta" in client.get("/", headers={"accept-language": "en"}).text

    def test_language_switch_never_redirects_off_site(self, client: TestClient) -> None:
        for target in ("//evil.example/", "https://evil.example/", "/\\evil.example"):
            response = client.get(f"/language/es?next={target}", follow_redirects=False)
            assert response.headers["location"] == "/"

    def test_unknown_page_is_a_page_for_people(self, client: TestClient) -> None:
        response = client.get("/no-such-page", headers={"accept": "text/html"})
        assert response.status_code == 404
        assert response.headers["content-type"].startswith("text/html")
        assert "Go to the start page" in response.text


class TestSecurityHeaders:
    def test_every_response_carries_them(self, client: TestClient) -> None:
        headers = client.get("/").headers
        assert "frame-ancestors 'none'" in headers["content-security-policy"]
        assert "script-src 'self'" in headers["content-security-policy"]
        assert headers["referrer-policy"] == "no-referrer"
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["x-request-id"]
        assert "strict-transport-security" not in headers

    def test_hsts_only_behind_https(self, app: FastAPI) -> None:
        with TestClient(app, base_url="https://testserver") as secure_client:
            headers = secure_client.get("/healthz").headers
        assert headers["strict-transport-security"].startswith("max-age=")

    def test_static_assets_are_cached_pages_are_not(self, client: TestClient) -> None:
        assert client.get("/static/site.css").headers["cache-control"] == "public, max-age=86400"
        assert client.get("/").headers["cache-control"] == "no-store"


class TestProblemJson:
    def test_malformed_json_is_400(self, app: FastAPI, client: TestClient) -> None:
        add_echo_route(app)
        response = client.post(
            "/api/v1/test-echo", content=b'{"name": ', headers={"content-type": "application/json"}
        )
        assert response.status_code == 400
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["type"] == "/problems/malformed-body"

    def test_wrong_content_type_is_415(self, app: FastAPI, client: TestClient) -> None:
        add_echo_route(app)
        response = client.post(
            "/api/v1/test-echo", content=b"name=x", headers={"content-type": "text/plain"}
        )
        assert response.status_code == 415
        assert response.json()["type"] == "/problems/unsupported-media-type"

    def test_twenty_megabytes_is_413(self, app: FastAPI, client: TestClient) -> None:
        add_echo_route(app)
        body = b'{"name": "' + b"x" * (20 * 1024 * 1024) + b'"}'
        response = client.post(
            "/api/v1/test-echo", content=body, headers={"content-type": "application/json"}
        )
        assert response.status_code == 413
        assert response.json()["type"] == "/problems/payload-too-large"

    def test_twenty_megabytes_without_length_is_413(self, app: FastAPI, client: TestClient) -> None:
        add_echo_route(app)

        def chunks():  # type: ignore[no-untyped-def]
            yield b'{"name": "'
            for _ in range(20):
                yield b"x" * (1024 * 1024)
            yield b'"}'

        response = client.post(
            "/api/v1/test-echo", content=chunks(), headers={"content-type": "application/json"}
        )
        assert response.status_code == 413

    def test_invalid_field_is_422_naming_it(self, app: FastAPI, client: TestClient) -> None:
        add_echo_route(app)
        response = client.post("/api/v1/test-echo", json={"nom": "x"})
        assert response.status_code == 422
        body = response.json()
        assert body["type"] == "/problems/invalid-input"
        assert body["detail"].startswith("name:")

    def test_unknown_api_route_is_problem_json(self, client: TestClient) -> None:
        response = client.get("/api/v1/nothing-here")
        assert response.status_code == 404
        assert response.json()["type"] == "/problems/not-found"

    def test_unexpected_error_is_a_plain_500_without_trace(
        self, app: FastAPI, client: TestClient
    ) -> None:
        @app.get("/api/v1/test-boom")
        def boom() -> None:
            raise RuntimeError("secret internal detail")

        with TestClient(app, raise_server_exceptions=False) as quiet_client:
            response = quiet_client.get("/api/v1/test-boom")
        assert response.status_code == 500
        assert "secret internal detail" not in response.text
        assert response.json()["type"] == "/problems/internal-error"

    @pytest.mark.parametrize(
        "cause",
        [
            psycopg.errors.DeadlockDetected("deadlock detected"),
            psycopg.errors.SerializationFailure("could not serialize access"),
            sqlite3.OperationalError("database is locked"),
        ],
    )
    def test_a_store_conflict_is_a_503_to_send_again(self, app: FastAPI, cause: Exception) -> None:
        @app.post("/api/v1/test-conflict")
        def conflict() -> None:
            raise OperationalError("INSERT ...", {}, cause)

        with TestClient(app, raise_server_exceptions=False) as quiet_client:
            response = quiet_client.post("/api/v1/test-conflict")
        assert response.status_code == 503
        assert response.headers["retry-after"] == "1"
        assert response.json()["type"] == "/problems/store-busy"

    def test_other_store_errors_stay_internal(self, app: FastAPI) -> None:
        @app.get("/api/v1/test-disk")
        def disk() -> None:
            raise OperationalError("INSERT ...", {}, sqlite3.OperationalError("disk I/O error"))

        with TestClient(app, raise_server_exceptions=False) as quiet_client:
            response = quiet_client.get("/api/v1/test-disk")
        assert response.status_code == 500


class TestProbes:
    def test_healthz(self, client: TestClient) -> None:
        assert client.get("/healthz").json() == {"status": "ok"}

    def test_readyz_when_migrated(self, client: TestClient) -> None:
        response = client.get("/readyz")
        assert response.status_code == 200
        assert response.json()["migrations"] == "current"

    def test_readyz_reports_pending_migrations(self, settings: Settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
        empty = Database(f"sqlite:///{tmp_path / 'empty.db'}")
        with TestClient(create_app(settings, empty)) as fresh_client:
            response = fresh_client.get("/readyz")
        assert response.status_code == 503
        assert response.json()["migrations"] == "pending"

    def test_readyz_reports_unreachable_database(self, settings: Settings) -> None:
        broken = Database("postgresql+psycopg://nobody@127.0.0.1:1/none")
        with TestClient(create_app(settings, broken)) as broken_client:
            response = broken_client.get("/readyz")
        assert response.status_code == 503
        assert response.json()["database"] == "unreachable"


def test_api_is_described(client: TestClient) -> None:
    spec = client.get("/api/v1/openapi.json").json()
    assert spec["info"]["title"] == "goodstanding"
    docs = client.get("/api/v1/docs")
    assert docs.status_code == 200
    assert "/static/vendor/swagger-ui/swagger-ui-bundle.js" in docs.text
