"""The cluster graph shown to reviewers."""

import json
from datetime import UTC, datetime, timedelta

from goodstanding.detectors.links.evidence import link_evidence
from goodstanding.detectors.links.fuzzy import FieldAgreement, FuzzyLink
from goodstanding.detectors.links.graph import InMemoryLinkStore, LinkGraph
from goodstanding.detectors.links.identifiers import Identifier, IdentifierKind

T0 = datetime(2025, 5, 1, 9, 0, tzinfo=UTC)
CAPS = dict.fromkeys(IdentifierKind, 3)
BANK = Identifier(IdentifierKind.BANK_ACCOUNT, "cd" * 32)
NAT = Identifier(IdentifierKind.SIGN_IN_IP, "81.2.69.142")


def linked_graph() -> LinkGraph:
    graph = LinkGraph(InMemoryLinkStore(), CAPS)
    graph.observe("a", BANK, T0 + timedelta(days=2))
    graph.observe("b", BANK, T0)
    for n, account in enumerate(["a", "x", "y", "z"]):
        graph.observe(account, NAT, T0 + timedelta(hours=n))
    graph.observe("a", Identifier(IdentifierKind.DEVICE, "only-mine"), T0)
    return graph


class TestLinkEvidence:
    def test_shows_shared_identifiers_since_when_and_how_many(self) -> None:
        evidence = link_evidence(linked_graph(), "a")
        assert evidence.cluster == ("a", "b")
        bank, nat = evidence.shared_identifiers
        assert (bank.kind, bank.first_seen, bank.account_count, bank.links) == (
            IdentifierKind.BANK_ACCOUNT,
            T0,
            2,
            True,
        )
        assert [h.account_id for h in bank.holders_in_cluster] == ["b", "a"]
        assert (nat.value, nat.account_count, nat.links, nat.cap) == ("81.2.69.142", 4, False, 3)
        assert evidence.capped_identifiers == (nat,)

    def test_identifiers_held_by_one_account_are_not_evidence(self) -> None:
        evidence = link_evidence(linked_graph(), "a")
        assert all(s.value != "only-mine" for s in evidence.shared_identifiers)

    def test_not_related_verdicts_and_fuzzy_links_inside_the_cluster(self) -> None:
        graph = linked_graph()
        graph.observe("c", BANK, T0)
        graph.mark_not_related("a", "c", T0 + timedelta(days=5))
        fuzzy = [
            FuzzyLink("b", "q", 0.97, (FieldAgreement("postcode", "Exact match on postcode"),)),
            FuzzyLink("q", "r", 0.99, ()),
        ]
        evidence = link_evidence(graph, "c", fuzzy)
        assert evidence.cluster == ("a", "b", "c")
        assert [(p.account_a, p.account_b) for p in evidence.not_related] == [("a", "c")]
        assert [(f.account_a, f.account_b) for f in evidence.fuzzy_links] == [("b", "q")]

    def test_as_dict_is_json_ready(self) -> None:
        document = link_evidence(linked_graph(), "b").as_dict()
        decoded = json.loads(json.dumps(document))
        assert decoded["cluster"] == ["a", "b"]
        assert decoded["shared_identifiers"][0]["first_seen"] == T0.isoformat()
        assert decoded["shared_identifiers"][0]["holders_in_cluster"][0] == {
            "account_id": "b",
            "first_seen": T0.isoformat(),
        }

    def test_account_without_links_is_a_cluster_of_one(self) -> None:
        evidence = link_evidence(linked_graph(), "nobody")
        assert evidence.cluster == ("nobody",)
        assert evidence.shared_identifiers == ()
