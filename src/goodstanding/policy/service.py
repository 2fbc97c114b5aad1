"""The policy engine against the store: guarded standing transitions, violations opened, escalated,
resolved and overturned, enforcement actions, reviewer cases, notices and webhooks.

Pure decisions (what fires, which ladder step, which standing an action means) come from the pure
modules; this service loads their inputs, stores what they return and tells people and systems.
It never commits: the caller's transaction holds the change, its events and its outbox rows.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy.orm import Session

from goodstanding.cases.service import case_service
from goodstanding.config import Settings
from goodstanding.detectors.signals import open_signals
from goodstanding.kit.clock import utcnow
from goodstanding.kit.errors import IllegalTransition, InvalidInput, NotFound
from goodstanding.kit.i18n import gettext as _
from goodstanding.metrics.results import MetricRow
from goodstanding.models.case import Case
from goodstanding.models.enforcement_action import EnforcementAction
from goodstanding.models.seller import Seller
from goodstanding.models.shadow_finding import ShadowFinding
from goodstanding.models.standing_event import StandingEvent
from goodstanding.models.violation import Violation
from goodstanding.policy.enums import Action, Language, Metric, Severity, ViolationStatus
from goodstanding.policy.errors import SellerNotFound, StandingChangedMeanwhile, ViolationNotFound
from goodstanding.policy.evaluate import (
    DocumentFacts,
    Facts,
    Finding,
    MetricFacts,
    SignalFacts,
    evaluate_seller,
)
from goodstanding.policy.inputs import (
    AffiliateActivity,
    DetectorSignal,
    Document,
    DocumentRequest,
    MetricValue,
    SellerInputs,
    ViolationRecord,
)
from goodstanding.policy.ladder import ACTION_STANDING, LadderOutcome, standing_after
from goodstanding.policy.messaging import send_action_notice
from goodstanding.policy.notice import render_notice
from goodstanding.policy.rating import AccountHealth, RatingItem, account_health
from goodstanding.policy.repository import policy_repository
from goodstanding.policy.schema import (
    DocumentCondition,
    InactivityCondition,
    MetricCondition,
    Policy,
    PolicySet,
    load_policies,
)
from goodstanding.policy.standing import STANDING_TABLE, Standing, StandingRules, check_transition
from goodstanding.webhooks.outbox import publish

ENGINE_ACTOR = "policy-engine"
REVIEW_SLA = timedelta(days=3)
MAX_REASON_LENGTH = 2000
SELLER_ID_MAX_LENGTH = 200

_active_policies: PolicySet | None = None


def load_active_policies(settings: Settings) -> PolicySet:
    """Load and validate the policy set the process enforces (defaults + ``policy_file``).

    Raises PolicyFileError naming the file and line of every problem; called at start-up.
    """
    global _active_policies
    _active_policies = load_policies(settings.policy_file)
    return _active_policies


def active_policies() -> PolicySet:
    """The policy set loaded at start-up; the shipped defaults when nothing was loaded."""
    global _active_policies
    if _active_policies is None:
        _active_policies = load_policies()
    return _active_policies


@dataclass(frozen=True)
class StandingReport:
    seller: Seller
    standing: Standing
    rules: StandingRules
    health: AccountHealth
    open_violations: tuple[Violation, ...]
    # The stored violation behind each rating item's record (by the record's identity).
    _sources: dict[int, Violation] = field(default_factory=dict, repr=False)

    def violation_of(self, item: RatingItem) -> Violation | None:
        return self._sources.get(id(item.violation)) if item.violation else None


@dataclass
class Reevaluation:
    """What one evaluation changed, by violation id (and shadow policy ids)."""

    opened: list[str] = field(default_factory=list)
    escalated: list[str] = field(default_factory=list)
    resolved: list[str] = field(default_factory=list)
    for_review: list[str] = field(default_factory=list)
    shadow: list[str] = field(default_factory=list)


class PolicyService:
    # --- standing ----------------------------------------------------------------------------

    def seller(self, db: Session, seller_id: str) -> Seller:
        seller = policy_repository.seller(db, seller_id)
        if seller is None:
            raise SellerNotFound(_("There is no seller %(id)s.") % {"id": seller_id})
        return seller

    def ensure_seller(self, db: Session, seller_id: str) -> Seller:
        """The seller, created in good standing the first time the marketplace names it."""
        if not 0 < len(seller_id) <= SELLER_ID_MAX_LENGTH:
            raise InvalidInput(
                _("A seller id has 1 to %(max)d characters.") % {"max": SELLER_ID_MAX_LENGTH}
            )
        policy_repository.add_seller_if_absent(db, seller_id, now=utcnow())
        return self.seller(db, seller_id)

    def transition(
        self,
        db: Session,
        seller_id: str,
        to: Standing,
        *,
        reason: str,
        actor: str,
        policy_id: str | None = None,
    ) -> StandingEvent:
        """Move the seller to ``to`` if the standing table allows it from where the seller is.

        The move is one conditional UPDATE on the standing just read: if another worker moved the
        seller in between, this raises IllegalTransition (no longer allowed from the new standing)
        or StandingChangedMeanwhile (still allowed: the caller may retry), and changes nothing.
        """
        reason = reason.strip()
        if not reason or len(reason) > MAX_REASON_LENGTH:
            raise InvalidInput(
                _("A standing change needs a reason of 1 to %(max)d characters.")
                % {"max": MAX_REASON_LENGTH}
            )
        current = policy_repository.current_standing(db, seller_id)
        if current is None:
            raise SellerNotFound(_("There is no seller %(id)s.") % {"id": seller_id})
        check_transition(Standing(current), to)
        now = utcnow()
        moved = policy_repository.move_standing(
            db, seller_id, allowed_from=[current], to=to, now=now
        )
        if moved is None:
            latest = policy_repository.current_standing(db, seller_id)
            assert latest is not None  # sellers are never deleted while a transition runs
            check_transition(Standing(latest), to)
            raise StandingChangedMeanwhile(
                _("The seller went from %(old)s to %(new)s during this change; try again.")
                % {"old": current, "new": latest},
                from_standing=current,
                current_standing=latest,
            )
        event = StandingEvent(
            seller_id=seller_id,
            from_standing=current,
            to_standing=to,
            reason=reason,
            actor=actor,
            policy_id=policy_id,
            at=now,
        )
        db.add(event)
        db.flush()
        publish(
            db,
            "seller.standing_changed",
            seller_id,
            {
                "seller_id": seller_id,
                "from": current,
                "to": str(to),
                "reason": reason,
                "actor": actor,
                "policy_id": policy_id,
                "at": now.isoformat(),
                "capabilities": capabilities(to),
            },
        )
        return event

    def standing_report(self, db: Session, seller_id: str, as_of: date) -> StandingReport:
        seller = self.seller(db, seller_id)
        violations = policy_repository.violations(db, seller_id)
        sources = [(_record(v), v) for v in violations if _date(v) <= as_of]
        health = account_health(
            [record for record, _violation in sources],
            orders_fulfilled=seller.orders_in_lookback,
            as_of=as_of,
        )
        standing = Standing(seller.standing)
        return StandingReport(
            seller=seller,
            standing=standing,
            rules=STANDING_TABLE[standing],
            health=health,
            open_violations=tuple(v for v in violations if v.status == ViolationStatus.OPEN),
            _sources={id(record): violation for record, violation in sources},
        )

    # --- evaluation --------------------------------------------------------------------------

    def reevaluate_seller(
        self,
        db: Session,
        seller_id: str,
        as_of: date,
        *,
        metrics: Sequence[MetricRow] | None = None,
        signals: Sequence[DetectorSignal] | None = None,
        orders_in_lookback: int | None = None,
        policies: PolicySet | None = None,
    ) -> Reevaluation:
        """Evaluate every policy for the seller on ``as_of`` and act on what changed.

        ``metrics`` defaults to the metrics service's rows (when that module is installed);
        ``signals`` default to the detectors' stored open signals (``detectors.signals``).
        """
        policies = policies or active_policies()
        seller = self.ensure_seller(db, seller_id)
        result = Reevaluation()
        if seller.standing == Standing.CLOSED:
            return result
        if orders_in_lookback is not None:
            seller.orders_in_lookback = orders_in_lookback
        rows = list(metrics) if metrics is not None else stored_metrics(db, seller_id, as_of)
        if signals is None:
            signals = open_signals(db, seller_id)
        inputs = seller_inputs(db, seller, as_of, rows, signals)
        findings = evaluate_seller(policies, inputs)
        for finding in findings:
            policy = policies.by_id[finding.policy_id]
            if finding.shadow:
                self._record_shadow(db, finding)
                result.shadow.append(finding.policy_id)
            elif finding.ladder.takes_action:
                self._act_on(db, seller, policy, finding, policies, result)
        fired = {finding.policy_id for finding in findings}
        for violation in policy_repository.violations(db, seller_id, open_only=True):
            judged_policy = policies.by_id.get(violation.policy_id)
            if violation.policy_id in fired or judged_policy is None:
                continue
            if _judged(judged_policy, inputs):
                self._resolve(db, violation)
                result.resolved.append(violation.id)
        if result.resolved:
            self._lift_warning_if_clear(db, seller_id)
        return result

    def _act_on(
        self,
        db: Session,
        seller: Seller,
        policy: Policy,
        finding: Finding,
        policies: PolicySet,
        result: Reevaluation,
    ) -> None:
        now = _moment_of(finding.as_of)
        ladder = finding.ladder
        notices = {
            language.value: render_notice(policy, finding, language) for language in Language
        }
        escalated = (
            _latest_open(db, seller.id, policy.id)
            if ladder.outcome is LadderOutcome.ESCALATION
            else None
        )
        violation = escalated or Violation(
            seller_id=seller.id,
            policy_id=policy.id,
            opened_at=now,
            status=ViolationStatus.OPEN,
            ahr_points=policy.ahr_points,
        )
        if escalated is None:
            db.add(violation)
        violation.facts = facts_record(finding.facts)
        violation.evidence = list(finding.evidence)
        violation.notices = notices
        violation.step_index = ladder.step_index
        violation.action = ladder.action
        violation.deadline = ladder.deadline
        db.flush()
        if escalated is None:
            result.opened.append(violation.id)
            publish(db, "violation.opened", seller.id, _violation_payload(violation, finding))
        else:
            result.escalated.append(violation.id)
        automatic = finding.automatic_allowed or finding.severity is Severity.CRITICAL
        if automatic:
            violation.awaiting_review = False
            self._apply(db, seller, violation, ladder.action, policies, actor=ENGINE_ACTOR)
        else:
            violation.awaiting_review = True
            violation.case_id = self._open_review_case(db, seller, violation, finding)
            result.for_review.append(violation.id)

    def _record_shadow(self, db: Session, finding: Finding) -> None:
        known = policy_repository.shadow_finding(
            db, finding.seller_id, finding.policy_id, finding.as_of
        )
        row = known or ShadowFinding(
            seller_id=finding.seller_id, policy_id=finding.policy_id, as_of=finding.as_of
        )
        row.action = finding.ladder.action
        row.step_index = finding.ladder.step_index
        row.automatic = finding.automatic_allowed
        row.facts = facts_record(finding.facts)
        row.evidence = list(finding.evidence)
        if known is None:
            db.add(row)
        db.flush()

    def _open_review_case(
        self, db: Session, seller: Seller, violation: Violation, finding: Finding
    ) -> str | None:
        """A reviewer case about the seller's account; None when no account signs in as them
        (the violation then waits in the store with ``awaiting_review`` for the console)."""
        if seller.account_id is None:
            return None
        case = case_service.open(
            db,
            kind=Case.Kind.policy_review,
            subject_account_id=seller.account_id,
            payload={
                "seller_id": seller.id,
                "violation_id": violation.id,
                "policy_id": violation.policy_id,
                "action": violation.action,
                "volume": finding.volume,
                "evidence": list(finding.evidence),
            },
            sla=REVIEW_SLA,
            actor_id=None,
        )
        return case.id

    def _apply(
        self,
        db: Session,
        seller: Seller,
        violation: Violation,
        action: Action,
        policies: PolicySet,
        *,
        actor: str,
    ) -> EnforcementAction:
        now = utcnow()
        taken = EnforcementAction(
            seller_id=seller.id,
            violation_id=violation.id,
            action=action,
            actor=actor,
            taken_at=now,
            reversible=action is not Action.CLOSURE,
        )
        db.add(taken)
        db.flush()
        current = policy_repository.current_standing(db, seller.id)
        target = standing_after(Standing(current or Standing.ACTIVE), action)
        if target is not None:
            self.transition(
                db,
                seller.id,
                target,
                reason=f"{violation.policy_id}: {action}",
                actor=actor,
                policy_id=violation.policy_id,
            )
        if action is Action.LISTING_REMOVAL:
            subjects = [
                str(item["subject"])
                for item in _as_list(violation.facts.get("signals"))
                if isinstance(item, dict)
            ]
            publish(
                db,
                "listing.blocked",
                seller.id,
                {
                    "seller_id": seller.id,
                    "violation_id": violation.id,
                    "policy_id": violation.policy_id,
                    # Empty: every listing the rule concerns (a metric names no single listing).
                    "listing_ids": subjects,
                },
            )
        send_action_notice(db, seller, violation, action, policies)
        return taken

    def _resolve(self, db: Session, violation: Violation) -> None:
        violation.status = ViolationStatus.RESOLVED
        violation.resolved_at = utcnow()
        db.flush()
        publish(
            db,
            "violation.resolved",
            violation.seller_id,
            {
                "seller_id": violation.seller_id,
                "violation_id": violation.id,
                "policy_id": violation.policy_id,
                "outcome": "resolved",
                "ahr_points_returned": violation.ahr_points,
            },
        )

    def _lift_warning_if_clear(self, db: Session, seller_id: str) -> None:
        """At risk only because of warnings: once nothing is open, the seller is active again."""
        if policy_repository.violations(db, seller_id, open_only=True):
            return
        if policy_repository.current_standing(db, seller_id) == Standing.AT_RISK:
            self.transition(
                db,
                seller_id,
                Standing.ACTIVE,
                reason="every open violation is resolved",
                actor=ENGINE_ACTOR,
            )

    # --- people deciding ---------------------------------------------------------------------

    def confirm_violation(
        self, db: Session, violation_id: str, *, actor: str, policies: PolicySet | None = None
    ) -> EnforcementAction:
        """A reviewer agrees with a violation that waited for review: its action is applied."""
        violation = self._violation(db, violation_id)
        if violation.status != ViolationStatus.OPEN or not violation.awaiting_review:
            raise IllegalTransition(
                _("Only an open violation waiting for review can be confirmed.")
            )
        violation.awaiting_review = False
        seller = self.seller(db, violation.seller_id)
        return self._apply(
            db,
            seller,
            violation,
            Action(violation.action),
            policies or active_policies(),
            actor=actor,
        )

    def overturn_violation(
        self, db: Session, violation_id: str, *, actor: str, platform_error: bool
    ) -> Violation:
        """Undo a violation: its points come back, its actions are reversed, and a seller it
        restricted is reinstated (or made active again) unless another open violation holds."""
        violation = self._violation(db, violation_id)
        if violation.status == ViolationStatus.OVERTURNED:
            raise IllegalTransition(_("This violation is already overturned."))
        now = utcnow()
        violation.status = ViolationStatus.OVERTURNED
        violation.overturned_by_platform_error = platform_error
        violation.awaiting_review = False
        violation.resolved_at = now
        for taken in policy_repository.actions_of(db, violation.id):
            if taken.reversible and taken.reversed_at is None:
                taken.reversed_at = now
        db.flush()
        publish(
            db,
            "violation.resolved",
            violation.seller_id,
            {
                "seller_id": violation.seller_id,
                "violation_id": violation.id,
                "policy_id": violation.policy_id,
                "outcome": "overturned",
                "platform_error": platform_error,
                "ahr_points_returned": violation.ahr_points,
            },
        )
        self._restore_standing(db, violation, actor=actor)
        return violation

    def _restore_standing(self, db: Session, overturned: Violation, *, actor: str) -> None:
        current = Standing(policy_repository.current_standing(db, overturned.seller_id) or "")
        still_needed = 0
        for other in policy_repository.violations(db, overturned.seller_id, open_only=True):
            for taken in policy_repository.actions_of(db, other.id):
                if taken.reversed_at is None:
                    level = STANDING_TABLE[ACTION_STANDING[Action(taken.action)]].restriction_level
                    still_needed = max(still_needed, level)
        if still_needed >= STANDING_TABLE[current].restriction_level:
            return
        reason = f"violation of {overturned.policy_id} overturned"
        if current in (Standing.SUSPENDED, Standing.PRIVILEGES_WITHDRAWN):
            target = Standing.REINSTATED
        elif current is Standing.AT_RISK:
            target = Standing.ACTIVE
        else:
            return  # under review by a person, or closed: not the engine's to lift
        self.transition(
            db,
            overturned.seller_id,
            target,
            reason=reason,
            actor=actor,
            policy_id=overturned.policy_id,
        )

    def _violation(self, db: Session, violation_id: str) -> Violation:
        violation = policy_repository.violation(db, violation_id)
        if violation is None:
            raise ViolationNotFound(_("There is no violation %(id)s.") % {"id": violation_id})
        return violation


# --- loading inputs ----------------------------------------------------------------------------


def stored_metrics(db: Session, seller_id: str, as_of: date) -> list[MetricRow]:
    """The metrics engine's rows for the seller, or none while that service is not installed."""
    if importlib.util.find_spec("goodstanding.metrics.service") is None:
        return []
    module = importlib.import_module("goodstanding.metrics.service")
    try:
        rows: list[MetricRow] = module.seller_metrics(db, seller_id, as_of)
    except NotFound:  # no event has named this seller yet: nothing measured
        return []
    return rows


