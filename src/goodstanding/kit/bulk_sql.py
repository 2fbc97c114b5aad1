"""Bulk SQL for the hot write paths: upserts and id lookups of thousands of rows per statement.

Intake's writes go through ``BulkUpsert``: SQL text built once from the table's metadata and handed
straight to the driver (SQLite and PostgreSQL spell ``ON CONFLICT`` the same way). SQLAlchemy's
per-row parameter handling of an ORM or Core ``executemany`` was about a third of intake's time.
On SQLite, an in-process library, an upsert is one ``executemany``. On PostgreSQL, where each
statement is a round trip and a plan, the rows are copied (``COPY``, the server's bulk load) into
a temporary staging table of the session and upserted from there by one statement, whatever their
number. They went before as one JSON text read by ``json_to_recordset``, whose parsing alone took
half of the event log's insert (80 of 165 ms for 10,000 events; copied, the insert took 102-117
ms); array parameters, tried first, the driver escaped element by element in Python.
"""

from __future__ import annotations

import typing
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import chain
from operator import itemgetter
from typing import Any

import orjson
import psycopg
from sqlalchemy import JSON, Connection, Dialect, Select, Table, Text, bindparam, cast, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

# Keeps every IN list and multi-row statement well under SQLite's and PostgreSQL's bind limits.
CHUNK = 5000


def chunks(items: Sequence[Any], size: int = CHUNK) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def json_text_values(db: Session, values: Collection[str]) -> Select[tuple[str]]:
    """``SELECT value FROM <values>``, the values sent as one JSON text parameter, for ``IN``.

    Intake looks up thousands of ids per batch; one parameter instead of one bind per id spares
    compiling and binding them (on PostgreSQL it halved the lookups' time).
    """
    payload = bindparam(None, orjson.dumps(list(values)).decode(), type_=Text)
    if db.get_bind().dialect.name == "postgresql":
        elements = (
            func.json_array_elements_text(cast(payload, JSON))
            .table_valued("value")
            .render_derived()
        )
    else:
        elements = func.json_each(payload).table_valued("value")
    return select(elements.c.value)


def dialect_insert(db: Session, table: Table | type[Any]) -> sqlite.Insert | postgresql.Insert:
    """An INSERT that knows ``ON CONFLICT`` in the session's dialect."""
    if db.get_bind().dialect.name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)


class BoundRows(list[tuple[Any, ...]]):
    """Rows whose values have passed their columns' bind processors (``BulkUpsert.bind``), so that
    writing them does no more Python work per value: intake binds before it takes SQLite's write
    lock, and only the writing itself holds it."""


@dataclass(frozen=True, slots=True)
class _Staging:
    """A PostgreSQL upsert in three statements: create the session's staging table unless it
    exists (``ON COMMIT DELETE ROWS``: it is emptied at every commit, and by ``upsert`` as it
    reads it, so two upserts in one transaction each write only their own rows), ``COPY`` the
    rows into it, then move them into the table in key order."""

    create: str
    copy: str
    upsert: str
    """``WITH rows AS (DELETE FROM staging RETURNING ...) INSERT INTO table ... ON CONFLICT``,
    to which ``RETURNING`` may be added."""

    def write(
        self, connection: Connection, rows: BoundRows, returning: str = ""
    ) -> psycopg.Cursor[Any]:
        """Stage ``rows`` and upsert them; the driver's cursor of the upsert, to fetch what
        ``returning`` names."""
        driver = typing.cast("psycopg.Connection[Any]", connection.connection.driver_connection)
        cursor = driver.cursor()
        cursor.execute(self.create)
        with cursor.copy(self.copy) as copy:
            for row in rows:
                copy.write_row(row)
        cursor.execute(f"{self.upsert} {returning}".rstrip())
        return cursor


@dataclass(frozen=True, slots=True)
class _PreparedUpsert:
    insert: str
    """``INSERT INTO table (columns) VALUES``"""
    row: str
    """One row's placeholders: ``(?, ?, ?)``"""
    on_conflict: str
    staged: _Staging | None
    """PostgreSQL: how the rows are written through a staging table."""
    columns: tuple[str, ...]
    processors: list[tuple[int, Callable[[Any], Any]]]
    """(position, bind processor) of the columns that have one."""
    key_of: Callable[[Sequence[Any]], Any]
    """A row's conflict key, by which rows are written in order."""

    def in_key_order(self, rows: BoundRows) -> BoundRows:
        """The rows sorted by their conflict key, the order in which PostgreSQL's staged upsert
        takes them (``_Staging``), so that both stores write and return rows alike. There each
        row written takes a lock on its key; two transactions that took them in different orders
        could each wait for the other, a deadlock (three concurrent intake requests with repeated
        events met one). In one order, the later transaction only ever waits for the earlier."""
        return BoundRows(sorted(rows, key=self.key_of))

    def bound(self, rows: Sequence[Sequence[Any]]) -> BoundRows:
        if isinstance(rows, BoundRows):
            return rows
        if not self.processors:
            return BoundRows(tuple(row) for row in rows)
        # A batch's rows often share one value object (intake's received time): it is bound
        # once, not once per row (a time takes about 1 us to format).
        last = [(object(), None) for _ in self.processors]
        converted = BoundRows()
        for row in rows:
            values = list(row)
            for index, (position, process) in enumerate(self.processors):
                value = values[position]
                seen, bound = last[index]
                if value is not seen:
                    bound = process(value)
                    last[index] = (value, bound)
                values[position] = bound
            converted.append(tuple(values))
        return converted


