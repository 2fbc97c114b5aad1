from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from goodstanding.detectors.categories import Category, Restriction
from goodstanding.metrics.definitions import DEFAULT_CONFIG as DEFAULT_METRICS
from goodstanding.policy.enums import Action, Metric, Signal
from goodstanding.policy.schema import (
    DocumentCondition,
    InactivityCondition,
    MetricCondition,
    PolicyFileError,
    SignalCondition,
    load_policies,
)
from goodstanding.policy.toml_lines import TomlLineIndex
from tests.policy.policy_factories import default_policies, with_override


def line_of(text: str, needle: str) -> int:
    """1-based line of the first line containing ``needle``."""
    for number, line in enumerate(text.splitlines(), start=1):
        if needle in line:
            return number
    raise AssertionError(f"{needle!r} not in text")


def refused(tmp_path: Path, text: str) -> PolicyFileError:
    with pytest.raises(PolicyFileError) as caught:
        with_override(tmp_path, text)
    return caught.value


class TestDefaults:
    def test_every_metric_of_the_issue_has_a_default_target(self) -> None:
        metrics = {
            policy.condition.metric
            for policy in default_policies().policies
            if isinstance(policy.condition, MetricCondition)
        }
        assert metrics == set(Metric) - {Metric.NEGATIVE_FEEDBACK_RATE}

    def test_policies_accept_exactly_the_metrics_the_metrics_engine_computes(self) -> None:
        computed = {definition.name for definition in DEFAULT_METRICS.metrics}
        assert computed == {metric.value for metric in Metric}

    def test_detector_document_and_inactivity_policies_are_shipped(self) -> None:
        conditions = [policy.condition for policy in default_policies().policies]
        signals = {c.signal for c in conditions if isinstance(c, SignalCondition)}
        assert signals == set(Signal)
        assert any(isinstance(c, DocumentCondition) for c in conditions)
        rules = {c.rule for c in conditions if isinstance(c, InactivityCondition)}
        assert len(rules) == 2

    def test_thresholds_are_exact_decimals(self) -> None:
        odr = default_policies().by_id["order_defect_rate_seller"].condition
        assert isinstance(odr, MetricCondition)
        assert odr.threshold == Decimal("0.01")


class TestErrorsNameTheLine:
    def test_typo_in_a_metric_name(self, tmp_path: Path) -> None:
        text = '[policies.cancel_rate.condition]\nkind = "metric"\nmetric = "cancel_rat"\n'
        text += 'target = "below"\nthreshold = 0.025\nwindow_days = 7\n'
        error = refused(tmp_path, text)
        message = str(error)
        typo_line = line_of(text, '"cancel_rat"')
        assert f"override.toml:{typo_line}:" in message
        assert "policies.cancel_rate.condition.metric" in message
        assert "unknown metric 'cancel_rat'" in message

    def test_unknown_action_in_a_multiline_ladder(self, tmp_path: Path) -> None:
        text = '# raise the stakes\n[policies.low_sales]\nladder = [\n  "warning",\n'
        text += '  "suspend",\n]\nfix_within_days = 3\n'
        error = refused(tmp_path, text)
        assert len(error.problems) == 1
        problem = error.problems[0]
        assert problem.line == line_of(text, '"suspend"')
        assert problem.where == "policies.low_sales.ladder[1]"
        assert "unknown action 'suspend'" in problem.what

    def test_unknown_key_in_an_inline_table(self, tmp_path: Path) -> None:
        text = "\n\n[policies.fraud]\n"
        text += 'condition = { kind = "detector_signal", signal = "fraud", min_confidance = 0.5 }\n'
        problem = refused(tmp_path, text).problems[0]
        assert problem.line == line_of(text, "min_confidance")
        assert problem.what == "unknown key 'min_confidance'"

    def test_unknown_condition_kind(self, tmp_path: Path) -> None:
        text = '[policies.fraud.condition]\nkind = "vibes"\n'
        problem = refused(tmp_path, text).problems[0]
        assert problem.line == line_of(text, "[policies.fraud.condition]")
        assert "'vibes'" in problem.what

    def test_syntax_error(self, tmp_path: Path) -> None:
        text = "[policies.fraud]\nshadow = true\nseverity = \n"
        problem = refused(tmp_path, text).problems[0]
        assert problem.where == "syntax"
        assert problem.line == line_of(text, "severity")

    def test_missing_keys_of_a_new_policy_point_at_its_table(self, tmp_path: Path) -> None:
        text = '\n[policies.new_rule]\nseverity = "low"\nahr_points = 5\n'
        error = refused(tmp_path, text)
        assert {problem.line for problem in error.problems} == {line_of(text, "[policies.new")}
        assert {problem.where.rsplit(".", 1)[1] for problem in error.problems} == {
            "condition",
            "ladder",
            "text",
        }

    def test_a_problem_in_the_defaults_blames_the_defaults_file(self, tmp_path: Path) -> None:
        defaults = tmp_path / "defaults.toml"
        text = '[policies.x]\nseverity = "urgent"\n'
        defaults.write_text(text, encoding="utf-8")
        with pytest.raises(PolicyFileError) as caught:
            load_policies(defaults=defaults)
        urgent = [p for p in caught.value.problems if "urgent" in p.what]
        assert urgent[0].file == str(defaults)
        assert urgent[0].line == line_of(text, "urgent")

    def test_unreadable_file(self, tmp_path: Path) -> None:
        with pytest.raises(PolicyFileError, match="cannot read"):
            load_policies(tmp_path / "absent.toml")


