from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from goodstanding.kit.clock import clock
from goodstanding.kit.db import Database
from goodstanding.kit.errors import TooManyAttempts
from goodstanding.kit.ratelimit import Escalation, Limiter

ESCALATION = Escalation(
    captcha_after=3,
    delay_after=10,
    first_delay=timedelta(seconds=30),
    max_delay=timedelta(hours=1),
    hard_stop=100,
)
NOW = datetime(2026, 1, 1, tzinfo=UTC)


class TestEscalation:
    def test_nothing_before_the_captcha_threshold(self) -> None:
        decision = ESCALATION.decide(2, NOW, NOW)
        assert (decision.captcha_required, decision.wait_seconds, decision.stopped) == (
            False,
            0,
            False,
        )

    def test_captcha_then_waits_then_stop(self) -> None:
        assert ESCALATION.decide(3, NOW, NOW).captcha_required
        assert ESCALATION.decide(9, NOW, NOW).wait_seconds == 0
        assert ESCALATION.decide(10, NOW, NOW).wait_seconds == 30
        assert ESCALATION.decide(11, NOW, NOW).wait_seconds == 60
        assert ESCALATION.decide(99, NOW, NOW).wait_seconds == 3600
        assert ESCALATION.decide(100, NOW, NOW).stopped

    # Up to 98: the 100th failure is the hard stop, which is not a wait.
    @given(st.integers(min_value=0, max_value=98), st.integers(min_value=0, max_value=7200))
    def test_waits_grow_with_failures_and_never_pass_the_cap(
        self, failures: int, elapsed: int
    ) -> None:
        now = NOW + timedelta(seconds=elapsed)
        wait = ESCALATION.decide(failures, NOW, now).wait_seconds
        assert 0 <= wait <= 3600
        assert ESCALATION.decide(failures + 1, NOW, now).wait_seconds >= wait

    @given(st.integers(min_value=10, max_value=99))
    def test_the_wait_runs_out(self, failures: int) -> None:
        assert ESCALATION.decide(failures, NOW, NOW + timedelta(hours=1)).wait_seconds == 0


class TestLimiter:
    def test_take_allows_the_limit_then_refuses_with_a_wait(self, database: Database) -> None:
        limiter = Limiter("test.thing", limit=2, window=timedelta(minutes=10))
        for _allowed in range(2):
            with database.transaction() as db:
                limiter.take(db, "subject", "busy")
        with pytest.raises(TooManyAttempts) as refused, database.transaction() as db:
            limiter.take(db, "subject", "busy")
        assert 0 < refused.value.retry_after_seconds <= 600
        with database.transaction() as db:
            limiter.take(db, "another subject", "busy")

    def test_the_window_restarts(self, database: Database) -> None:
        limiter = Limiter("test.thing", limit=1, window=timedelta(minutes=10))
        with database.transaction() as db:
            limiter.take(db, "subject", "busy")
        clock.advance(timedelta(minutes=10, seconds=1))
        with database.transaction() as db:
            limiter.take(db, "subject", "busy")
            assert limiter.count(db, "subject") == 1

    def test_clear_forgets(self, database: Database) -> None:
        limiter = Limiter("test.thing", limit=5, window=timedelta(minutes=10))
        with database.transaction() as db:
            limiter.hit(db, "subject")
            limiter.clear(db, "subject")
            assert limiter.count(db, "subject") == 0
