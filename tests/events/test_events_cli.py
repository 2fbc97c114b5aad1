"""``goodstanding events import`` has the effects of the API: the detectors' hooks and the
policy re-evaluation run as jobs (here immediately, as the test settings ask)."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from goodstanding.events.cli import app as events_app
from goodstanding.kit.db import Database
from goodstanding.models.listing import StoredListing
from tests.detectors.store_factories import listing_event, no_embedding_model

__all__ = ["no_embedding_model"]  # a fixture used below


@pytest.mark.usefixtures("no_embedding_model")
def test_imported_listings_are_screened_by_the_hook_jobs(
    database_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setenv("GOODSTANDING_DATABASE_URL", database_url)
    monkeypatch.setenv("GOODSTANDING_JOBS_IMMEDIATE", "true")
    events_file = tmp_path / "events.ndjson"
    events_file.write_text(
        json.dumps(listing_event("e1", "listing-1", "Glock 19 pistol 9mm")) + "\n",
        encoding="utf-8",
    )
    with caplog.at_level(logging.ERROR):
        result = CliRunner().invoke(events_app, ["import", str(events_file)])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == "accepted 1, duplicate 0, refused 0"
    assert [record.getMessage() for record in caplog.records] == []
    database = Database(database_url)
    with database.transaction() as db:
        listing = db.scalars(select(StoredListing)).one()
        assert (listing.id, listing.decision) == ("listing-1", "block")
    database.dispose()