class TestRulesAcrossKeys:
    def test_unknown_notice_placeholder(self, tmp_path: Path) -> None:
        text = '[policies.cancel_rate.text.es]\nnotice = "tasa {valor}"\n'
        problem = refused(tmp_path, text).problems[0]
        assert problem.line == line_of(text, "{valor}")
        assert "unknown placeholder {valor}" in problem.what

    def test_formatted_placeholder(self, tmp_path: Path) -> None:
        text = '[policies.cancel_rate.text.en]\nnotice = "rate {value:.2f}"\n'
        assert "takes no format" in refused(tmp_path, text).problems[0].what

    def test_a_ladder_never_steps_down(self, tmp_path: Path) -> None:
        text = '[policies.cancel_rate]\nladder = ["listing_removal", "warning"]\n'
        problem = refused(tmp_path, text).problems[0]
        assert problem.where == "policies.cancel_rate.ladder[1]"
        assert "steps back down" in problem.what

    def test_only_critical_policies_suspend_at_once(self, tmp_path: Path) -> None:
        text = '[policies.restricted_products]\nladder = ["suspension"]\n'
        problem = refused(tmp_path, text).problems[0]
        assert "only a critical policy may suspend at once" in problem.what
        critical = (
            '[policies.restricted_products]\nladder = ["suspension"]\nseverity = "critical"\n'
        )
        ladder = with_override(tmp_path, critical).by_id["restricted_products"].ladder
        assert ladder == (Action.SUSPENSION,)

    def test_a_warning_needs_a_deadline(self, tmp_path: Path) -> None:
        text = '[policies.low_sales]\nladder = ["warning", "privileges_withdrawn"]\n'
        problem = refused(tmp_path, text).problems[0]
        assert problem.where == "policies.low_sales.fix_within_days"

    def test_ratio_threshold_must_be_a_share(self, tmp_path: Path) -> None:
        text = "[policies.cancel_rate.condition]\nthreshold = 2.5\n"
        problem = refused(tmp_path, text).problems[0]
        assert problem.line == line_of(text, "threshold")
        assert "between 0 and 1" in problem.what

    def test_buyers_are_never_closed_for_inactivity(self, tmp_path: Path) -> None:
        text = '[policies.affiliate_dormant.condition]\naccount = "buyer"\n'
        problem = refused(tmp_path, text).problems[0]
        assert "never closed for inactivity" in problem.what

    def test_the_table_name_is_the_id(self, tmp_path: Path) -> None:
        text = '[policies.fraud]\nid = "other"\n'
        assert "table name is the policy id" in refused(tmp_path, text).problems[0].what