@dataclass
class BulkUpsert:
    """``INSERT INTO table (columns) VALUES ... ON CONFLICT (key) DO UPDATE SET ...`` (or
    ``DO NOTHING`` when ``update`` is empty), as SQL text handed straight to the driver.

    ``update`` maps a column to its new value in SQL, e.g. ``"excluded.state"`` or
    ``"metric_counters.sales_numerator + excluded.sales_numerator"``. Rows are tuples in
    ``columns`` order; each value passes its column type's bind processor (SQLite keeps times as
    text in SQLAlchemy's own format, so rows written here read back like any other). The models'
    Python-side defaults are not applied: give every column that has one."""

    table: Table
    columns: tuple[str, ...]
    key: tuple[str, ...]
    update: Mapping[str, str] = field(default_factory=dict)
    _prepared: dict[str, _PreparedUpsert] = field(default_factory=dict, init=False, repr=False)

    def _prepare(self, dialect: Dialect) -> _PreparedUpsert:
        if dialect.name not in self._prepared:
            placeholder = "?" if dialect.paramstyle == "qmark" else "%s"
            assignments = ", ".join(f"{name} = {value}" for name, value in self.update.items())
            action = f"DO UPDATE SET {assignments}" if self.update else "DO NOTHING"
            into = f"INSERT INTO {self.table.name} ({', '.join(self.columns)})"
            on_conflict = f"ON CONFLICT ({', '.join(self.key)}) {action}"
            self._prepared[dialect.name] = _PreparedUpsert(
                insert=f"{into} VALUES",
                row=f"({', '.join([placeholder] * len(self.columns))})",
                on_conflict=on_conflict,
                staged=self._staging(dialect, into, on_conflict)
                if dialect.name == "postgresql"
                else None,
                columns=self.columns,
                processors=[
                    (position, process)
                    for position, name in enumerate(self.columns)
                    if (process := self.table.c[name].type._cached_bind_processor(dialect))
                ],
                key_of=itemgetter(*(self.columns.index(name) for name in self.key)),
            )
        return self._prepared[dialect.name]

    def _staging(self, dialect: Dialect, into: str, on_conflict: str) -> _Staging:
        staging = f"staged_{self.table.name}"
        columns = ", ".join(self.columns)
        record = ", ".join(
            f"{name} {self.table.c[name].type.compile(dialect=dialect)}" for name in self.columns
        )
        # Rows are taken in key order, which sets the order of the key locks (``in_key_order``);
        # "C" compares the bytes: code point order, as Python sorts text, and the cheapest.
        key_order = ", ".join(
            f'{name} COLLATE "C"' if self._is_text(name) else name for name in self.key
        )
        return _Staging(
            create=f"CREATE TEMPORARY TABLE IF NOT EXISTS {staging} ({record}) "
            "ON COMMIT DELETE ROWS",
            copy=f"COPY {staging} ({columns}) FROM STDIN",
            upsert=f"WITH rows AS (DELETE FROM {staging} RETURNING {columns}) "
            f"{into} SELECT {columns} FROM rows ORDER BY {key_order} {on_conflict}",
        )

    def _is_text(self, column: str) -> bool:
        return self.table.c[column].type.python_type is str

    def bind(self, db: Session, rows: Sequence[Sequence[Any]]) -> BoundRows:
        """``rows`` with their values passed through their columns' bind processors, to write
        later with ``execute`` or ``insert_returning``."""
        return self._prepare(db.get_bind().dialect).bound(rows)

    def execute(self, db: Session, rows: Sequence[Sequence[Any]]) -> None:
        """Write ``rows`` (raw or ``BoundRows``) with one ``executemany``."""
        if not rows:
            return
        connection = db.connection()
        prepared = self._prepare(connection.dialect)
        if prepared.staged is not None:
            prepared.staged.write(connection, prepared.bound(rows)).close()
            return
        connection.exec_driver_sql(
            f"{prepared.insert} {prepared.row} {prepared.on_conflict}",
            prepared.in_key_order(prepared.bound(rows)),
        )

    def insert_returning(
        self, db: Session, rows: Sequence[Sequence[Any]], returning: str, chunk: int = 1000
    ) -> list[Any]:
        """Write ``rows`` (on SQLite as multi-row statements of up to ``chunk`` rows); returns the
        ``returning`` column of every row actually written (``DO NOTHING`` skips the others)."""
        if not rows:
            return []
        connection = db.connection()
        prepared = self._prepare(connection.dialect)
        if prepared.staged is not None:
            staged = prepared.staged.write(
                connection, prepared.bound(rows), f"RETURNING {returning}"
            )
            with staged as cursor:
                return [value for (value,) in cursor]
        ordered = prepared.in_key_order(prepared.bound(rows))
        written: list[Any] = []
        for part in chunks(ordered, chunk):
            statement = (
                f"{prepared.insert} {', '.join([prepared.row] * len(part))} "
                f"{prepared.on_conflict} RETURNING {returning}"
            )
            flat = tuple(chain.from_iterable(part))
            written += connection.exec_driver_sql(statement, flat).scalars()
        return written
