"""The plan-of-action completeness check (pure)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from goodstanding.cases.plan_of_action import (
    MAX_PART_LENGTH,
    Concern,
    Gap,
    Part,
    PlanOfAction,
    check_plan,
    concern_terms,
    normalise,
)

ODR = Concern(
    "v1", "Order defect rate", concern_terms("odr-seller", "order_defect_rate_seller", ())
)
LATE = Concern(
    "v2", "Late shipment rate", concern_terms("late-shipment", "late_shipment_rate_10d", ())
)

ROOT = (
    "Our order defect rate rose because a new courier lost parcels in March and we answered "
    "buyer messages after three days instead of one."
)
ACTIONS = (
    "On 2 April we moved all shipments to a tracked courier, refunded the 14 affected buyers "
    "and hired a second person for the inbox."
)
MEASURES = (
    "Every morning one of us checks unanswered messages and parcels without a scan for more "
    "than 48 hours, and we review the defect rate each Monday."
)


def plan(**parts: str) -> PlanOfAction:
    values = {"root_cause": ROOT, "corrective_actions": ACTIONS, "preventive_measures": MEASURES}
    values.update(parts)
    return PlanOfAction(**values)


def gaps(result: tuple[object, ...]) -> list[tuple[str, str]]:
    return [(str(s.part), str(s.gap)) for s in result]  # type: ignore[attr-defined]


class TestCheckPlan:
    def test_a_specific_concrete_plan_is_complete(self) -> None:
        assert check_plan(plan(), [ODR]) == ()

    @pytest.mark.parametrize("part", list(Part))
    def test_each_empty_part_is_missing(self, part: Part) -> None:
        result = check_plan(plan(**{part.value: "   "}), [ODR])
        assert gaps(result) == [(part.value, "missing")]

    def test_a_short_part_is_too_short(self) -> None:
        result = check_plan(plan(preventive_measures="Check daily."), [ODR])
        assert gaps(result) == [("preventive_measures", "too_short")]

    def test_stock_apologies_are_boilerplate(self) -> None:
        stock = (
            "We apologize for any inconvenience. We take this very seriously. It will not "
            "happen again. Customer satisfaction is our top priority."
        )
        result = check_plan(plan(corrective_actions=stock), [ODR])
        assert gaps(result) == [("corrective_actions", "boilerplate")]

    def test_a_part_copied_from_another_is_boilerplate(self) -> None:
        result = check_plan(plan(preventive_measures=ACTIONS.upper()), [ODR])
        assert gaps(result) == [("preventive_measures", "boilerplate")]

    def test_the_root_cause_must_name_every_violation_on_record(self) -> None:
        result = check_plan(plan(), [ODR, LATE])
        assert [(s.gap, s.concern) for s in result] == [(Gap.NOT_SPECIFIC, LATE)]

    def test_a_root_cause_about_something_else_is_not_specific(self) -> None:
        vague = (
            "Things went wrong in our warehouse during the busy season and the team was "
            "overwhelmed by the amount of work we had."
        )
        result = check_plan(plan(root_cause=vague), [ODR])
        assert gaps(result) == [("root_cause", "not_specific")]

    def test_actions_without_a_number_date_or_frequency_are_not_concrete(self) -> None:
        vague = (
            "We changed our courier to a better one and we refunded the buyers who complained "
            "about their orders and hired more help."
        )
        result = check_plan(plan(corrective_actions=vague), [ODR])
        assert gaps(result) == [("corrective_actions", "not_concrete")]

    def test_spanish_plans_are_read_without_accents(self) -> None:
        spanish = plan(
            root_cause=(
                "La tasa de defectos subió porque la nueva empresa de transporte perdió paquetes "
                "en marzo y contestamos a los compradores con retraso."
            ),
            corrective_actions=(
                "El 2 de abril pasamos todos los envíos a un transporte con seguimiento y "
                "devolvimos el dinero a los 14 compradores afectados."
            ),
            preventive_measures=(
                "Cada mañana revisamos los mensajes sin respuesta y los paquetes sin escaneo "
                "de más de dos días, y la tasa cada lunes."
            ),
        )
        assert check_plan(spanish, [ODR]) == ()

    def test_an_overlong_part_is_refused(self) -> None:
        result = check_plan(plan(root_cause="order defect " * MAX_PART_LENGTH), [ODR])
        assert gaps(result) == [("root_cause", "too_long")]

    @given(st.text(max_size=300), st.text(max_size=300), st.text(max_size=300))
    def test_never_crashes_and_names_each_part_at_most_once_per_concern(
        self, root: str, actions: str, measures: str
    ) -> None:
        result = check_plan(PlanOfAction(root, actions, measures), [ODR])
        keys = [(s.part, s.concern) for s in result]
        assert len(keys) == len(set(keys))


class TestConcernTerms:
    def test_metric_and_policy_words_are_terms(self) -> None:
        terms = concern_terms("counterfeit-goods", "order_defect_rate_seller", ["Defect Rate"])
        assert "order defect" in terms
        assert "counterfeit" in terms
        assert "defect rate" in terms

    def test_terms_are_normalised(self) -> None:
        assert normalise("  Envío   TARDÍO! ") == "envio tardio"
