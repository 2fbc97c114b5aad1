"""The detectors' findings kept in the store, and the policy engine's view of them.

A detector records a signal when it finds something (``record_signal``); the policy engine reads
the open ones as its ``DetectorSignal`` inputs (``open_signals``); a reviewer dismisses a wrong one
(``dismiss_signal``) or confirms a right one (``confirm_signal``). Dismissing re-evaluates the
seller at once, so a violation that rested on the signal resolves and its points come back.
Nothing here commits: the caller's transaction holds the signal with what caused it.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from goodstanding.kit.clock import utcnow
from goodstanding.kit.errors import IllegalTransition, InvalidInput, NotFound
from goodstanding.kit.i18n import gettext as _
from goodstanding.models.detector_signal import DetectorSignalRow
from goodstanding.policy.enums import Signal
from goodstanding.policy.inputs import DetectorSignal

DETECTOR_ACTOR = "detector"
# What the policy engine's notice quotes per signal; the whole evidence stays on the row.
MAX_SUMMARY_LENGTH = 300
MAX_REASON_LENGTH = 2000

Source = DetectorSignalRow.Source
SignalStatus = DetectorSignalRow.Status


class SignalNotFound(NotFound):
    slug = "detector-signal-not-found"
    title = "No such detector signal"


class SignalAlreadyDecided(IllegalTransition):
    slug = "detector-signal-already-decided"
    title = "The detector signal was already dismissed or confirmed"


def record_signal(
    db: Session,
    *,
    seller_id: str,
    kind: Signal,
    score: float,
    source_kind: Source,
    source_id: str,
    evidence: Mapping[str, Any],
    detected_at: datetime | None = None,
) -> DetectorSignalRow:
    """Store a finding, or refresh the open one about the same source (a re-screened listing)."""
    if not 0.0 <= score <= 1.0:
        raise ValueError(f"a signal's score is between 0 and 1, not {score}")
    when = detected_at or utcnow()
    row = db.scalars(
        select(DetectorSignalRow).where(
            DetectorSignalRow.seller_id == seller_id,
            DetectorSignalRow.kind == kind,
            DetectorSignalRow.source_kind == source_kind,
            DetectorSignalRow.source_id == source_id,
            DetectorSignalRow.status == SignalStatus.open,
        )
    ).first()
    if row is None:
        row = DetectorSignalRow(
            seller_id=seller_id,
            kind=kind,
            source_kind=source_kind,
            source_id=source_id,
            status=SignalStatus.open,
        )
        db.add(row)
    row.score = score
    row.evidence = dict(evidence)
    row.detected_at = when
    db.flush()
    return row


def signals_of(
    db: Session, seller_id: str, *, status: SignalStatus | None = None
) -> list[DetectorSignalRow]:
    """The seller's stored signals, oldest first (all of them unless ``status`` is given)."""
    query = select(DetectorSignalRow).where(DetectorSignalRow.seller_id == seller_id)
    if status is not None:
        query = query.where(DetectorSignalRow.status == status)
    return list(db.scalars(query.order_by(DetectorSignalRow.detected_at, DetectorSignalRow.id)))


def open_signals(db: Session, seller_id: str) -> list[DetectorSignal]:
    """The seller's open and confirmed signals as the policy engine's inputs.

    A confirmed signal is one a reviewer agreed with: it keeps counting; only a dismissed one
    stops.
    """
    rows = db.scalars(
        select(DetectorSignalRow)
        .where(
            DetectorSignalRow.seller_id == seller_id,
            DetectorSignalRow.status.in_([SignalStatus.open, SignalStatus.confirmed]),
        )
        .order_by(DetectorSignalRow.detected_at, DetectorSignalRow.id)
    )
    return [as_policy_input(row) for row in rows]


def as_policy_input(row: DetectorSignalRow) -> DetectorSignal:
    return DetectorSignal(
        signal=Signal(row.kind),
        subject=row.source_id,
        confidence=row.score,
        detected_on=row.detected_at.date(),
        evidence=_summary(row),
    )


def dismiss_signal(
    db: Session, signal_id: str, *, actor: str, reason: str, as_of: date | None = None
) -> DetectorSignalRow:
    """A reviewer finds the signal wrong: it stops counting and the seller is re-evaluated, so a
    violation that rested on it resolves (``as_of`` defaults to today)."""
    row = _decide(db, signal_id, SignalStatus.dismissed, actor=actor, reason=reason)
    # Imported here: the policy engine imports this module to read the open signals.
    from goodstanding.policy.service import reevaluate_seller

    reevaluate_seller(db, row.seller_id, as_of or utcnow().date())
    return row


def confirm_signal(db: Session, signal_id: str, *, actor: str, reason: str) -> DetectorSignalRow:
    """A reviewer agrees with the signal; it keeps counting and can no longer be dismissed."""
    return _decide(db, signal_id, SignalStatus.confirmed, actor=actor, reason=reason)


def _decide(
    db: Session, signal_id: str, to: SignalStatus, *, actor: str, reason: str
) -> DetectorSignalRow:
    cleaned = reason.strip()
    if not cleaned or len(cleaned) > MAX_REASON_LENGTH:
        raise InvalidInput(
            _("A decision on a signal needs a reason of 1 to %(max)d characters.")
            % {"max": MAX_REASON_LENGTH}
        )
    # One conditional UPDATE: of two reviewers deciding at once, one wins, the other is told.
    moved = db.execute(
        update(DetectorSignalRow)
        .where(DetectorSignalRow.id == signal_id, DetectorSignalRow.status == SignalStatus.open)
        .values(status=to, decided_by=actor, decided_at=utcnow(), decision_reason=cleaned)
        .execution_options(synchronize_session=False)
    )
    row = db.get(DetectorSignalRow, signal_id)
    if row is None:
        raise SignalNotFound(_("There is no detector signal %(id)s.") % {"id": signal_id})
    db.refresh(row)
    if getattr(moved, "rowcount", 0) != 1:
        raise SignalAlreadyDecided(_("This signal was already dismissed or confirmed."))
    return row


def _summary(row: DetectorSignalRow) -> str:
    summary = str(row.evidence.get("summary", ""))
    text = f"{row.source_kind} {row.source_id}" + (f": {summary}" if summary else "")
    if len(text) > MAX_SUMMARY_LENGTH:
        return text[: MAX_SUMMARY_LENGTH - 1] + "…"
    return text
