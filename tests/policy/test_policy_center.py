from __future__ import annotations

from pathlib import Path

import pytest

from goodstanding.policy.enums import Language
from goodstanding.policy.policy_center import describe_policies, describe_policy
from tests.policy.policy_factories import default_policies, with_override

EN, ES = Language.EN, Language.ES


class TestDescribePolicies:
    @pytest.mark.parametrize("language", list(Language))
    def test_every_policy_is_described_with_its_ladder(self, language: Language) -> None:
        descriptions = describe_policies(default_policies(), language)
        assert [d.id for d in descriptions] == [p.id for p in default_policies().policies]
        for description, policy in zip(descriptions, default_policies().policies, strict=True):
            assert description.title == getattr(policy.text, language.value).title
            assert len(description.consequences) == len(policy.ladder)
            assert description.rule and description.automation and description.ladder_note

    def test_metric_rule_states_target_and_window(self) -> None:
        odr = describe_policy(default_policies().by_id["order_defect_rate_seller"], EN)
        assert odr.rule == (
            "Your order defect rate (orders you ship) must be below 1%, measured over the last "
            "60 days."
        )
        assert odr.consequences[0] == "1st time: a warning, with 14 days to fix the problem."
        assert odr.consequences[-1] == "4th time and after: the account is suspended."
        assert odr.automation.startswith("Action is automatic only with at least 100 orders")

    def test_spanish_description(self) -> None:
        ratings = describe_policy(default_policies().by_id["negative_ratings"], ES)
        assert ratings.rule == (
            "Tu valoración media debe ser como mínimo 3, medida en los últimos 365 días. "
            "La norma se aplica a partir de 20 valoraciones."
        )
        assert ratings.consequences[1] == "2.ª vez: se retiran los anuncios afectados."

    def test_signal_rule_names_the_confidence(self) -> None:
        fraud = describe_policy(default_policies().by_id["fraud"], EN)
        assert "1 or more signs of fraud" in fraud.rule
        assert "at least 90%" in fraud.rule
        assert fraud.consequences == ("1st time and after: the account is suspended.",)

    def test_what_sellers_read_follows_the_policy_file(self, tmp_path: Path) -> None:
        text = (
            "[policies.cancel_rate]\nshadow = true\nmin_volume = 250\n"
            "[policies.cancel_rate.condition]\nthreshold = 0.035\nwindow_days = 14\n"
        )
        cancel = describe_policy(with_override(tmp_path, text).by_id["cancel_rate"], EN)
        assert "below 3.5%, measured over the last 14 days" in cancel.rule
        assert "at least 250 orders" in cancel.automation
        assert cancel.shadow and cancel.shadow_note is not None
        assert cancel.condition["threshold"] == "0.035"

    def test_a_live_policy_has_no_trial_note(self) -> None:
        assert describe_policy(default_policies().by_id["fraud"], EN).shadow_note is None
