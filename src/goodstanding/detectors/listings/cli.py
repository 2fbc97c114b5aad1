"""Command-line faces of the listing screener: `screen listings` and `models train` (listings)."""

from __future__ import annotations

import csv
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, TextIO

import typer

from goodstanding.detectors.categories import Category, parse_category
from goodstanding.detectors.listings import screen
from goodstanding.detectors.listings.training import DEFAULT_REGULARISATION, train

OUTPUT_COLUMNS = ("row", "label", "decision", "score", "evidence")
# Rows screened per model call: large enough for efficient batches, small enough that output
# starts soon and memory stays flat on big files.
_CHUNK_ROWS = 256
PACKAGED_MODEL_DIR = Path(__file__).resolve().parent / "model"
DEFAULT_TRAINING_DATA = Path("../shared/data/listings/listings_dev.csv")


class InputError(Exception):
    """A problem with the user's file, reported as one line."""


def _fail(message: str) -> typer.Exit:
    print(f"error: {message}", file=sys.stderr)
    return typer.Exit(code=1)


def read_listings(handle: TextIO, name: str) -> Iterator[screen.Listing]:
    """Listings from CSV text with a `title` column; `description`, `category`, `brand` optional.

    The header is checked at once; rows are read as the iterator is consumed, so a bad row is
    reported when it is reached, after the rows before it were screened.
    """
    reader = csv.DictReader(handle)
    if reader.fieldnames is None or "title" not in reader.fieldnames:
        raise InputError(f"{name}: the CSV needs a 'title' column")
    return _rows(reader, name)


def _rows(reader: csv.DictReader[str], name: str) -> Iterator[screen.Listing]:
    for row_number, row in enumerate(reader, start=1):
        declared = (row.get("category") or "").strip()
        category: Category | None = None
        if declared:
            try:
                category = parse_category(declared)
            except ValueError as error:
                raise InputError(f"{name}: row {row_number}: {error}") from None
        yield screen.Listing(
            title=row.get("title") or "",
            description=row.get("description") or "",
            brand=row.get("brand") or "",
            declared_category=category,
        )


def write_screening(
    listings: Iterator[screen.Listing], policy: screen.ScreeningPolicy, output: TextIO
) -> None:
    writer = csv.writer(output, lineterminator="\n")
    writer.writerow(OUTPUT_COLUMNS)
    row_number = 0
    chunk: list[screen.Listing] = []

    def flush() -> None:
        nonlocal row_number
        for result in screen.screen_listings(chunk, policy):
            row_number += 1
            writer.writerow(
                (
                    row_number,
                    result.label,
                    result.decision,
                    f"{result.score:.3f}",
                    result.evidence(),
                )
            )
        chunk.clear()

    for listing in listings:
        chunk.append(listing)
        if len(chunk) == _CHUNK_ROWS:
            flush()
    if chunk:
        flush()


def screen_listings(
    file: Annotated[
        Path, typer.Argument(help="CSV with a title column; description, category, brand optional")
    ],
) -> None:
    """Screen listings for restricted products; CSV row,label,decision,score,evidence to stdout."""
    try:
        with file.open(newline="", encoding="utf-8") as handle:
            write_screening(read_listings(handle, str(file)), _operator_policy(), sys.stdout)
    except FileNotFoundError as error:
        missing = error.filename or file
        raise _fail(f"{missing}: no such file") from None
    except IsADirectoryError:
        raise _fail(f"{file}: is a folder, not a CSV file") from None
    except UnicodeDecodeError:
        raise _fail(f"{file}: not UTF-8 text") from None
    except (InputError, csv.Error) as error:
        raise _fail(str(error)) from None


def _operator_policy() -> screen.ScreeningPolicy:
    """Decisions under the category settings of the operator's policy file (the `policy_file`
    setting), or the marketplace defaults when there is none."""
    from goodstanding.kit.cli import settings_or_exit
    from goodstanding.policy.cli import load_policies_or_exit

    policies = load_policies_or_exit(settings_or_exit().policy_file)
    return screen.ScreeningPolicy(restrictions=policies.listing_categories)


def train_listing_model(
    data: Annotated[
        Path, typer.Option(help="Labelled listings CSV (title, source, label)")
    ] = DEFAULT_TRAINING_DATA,
    output: Annotated[
        Path, typer.Option(help="Folder to write head.npz and model.json into")
    ] = PACKAGED_MODEL_DIR,
    regularisation: Annotated[
        float, typer.Option(min=1e-6, help="Inverse regularisation strength C of the head")
    ] = DEFAULT_REGULARISATION,
) -> None:
    """Train the restricted-product classifier head and record its held-out metrics."""
    from goodstanding.detectors.embeddings import embed

    if not data.is_file():
        raise _fail(f"{data}: no such file (pass --data PATH to the labelled listings CSV)")
    try:
        outcome = train(data, embed, regularisation)
    except (ValueError, UnicodeDecodeError) as error:
        raise _fail(str(error)) from None
    outcome.classifier.save(output)
    print(
        f"listing model: trained on {outcome.train_rows} rows, held out {outcome.test_rows}; "
        f"written to {output}"
    )
    for name, value in outcome.held_out.items():
        print(f"  {name}: {value}")
