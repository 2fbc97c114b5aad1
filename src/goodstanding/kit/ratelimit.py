"""Named rate limiters over one shared store, plus the escalation rule (captcha, then waits).

Counters live in the database (``rate_limit_counters``) and change only through one atomic
``INSERT ... ON CONFLICT DO UPDATE ... RETURNING`` on SQLite and PostgreSQL alike, so every server
process counts into the same place and two parallel requests can never read the same count (the
race behind Zitadel's GHSA-7h8m-vrxx-vr4m). Windows are fixed: a counter restarts at 1 on the first
hit after its window has passed.

A subject (an e-mail address, an IP) is hashed into the key, so the table holds no personal data.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case, delete, select
from sqlalchemy.orm import Session

from goodstanding.kit.bulk_sql import dialect_insert
from goodstanding.kit.clock import utcnow
from goodstanding.kit.errors import TooManyAttempts
from goodstanding.models.rate_limit import RateLimitCounter


@dataclass(frozen=True)
class Counter:
    count: int
    window_started_at: datetime
    last_hit_at: datetime


def subject_key(name: str, subject: str) -> str:
    digest = hashlib.sha256(subject.encode()).hexdigest()[:40]
    return f"{name}:{digest}"


def hit(db: Session, key: str, window: timedelta) -> Counter:
    """Count one more event under ``key`` and return the counter as it now stands."""
    now = utcnow()
    table = RateLimitCounter.__table__
    statement = dialect_insert(db, RateLimitCounter).values(
        key=key, count=1, window_started_at=now, last_hit_at=now
    )
    window_over = table.c.window_started_at <= now - window
    upsert = statement.on_conflict_do_update(
        index_elements=[table.c.key],
        set_={
            "count": case((window_over, 1), else_=table.c.count + 1),
            "window_started_at": case(
                (window_over, statement.excluded.window_started_at),
                else_=table.c.window_started_at,
            ),
            "last_hit_at": statement.excluded.last_hit_at,
        },
    ).returning(table.c.count, table.c.window_started_at, table.c.last_hit_at)
    row = db.execute(upsert).one()
    return Counter(int(row[0]), row[1], row[2])


def peek(db: Session, key: str, window: timedelta) -> Counter | None:
    """The counter if its window is still open; ``None`` when nothing counts any more."""
    row = db.execute(
        select(
            RateLimitCounter.count,
            RateLimitCounter.window_started_at,
            RateLimitCounter.last_hit_at,
        ).where(RateLimitCounter.key == key)
    ).one_or_none()
    if row is None or row[1] <= utcnow() - window:
        return None
    return Counter(int(row[0]), row[1], row[2])


def clear(db: Session, key: str) -> None:
    db.execute(delete(RateLimitCounter).where(RateLimitCounter.key == key))


@dataclass(frozen=True)
class Limiter:
    """At most ``limit`` events per ``window`` for one subject of one named action."""

    name: str
    limit: int
    window: timedelta

    def key(self, subject: str) -> str:
        return subject_key(self.name, subject)

    def hit(self, db: Session, subject: str) -> Counter:
        return hit(db, self.key(subject), self.window)

    def count(self, db: Session, subject: str) -> int:
        counter = peek(db, self.key(subject), self.window)
        return counter.count if counter else 0

    def take(self, db: Session, subject: str, detail: str) -> None:
        """Count this event, or raise :class:`TooManyAttempts` when it is one too many.

        Counting first and deciding on the count the upsert returned is what makes the limit
        exact under concurrency: the row stays locked until this transaction ends, so two
        requests can never both see the last free place.
        """
        counter = self.hit(db, subject)
        if counter.count > self.limit:
            reopens = counter.window_started_at + self.window - utcnow()
            wait = max(1, math.ceil(reopens.total_seconds()))
            raise TooManyAttempts(detail, retry_after_seconds=wait, limiter=self.name)

    def clear(self, db: Session, subject: str) -> None:
        clear(db, self.key(subject))


@dataclass(frozen=True)
class Decision:
    captcha_required: bool
    wait_seconds: int
    stopped: bool


@dataclass(frozen=True)
class Escalation:
    """What repeated failures cost: a captcha, then growing waits, a hard stop only at the end.

    Nobody is locked out by someone else's guesses before ``hard_stop``: a captcha and a wait slow
    an attacker down while the owner, who knows the password, still gets in.
    """

    captcha_after: int
    delay_after: int
    first_delay: timedelta
    max_delay: timedelta
    hard_stop: int

    def decide(self, failures: int, last_failure_at: datetime | None, now: datetime) -> Decision:
        if failures >= self.hard_stop:
            return Decision(captcha_required=True, wait_seconds=0, stopped=True)
        wait = 0
        if failures >= self.delay_after and last_failure_at is not None:
            steps = failures - self.delay_after
            delay = min(self.first_delay * (2 ** min(steps, 30)), self.max_delay)
            wait = max(0, math.ceil((last_failure_at + delay - now).total_seconds()))
        return Decision(
            captcha_required=failures >= self.captcha_after, wait_seconds=wait, stopped=False
        )
