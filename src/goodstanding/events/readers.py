"""Read raw events from files for ``goodstanding events import``.

Three layouts are read, chosen by the file's suffix:

- NDJSON (``.ndjson``, ``.jsonl``): one event object per line; blank lines are skipped.
- CSV (``.csv``): a header ``event_id,type,occurred_at,data`` where ``data`` is the JSON text of the
  event's data object.
- Parquet (``.parquet``): columns ``event_id``, ``type``, ``occurred_at`` (text) and ``data`` (JSON
  text, or a struct column).

Readers only decode; they never validate. Each record comes out as the decoded object, or as an
``Unreadable`` naming why the record could not be decoded, so that the importer refuses that record
with its position and keeps going (one bad line must not sink a whole file).
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

import orjson
import pyarrow.parquet as pq

EVENT_COLUMNS = ("event_id", "type", "occurred_at", "data")


class FileFormat(StrEnum):
    NDJSON = "ndjson"
    CSV = "csv"
    PARQUET = "parquet"


_SUFFIXES = {
    ".ndjson": FileFormat.NDJSON,
    ".jsonl": FileFormat.NDJSON,
    ".csv": FileFormat.CSV,
    ".parquet": FileFormat.PARQUET,
}


class UnsupportedFile(ValueError):
    """The file cannot be read as events at all (unknown suffix, missing columns)."""


@dataclass(frozen=True, slots=True)
class Unreadable:
    """A record that could not be decoded; ``position`` is its 1-based line or row number."""

    position: int
    reason: str


RawRecord = object | Unreadable


def detect_format(path: Path) -> FileFormat:
    try:
        return _SUFFIXES[path.suffix.lower()]
    except KeyError:
        known = ", ".join(sorted(_SUFFIXES))
        raise UnsupportedFile(
            f"{path.name}: unknown event file type {path.suffix!r} (expected one of {known})"
        ) from None


def read_events(path: Path) -> Iterator[RawRecord]:
    """Yield each record of an event file, in file order."""
    file_format = detect_format(path)
    if file_format is FileFormat.NDJSON:
        return _read_ndjson(path)
    if file_format is FileFormat.CSV:
        return _read_csv(path)
    return _read_parquet(path)


def _read_ndjson(path: Path) -> Iterator[RawRecord]:
    with path.open(encoding="utf-8") as lines:
        for line_number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                yield orjson.loads(line)
            except orjson.JSONDecodeError as error:
                yield Unreadable(line_number, f"line {line_number}: invalid JSON: {error.msg}")


def _read_csv(path: Path) -> Iterator[RawRecord]:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader, None)
        if header is None or tuple(header) != EVENT_COLUMNS:
            raise UnsupportedFile(
                f"{path.name}: the CSV header must be {','.join(EVENT_COLUMNS)}, got "
                f"{','.join(header or [])!r}"
            )
        for row_number, row in enumerate(reader, start=2):
            if len(row) != len(EVENT_COLUMNS):
                yield Unreadable(
                    row_number,
                    f"line {row_number}: expected {len(EVENT_COLUMNS)} columns, got {len(row)}",
                )
                continue
            event_id, event_type, occurred_at, data = row
            try:
                decoded = orjson.loads(data)
            except orjson.JSONDecodeError as error:
                yield Unreadable(row_number, f"line {row_number}: data is not JSON: {error.msg}")
                continue
            yield {
                "event_id": event_id,
                "type": event_type,
                "occurred_at": occurred_at,
                "data": decoded,
            }


def _read_parquet(path: Path) -> Iterator[RawRecord]:
    parquet = pq.ParquetFile(path)
    missing = set(EVENT_COLUMNS) - set(parquet.schema_arrow.names)
    if missing:
        raise UnsupportedFile(f"{path.name}: missing columns {', '.join(sorted(missing))}")
    row_number = 0
    for batch in parquet.iter_batches(columns=list(EVENT_COLUMNS), batch_size=10_000):
        for record in batch.to_pylist():
            row_number += 1
            data: Any = record["data"]
            if isinstance(data, str):
                try:
                    data = orjson.loads(data)
                except orjson.JSONDecodeError as error:
                    yield Unreadable(row_number, f"row {row_number}: data is not JSON: {error.msg}")
                    continue
            yield {**record, "data": data}
