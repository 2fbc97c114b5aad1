"""Second-step rate limits, apart from the password's (Keycloak #46164: one shared counter lets an
attacker with a wrong password lock the owner out).

Only typed codes count (authenticator app, text or e-mail code, backup code); a passkey cannot be
guessed, so it is never blocked, and the owner with a passkey or a trusted browser always gets
in. Per browser session the limit is tight; per account it bounds guessing across
sessions (50 codes a day leave an attacker a 1 in 6,700 chance at a 6-digit code).
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session

from goodstanding.kit.i18n import gettext as _
from goodstanding.kit.ratelimit import Limiter

SECOND_STEP_SESSION = Limiter("second_step.session", limit=5, window=timedelta(minutes=5))
SECOND_STEP_ACCOUNT_HOUR = Limiter("second_step.account_hour", limit=20, window=timedelta(hours=1))
SECOND_STEP_ACCOUNT_DAY = Limiter("second_step.account_day", limit=50, window=timedelta(days=1))
SECOND_STEP_IP = Limiter("second_step.ip", limit=50, window=timedelta(hours=1))


def _buckets(account_id: str, session_id: str, ip: str | None) -> list[tuple[Limiter, str]]:
    buckets = [
        (SECOND_STEP_SESSION, session_id),
        (SECOND_STEP_ACCOUNT_HOUR, account_id),
        (SECOND_STEP_ACCOUNT_DAY, account_id),
    ]
    if ip:
        buckets.append((SECOND_STEP_IP, ip))
    return buckets


def take_code_attempt(db: Session, account_id: str, session_id: str, ip: str | None) -> None:
    """Count one typed code in every bucket; TooManyAttempts when any is full.

    Counted before the code is checked, by the limiter's atomic upsert, so parallel guesses
    cannot slip past the limit; a failed check keeps its count (the errors are keeps_changes).
    """
    for limiter, subject in _buckets(account_id, session_id, ip):
        limiter.take(
            db,
            subject,
            _(
                "Too many wrong codes. Wait a little, or use a passkey or a browser you trusted "
                "before."
            ),
        )
