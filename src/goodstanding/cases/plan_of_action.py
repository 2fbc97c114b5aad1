"""Is a plan of action complete? A pure check of the seller's three answers against the
violations on record, saying what is missing rather than only "rejected".

A plan has three required parts (the marketplace's help: root cause, corrective actions taken,
preventive measures). Each part must be there and say something of its own: stock apologies and
a part copied from another do not count. The root cause must name every violation the appeal is
about (a high order defect rate and late shipments each need their own cause), and the actions
and measures must be concrete: a number, a date or a frequency someone could check.

Reviewers still judge whether the plan is credible; this only stops plans that cannot be.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

MIN_WORDS = 12
MAX_PART_LENGTH = 6000


class Part(StrEnum):
    ROOT_CAUSE = "root_cause"
    CORRECTIVE_ACTIONS = "corrective_actions"
    PREVENTIVE_MEASURES = "preventive_measures"


class Gap(StrEnum):
    MISSING = "missing"  # the part is empty
    TOO_SHORT = "too_short"  # fewer than MIN_WORDS words of its own
    TOO_LONG = "too_long"  # over MAX_PART_LENGTH characters
    BOILERPLATE = "boilerplate"  # stock phrases only, or the same text as another part
    NOT_SPECIFIC = "not_specific"  # the root cause does not name a violation on record
    NOT_CONCRETE = "not_concrete"  # no number, date or frequency to check it by


@dataclass(frozen=True)
class PlanOfAction:
    root_cause: str
    corrective_actions: str
    preventive_measures: str

    def text(self, part: Part) -> str:
        return str(getattr(self, part.value))


@dataclass(frozen=True)
class Concern:
    """A violation the plan must address: how the page names it, and the words (any language,
    lower case, accents ignored) that show a part is about it."""

    violation_id: str
    label: str
    terms: tuple[str, ...]


@dataclass(frozen=True)
class Shortfall:
    part: Part
    gap: Gap
    concern: Concern | None = None


# What sellers write when they have nothing specific to say (English and Spanish, normalised).
STOCK_PHRASES = (
    "we apologize for any inconvenience",
    "we apologise for any inconvenience",
    "sorry for the inconvenience",
    "we apologize",
    "we apologise",
    "we are sorry",
    "it will not happen again",
    "this will not happen again",
    "we take this very seriously",
    "we take this seriously",
    "customer satisfaction is our top priority",
    "customer satisfaction is our priority",
    "we value our customers",
    "we will do better",
    "we will improve",
    "please reinstate our account",
    "please reactivate our account",
    "lamentamos las molestias",
    "pedimos disculpas",
    "lo sentimos",
    "no volvera a ocurrir",
    "no volvera a pasar",
    "nos lo tomamos muy en serio",
    "la satisfaccion del cliente es nuestra prioridad",
    "valoramos a nuestros clientes",
    "lo haremos mejor",
    "mejoraremos",
    "por favor reactiven nuestra cuenta",
)

FREQUENCY_WORDS = frozenset(
    {
        "daily", "weekly", "monthly", "quarterly", "hourly", "every", "each",
        "diario", "diaria", "diariamente", "semanal", "semanalmente", "mensual",
        "mensualmente", "trimestral", "cada",
    }
)  # fmt: skip

# Words that show a plan talks about a metric, by the metric names of policy.enums.Metric.
METRIC_TERMS: Mapping[str, tuple[str, ...]] = {
    "order_defect_rate": ("order defect", "defect rate", "odr", "defective", "defecto", "defectos"),
    "cancel_rate": ("cancel", "cancellation", "cancelacion", "cancelaciones", "cancelado"),
    "late_shipment_rate": ("late shipment", "shipped late", "late", "envio tardio", "retraso"),
    "valid_tracking_rate": ("tracking", "seguimiento"),
    "on_time_delivery_rate": ("on time", "delivery", "late deliver", "entrega", "a tiempo"),
    "sales_per_week": ("sales", "ventas"),
    "feedback_rating": ("feedback", "rating", "review", "valoracion", "opiniones"),
    "negative_feedback_rate": ("negative feedback", "feedback", "valoraciones negativas"),
}


def normalise(text: str) -> str:
    """Lower case, accents removed, runs of spaces and punctuation collapsed to one space."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(re.findall(r"[^\W_]+", plain))


def _own_words(normalised: str) -> list[str]:
    """The words left once stock phrases are taken out."""
    remaining = f" {normalised} "
    for phrase in STOCK_PHRASES:
        remaining = remaining.replace(f" {phrase} ", " ")
    return remaining.split()


def _mentions(normalised: str, term: str) -> bool:
    return f" {normalise(term)} " in f" {normalised} "


def _is_concrete(normalised: str) -> bool:
    words = normalised.split()
    return any(char.isdigit() for char in normalised) or any(
        word in FREQUENCY_WORDS for word in words
    )


def check_plan(plan: PlanOfAction, concerns: Sequence[Concern]) -> tuple[Shortfall, ...]:
    """Every way the plan falls short, in the order of its parts; empty when complete."""
    shortfalls: list[Shortfall] = []
    seen: dict[str, Part] = {}
    for part in Part:
        raw = plan.text(part).strip()
        if not raw:
            shortfalls.append(Shortfall(part, Gap.MISSING))
            continue
        if len(raw) > MAX_PART_LENGTH:
            shortfalls.append(Shortfall(part, Gap.TOO_LONG))
            continue
        text = normalise(raw)
        if text in seen:
            shortfalls.append(Shortfall(part, Gap.BOILERPLATE))
            continue
        seen[text] = part
        own = _own_words(text)
        if len(own) < MIN_WORDS:
            stock_only = len(text.split()) >= MIN_WORDS
            shortfalls.append(Shortfall(part, Gap.BOILERPLATE if stock_only else Gap.TOO_SHORT))
            continue
        if part is Part.ROOT_CAUSE:
            shortfalls.extend(
                Shortfall(part, Gap.NOT_SPECIFIC, concern)
                for concern in concerns
                if not any(_mentions(text, term) for term in concern.terms)
            )
        elif not _is_concrete(text):
            shortfalls.append(Shortfall(part, Gap.NOT_CONCRETE))
    return tuple(shortfalls)


def concern_terms(policy_id: str, metric: str | None, titles: Iterable[str]) -> tuple[str, ...]:
    """The words that name a violation: its metric's words, its policy's titles (in every
    language the seller might write in) and the longer words of its policy id."""
    terms: list[str] = []
    if metric is not None:
        for prefix, words in METRIC_TERMS.items():
            if metric.startswith(prefix):
                terms.extend(words)
    terms.extend(title for title in titles if title)
    terms.extend(word for word in re.split(r"[_\-\s]+", policy_id) if len(word) >= 5)
    return tuple(dict.fromkeys(normalise(term) for term in terms if normalise(term)))