def metric_values(rows: Sequence[MetricRow]) -> dict[Metric, MetricValue]:
    known = {metric.value for metric in Metric}
    return {
        Metric(row.metric): MetricValue(
            numerator=row.numerator,
            denominator=row.denominator,
            window_start=row.window_start,
            window_end=row.window_end,
        )
        for row in rows
        if row.metric in known
    }


def seller_inputs(
    db: Session,
    seller: Seller,
    as_of: date,
    rows: Sequence[MetricRow],
    signals: Sequence[DetectorSignal],
) -> SellerInputs:
    documents = tuple(
        Document(kind=doc.kind, uploaded_on=doc.uploaded_on, expires_on=doc.expires_on)
        for doc in policy_repository.documents(db, seller.id)
    )
    requests = tuple(
        DocumentRequest(kind=req.kind, requested_on=req.requested_on, deadline=req.deadline)
        for req in policy_repository.document_requests(db, seller.id)
    )
    affiliate = None
    if seller.kind == Seller.Kind.affiliate and seller.signed_up_on is not None:
        affiliate = AffiliateActivity(
            signed_up_on=seller.signed_up_on,
            first_qualifying_sale_on=seller.first_qualifying_sale_on,
            last_commission_on=seller.last_commission_on,
        )
    violations = tuple(
        _record(violation)
        for violation in policy_repository.violations(db, seller.id)
        if _date(violation) <= as_of
    )
    return SellerInputs(
        seller_id=seller.id,
        as_of=as_of,
        metrics=metric_values(rows),
        signals=tuple(signals),
        approved_linked_accounts=frozenset(partners_of(db, seller.id)),
        documents=documents,
        document_requests=requests,
        affiliate=affiliate,
        orders_in_lookback=seller.orders_in_lookback,
        violations=violations,
    )


