"""Known and unknown identifiers cannot be told apart by status, body or timing.

Behavioural, not a speed goal: 120 interleaved requests each, and the medians must agree within a
few milliseconds. The reply floor is set to 0.3 s: above the real work even on a loaded 2-core CI
machine running tests in parallel, which is what makes the medians match.
"""

from __future__ import annotations

import statistics
import time

import pytest
from sqlalchemy import delete

from goodstanding.accounts import web as accounts_web
from goodstanding.kit.db import Database
from goodstanding.models.rate_limit import RateLimitCounter
from tests.accounts.conftest import Api, Person

ROUNDS = 120
TOLERANCE_SECONDS = 0.005


@pytest.fixture
def store() -> str:
    return "sqlite"


@pytest.mark.slow
def test_forgot_password_replies_alike(
    api: Api, ana: Person, database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(accounts_web, "REPLY_FLOOR_SECONDS", 0.3)
    unknown = "ann@example.com"  # masks to the same text as ana@example.com
    durations: dict[str, list[float]] = {ana.email: [], unknown: []}
    replies: dict[str, set[tuple[int, str]]] = {ana.email: set(), unknown: set()}
    for _round in range(ROUNDS):
        for identifier in (ana.email, unknown):
            with database.transaction() as db:  # the limits are tested elsewhere
                db.execute(delete(RateLimitCounter))
            body = {"identifier": identifier, "altcha": api.captcha()}
            started = time.perf_counter()
            response = api.post("/password/forgot", body)
            durations[identifier].append(time.perf_counter() - started)
            replies[identifier].add((response.status_code, response.text))
    assert replies[ana.email] == replies[unknown]
    assert len(replies[ana.email]) == 1
    known_median = statistics.median(durations[ana.email])
    unknown_median = statistics.median(durations[unknown])
    assert abs(known_median - unknown_median) < TOLERANCE_SECONDS, (known_median, unknown_median)


def test_sign_in_failures_reply_alike(api: Api, ana: Person) -> None:
    wrong = api.sign_in(ana.email, "certainly not the password")
    unknown = api.sign_in("ann@example.com", "certainly not the password")
    assert (wrong.status_code, wrong.json()["detail"]) == (
        unknown.status_code,
        unknown.json()["detail"],
    )
