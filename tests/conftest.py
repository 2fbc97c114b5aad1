"""Fixtures shared by the whole suite.

Every test that touches the store runs twice, on SQLite and on PostgreSQL (``store`` is
parametrised). Each test gets an empty database with the current schema: SQLite copies a template
file; PostgreSQL builds one database per worker once and empties every table after each test. The
schema comes from the models (stamped as the migration head); ``test_migrations`` proves that the
migrations build exactly that schema.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import text

from goodstanding.app import create_app
from goodstanding.config import Settings, load_settings
from goodstanding.kit.clock import clock
from goodstanding.kit.db import Base, Database
from goodstanding.kit.jobs import configure_jobs
from goodstanding.migrations import stamp_head
from goodstanding.notify.email import memory_outbox
from goodstanding.notify.sms import memory_sms_outbox

POSTGRES_SERVER = os.environ.get("GOODSTANDING_TEST_POSTGRES", "postgresql://127.0.0.1:5432")
REQUIRE_POSTGRES = os.environ.get("GOODSTANDING_TEST_REQUIRE_POSTGRES") == "1"


def _worker_name(request: pytest.FixtureRequest) -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    build_schema(f"sqlite:///{path}")
    return path


def build_schema(url: str) -> None:
    database = Database(url)
    Base.metadata.create_all(database.engine)
    database.dispose()
    stamp_head(url)


@pytest.fixture(scope="session")
def postgres_url(request: pytest.FixtureRequest) -> Iterator[str]:
    # The process id keeps concurrent pytest runs on one machine out of each other's database.
    name = f"goodstanding_test_{_worker_name(request)}_{os.getpid()}"
    try:
        admin = psycopg.connect(f"{POSTGRES_SERVER}/postgres", user="postgres", autocommit=True)
    except psycopg.OperationalError as error:
        if REQUIRE_POSTGRES:
            pytest.fail(f"PostgreSQL is required but unreachable at {POSTGRES_SERVER}: {error}")
        pytest.skip(f"PostgreSQL unreachable at {POSTGRES_SERVER}")
    with admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    url = f"postgresql+psycopg://postgres@{POSTGRES_SERVER.split('://', 1)[1]}/{name}"
    build_schema(url)
    yield url
    with psycopg.connect(f"{POSTGRES_SERVER}/postgres", user="postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def database_url(store: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database with the current schema, emptied again after the test whatever used it
    (a fixture's Database, the CLI, a live server)."""
    if store == "sqlite":
        path = tmp_path / "goodstanding.db"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite:///{path}"
        return
    url = str(request.getfixturevalue("postgres_url"))
    yield url
    cleaner = Database(url)
    tables = ", ".join(f'"{table.name}"' for table in Base.metadata.sorted_tables)
    with cleaner.engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    cleaner.dispose()


@pytest.fixture
def settings(database_url: str) -> Settings:
    return load_settings(
        environment="test",
        database_url=database_url,
        jobs_immediate=True,
        email_backend="memory",
        sms_provider="memory",
        log_format="json",
    )


@pytest.fixture
def database(database_url: str, settings: Settings) -> Iterator[Database]:
    """The test's database; jobs run inline against it, as they would in a worker."""
    database = Database(database_url)
    configure_jobs(settings, database)
    yield database
    database.dispose()


@pytest.fixture
def app(settings: Settings, database: Database) -> FastAPI:
    return create_app(settings, database)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, base_url="http://testserver") as test_client:
        yield test_client


@pytest.fixture(autouse=True)
def _clean_global_state() -> Iterator[None]:
    clock.reset()
    memory_outbox.clear()
    memory_sms_outbox.clear()
    yield
    clock.reset()
