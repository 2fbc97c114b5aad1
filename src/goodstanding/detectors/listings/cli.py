"""Command-line faces of the listing screener: `screen listings` and `models train` (listings)."""

from __future__ import annotations

import csv
import os
import sys
from collections.abc import Iterator
from concurrent.futures.process import BrokenProcessPool
from contextlib import ExitStack
from itertools import chain, islice
from pathlib import Path
from typing import Annotated, TextIO

import typer

from goodstanding.detectors.categories import Category, parse_category
from goodstanding.detectors.listings import screen
from goodstanding.detectors.listings.parallel import ResultRow, ScreeningPool, screen_rows
from goodstanding.detectors.listings.training import DEFAULT_REGULARISATION, train

OUTPUT_COLUMNS = ("row", "label", "decision", "score", "evidence")
# Rows screened per model call: large enough for efficient batches, small enough that output
# starts soon and memory stays flat on big files.
_CHUNK_ROWS = 256
# Each worker holds its own copy of the model and PyTorch (about 400 MB): without an explicit
# `--workers`, a many-core machine is not filled with them.
_AUTO_WORKERS_LIMIT = 8
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
    listings: Iterator[screen.Listing],
    policy: screen.ScreeningPolicy,
    output: TextIO,
    workers: int | None = None,
) -> None:
    """Screen the listings and write one CSV row each, in order.

    ``workers`` processes screen the chunks (see `parallel`); ``None`` means one per core, up
    to `_AUTO_WORKERS_LIMIT`, when the input holds more than one chunk (a short file is screened
    here, without starting processes).
    """
    writer = csv.writer(output, lineterminator="\n")
    writer.writerow(OUTPUT_COLUMNS)
    ahead, chunks = _read_ahead(_chunks(listings), 2)
    if workers is None:
        workers = min(_available_cores(), _AUTO_WORKERS_LIMIT) if len(ahead) > 1 else 1
    with ExitStack() as stack:
        if workers == 1:
            screened: Iterator[list[ResultRow]] = (screen_rows(c, policy) for c in chunks)
        else:
            screened = stack.enter_context(ScreeningPool(policy, workers)).screen(chunks)
        row_number = 0
        for rows in screened:
            for row in rows:
                row_number += 1
                writer.writerow((row_number, *row))


def _chunks(listings: Iterator[screen.Listing]) -> Iterator[list[screen.Listing]]:
    while chunk := list(islice(listings, _CHUNK_ROWS)):
        yield chunk


def _read_ahead(
    chunks: Iterator[list[screen.Listing]], count: int
) -> tuple[list[list[screen.Listing]], Iterator[list[screen.Listing]]]:
    """The first ``count`` chunks, and an iterator over all the chunks from the first.

    A failure while reading ahead is raised by that iterator after the chunks read before it,
    just as it would have been without the look-ahead.
    """
    ahead: list[list[screen.Listing]] = []
    try:
        for chunk in chunks:
            ahead.append(chunk)
            if len(ahead) == count:
                break
    except Exception as error:
        return ahead, _then_raise(ahead, error)
    return ahead, chain(ahead, chunks)


def _then_raise(
    chunks: list[list[screen.Listing]], error: Exception
) -> Iterator[list[screen.Listing]]:
    yield from chunks
    raise error


def _available_cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def screen_listings(
    file: Annotated[
        Path, typer.Argument(help="CSV with a title column; description, category, brand optional")
    ],
    workers: Annotated[
        int | None,
        typer.Option(
            min=1,
            help="Processes that screen (default: one per core, up to "
            f"{_AUTO_WORKERS_LIMIT}, for files of more "
            f"than {_CHUNK_ROWS} rows; 1 screens in this process)",
        ),
    ] = None,
) -> None:
    """Screen listings for restricted products; CSV row,label,decision,score,evidence to stdout."""
    try:
        with file.open(newline="", encoding="utf-8") as handle:
            write_screening(
                read_listings(handle, str(file)), _operator_policy(), sys.stdout, workers
            )
    except FileNotFoundError as error:
        missing = error.filename or file
        raise _fail(f"{missing}: no such file") from None
    except IsADirectoryError:
        raise _fail(f"{file}: is a folder, not a CSV file") from None
    except UnicodeDecodeError:
        raise _fail(f"{file}: not UTF-8 text") from None
    except (InputError, csv.Error) as error:
        raise _fail(str(error)) from None
    except BrokenProcessPool:
        raise _fail(
            "a screening worker stopped unexpectedly (out of memory?); "
            "try fewer with --workers, or --workers 1"
        ) from None


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