def stored_history_inputs(db: Session, *, days: int) -> Iterator[SellerInputs]:
    """Every stored seller's inputs for each of the last ``days`` days (today included), from the
    metrics service's rows when it is installed and the detectors' signals not dismissed (each
    day sees those detected by then)."""
    today = utcnow().date()
    for seller_id in policy_repository.seller_ids(db):
        seller = policy_repository.seller(db, seller_id)
        assert seller is not None
        signals = open_signals(db, seller_id)
        for back in range(days - 1, -1, -1):
            day = today - timedelta(days=back)
            yield seller_inputs(db, seller, day, stored_metrics(db, seller_id, day), signals)


def approved_pairs(db: Session) -> set[frozenset[str]]:
    """Pairs of seller ids allowed to be linked: an approved additional-account request each."""
    return {frozenset(pair) for pair in policy_repository.approved_account_pairs(db)}


def partners_of(db: Session, seller_id: str) -> set[str]:
    pairs = approved_pairs(db)
    return {other for pair in pairs if seller_id in pair for other in pair - {seller_id}}


def capabilities(standing: Standing) -> dict[str, Any]:
    rules = STANDING_TABLE[standing]
    return {
        "can_list": rules.can_list,
        "can_sell": rules.can_sell,
        "payouts": str(rules.payouts),
        "can_receive_payouts": rules.payouts.value == "paid",
        "can_buy": rules.can_buy,
    }


