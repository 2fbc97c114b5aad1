"""The migrations build exactly the schema the models describe, on both stores."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from goodstanding.kit.db import Base, Database
from goodstanding.migrations import upgrade_to_head


def test_migrations_match_models(database: Database) -> None:
    with database.engine.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            table.drop(connection, checkfirst=True)
        connection.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
    upgrade_to_head(database.url)
    with database.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
        tables = set(inspect(connection).get_table_names())
    assert differences == []
    assert {table.name for table in Base.metadata.sorted_tables} <= tables
