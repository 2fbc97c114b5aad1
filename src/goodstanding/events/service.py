"""Event intake: one batch of raw events in, exactly-once effects out.

For a batch (the API's request body or a chunk of an imported file) ``EventService.ingest``:

1. validates each event; an invalid one is refused with its index and reason, the rest go on;
2. deduplicates by event_id, within the batch and against the stored log: the same content
   (``schemas.fingerprint``) again is a *duplicate* (reported, no effect), other content under a
   known id is a *conflict* (refused);
3. folds the new order events into their orders as stored (``metrics.online.plan_order_events``),
   writing and locking nothing, so that another batch can write meanwhile;
4. stores the new events in bulk (a concurrent batch that stored one of them first wins; ours is
   then a duplicate), writes the folded orders and the sellers' counters (an order that another
   batch changed in between is folded again), gives every seller of an order a ``sellers`` row,
   and hands other events to their hooks (``events.hooks``);
5. schedules one job, after commit, that re-evaluates the policies of every seller whose metrics
   moved (``events.tasks``), so the request does not wait for the policy engine.

Everything happens in the caller's transaction: a batch that fails leaves no trace, and a client
that retries it gets exactly-once effects.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

import structlog
from sqlalchemy.orm import Session

from goodstanding.events.hooks import has_hooks, hooks_for, preparations_for
from goodstanding.events.readers import Unreadable
from goodstanding.events.repository import event_repository
from goodstanding.events.schemas import (
    Event,
    InvalidEvent,
    StoredEvent,
    is_order_event,
    parse_event,
    raw_from_stored,
    stored_fingerprint,
    to_stored,
)
from goodstanding.kit.clock import utcnow
from goodstanding.kit.collector import cyclic_collection_paused
from goodstanding.kit.db import Database
from goodstanding.kit.jobs import enqueue
from goodstanding.metrics.online import OrderPlan, apply_order_plan, plan_order_events
from goodstanding.metrics.repository import metrics_repository

log = structlog.get_logger(__name__)

MAX_BATCH = 10_000
CONFLICT_REASON = "event_id: already received with different content (conflict)"


@dataclass(frozen=True, slots=True)
class Refusal:
    index: int
    """0-based position of the event in the batch."""
    event_id: str | None
    reason: str


@dataclass
class IntakeResult:
    accepted: int = 0
    duplicate: int = 0
    refused: list[Refusal] = field(default_factory=list)
    touched_sellers: set[str] = field(default_factory=set)
    """Sellers whose metrics changed."""

    def add(self, other: IntakeResult, index_offset: int = 0) -> None:
        """Fold a later chunk's result in, shifting its refusal indexes by ``index_offset``."""
        self.accepted += other.accepted
        self.duplicate += other.duplicate
        self.refused += [
            Refusal(refusal.index + index_offset, refusal.event_id, refusal.reason)
            for refusal in other.refused
        ]
        self.touched_sellers |= other.touched_sellers


def _event_id_of(raw: object) -> str | None:
    if isinstance(raw, dict):
        event_id = raw.get("event_id")
        if isinstance(event_id, str):
            return event_id
    return None


