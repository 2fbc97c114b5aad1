"""Clusters and approvals in, multiple-accounts findings out."""

import pytest

from goodstanding.detectors.links.policy_input import (
    MultipleAccountsFinding,
    approved_pair,
    multiple_accounts_findings,
)


def flagged(findings: list[MultipleAccountsFinding]) -> dict[str, tuple[str, ...]]:
    return {finding.account_id: finding.unapproved_with for finding in findings}


class TestMultipleAccountsFindings:
    def test_two_active_sellers_without_approval_raise(self) -> None:
        findings = multiple_accounts_findings([{"a", "b"}], {"a", "b"}, set())
        assert flagged(findings) == {"a": ("b",), "b": ("a",)}

    def test_approved_pair_is_exempt(self) -> None:
        assert multiple_accounts_findings([{"a", "b"}], {"a", "b"}, {approved_pair("a", "b")}) == []

    def test_approval_exempts_exactly_that_pair(self) -> None:
        findings = multiple_accounts_findings(
            [{"a", "b", "c"}], {"a", "b", "c"}, {approved_pair("b", "a")}
        )
        assert flagged(findings) == {"a": ("c",), "b": ("c",), "c": ("a", "b")}

    def test_inactive_or_buying_accounts_do_not_count(self) -> None:
        assert multiple_accounts_findings([{"a", "b", "c"}], {"a"}, set()) == []

    def test_approval_of_another_pair_does_not_help(self) -> None:
        findings = multiple_accounts_findings([{"a", "b"}], {"a", "b"}, {approved_pair("a", "z")})
        assert set(flagged(findings)) == {"a", "b"}

    def test_clusters_are_independent(self) -> None:
        findings = multiple_accounts_findings(
            [{"a", "b"}, {"c", "d"}], {"a", "b", "c", "d"}, {approved_pair("c", "d")}
        )
        assert set(flagged(findings)) == {"a", "b"}
        assert all(finding.cluster == ("a", "b") for finding in findings)

    def test_pair_of_one_account_is_refused(self) -> None:
        with pytest.raises(ValueError, match="two different accounts"):
            approved_pair("a", "a")
