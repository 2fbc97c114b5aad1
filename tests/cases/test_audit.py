"""The audit trail: hash chain, tamper detection, append-only store, ``audit verify``."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from typer.testing import CliRunner

from goodstanding.cases.audit import (
    GENESIS_HASH,
    audit_log,
    entry_hash,
    verify_chain,
)
from goodstanding.cases.cli import app as audit_cli
from goodstanding.cases.service import case_service
from goodstanding.kit.db import Database
from goodstanding.models.account import Account
from goodstanding.models.audit_entry import AuditEntry
from goodstanding.models.case import Case


@dataclasses.dataclass
class Line:
    seq: int
    at: datetime
    actor_id: str | None
    action: str
    subject_type: str
    subject_id: str
    data: dict[str, Any]
    prev_hash: str = GENESIS_HASH
    hash: str = ""


def chain(count: int) -> list[Line]:
    lines: list[Line] = []
    previous = GENESIS_HASH
    for seq in range(1, count + 1):
        line = Line(
            seq,
            datetime(2026, 1, seq, tzinfo=UTC),
            "rita",
            "case.claimed",
            "case",
            f"c{seq}",
            {"n": seq},
            prev_hash=previous,
        )
        line.hash = entry_hash(line, previous)
        previous = line.hash
        lines.append(line)
    return lines


class TestVerifyChain:
    def test_an_untouched_chain_holds_and_names_its_head(self) -> None:
        lines = chain(4)
        report = verify_chain(lines)
        assert report.intact
        assert report.count == 4
        assert report.head_hash == lines[-1].hash

    @pytest.mark.parametrize(
        "change",
        [
            {"actor_id": "mallory"},
            {"data": {"n": 99}},
            {"action": "case.released"},
            {"at": datetime(2025, 1, 1, tzinfo=UTC)},
        ],
    )
    def test_an_edited_field_is_named(self, change: dict[str, Any]) -> None:
        lines = chain(4)
        for name, value in change.items():
            setattr(lines[1], name, value)
        report = verify_chain(lines)
        assert [problem.seq for problem in report.problems] == [2]

    def test_an_edit_with_a_recomputed_hash_breaks_the_next_link(self) -> None:
        lines = chain(4)
        lines[1].data = {"n": 99}
        lines[1].hash = entry_hash(lines[1], lines[1].prev_hash)
        report = verify_chain(lines)
        assert [problem.seq for problem in report.problems] == [3]

    def test_a_deleted_entry_is_named(self) -> None:
        lines = chain(5)
        del lines[2]
        report = verify_chain(lines)
        assert {problem.seq for problem in report.problems} == {4}
        assert any("missing" in problem.problem for problem in report.problems)

    def test_the_hash_covers_the_previous_hash(self) -> None:
        line = chain(1)[0]
        assert entry_hash(line, GENESIS_HASH) != entry_hash(line, "f" * 64)


def add_person(database: Database, email: str, roles: list[str]) -> str:
    with database.transaction() as db:
        account = Account(name=email, email=email, password_hash="x", roles=roles)
        db.add(account)
        db.flush()
        return account.id


def open_case(database: Database, subject_id: str) -> str:
    from datetime import timedelta

    with database.transaction() as db:
        case = case_service.open(
            db,
            kind=Case.Kind.appeal,
            subject_account_id=subject_id,
            payload={},
            sla=timedelta(hours=48),
            actor_id=None,
        )
        return case.id


class TestStoredTrail:
    def test_case_events_are_chained_in_order(self, database: Database) -> None:
        seller = add_person(database, "sam@example.com", ["seller"])
        rita = add_person(database, "rita@example.com", ["reviewer"])
        case_id = open_case(database, seller)
        with database.transaction() as db:
            case_service.claim(db, case_id, rita)
            audit_log.record(
                db,
                "document.viewed",
                actor_id=rita,
                subject_type="case",
                subject_id=case_id,
                data={"document_id": "d1"},
            )
        with database.transaction() as db:
            entries = audit_log.entries_about(db, "case", case_id)
            report = audit_log.verify(db)
        assert [entry.action for entry in entries] == [
            "case.opened",
            "case.claimed",
            "document.viewed",
        ]
        assert entries[1].actor_id == rita
        assert report.intact and report.count == 3
        assert entries[0].prev_hash == GENESIS_HASH
        assert entries[1].prev_hash == entries[0].hash

    def test_the_store_refuses_updates_and_deletes(self, database: Database) -> None:
        seller = add_person(database, "sam@example.com", ["seller"])
        open_case(database, seller)
        for statement in ("UPDATE audit_entries SET actor_id = 'x'", "DELETE FROM audit_entries"):
            with pytest.raises(DBAPIError, match="append-only"), database.transaction() as db:
                db.execute(text(statement))
        with database.transaction() as db:
            assert db.query(AuditEntry).count() == 1


@pytest.fixture
def unguarded(database: Database) -> Iterator[None]:
    """What someone with direct store access would do first; the chain must still tell.

    PostgreSQL's test database outlives the test, so its trigger is switched back on after."""
    postgres = database.engine.dialect.name == "postgresql"
    with database.engine.begin() as connection:
        if postgres:
            connection.execute(text("ALTER TABLE audit_entries DISABLE TRIGGER USER"))
        else:
            connection.execute(text("DROP TRIGGER audit_entries_no_update"))
            connection.execute(text("DROP TRIGGER audit_entries_no_delete"))
    yield
    if postgres:
        with database.engine.begin() as connection:
            connection.execute(text("ALTER TABLE audit_entries ENABLE TRIGGER USER"))