def facts_record(facts: Facts) -> dict[str, Any]:
    """The finding's numbers as JSON, kept on the violation for the seller, reviewers and API."""
    if isinstance(facts, MetricFacts):
        measured = facts.measured
        return {
            "kind": "metric",
            "metric": str(facts.metric),
            "numerator": measured.numerator,
            "denominator": measured.denominator,
            "window_start": measured.window_start.isoformat(),
            "window_end": measured.window_end.isoformat(),
            "target": str(facts.target),
            "threshold": str(facts.threshold),
        }
    if isinstance(facts, SignalFacts):
        return {
            "kind": "detector_signal",
            "signal": str(facts.signal),
            "signals": [
                {
                    "subject": signal.subject,
                    "confidence": signal.confidence,
                    "detected_on": signal.detected_on.isoformat(),
                    "evidence": signal.evidence,
                }
                for signal in facts.signals
            ],
        }
    if isinstance(facts, DocumentFacts):
        return {
            "kind": "document",
            "problems": [
                {"document": str(p.kind), "problem": str(p.problem), "on": p.on.isoformat()}
                for p in facts.problems
            ],
        }
    return {
        "kind": "inactivity",
        "rule": str(facts.rule),
        "since": facts.since.isoformat(),
        "days": facts.days,
        "due_on": facts.due_on.isoformat(),
    }


