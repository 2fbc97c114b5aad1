"""The staff audit trail: an append-only, hash-chained log of document views, claims, decisions
and state changes.

Each entry's hash is SHA-256 over a canonical JSON of its own fields plus the previous entry's
hash, so changing any field of any entry, or deleting one, breaks every hash after it. Deleting
the newest entries leaves a shorter chain that is still valid; ``verify`` therefore reports the
head (count and hash) so an operator can note it and check later that it was not cut back.

Case timeline events and seller standing changes are audited by a flush hook, so every path that
writes them (the console, identity recovery, the policy engine, jobs) is covered without each
remembering to; document views are recorded explicitly by whoever shows the document. The
package's ``__init__`` imports this module, so the hook is registered wherever
``goodstanding.cases`` is used, which every writer of those rows does.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import event, select, text
from sqlalchemy.orm import Session

from goodstanding.kit.clock import utcnow
from goodstanding.models.audit_entry import AuditEntry
from goodstanding.models.case_event import CaseEvent
from goodstanding.models.standing_event import StandingEvent

GENESIS_HASH = "0" * 64
# Any fixed number: PostgreSQL's transaction-level advisory lock that serialises appends.
_APPEND_LOCK_KEY = 0x6175646974  # "audit"
_HEAD_KEY = "audit_head"


class Action:
    """What an entry records; case events add their own type after ``case.``."""

    document_viewed = "document.viewed"
    standing_changed = "seller.standing_changed"


class Chained(Protocol):
    """The fields an entry's hash covers (an ``AuditEntry`` row, or a test's stand-in)."""

    seq: int
    at: datetime
    actor_id: str | None
    action: str
    subject_type: str
    subject_id: str
    data: dict[str, Any]
    prev_hash: str
    hash: str


def canonical_json(entry: Chained, prev_hash: str) -> bytes:
    """The bytes hashed: sorted keys, no spaces, UTF-8, times as ISO 8601 in UTC."""
    body = {
        "seq": entry.seq,
        "at": entry.at.isoformat(),
        "actor_id": entry.actor_id,
        "action": entry.action,
        "subject_type": entry.subject_type,
        "subject_id": entry.subject_id,
        "data": entry.data,
        "prev_hash": prev_hash,
    }
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def entry_hash(entry: Chained, prev_hash: str) -> str:
    return hashlib.sha256(canonical_json(entry, prev_hash)).hexdigest()


@dataclass(frozen=True)
class ChainProblem:
    seq: int
    problem: str


@dataclass
class ChainReport:
    count: int = 0
    head_hash: str = GENESIS_HASH
    problems: list[ChainProblem] = field(default_factory=list)

    @property
    def intact(self) -> bool:
        return not self.problems


def verify_chain(entries: Iterable[Chained]) -> ChainReport:
    """Walk the entries in ``seq`` order and name every place the chain does not hold.

    A missing ``seq`` is a deletion; a ``prev_hash`` that is not the previous entry's hash is a
    deletion or a re-linking; a ``hash`` that does not recompute is an edited entry.
    """
    report = ChainReport()
    expected_seq, previous_hash = 1, GENESIS_HASH
    for entry in entries:
        if entry.seq != expected_seq:
            report.problems.append(
                ChainProblem(entry.seq, f"entries {expected_seq}..{entry.seq - 1} are missing")
            )
        if entry.prev_hash != previous_hash:
            report.problems.append(ChainProblem(entry.seq, "does not link to the entry before it"))
        if entry_hash(entry, entry.prev_hash) != entry.hash:
            report.problems.append(ChainProblem(entry.seq, "was changed after it was written"))
        report.count += 1
        expected_seq, previous_hash = entry.seq + 1, entry.hash
    report.head_hash = previous_hash
    return report


class AuditLog:
    def record(
        self,
        db: Session,
        action: str,
        *,
        actor_id: str | None,
        subject_type: str,
        subject_id: str,
        data: dict[str, Any] | None = None,
    ) -> AuditEntry:
        """Append one entry after the current head (in the caller's transaction)."""
        with db.no_autoflush:
            seq, prev_hash = self._head(db)
        entry = AuditEntry(
            seq=seq + 1,
            at=utcnow(),
            actor_id=actor_id,
            action=action,
            subject_type=subject_type,
            subject_id=subject_id,
            data=data or {},
            prev_hash=prev_hash,
        )
        entry.hash = entry_hash(entry, prev_hash)
        db.add(entry)
        db.info[_HEAD_KEY] = (entry.seq, entry.hash)
        return entry

    def _head(self, db: Session) -> tuple[int, str]:
        """The last entry's seq and hash; read once per transaction, then kept in the session."""
        cached: tuple[int, str] | None = db.info.get(_HEAD_KEY)
        if cached is not None:
            return cached
        if db.get_bind().dialect.name == "postgresql":
            db.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _APPEND_LOCK_KEY})
        last = db.execute(
            select(AuditEntry.seq, AuditEntry.hash).order_by(AuditEntry.seq.desc()).limit(1)
        ).first()
        return (0, GENESIS_HASH) if last is None else (int(last.seq), str(last.hash))

    def verify(self, db: Session) -> ChainReport:
        """Verify the whole stored chain, streamed in pages (no row cap, bounded memory)."""
        rows = db.scalars(
            select(AuditEntry).order_by(AuditEntry.seq).execution_options(yield_per=1000)
        )
        return verify_chain(rows)

    def contains_hash(self, db: Session, entry_hash_hex: str) -> bool:
        found = db.scalar(select(AuditEntry.seq).where(AuditEntry.hash == entry_hash_hex).limit(1))
        return found is not None or entry_hash_hex == GENESIS_HASH

    def entries_about(self, db: Session, subject_type: str, subject_id: str) -> list[AuditEntry]:
        return list(
            db.scalars(
                select(AuditEntry)
                .where(AuditEntry.subject_type == subject_type, AuditEntry.subject_id == subject_id)
                .order_by(AuditEntry.seq)
            ).all()
        )


audit_log = AuditLog()


@event.listens_for(Session, "before_flush")
def _audit_new_events(session: Session, _context: object, _instances: object) -> None:
    for instance in list(session.new):
        if isinstance(instance, CaseEvent):
            audit_log.record(
                session,
                f"case.{instance.type}",
                actor_id=instance.actor_id,
                subject_type="case",
                subject_id=instance.case_id,
                data=dict(instance.data or {}),
            )
        elif isinstance(instance, StandingEvent):
            audit_log.record(
                session,
                Action.standing_changed,
                actor_id=None,
                subject_type="seller",
                subject_id=instance.seller_id,
                data={
                    "from": instance.from_standing,
                    "to": instance.to_standing,
                    "reason": instance.reason,
                    "actor": instance.actor,
                    "policy_id": instance.policy_id,
                },
            )


@event.listens_for(Session, "after_commit")
@event.listens_for(Session, "after_rollback")
def _forget_head(session: Session) -> None:
    session.info.pop(_HEAD_KEY, None)