class EventService:
    def ingest(
        self, db: Session, raws: Sequence[object], *, reevaluate: bool = True
    ) -> IntakeResult:
        """Take in one batch of decoded events (``Unreadable`` records are refused as such)."""
        with cyclic_collection_paused():
            return self._ingest(db, raws, reevaluate)

    def _ingest(self, db: Session, raws: Sequence[object], reevaluate: bool) -> IntakeResult:
        result = IntakeResult()
        candidates: dict[str, tuple[int, Event, StoredEvent, str]] = {}
        duplicate_of_batch: list[tuple[int, str, str]] = []
        for index, raw in enumerate(raws):
            if isinstance(raw, Unreadable):
                result.refused.append(Refusal(index, None, raw.reason))
                continue
            try:
                event = parse_event(raw)
                # parse_event took it, so it is a JSON object
                stored = to_stored(event, cast(dict[str, Any], raw))
                event_fingerprint = stored_fingerprint(stored)
            except InvalidEvent as error:
                result.refused.append(Refusal(index, _event_id_of(raw), error.reason))
                continue
            if event.event_id in candidates:
                duplicate_of_batch.append((index, event.event_id, event_fingerprint))
                continue
            candidates[event.event_id] = (index, event, stored, event_fingerprint)

        for index, event_id, event_fingerprint in duplicate_of_batch:
            if candidates[event_id][3] == event_fingerprint:
                result.duplicate += 1
            else:
                result.refused.append(Refusal(index, event_id, CONFLICT_REASON))

        known = event_repository.fingerprints(db, candidates.keys())
        received_at = utcnow()
        new_events: list[Event] = []
        rows = []  # in STORED_EVENT_COLUMNS order
        for event_id, (index, event, stored, event_fingerprint) in candidates.items():
            if event_id in known:
                if known[event_id] == event_fingerprint:
                    result.duplicate += 1
                else:
                    result.refused.append(Refusal(index, event_id, CONFLICT_REASON))
                continue
            rows.append(
                (
                    stored.event_id,
                    stored.type,
                    stored.occurred_at,
                    event_fingerprint,
                    stored.data,
                    event.data.order_id if is_order_event(event) else None,
                    received_at,
                )
            )
            new_events.append(event)
        plan = plan_order_events(db, [event for event in new_events if is_order_event(event)])
        inserted = event_repository.insert_new(db, event_repository.bind(db, rows))
        stored_first_elsewhere: set[str] = set()
        if len(inserted) < len(new_events):  # another batch stored some first: duplicates here
            stored_first_elsewhere = {event.event_id for event in new_events} - inserted
            new_events = [event for event in new_events if event.event_id in inserted]
        result.duplicate += len(stored_first_elsewhere)
        result.accepted = len(new_events)
        result.refused.sort(key=lambda refusal: refusal.index)

        hooked = self._apply(db, new_events, plan, stored_first_elsewhere, result)
        from goodstanding.events.tasks import reevaluate_sellers, run_event_hooks

        if hooked:
            enqueue(db, run_event_hooks, hooked)
        if reevaluate and result.touched_sellers:
            enqueue(db, reevaluate_sellers, sorted(result.touched_sellers), utcnow().date())
        return result

    def _apply(
        self,
        db: Session,
        stored: Sequence[Event],
        plan: OrderPlan,
        stored_first_elsewhere: Collection[str],
        result: IntakeResult,
    ) -> list[str]:
        """Write the effects on the metrics of the order events this batch stored (``plan``
        less ``stored_first_elsewhere``); return the ids of events that other domains' hooks
        (the detectors) handle after commit, so screening never slows intake down."""
        sellers: set[str] = set()
        hooked: list[str] = []
        for event in stored:
            if event.type == "order.placed":
                sellers.add(event.data.seller_id)
            elif not is_order_event(event) and has_hooks(event.type):
                hooked.append(event.event_id)
        metrics_repository.register_sellers(db, sellers)
        result.touched_sellers = apply_order_plan(db, plan, stored_first_elsewhere)
        return hooked

    def run_hooks(self, database: Database, event_ids: Sequence[str]) -> int:
        """Hand stored events to their hooks, one transaction per event so one failing event
        neither holds back nor repeats the others. Returns how many events failed."""
        with database.transaction() as db:
            events = [
                parse_event(raw_from_stored(s)) for s in event_repository.by_ids(db, event_ids)
            ]
        for prepare, batch in preparations_for(events):
            try:
                prepare(batch)
            except Exception:  # preparing only saves time; each hook still does its own work
                log.exception("event_hook_preparation_failed", events=len(batch))
        failures = 0
        for event in events:
            try:
                with database.transaction() as db:
                    for hook in hooks_for(event.type):
                        hook(db, event)
            except Exception:  # one event's failure must not stop the rest of the batch
                failures += 1
                log.exception("event_hook_failed", event_id=event.event_id, type=event.type)
        return failures


event_service = EventService()
