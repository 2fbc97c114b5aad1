"""Database engine, sessions and the declarative base.

One request or job is one transaction: :func:`transaction` opens a session, commits when the block
ends without error and rolls back otherwise. Services receive the session and never commit.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import (
    DateTime,
    Dialect,
    Engine,
    MetaData,
    String,
    TypeDecorator,
    create_engine,
    event,
)
from sqlalchemy.engine import make_url
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker
from sqlalchemy.pool import QueuePool

from goodstanding.kit.clock import utcnow

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def new_id() -> str:
    return uuid.uuid4().hex


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes in and out, on SQLite (which drops the zone) as on PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are ambiguous; pass an aware UTC datetime")
        return value.astimezone(UTC)

    def bind_processor(self, dialect: Dialect) -> Callable[[Any], Any] | None:
        if dialect.name != "sqlite":
            return super().bind_processor(dialect)

        def sqlite_text(value: datetime | None) -> str | None:
            """The text SQLAlchemy's SQLite DATETIME writes (``2024-05-01 09:30:00.000000``),
            from ``isoformat`` in one call rather than its per-field formatting: intake binds
            two or three times per event, and this takes 0.85 us against 1.2."""
            if value is not None and value.tzinfo is not UTC:
                value = self.process_bind_param(value, dialect)
            return None if value is None else value.isoformat(" ", "microseconds")[:-6]

        return sqlite_text

    def result_processor(self, dialect: Dialect, coltype: object) -> Callable[[Any], Any] | None:
        if dialect.name != "sqlite":
            return super().result_processor(dialect, coltype)

        def from_sqlite_text(value: str | None) -> datetime | None:
            """The stored text read as a UTC time in one ``fromisoformat`` call (0.23 us)
            rather than read naive and given its zone by ``replace`` (0.87 us): intake reads
            the last event time of every order it folds, twice."""
            if value is None:
                return None
            try:
                return datetime.fromisoformat(value + "+00:00")
            except ValueError:  # text that already names its offset
                return datetime.fromisoformat(value).astimezone(UTC)

        return from_sqlite_text

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime()}


class RecordMixin:
    """The columns every entity table has: a random id and its creation/modification times."""

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    modified_at: Mapped[datetime | None] = mapped_column(default=None, onupdate=utcnow)


WAL_CHECKPOINT_PAGES = 20_000
WAL_KEPT_BYTES = WAL_CHECKPOINT_PAGES * 4096
WAL_RESTART_BYTES = 4 * WAL_KEPT_BYTES
"""A log file grown past this is checkpointed in full and restarted after the next commit."""


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    # Memory-mapped reads take pages straight from the operating system's cache, and a 64 MiB
    # page cache keeps what one intake batch touches (intake of 1M events over HTTP: 9,526
    # events/s without these two, 11,282 with them; docs/benchmarks.md).
    cursor.execute("PRAGMA mmap_size=1073741824")
    cursor.execute("PRAGMA cache_size=-65536")
    # A checkpoint every 20,000 pages (80 MiB of log) instead of 1,000: one 10,000-event intake
    # batch logs 4,500 to 6,400 pages, so the default checkpointed at every commit and copied the
    # same hot pages again each time (commit 11 -> 8 us per event at 600,000 events).
    cursor.execute(f"PRAGMA wal_autocheckpoint={WAL_CHECKPOINT_PAGES}")
    # A log that was reset is cut back to this size, so the file's size tells how far the log
    # has grown since (``Database._restart_long_log``).
    cursor.execute(f"PRAGMA journal_size_limit={WAL_KEPT_BYTES}")
    cursor.close()


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        # Connections are kept: opening one costs a file open, the pragmas above and a read of
        # the schema, which small transactions felt (listing events screened one transaction
        # each: 119-125 a second with a new connection every time, 174-179 with kept ones). No
        # cap on connections in use, as SQLite queues writers itself.
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": 10},
            poolclass=QueuePool,
            pool_size=8,
            max_overflow=-1,
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)


class Database:
    """An engine and its session factory, plus hooks that run only after a commit."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        file = make_url(url).database if url.startswith("sqlite") else None
        self._sqlite_log = None if not file or file == ":memory:" else Path(f"{file}-wal")

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        session = self.sessions()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()
        self._restart_long_log()

    def _restart_long_log(self) -> None:
        """Checkpoint SQLite's write-ahead log in full and restart it once it has grown past
        ``WAL_RESTART_BYTES``.

        The automatic checkpoint copies only the pages no reader may still need, and the log
        restarts from its beginning only after a complete one. Under steady concurrent intake
        (two server workers, each reading while the other commits) that never happened: the log
        grew to 2 GiB within 1M events and kept growing. ``RESTART`` waits for the readers of
        older snapshots to finish (a few milliseconds), then copies all."""
        if self._sqlite_log is None:
            return
        try:
            grown = self._sqlite_log.stat().st_size > WAL_RESTART_BYTES
        except FileNotFoundError:
            return
        if grown:
            with self.engine.connect() as connection:
                connection.exec_driver_sql("PRAGMA wal_checkpoint(RESTART)")

    def dispose(self) -> None:
        self.engine.dispose()


def after_commit(session: Session, callback: Callable[[], None]) -> None:
    """Run ``callback`` once the session's transaction commits; drop it on rollback.

    Jobs and e-mails are enqueued through this so that nothing is sent for a change that did not
    happen (Polar's ADR 0003).
    """
    pending: list[Callable[[], None]] = session.info.setdefault("after_commit", [])
    pending.append(callback)


@event.listens_for(Session, "after_commit")
def _run_after_commit(session: Session) -> None:
    for callback in session.info.pop("after_commit", []):
        callback()


@event.listens_for(Session, "after_rollback")
def _drop_after_commit(session: Session) -> None:
    session.info.pop("after_commit", None)
