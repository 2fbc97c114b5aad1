"""Pure evaluation of one seller's inputs against the policies: which rules fire, on what numbers,
and what the ladder says should happen.

Boundaries are exact: metrics compare as fractions (7 of 700 is exactly 1%), dates by calendar day.
A rule that cannot be judged (no metric value, a window shorter than the rule's, too few ratings)
does not fire: missing data is never read as a violation.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from goodstanding.policy.enums import (
    Comparison,
    DocumentKind,
    DocumentProblemKind,
    InactivityRule,
    Metric,
    Severity,
    Signal,
)
from goodstanding.policy.inputs import DetectorSignal, MetricValue, SellerInputs
from goodstanding.policy.ladder import LadderDecision, decide_step, lookback_start
from goodstanding.policy.schema import (
    DocumentCondition,
    InactivityCondition,
    MetricCondition,
    Policy,
    PolicySet,
    SignalCondition,
)


@dataclass(frozen=True)
class MetricFacts:
    metric: Metric
    measured: MetricValue
    target: Comparison
    threshold: Decimal
    window_days: int


@dataclass(frozen=True)
class SignalFacts:
    signal: Signal
    signals: tuple[DetectorSignal, ...]  # one per subject, oldest first

    @property
    def count(self) -> int:
        return len(self.signals)

    @property
    def first_detected(self) -> date:
        return self.signals[0].detected_on

    @property
    def last_detected(self) -> date:
        return max(signal.detected_on for signal in self.signals)


@dataclass(frozen=True)
class DocumentProblem:
    kind: DocumentKind
    problem: DocumentProblemKind
    on: date  # the missed deadline, or the day the document expired


@dataclass(frozen=True)
class DocumentFacts:
    problems: tuple[DocumentProblem, ...]


@dataclass(frozen=True)
class InactivityFacts:
    rule: InactivityRule
    since: date
    days: int

    @property
    def due_on(self) -> date:
        return self.since + timedelta(days=self.days)


Facts = MetricFacts | SignalFacts | DocumentFacts | InactivityFacts


@dataclass(frozen=True)
class Finding:
    seller_id: str
    as_of: date
    policy_id: str
    rule: str
    severity: Severity
    ahr_points: int
    facts: Facts
    evidence: tuple[str, ...]
    volume: int
    automatic_allowed: bool  # the volume reached the policy's minimum for automatic action
    shadow: bool
    ladder: LadderDecision

    @property
    def acts_automatically(self) -> bool:
        return self.automatic_allowed and not self.shadow and self.ladder.takes_action

    @property
    def needs_review(self) -> bool:
        return not self.automatic_allowed and not self.shadow and self.ladder.takes_action


def evaluate_seller(policies: PolicySet, inputs: SellerInputs) -> list[Finding]:
    """Every policy that fires for this seller, in policy-file order."""
    findings = []
    for policy in policies.policies:
        finding = evaluate_policy(policy, inputs)
        if finding is not None:
            findings.append(finding)
    return findings


def evaluate_policy(policy: Policy, inputs: SellerInputs) -> Finding | None:
    condition = policy.condition
    facts: Facts | None
    if isinstance(condition, MetricCondition):
        facts = _metric_facts(condition, inputs)
    elif isinstance(condition, SignalCondition):
        facts = _signal_facts(condition, inputs)
    elif isinstance(condition, DocumentCondition):
        facts = _document_facts(condition, inputs)
    else:
        facts = _inactivity_facts(condition, inputs)
    if facts is None:
        return None
    volume = (
        facts.measured.denominator if isinstance(facts, MetricFacts) else inputs.orders_in_lookback
    )
    return Finding(
        seller_id=inputs.seller_id,
        as_of=inputs.as_of,
        policy_id=policy.id,
        rule=describe_rule(policy),
        severity=policy.severity,
        ahr_points=policy.ahr_points,
        facts=facts,
        evidence=_evidence(facts),
        volume=volume,
        automatic_allowed=volume >= policy.min_volume,
        shadow=policy.shadow,
        ladder=decide_step(policy, inputs.violations, as_of=inputs.as_of),
    )


def describe_rule(policy: Policy) -> str:
    """The rule in one language-neutral line, for logs, evidence and reviewers."""
    condition = policy.condition
    if isinstance(condition, MetricCondition):
        sample = f", from {condition.min_sample} measured" if condition.min_sample else ""
        return (
            f"{condition.metric} {condition.target} {condition.threshold} over "
            f"{condition.window_days} days{sample}"
        )
    if isinstance(condition, SignalCondition):
        return (
            f"fewer than {condition.min_count} {condition.signal} signals with confidence "
            f">= {condition.min_confidence} in {condition.window_days} days"
        )
    if isinstance(condition, DocumentCondition):
        return "requested documents received by their deadline and in date: " + ", ".join(
            condition.documents
        )
    return f"{condition.account} account: {condition.rule} within {condition.days} days"


def _metric_facts(condition: MetricCondition, inputs: SellerInputs) -> MetricFacts | None:
    measured = inputs.metrics.get(condition.metric)
    if measured is None or measured.denominator == 0:
        return None
    if measured.window_days < condition.window_days or measured.denominator < condition.min_sample:
        return None
    if condition.target.is_met(measured.numerator, measured.denominator, condition.threshold):
        return None
    return MetricFacts(
        metric=condition.metric,
        measured=measured,
        target=condition.target,
        threshold=condition.threshold,
        window_days=condition.window_days,
    )


def _signal_facts(condition: SignalCondition, inputs: SellerInputs) -> SignalFacts | None:
    start = lookback_start(inputs.as_of, condition.window_days)
    # Compare as floats: a detector's 0.8 and the file's 0.8 are then the very same number.
    min_confidence = float(condition.min_confidence)
    strongest_by_subject: dict[str, DetectorSignal] = {}
    for signal in inputs.signals:
        if (
            signal.signal is not condition.signal
            or signal.confidence < min_confidence
            or not start <= signal.detected_on <= inputs.as_of
        ):
            continue
        if signal.signal is Signal.LINKED_ACCOUNTS and (
            signal.subject in inputs.approved_linked_accounts
        ):
            continue  # an additional account approved for a business reason is allowed
        known = strongest_by_subject.get(signal.subject)
        if known is None or signal.confidence > known.confidence:
            strongest_by_subject[signal.subject] = signal
    if len(strongest_by_subject) < condition.min_count:
        return None
    ordered = sorted(strongest_by_subject.values(), key=lambda s: (s.detected_on, s.subject))
    return SignalFacts(signal=condition.signal, signals=tuple(ordered))


def _document_facts(condition: DocumentCondition, inputs: SellerInputs) -> DocumentFacts | None:
    as_of = inputs.as_of
    problems = []
    for kind in condition.documents:
        on_file = [doc for doc in inputs.documents if doc.kind is kind and doc.uploaded_on <= as_of]
        if any(doc.is_valid_on(as_of) for doc in on_file):
            continue
        requests = [req for req in inputs.document_requests if req.kind is kind]
        if any(req.requested_on <= as_of <= req.deadline for req in requests):
            continue  # asked for and still within its deadline
        if on_file:
            expired_on = max(doc.expires_on for doc in on_file if doc.expires_on is not None)
            problems.append(DocumentProblem(kind, DocumentProblemKind.EXPIRED, expired_on))
            continue
        overdue = [req.deadline for req in requests if req.deadline < as_of]
        if overdue:
            problems.append(DocumentProblem(kind, DocumentProblemKind.MISSING, max(overdue)))
    return DocumentFacts(tuple(problems)) if problems else None


def _inactivity_facts(
    condition: InactivityCondition, inputs: SellerInputs
) -> InactivityFacts | None:
    activity = inputs.affiliate
    if activity is None:
        return None  # not an affiliate: nobody else is ever closed for inactivity
    if condition.rule is InactivityRule.NO_SALE_SINCE_SIGNUP:
        facts = InactivityFacts(condition.rule, activity.signed_up_on, condition.days)
        first_sale = activity.first_qualifying_sale_on
        if first_sale is not None and first_sale <= facts.due_on:
            return None
    else:
        earned = [
            day
            for day in (activity.last_commission_on, activity.first_qualifying_sale_on)
            if day is not None and day <= inputs.as_of
        ]
        since = max(earned, default=activity.signed_up_on)
        facts = InactivityFacts(condition.rule, since, condition.days)
    return facts if inputs.as_of > facts.due_on else None


def _evidence(facts: Facts) -> tuple[str, ...]:
    if isinstance(facts, MetricFacts):
        measured = facts.measured
        return (
            f"{facts.metric}: {measured.numerator} of {measured.denominator} "
            f"from {measured.window_start} to {measured.window_end}",
        )
    if isinstance(facts, SignalFacts):
        return tuple(
            f"{signal.signal} {signal.subject} (confidence {signal.confidence}, "
            f"{signal.detected_on})" + (f": {signal.evidence}" if signal.evidence else "")
            for signal in facts.signals
        )
    if isinstance(facts, DocumentFacts):
        return tuple(f"{p.kind} {p.problem} on {p.on}" for p in facts.problems)
    return (f"{facts.rule}: nothing since {facts.since}, due by {facts.due_on}",)