class TestOverrideMerge:
    def test_changed_keys_replace_and_the_rest_stays(self, tmp_path: Path) -> None:
        policies = with_override(
            tmp_path,
            "[policies.cancel_rate]\nshadow = true\n[policies.cancel_rate.condition]\n"
            "threshold = 0.03\n",
        )
        cancel = policies.by_id["cancel_rate"]
        default = default_policies().by_id["cancel_rate"]
        assert cancel.shadow and not default.shadow
        assert isinstance(cancel.condition, MetricCondition)
        assert cancel.condition.threshold == Decimal("0.03")
        assert cancel.condition.window_days == 7
        assert cancel.text == default.text

    def test_disabled_policies_are_left_out(self, tmp_path: Path) -> None:
        policies = with_override(tmp_path, "[policies.low_sales]\nenabled = false\n")
        assert "low_sales" not in policies.by_id
        assert len(policies.policies) == len(default_policies().policies) - 1

    def test_a_condition_with_its_own_kind_replaces_the_default(self, tmp_path: Path) -> None:
        condition = '[policies.cancel_rate.condition]\nkind = "detector_signal"\nsignal = "fraud"\n'
        # the default notices speak of rates, which a signal condition cannot fill
        problems = refused(tmp_path, condition).problems
        assert {problem.where for problem in problems} == {
            "policies.cancel_rate.text.en.notice",
            "policies.cancel_rate.text.es.notice",
        }
        notices = '[policies.cancel_rate.text]\nen.notice = "{count}"\nes.notice = "{count}"\n'
        replaced = with_override(tmp_path, condition + notices).by_id["cancel_rate"].condition
        assert isinstance(replaced, SignalCondition)
        assert replaced.signal is Signal.FRAUD

    def test_new_policies_are_added(self, tmp_path: Path) -> None:
        text = """
[policies.slow_replies]
severity = "low"
ahr_points = 10
ladder = ["warning"]
fix_within_days = 7
condition = { kind = "metric", metric = "on_time_delivery_rate", target = "at_least", threshold = 0.5, window_days = 14 }
text.en = { title = "t", summary = "s", notice = "{value}" }
text.es = { title = "t", summary = "s", notice = "{value}" }
"""  # noqa: E501
        policies = with_override(tmp_path, text)
        assert policies.policies[-1].id == "slow_replies"


class TestTomlLineIndex:
    def test_tables_arrays_of_tables_and_strings_that_look_like_syntax(self) -> None:
        text = '''title = "a [fake] { table } # not a comment"
[a.b]
x = 1  # comment [c]
"quoted.key" = 2
long = """
[not.a.table]
"""
[[items]]
name = "first"
[[items]]
name = "second"
[items.detail]
deep = true
nested = [[1, 2], [3,
  4]]
'''
        lines = TomlLineIndex(text).lines
        assert lines[("title",)] == 1
        assert lines[("a", "b")] == 2
        assert lines[("a", "b", "x")] == 3
        assert lines[("a", "b", "quoted.key")] == 4
        assert ("not", "a", "table") not in lines
        assert lines[("items", 0, "name")] == line_of(text, '"first"')
        assert lines[("items", 1, "name")] == line_of(text, '"second"')
        assert lines[("items", 1, "detail", "deep")] == line_of(text, "deep")
        assert lines[("items", 1, "detail", "nested", 1, 1)] == line_of(text, "  4]]")

    def test_line_of_falls_back_to_the_longest_known_prefix(self) -> None:
        index = TomlLineIndex("\n[a]\nb = 1\n")
        assert index.line_of(("a", "missing", "deeper")) == (2, 1)
        assert index.line_of(("other",)) == (0, 0)


class TestListingCategories:
    def test_defaults_are_the_marketplace_list(self) -> None:
        categories = default_policies().listing_categories
        assert categories[Category.DRUGS] is Restriction.PROHIBITED
        assert categories[Category.COSMETICS] is Restriction.NEEDS_APPROVAL
        assert categories[Category.NONE] is Restriction.ALLOWED

    def test_the_operator_overrides_only_what_it_names(self, tmp_path: Path) -> None:
        categories = with_override(
            tmp_path, '[listing_categories]\ncosmetics = "allowed"\nlasers = "prohibited"\n'
        ).listing_categories
        assert categories[Category.COSMETICS] is Restriction.ALLOWED
        assert categories[Category.LASERS] is Restriction.PROHIBITED
        assert categories[Category.TOBACCO] is Restriction.PROHIBITED

    def test_an_unknown_category_or_setting_names_its_line(self, tmp_path: Path) -> None:
        text = '[listing_categories]\nsweets = "allowed"\ntobacco = "maybe"\n'
        messages = [str(problem) for problem in refused(tmp_path, text).problems]
        assert [message.split(": ", 1)[0].rsplit(":", 1)[1] for message in messages] == ["2", "3"]
        assert "listing_categories.sweets: unknown category 'sweets'" in messages[0]
        assert "listing_categories.tobacco: unknown setting for tobacco 'maybe'" in messages[1]
