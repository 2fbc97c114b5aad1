"""Pure TOTP checks (no database, no request): which time step a code belongs to, if any.

A code is accepted at the current step or one step either side (clock drift). A code from a step
at or before the last accepted one is a replay and is refused, even inside the window. A code that
only matches further out (up to ten steps) means the phone's clock is off, which is worth telling
the person instead of just "wrong code" (Warehouse does the same).
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

import pyotp

STEP_SECONDS = 30
DIGITS = 6
ACCEPTED_DRIFT_STEPS = 1
OUT_OF_SYNC_STEPS = 10


class Outcome(StrEnum):
    accepted = "accepted"
    wrong = "wrong"
    replayed = "replayed"
    out_of_sync = "out_of_sync"


@dataclass(frozen=True, slots=True)
class TotpCheck:
    outcome: Outcome
    step: int | None = None  # the matched step when accepted


def new_secret() -> str:
    """160 random bits, base32 (what authenticator apps expect)."""
    return pyotp.random_base32(32)


def time_step(at: datetime) -> int:
    return int(at.timestamp()) // STEP_SECONDS


def code_at_step(secret: str, step: int, *, digits: int = DIGITS, digest: str = "sha1") -> str:
    return pyotp.TOTP(secret, digits=digits, digest=digest, interval=STEP_SECONDS).generate_otp(
        step
    )


def check_code(
    secret: str,
    code: str,
    at: datetime,
    *,
    last_used_step: int | None,
    digits: int = DIGITS,
    digest: str = "sha1",
) -> TotpCheck:
    presented = "".join(code.split())
    if len(presented) != digits or not presented.isdigit():
        return TotpCheck(Outcome.wrong)
    now = time_step(at)

    def matches(step: int) -> bool:
        expected = code_at_step(secret, step, digits=digits, digest=digest)
        return hmac.compare_digest(expected, presented)

    # Nearest steps first, so a code valid at two steps is credited to the current one.
    for offset in sorted(range(-ACCEPTED_DRIFT_STEPS, ACCEPTED_DRIFT_STEPS + 1), key=abs):
        step = now + offset
        if matches(step):
            if last_used_step is not None and step <= last_used_step:
                return TotpCheck(Outcome.replayed, step)
            return TotpCheck(Outcome.accepted, step)
    far = range(-OUT_OF_SYNC_STEPS, OUT_OF_SYNC_STEPS + 1)
    if any(matches(now + offset) for offset in far if abs(offset) > ACCEPTED_DRIFT_STEPS):
        return TotpCheck(Outcome.out_of_sync)
    return TotpCheck(Outcome.wrong)


def provisioning_uri(secret: str, *, account_name: str, issuer: str) -> str:
    return pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS).provisioning_uri(
        name=account_name, issuer_name=issuer
    )
