"""All layers with the real packaged model, on listings written for the test.

`handmade_listings.csv` was written by hand (not real data), in English and Spanish: prohibited
products described as an ordinary shop would, and hard negatives that share their words.
"""

import csv
from pathlib import Path

import pytest

from goodstanding.detectors.categories import Category, Restriction
from goodstanding.detectors.listings.screen import (
    Decision,
    Listing,
    ScreeningPolicy,
    ScreeningResult,
    screen_listings,
)

HANDMADE = Path(__file__).with_name("handmade_listings.csv")


@pytest.fixture(scope="module")
def screened() -> list[tuple[dict[str, str], ScreeningResult]]:
    with HANDMADE.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    results = screen_listings(
        [Listing(row["title"], row["description"]) for row in rows], ScreeningPolicy()
    )
    return list(zip(rows, results, strict=True))


def prohibited(row: dict[str, str]) -> bool:
    return ScreeningPolicy().restriction(Category(row["label"])) is Restriction.PROHIBITED


@pytest.mark.slow
class TestHandmadeListings:
    @pytest.mark.parametrize("language", ["en", "es"])
    def test_every_prohibited_listing_is_blocked(
        self, screened: list[tuple[dict[str, str], ScreeningResult]], language: str
    ) -> None:
        missed = [
            row["title"]
            for row, result in screened
            if row["language"] == language
            and prohibited(row)
            and result.decision is not Decision.BLOCK
        ]
        assert missed == []

    @pytest.mark.parametrize("language", ["en", "es"])
    def test_no_hard_negative_is_blocked(
        self, screened: list[tuple[dict[str, str], ScreeningResult]], language: str
    ) -> None:
        blocked = [
            row["title"]
            for row, result in screened
            if row["language"] == language
            and not prohibited(row)
            and result.decision is Decision.BLOCK
        ]
        assert blocked == []

    def test_blocked_listings_name_the_prohibited_category(
        self, screened: list[tuple[dict[str, str], ScreeningResult]]
    ) -> None:
        for _, result in screened:
            if result.decision is Decision.BLOCK:
                assert result.cause is not None
                assert ScreeningPolicy().restriction(result.cause) is Restriction.PROHIBITED
                assert result.evidence()
