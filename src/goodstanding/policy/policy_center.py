"""The public description of every policy, built from the loaded policy file itself, so that what
sellers read is always what is enforced: thresholds, windows, the ladder and when a person decides.

The page and ``GET /api/v1/policies`` render these records; nothing here is written by hand twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from babel.lists import format_list
from babel.numbers import format_decimal, format_percent

from goodstanding.policy.enums import Action, Language, Severity
from goodstanding.policy.ladder import LOOKBACK_DAYS
from goodstanding.policy.notice import format_quantity
from goodstanding.policy.schema import (
    DocumentCondition,
    MetricCondition,
    Policy,
    PolicySet,
    SignalCondition,
)
from goodstanding.policy.standing import STANDING_TABLE
from goodstanding.policy.wording import WORDING


@dataclass(frozen=True)
class PolicyDescription:
    id: str
    title: str
    summary: str
    severity: Severity
    severity_label: str
    ahr_points: int
    rule: str
    consequences: tuple[str, ...]
    ladder_note: str
    automation: str
    shadow: bool
    shadow_note: str | None
    condition: dict[str, Any]  # the condition as data, for API clients that compute with it


def describe_policies(policies: PolicySet, language: Language) -> list[PolicyDescription]:
    return [describe_policy(policy, language) for policy in policies.policies]


def describe_policy(policy: Policy, language: Language) -> PolicyDescription:
    words = WORDING[language]
    text = getattr(policy.text, language.value)
    return PolicyDescription(
        id=policy.id,
        title=text.title,
        summary=text.summary,
        severity=policy.severity,
        severity_label=words.severities[policy.severity],
        ahr_points=policy.ahr_points,
        rule=_rule_sentence(policy, language),
        consequences=_consequences(policy, language),
        ladder_note=words.ladder_advance.format(lookback_days=_number(LOOKBACK_DAYS, language)),
        automation=_automation(policy, language),
        shadow=policy.shadow,
        shadow_note=words.shadow if policy.shadow else None,
        condition=policy.condition.model_dump(mode="json"),
    )


def _number(value: int, language: Language) -> str:
    return format_decimal(value, locale=language.value)


def _rule_sentence(policy: Policy, language: Language) -> str:
    words = WORDING[language]
    condition = policy.condition
    if isinstance(condition, MetricCondition):
        threshold = format_quantity(Fraction(condition.threshold), condition.metric.unit, language)
        sentence = words.metric_rule.format(
            metric=words.metric_names[condition.metric],
            target=words.comparisons[condition.target].format(threshold=threshold),
            window_days=_number(condition.window_days, language),
        )
        if condition.min_sample:
            sentence += " " + words.min_sample_rule.format(
                min_sample=_number(condition.min_sample, language),
                items=words.counted_items[condition.metric],
            )
        return sentence
    if isinstance(condition, SignalCondition):
        return words.signal_rule.format(
            min_count=_number(condition.min_count, language),
            signal=words.signals[condition.signal],
            window_days=_number(condition.window_days, language),
            min_confidence=format_percent(
                condition.min_confidence, locale=language.value, decimal_quantization=False
            ),
        )
    if isinstance(condition, DocumentCondition):
        names = [words.documents[kind] for kind in condition.documents]
        return words.document_rule.format(documents=format_list(names, locale=language.value))
    return words.inactivity_rules[condition.rule].format(days=_number(condition.days, language))


def _consequences(policy: Policy, language: Language) -> tuple[str, ...]:
    words = WORDING[language]
    steps = []
    for index, action in enumerate(policy.ladder):
        label = words.actions[action]
        if action is Action.WARNING and policy.fix_within_days is not None:
            label = words.warning_deadline.format(
                action=label, days=_number(policy.fix_within_days, language)
            )
        pattern = words.ladder_last_step if index == len(policy.ladder) - 1 else words.ladder_step
        steps.append(pattern.format(ordinal=words.ordinal(index + 1), action=label))
    return tuple(steps)


def _automation(policy: Policy, language: Language) -> str:
    words = WORDING[language]
    if policy.min_volume == 0:
        return words.automatic_always
    condition = policy.condition
    if isinstance(condition, MetricCondition):
        items = words.counted_items[condition.metric]
    else:
        items = words.orders_in_lookback.format(lookback_days=_number(LOOKBACK_DAYS, language))
    return words.automatic_from.format(min_volume=_number(policy.min_volume, language), items=items)


def standing_table_markdown() -> str:
    """The capabilities of every standing as a Markdown table, for docs/policies.md."""

    def mark(allowed: bool) -> str:
        return "yes" if allowed else "no"

    lines = [
        "| Standing | Can list | Can sell | Payouts | Can buy | Moves to | Meaning |",
        "|---|---|---|---|---|---|---|",
    ]
    for standing, rules in STANDING_TABLE.items():
        moves = ", ".join(sorted(rules.next_states)) or "none (final)"
        lines.append(
            f"| {standing} | {mark(rules.can_list)} | {mark(rules.can_sell)} | {rules.payouts} "
            f"| {mark(rules.can_buy)} | {moves} | {rules.meaning[Language.EN]} |"
        )
    return "\n".join(lines) + "\n"
