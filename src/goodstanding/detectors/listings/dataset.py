"""Labelled listing files and the reproducible held-out split used to train and evaluate."""

from __future__ import annotations

import csv
import hashlib
import random
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from goodstanding.detectors.categories import Category, parse_category

SPLIT_SEED = 20230301
TEST_FRACTION = 0.2


@dataclass(frozen=True, slots=True)
class LabelledListing:
    # 1-based data row in the labelled file (the header is row 0), so evidence can point back to it.
    row: int
    title: str
    source: str
    label: Category


def read_labelled_listings(path: Path) -> list[LabelledListing]:
    """Read a CSV with `title` and `label` columns (`source` optional); ValueError on bad rows."""
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        missing = {"title", "label"} - set(reader.fieldnames or ())
        if missing:
            raise ValueError(f"{path}: missing column(s) {', '.join(sorted(missing))}")
        listings = []
        for row_number, row in enumerate(reader, start=1):
            try:
                label = parse_category(row["label"] or "")
            except ValueError as error:
                raise ValueError(f"{path}: row {row_number}: {error}") from None
            listings.append(
                LabelledListing(row_number, row["title"] or "", row.get("source") or "", label)
            )
    return listings


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 16), b""):
            digest.update(block)
    return digest.hexdigest()


def held_out_split(
    listings: Sequence[LabelledListing],
    test_fraction: float = TEST_FRACTION,
    seed: int = SPLIT_SEED,
) -> tuple[list[LabelledListing], list[LabelledListing]]:
    """Split into (train, test), stratified by (label, source) so that every label keeps its
    sources in the same proportion on both sides; the same seed always gives the same split.

    Each stratum keeps at least one row for training; a stratum of two or more gives at least
    one row to the test side.
    """
    if not 0 < test_fraction < 1:
        raise ValueError("test_fraction must be between 0 and 1")
    strata: dict[tuple[Category, str], list[LabelledListing]] = defaultdict(list)
    for listing in listings:
        strata[(listing.label, listing.source)].append(listing)
    rng = random.Random(seed)
    train: list[LabelledListing] = []
    test: list[LabelledListing] = []
    for key in sorted(strata):
        members = sorted(strata[key], key=lambda listing: listing.row)
        rng.shuffle(members)
        test_count = round(len(members) * test_fraction) if len(members) > 1 else 0
        test_count = min(max(test_count, 1 if len(members) > 1 else 0), len(members) - 1)
        test.extend(members[:test_count])
        train.extend(members[test_count:])
    train.sort(key=lambda listing: listing.row)
    test.sort(key=lambda listing: listing.row)
    return train, test
