"""TOTP checks against RFC 6238 and the rules we add: ±1 step of drift, no replay."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta

import pytest

from goodstanding.mfa.totp import auth

# RFC 6238 appendix B: the SHA-1 seed is the ASCII string "12345678901234567890", 8 digits.
RFC_SECRET = base64.b32encode(b"12345678901234567890").decode()
RFC_VECTORS = [
    (59, "94287082"),
    (1111111109, "07081804"),
    (1111111111, "14050471"),
    (1234567890, "89005924"),
    (2000000000, "69279037"),
    (20000000000, "65353130"),
]


def at(unix_seconds: int) -> datetime:
    return datetime.fromtimestamp(unix_seconds, UTC)


class TestRfc6238Vectors:
    @pytest.mark.parametrize(("unix_time", "expected"), RFC_VECTORS)
    def test_code_at_step(self, unix_time: int, expected: str) -> None:
        step = auth.time_step(at(unix_time))
        assert auth.code_at_step(RFC_SECRET, step, digits=8) == expected

    @pytest.mark.parametrize(("unix_time", "expected"), RFC_VECTORS)
    def test_check_accepts_vector(self, unix_time: int, expected: str) -> None:
        check = auth.check_code(RFC_SECRET, expected, at(unix_time), last_used_step=None, digits=8)
        assert check.outcome is auth.Outcome.accepted
        assert check.step == unix_time // 30


class TestDriftWindow:
    secret = auth.new_secret()
    now = datetime(2026, 5, 4, 12, 0, 10, tzinfo=UTC)

    def code_shifted(self, steps: int) -> str:
        return auth.code_at_step(self.secret, auth.time_step(self.now) + steps)

    @pytest.mark.parametrize("steps", [-1, 0, 1])
    def test_one_step_either_side_is_accepted(self, steps: int) -> None:
        check = auth.check_code(
            self.secret, self.code_shifted(steps), self.now, last_used_step=None
        )
        assert check.outcome is auth.Outcome.accepted
        assert check.step == auth.time_step(self.now) + steps

    @pytest.mark.parametrize("steps", [-2, 2, 10, -10])
    def test_further_out_is_refused_as_clock_out_of_sync(self, steps: int) -> None:
        check = auth.check_code(
            self.secret, self.code_shifted(steps), self.now, last_used_step=None
        )
        assert check.outcome is auth.Outcome.out_of_sync

    def test_code_from_long_ago_is_just_wrong(self) -> None:
        old = self.code_shifted(-100)
        assert old not in {self.code_shifted(s) for s in range(-10, 11)}
        check = auth.check_code(self.secret, old, self.now, last_used_step=None)
        assert check.outcome is auth.Outcome.wrong

    @pytest.mark.parametrize("typed", ["", "12345", "1234567", "abcdef"])
    def test_malformed_code_is_wrong(self, typed: str) -> None:
        check = auth.check_code(self.secret, typed, self.now, last_used_step=None)
        assert check.outcome is auth.Outcome.wrong

    def test_spaces_inside_the_code_are_ignored(self) -> None:
        code = self.code_shifted(0)
        spaced = f"{code[:3]} {code[3:]}"
        check = auth.check_code(self.secret, spaced, self.now, last_used_step=None)
        assert check.outcome is auth.Outcome.accepted


class TestReplay:
    secret = auth.new_secret()
    now = datetime(2026, 5, 4, 12, 0, 10, tzinfo=UTC)

    def test_same_code_twice_is_refused(self) -> None:
        code = auth.code_at_step(self.secret, auth.time_step(self.now))
        first = auth.check_code(self.secret, code, self.now, last_used_step=None)
        assert first.outcome is auth.Outcome.accepted
        second = auth.check_code(self.secret, code, self.now, last_used_step=first.step)
        assert second.outcome is auth.Outcome.replayed

    def test_older_step_inside_window_is_refused_after_newer_one(self) -> None:
        step = auth.time_step(self.now)
        older = auth.code_at_step(self.secret, step - 1)
        check = auth.check_code(self.secret, older, self.now, last_used_step=step)
        assert check.outcome is auth.Outcome.replayed

    def test_next_step_after_use_is_accepted(self) -> None:
        step = auth.time_step(self.now)
        later = self.now + timedelta(seconds=30)
        code = auth.code_at_step(self.secret, step + 1)
        check = auth.check_code(self.secret, code, later, last_used_step=step)
        assert check.outcome is auth.Outcome.accepted