def _judged(policy: Policy, inputs: SellerInputs) -> bool:
    """Whether the inputs were enough to say the policy is met (so an open violation resolves)."""
    condition = policy.condition
    if isinstance(condition, MetricCondition):
        measured = inputs.metrics.get(condition.metric)
        return (
            measured is not None
            and measured.denominator > 0
            and measured.window_days >= condition.window_days
            and measured.denominator >= condition.min_sample
        )
    if isinstance(condition, DocumentCondition):
        return True
    # A closure is final; the detectors' signals are stored, so none open means none found.
    return not isinstance(condition, InactivityCondition)


def _latest_open(db: Session, seller_id: str, policy_id: str) -> Violation | None:
    own = [
        violation
        for violation in policy_repository.violations(db, seller_id, open_only=True)
        if violation.policy_id == policy_id
    ]
    return max(own, key=lambda v: (v.opened_at, v.step_index), default=None)


def _moment_of(as_of: date) -> datetime:
    """Now, or the last moment of ``as_of`` when evaluating a past day, so the violation counts
    in that day's history."""
    now = utcnow()
    if as_of >= now.date():
        return now
    return datetime.combine(as_of, time(23, 59, 59), tzinfo=UTC)


def _date(violation: Violation) -> date:
    return violation.opened_at.date()


def _record(violation: Violation) -> ViolationRecord:
    return ViolationRecord(
        policy_id=violation.policy_id,
        opened_on=_date(violation),
        status=ViolationStatus(violation.status),
        points=violation.ahr_points,
        step_index=violation.step_index,
        deadline=violation.deadline,
    )


def _as_list(value: object) -> list[object]:
    return list(value) if isinstance(value, list) else []


def _violation_payload(violation: Violation, finding: Finding) -> dict[str, Any]:
    return {
        "seller_id": violation.seller_id,
        "violation_id": violation.id,
        "policy_id": violation.policy_id,
        "severity": str(finding.severity),
        "ahr_points": violation.ahr_points,
        "action": violation.action,
        "step": violation.step_index + 1,
        "deadline": violation.deadline.isoformat() if violation.deadline else None,
        "facts": violation.facts,
        "evidence": violation.evidence,
    }


policy_service = PolicyService()

# The hooks other domains call by name.
transition = policy_service.transition
reevaluate_seller = policy_service.reevaluate_seller
overturn_violation = policy_service.overturn_violation
confirm_violation = policy_service.confirm_violation