def run_verify(database_url: str, *args: str) -> Any:
    return CliRunner().invoke(
        audit_cli, ["verify", *args], env={"GOODSTANDING_DATABASE_URL": database_url}
    )


# A worker's job in a fresh interpreter: the database and the case core only, no web app and no
# explicit import of the audit module. Prints how many audit entries the transaction left.
WORKER_JOB = """
import sys
from datetime import timedelta

from goodstanding.cases.service import case_service
from goodstanding.kit.db import Base, Database
from goodstanding.models.account import Account
from goodstanding.models.audit_entry import AuditEntry
from goodstanding.models.case import Case

database = Database(sys.argv[1])
Base.metadata.create_all(database.engine)
with database.transaction() as db:
    account = Account(name="Wendy Worker", email="wendy@example.com", password_hash="x")
    db.add(account)
    db.flush()
    case_service.open(
        db, kind=Case.Kind.document_check, subject_account_id=account.id, payload={},
        sla=timedelta(hours=48), actor_id=None,
    )
with database.transaction() as db:
    print(",".join(entry.action for entry in db.query(AuditEntry).order_by(AuditEntry.seq)))
"""


class TestWorkerTransactions:
    def test_a_case_event_written_outside_the_web_app_is_audited(self, tmp_path: Path) -> None:
        url = f"sqlite:///{tmp_path / 'worker.db'}"
        done = subprocess.run(
            [sys.executable, "-c", WORKER_JOB, url],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        assert done.stdout.strip() == "case.opened"


class TestVerifyCommand:
    def test_intact_trail_exits_zero_with_its_head(
        self, database: Database, database_url: str
    ) -> None:
        seller = add_person(database, "sam@example.com", ["seller"])
        open_case(database, seller)
        open_case(database, seller)
        result = run_verify(database_url)
        assert result.exit_code == 0, result.output
        assert "2 entries" in result.output

    def test_an_edit_is_detected(
        self, database: Database, database_url: str, unguarded: None
    ) -> None:
        seller = add_person(database, "sam@example.com", ["seller"])
        for _ in range(3):
            open_case(database, seller)
        with database.engine.begin() as connection:
            connection.execute(text("UPDATE audit_entries SET actor_id = 'mallory' WHERE seq = 2"))
        result = run_verify(database_url)
        assert result.exit_code == 1
        assert "entry 2: was changed" in result.output

    def test_a_deletion_in_the_middle_is_detected(
        self, database: Database, database_url: str, unguarded: None
    ) -> None:
        seller = add_person(database, "sam@example.com", ["seller"])
        for _ in range(3):
            open_case(database, seller)
        with database.engine.begin() as connection:
            connection.execute(text("DELETE FROM audit_entries WHERE seq = 2"))
        result = run_verify(database_url)
        assert result.exit_code == 1
        assert "entry 3" in result.output

    def test_cutting_the_end_is_detected_against_a_noted_head(
        self, database: Database, database_url: str, unguarded: None
    ) -> None:
        seller = add_person(database, "sam@example.com", ["seller"])
        for _ in range(3):
            open_case(database, seller)
        head = run_verify(database_url).output.split("head ")[1].strip()
        with database.engine.begin() as connection:
            connection.execute(text("DELETE FROM audit_entries WHERE seq = 3"))
        assert run_verify(database_url).exit_code == 0  # a shorter chain is still a chain
        result = run_verify(database_url, "--expect-head", head)
        assert result.exit_code == 1
        assert "is gone" in result.output
