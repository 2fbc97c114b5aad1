"""`goodstanding policy simulate` over the stored sellers counts hits and changes nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from goodstanding.kit.clock import clock
from goodstanding.kit.db import Database
from goodstanding.models.seller import Seller
from goodstanding.models.shadow_finding import ShadowFinding
from goodstanding.models.standing_event import StandingEvent
from goodstanding.models.violation import Violation
from goodstanding.policy.cli import app
from goodstanding.policy.documents import document_service
from goodstanding.policy.enums import DocumentKind
from tests.policy.store_factories import add_seller, today


def test_stored_history_is_simulated_read_only(
    database: Database, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    with database.transaction() as db:
        add_seller(db, "late-papers")
        add_seller(db, "in-order")
        document_service.request(
            db,
            "late-papers",
            DocumentKind.BANK_STATEMENT,
            deadline=today() + timedelta(days=3),
            actor="test",
        )
    clock.advance(timedelta(days=5))
    monkeypatch.setenv("GOODSTANDING_DATABASE_URL", database_url)
    result = CliRunner().invoke(app, ["simulate", "--days", "3"])
    assert result.exit_code == 0, result.stderr
    assert "2 sellers, 6 inputs" in result.stdout
    [documents_line] = [
        line for line in result.stdout.splitlines() if line.startswith("required_documents ")
    ]
    assert documents_line.split()[2] == "1"  # one seller hit, the one past its deadline
    with database.transaction() as db:
        for table in (Violation, StandingEvent, ShadowFinding):
            assert db.scalar(select(func.count()).select_from(table)) == 0
        assert {s.standing for s in db.scalars(select(Seller))} == {"active"}
