"""Reading event files: NDJSON, CSV and Parquet."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from goodstanding.events.readers import Unreadable, UnsupportedFile, read_events

EVENT = {
    "event_id": "e1",
    "type": "order.delivered",
    "occurred_at": "2024-05-01T10:00:00Z",
    "data": {"order_id": "o1"},
}


def test_ndjson_skips_blank_lines_and_reports_bad_ones(tmp_path: Path) -> None:
    path = tmp_path / "events.ndjson"
    path.write_text(json.dumps(EVENT) + "\n\n{not json\n" + json.dumps([1]) + "\n")
    records = list(read_events(path))
    assert records[0] == EVENT
    assert isinstance(records[1], Unreadable) and records[1].position == 3
    assert "line 3: invalid JSON" in records[1].reason
    assert records[2] == [1]


def test_csv_decodes_the_data_column(tmp_path: Path) -> None:
    path = tmp_path / "events.csv"
    path.write_text(
        "event_id,type,occurred_at,data\n"
        'e1,order.delivered,2024-05-01T10:00:00Z,"{""order_id"": ""o1""}"\n'
        "e2,order.delivered,2024-05-01T10:00:00Z,{oops}\n"
        "e3,order.delivered\n"
    )
    first, bad_json, short = read_events(path)
    assert first == EVENT
    assert isinstance(bad_json, Unreadable) and "line 3: data is not JSON" in bad_json.reason
    assert isinstance(short, Unreadable) and "line 4: expected 4 columns, got 2" in short.reason


def test_csv_with_another_header_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "events.csv"
    path.write_text("id,kind\n")
    with pytest.raises(UnsupportedFile, match="header must be event_id,type,occurred_at,data"):
        list(read_events(path))


def test_parquet_reads_text_and_struct_data(tmp_path: Path) -> None:
    path = tmp_path / "events.parquet"
    pq.write_table(
        pa.table(
            {
                "event_id": ["e1"],
                "type": ["order.delivered"],
                "occurred_at": ["2024-05-01T10:00:00Z"],
                "data": [json.dumps({"order_id": "o1"})],
            }
        ),
        path,
    )
    assert list(read_events(path)) == [EVENT]
    pq.write_table(
        pa.table(
            {
                "event_id": ["e1"],
                "type": ["order.delivered"],
                "occurred_at": ["2024-05-01T10:00:00Z"],
                "data": [{"order_id": "o1"}],
            }
        ),
        path,
    )
    assert list(read_events(path)) == [EVENT]


def test_parquet_without_event_columns_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "events.parquet"
    pq.write_table(pa.table({"event_id": ["e1"]}), path)
    with pytest.raises(UnsupportedFile, match="missing columns data, occurred_at, type"):
        list(read_events(path))


def test_unknown_suffix_is_refused(tmp_path: Path) -> None:
    with pytest.raises(UnsupportedFile, match="unknown event file type '.xml'"):
        read_events(tmp_path / "events.xml")
