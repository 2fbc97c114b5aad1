"""The seller-facing explanation of a finding, in the seller's language, with the exact numbers.

The sentence comes from the policy file (``text.<language>.notice``); this module fills its
placeholders, formatting numbers, percentages, dates and lists with Babel for the language, e.g.
"order defect rate 1.4%: 7 of 500 orders between 3 Sep and 1 Nov; target below 1%".
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_EVEN, Decimal
from fractions import Fraction

from babel.dates import format_date
from babel.lists import format_list
from babel.numbers import format_decimal, format_percent

from goodstanding.policy.enums import Comparison, DocumentProblemKind, Language, MetricUnit
from goodstanding.policy.evaluate import (
    DocumentFacts,
    Facts,
    Finding,
    InactivityFacts,
    MetricFacts,
    SignalFacts,
)
from goodstanding.policy.schema import Policy
from goodstanding.policy.wording import WORDING

# Shown precision: hundredths of a percent for rates, hundredths for stars and sales a week.
_RATIO_STEP = Decimal("0.0001")
_PLAIN_STEP = Decimal("0.01")


def render_notice(policy: Policy, finding: Finding, language: Language) -> str:
    if finding.policy_id != policy.id:
        raise ValueError(f"finding of {finding.policy_id} rendered with policy {policy.id}")
    template = getattr(policy.text, language.value).notice
    values = notice_values(finding.facts, language, as_of=finding.as_of)
    rendered: str = template.format_map(values)
    return rendered


def notice_values(facts: Facts, language: Language, *, as_of: date) -> Mapping[str, str]:
    """Every placeholder a notice of this kind of condition may use, formatted for the language."""
    locale = language.value
    words = WORDING[language]

    def day(value: date) -> str:
        return format_date(value, "d MMM" if value.year == as_of.year else "d MMM y", locale=locale)

    def count(value: int) -> str:
        return format_decimal(value, locale=locale)

    if isinstance(facts, MetricFacts):
        measured = facts.measured
        unit = facts.metric.unit
        value = measured.value
        assert value is not None  # a finding is only made from a measured value
        threshold = format_quantity(Fraction(facts.threshold), unit, language)
        return {
            "value": format_quantity(value, unit, language, away_from=facts.target),
            "numerator": count(measured.numerator),
            "denominator": count(measured.denominator),
            "window_start": day(measured.window_start),
            "window_end": day(measured.window_end),
            "window_days": count(facts.window_days),
            "target": words.comparisons[facts.target].format(threshold=threshold),
        }
    if isinstance(facts, SignalFacts):
        return {
            "count": count(facts.count),
            "subjects": format_list([signal.subject for signal in facts.signals], locale=locale),
            "first_detected": day(facts.first_detected),
            "last_detected": day(facts.last_detected),
        }
    if isinstance(facts, DocumentFacts):
        described = []
        for problem in facts.problems:
            document = words.documents[problem.kind]
            if problem.problem is DocumentProblemKind.MISSING:
                described.append(
                    words.document_missing.format(document=document, deadline=day(problem.on))
                )
            else:
                described.append(
                    words.document_expired.format(document=document, expired_on=day(problem.on))
                )
        return {"documents": format_list(described, locale=locale)}
    assert isinstance(facts, InactivityFacts)
    return {"since": day(facts.since), "days": count(facts.days), "due_on": day(facts.due_on)}


def format_quantity(
    value: Fraction, unit: MetricUnit, language: Language, *, away_from: Comparison | None = None
) -> str:
    """A metric value for people: a percentage for rates, a plain number otherwise.

    With ``away_from``, the value is rounded away from that target, so a missed target never
    reads as met ("89.99%", not "90%", for a rate of 89.996% against at least 90%).
    """
    step = _RATIO_STEP if unit is MetricUnit.RATIO else _PLAIN_STEP
    if away_from is None:
        rounding = ROUND_HALF_EVEN
    elif away_from in (Comparison.ABOVE, Comparison.AT_LEAST):
        rounding = ROUND_FLOOR
    else:
        rounding = ROUND_CEILING
    shown = (Decimal(value.numerator) / Decimal(value.denominator)).quantize(
        step, rounding=rounding
    )
    shown = _without_trailing_zeros(shown)
    if unit is MetricUnit.RATIO:
        return format_percent(shown, locale=language.value, decimal_quantization=False)
    return format_decimal(shown, locale=language.value, decimal_quantization=False)


def _without_trailing_zeros(value: Decimal) -> Decimal:
    normal = value.normalize()
    exponent = normal.as_tuple().exponent
    # normalize() writes 100 as 1E+2; quantizing to units brings the plain digits back
    return normal.quantize(Decimal(1)) if isinstance(exponent, int) and exponent > 0 else normal
