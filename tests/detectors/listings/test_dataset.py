"""Labelled files and the held-out split."""

from collections import Counter
from pathlib import Path

import pytest
from shared_data import shared_data_dir

from goodstanding.detectors.categories import Category
from goodstanding.detectors.listings.dataset import (
    LabelledListing,
    file_sha256,
    held_out_split,
    read_labelled_listings,
)


def made_up(count_per_stratum: int) -> list[LabelledListing]:
    rows = []
    for label in (Category.DRUGS, Category.NONE, Category.COSMETICS):
        for source in ("shop-a", "shop-b"):
            for _ in range(count_per_stratum):
                rows.append(LabelledListing(len(rows) + 1, f"title {len(rows)}", source, label))
    return rows


class TestHeldOutSplit:
    def test_is_disjoint_complete_and_reproducible(self) -> None:
        listings = made_up(10)
        train, test = held_out_split(listings, 0.2, seed=5)
        assert {x.row for x in train}.isdisjoint({x.row for x in test})
        assert len(train) + len(test) == len(listings)
        assert held_out_split(listings, 0.2, seed=5) == (train, test)
        assert held_out_split(listings, 0.2, seed=6) != (train, test)

    def test_keeps_each_label_and_source_in_proportion(self) -> None:
        train, test = held_out_split(made_up(10), 0.2, seed=5)
        strata = Counter((x.label, x.source) for x in test)
        assert set(strata.values()) == {2}
        assert len(strata) == 6

    def test_a_single_row_stratum_stays_in_training(self) -> None:
        train, test = held_out_split(made_up(1), 0.5, seed=1)
        assert test == [] and len(train) == 6

    def test_rejects_a_fraction_outside_zero_and_one(self) -> None:
        with pytest.raises(ValueError, match="between 0 and 1"):
            held_out_split(made_up(2), 1.0)


class TestReadLabelledListings:
    def test_reads_rows_and_numbers_them(self, tmp_path: Path) -> None:
        path = tmp_path / "labelled.csv"
        path.write_text("title,source,label\nBong,x,drugs\nMug,y,none\n", encoding="utf-8")
        assert read_labelled_listings(path) == [
            LabelledListing(1, "Bong", "x", Category.DRUGS),
            LabelledListing(2, "Mug", "y", Category.NONE),
        ]
        assert len(file_sha256(path)) == 64

    def test_names_the_bad_row(self, tmp_path: Path) -> None:
        path = tmp_path / "labelled.csv"
        path.write_text("title,label\nMug,none\nGun,guns\n", encoding="utf-8")
        with pytest.raises(ValueError, match="row 2: unknown category 'guns'"):
            read_labelled_listings(path)

    def test_needs_title_and_label(self, tmp_path: Path) -> None:
        path = tmp_path / "labelled.csv"
        path.write_text("name,category\nMug,none\n", encoding="utf-8")
        with pytest.raises(ValueError, match="missing column"):
            read_labelled_listings(path)

    def test_reads_the_shared_labelled_file(self) -> None:
        listings = read_labelled_listings(shared_data_dir() / "listings" / "listings_dev.csv")
        assert {x.source for x in listings} == {"amazon.in-2023", "agora-2014"}
        assert Category.DRUGS in {x.label for x in listings}
