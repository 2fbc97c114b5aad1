"""The store's engine: SQLite connections are kept between transactions, with their settings."""

from pathlib import Path

from sqlalchemy import text

from goodstanding.kit.db import Database


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
