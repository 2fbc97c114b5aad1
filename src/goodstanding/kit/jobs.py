"""Background jobs through huey: SQLite storage embedded, Redis in production, immediate in tests.

Tasks are declared at import time on the module-level ``huey``; :func:`configure_jobs` points it at
the configured storage and gives tasks the settings and database of the running process. Jobs are
enqueued with :func:`enqueue` from inside a transaction: they leave only if it commits.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from huey import Huey, MemoryHuey, RedisHuey, SqliteHuey
from sqlalchemy.orm import Session

from goodstanding.config import Settings
from goodstanding.kit.db import Database, after_commit

huey: Huey = MemoryHuey("goodstanding", immediate=True)


@dataclass
class JobContext:
    settings: Settings
    database: Database


_context: JobContext | None = None


def make_huey(settings: Settings) -> Huey:
    if settings.job_store == "redis":
        return RedisHuey("goodstanding", url=settings.redis_url)
    if settings.job_store == "memory":
        return MemoryHuey("goodstanding")
    return SqliteHuey("goodstanding", filename=settings.job_sqlite_path)


def configure_jobs(settings: Settings, database: Database) -> Huey:
    global _context
    _context = JobContext(settings=settings, database=database)
    if settings.jobs_immediate:
        huey.immediate = True
    else:
        huey.immediate = False
        huey.storage = make_huey(settings).storage
    return huey


def job_context() -> JobContext:
    if _context is None:
        raise RuntimeError("jobs are not configured: call configure_jobs() at start-up")
    return _context


def enqueue(session: Session, task: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
    after_commit(session, lambda: task(*args, **kwargs))
