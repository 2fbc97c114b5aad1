"""Rate limits hold across server processes: ``goodstanding serve --workers 2`` on one SQLite file.

Twelve parallel requests for codes to one address, over separate connections spread by the kernel
across both workers: exactly five pass (the per-address limit), because both processes count into
the same store with one atomic statement. Counters kept per process would let up to ten through.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import altcha
import httpx
import pytest

from goodstanding.accounts import limits
from goodstanding.kit.db import Base, Database
from tests.accounts.conftest import add_account

PARALLEL = 12
GOODSTANDING = Path(sys.executable).with_name("goodstanding")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def two_workers(tmp_path: Path) -> Iterator[tuple[str, Database]]:
    url = f"sqlite:///{tmp_path / 'shared.db'}"
    env = {
        **os.environ,
        "GOODSTANDING_ENVIRONMENT": "test",
        "GOODSTANDING_DATABASE_URL": url,
        "GOODSTANDING_JOB_STORE": "memory",
        "GOODSTANDING_EMAIL_BACKEND": "memory",
        "GOODSTANDING_SMS_PROVIDER": "memory",
        "GOODSTANDING_LOG_LEVEL": "warning",
    }
    subprocess.run([str(GOODSTANDING), "migrate"], env=env, check=True, capture_output=True)
    database = Database(url)
    # Tables added since the last generated migration (the lead regenerates them); a no-op once
    # the migration has them.
    Base.metadata.create_all(database.engine)
    port = _free_port()
    server = subprocess.Popen(
        [str(GOODSTANDING), "serve", "--workers", "2", "--port", str(port), "--no-with-worker"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180  # two processes importing everything on 2 cores
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline or server.poll() is not None:
                raise RuntimeError("goodstanding serve --workers 2 did not start")
            time.sleep(0.2)
        yield base, database
    finally:
        server.terminate()
        server.wait(timeout=20)
        database.dispose()


def ask_for_code(base: str, identifier: str) -> int:
    with httpx.Client(base_url=base, timeout=30) as client:  # its own connection and session
        csrf = client.get("/api/v1/auth/session").json()["csrf_token"]
        challenge = altcha.Challenge.from_dict(client.get("/api/v1/auth/captcha").json())
        solution = altcha.solve_challenge(challenge)
        assert solution is not None
        response = client.post(
            "/api/v1/auth/password/forgot",
            json={
                "identifier": identifier,
                "altcha": altcha.Payload(challenge, solution).to_base64(),
            },
            headers={"x-csrf-token": csrf},
        )
        return response.status_code


@pytest.mark.slow
def test_two_workers_share_one_limit(two_workers: tuple[str, Database]) -> None:
    base, database = two_workers
    person = add_account(database)
    with ThreadPoolExecutor(max_workers=PARALLEL) as pool:
        statuses = list(pool.map(lambda _n: ask_for_code(base, person.email), range(PARALLEL)))
    allowed = limits.CODE_SEND_DESTINATION.limit
    assert sorted(statuses) == [202] * allowed + [429] * (PARALLEL - allowed)
    with database.transaction() as db:
        assert limits.CODE_SEND_DESTINATION.count(db, person.email) == allowed
