"""The store's engine: SQLite connections are kept between transactions, with their settings;
UTC times are written and read as SQLAlchemy writes and reads them."""

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import DateTime, text
from sqlalchemy.dialects import sqlite

from goodstanding.kit import db as db_module
from goodstanding.kit.db import Database, UTCDateTime


def test_sqlite_connections_are_kept_between_transactions(tmp_path: Path) -> None:
    database = Database(f"sqlite:///{tmp_path / 'store.db'}")
    try:
        connections = []
        for _ in range(3):
            with database.transaction() as db:
                connection = db.connection().connection.dbapi_connection
                connections.append(connection)  # kept alive, so no two can share an address
                settings = [
                    db.execute(text(f"PRAGMA {name}")).scalar_one()
                    for name in ("journal_mode", "busy_timeout", "cache_size", "wal_autocheckpoint")
                ]
        assert all(connection is connections[0] for connection in connections)
        assert settings == ["wal", 10000, -65536, 20000]
    finally:
        database.dispose()


@pytest.mark.parametrize(
    "moment",
    [
        datetime(2024, 5, 1, 9, 30, tzinfo=UTC),
        datetime(2024, 12, 31, 23, 59, 59, 999_999, tzinfo=UTC),
        datetime(2024, 5, 1, 9, 30, 0, 123, tzinfo=timezone(timedelta(hours=-3))),
        datetime(999, 1, 1, 0, 0, tzinfo=timezone(timedelta(hours=2))),
    ],
)
def test_sqlite_stores_utc_times_as_sqlalchemy_writes_them(moment: datetime) -> None:
    # Rows written by the bulk paths and by the ORM must read back alike, and stored times
    # compare as text, so the fast SQLite processor writes SQLAlchemy's exact text.
    dialect = sqlite.dialect()
    fast = UTCDateTime()._cached_bind_processor(dialect)
    plain = DateTime()._cached_bind_processor(dialect)
    assert fast is not None and plain is not None
    assert fast(moment) == plain(moment.astimezone(UTC).replace(tzinfo=None))
    assert fast(None) is None
    with pytest.raises(ValueError, match="naive"):
        fast(moment.replace(tzinfo=None))

    read = UTCDateTime()._cached_result_processor(dialect, None)
    plain_read = DateTime()._cached_result_processor(dialect, None)
    assert read is not None and plain_read is not None
    stored = fast(moment)
    assert read(stored) == plain_read(stored).replace(tzinfo=UTC) == moment
    assert read(stored).tzinfo is UTC
    assert read(None) is None


def test_sqlite_times_written_with_an_offset_read_back_in_utc() -> None:
    read = UTCDateTime()._cached_result_processor(sqlite.dialect(), None)
    assert read is not None
    assert read("2024-05-01 09:30:00-03:00") == datetime(2024, 5, 1, 12, 30, tzinfo=UTC)


def test_a_sqlite_log_grown_past_its_limit_is_restarted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(db_module, "WAL_KEPT_BYTES", 0)
    monkeypatch.setattr(db_module, "WAL_RESTART_BYTES", 256 * 1024)
    database = Database(f"sqlite:///{tmp_path / 'store.db'}")
    log = tmp_path / "store.db-wal"
    try:
        with database.transaction() as db:
            db.execute(text("CREATE TABLE notes (body BLOB)"))
        with database.transaction() as db:
            for _ in range(1000):
                db.execute(text("INSERT INTO notes VALUES (randomblob(1000))"))
        assert log.stat().st_size > 256 * 1024

        with database.transaction() as db:  # the first writer after the restart
            db.execute(text("INSERT INTO notes VALUES (randomblob(1000))"))

        assert log.stat().st_size < 256 * 1024
        with database.transaction() as db:
            assert db.execute(text("SELECT count(*) FROM notes")).scalar_one() == 1001
    finally:
        database.dispose()
