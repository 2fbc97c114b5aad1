"""Command-line faces of the review screener: `screen reviews` and `models train` (reviews)."""

import csv
import sys
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Annotated, TextIO

import typer

from goodstanding.detectors.reviews.machine_text import MODEL_DIR
from goodstanding.detectors.reviews.relations import STAR_LEVELS, linked_pairs
from goodstanding.detectors.reviews.screen import ReviewContext, ReviewInput, ReviewVerdict, screen
from goodstanding.kit.cli import fail

OUTPUT_COLUMNS = ("row", "is_fake", "score", "reasons")
REASON_SEPARATOR = " | "
DEFAULT_TRAINING_DATA = Path("../shared/data")


class InputError(Exception):
    """A problem with the user's file, reported as one line."""


def _rows(handle: TextIO, name: str, required: Iterable[str]) -> list[dict[str, str]]:
    reader = csv.DictReader(handle)
    columns = set(reader.fieldnames or ())
    missing = [column for column in required if column not in columns]
    if missing:
        raise InputError(f"{name}: the CSV needs a {', '.join(repr(c) for c in missing)} column")
    return list(reader)


def _stars(value: str | None, where: str) -> int | None:
    if value is None or not value.strip():
        return None
    try:
        stars = int(float(value))
    except ValueError:
        raise InputError(f"{where}: stars {value!r} is not a number from 1 to 5") from None
    if stars not in STAR_LEVELS or float(value) != stars:
        raise InputError(f"{where}: stars {value!r} is not a whole number from 1 to 5")
    return stars


def _identifier(value: str | None) -> str | None:
    return value.strip() if value and value.strip() else None


def read_reviews(handle: TextIO, name: str) -> list[ReviewInput]:
    """Reviews from CSV text with a `text` column; `stars`, `reviewer_id`, `seller_id` optional."""
    return [
        ReviewInput(
            text=row.get("text") or "",
            stars=_stars(row.get("stars"), f"{name}: row {number}"),
            reviewer_id=_identifier(row.get("reviewer_id")),
            seller_id=_identifier(row.get("seller_id")),
        )
        for number, row in enumerate(_rows(handle, name, ["text"]), start=1)
    ]


def read_rating_history(handle: TextIO, name: str) -> Mapping[str, Mapping[int, int]]:
    """Earlier reviews as CSV with `seller_id` and `stars`, one row per review."""
    history: dict[str, Counter[int]] = defaultdict(Counter)
    for number, row in enumerate(_rows(handle, name, ["seller_id", "stars"]), start=1):
        seller = _identifier(row["seller_id"])
        stars = _stars(row["stars"], f"{name}: row {number}")
        if seller is not None and stars is not None:
            history[seller][stars] += 1
    return history


def read_linked_accounts(handle: TextIO, name: str) -> list[tuple[str, str]]:
    """Pairs of linked account ids as CSV with `account_id` and `linked_account_id`."""
    rows = _rows(handle, name, ["account_id", "linked_account_id"])
    return [(row["account_id"].strip(), row["linked_account_id"].strip()) for row in rows]


def write_verdicts(verdicts: Iterable[ReviewVerdict], output: TextIO) -> None:
    writer = csv.writer(output, lineterminator="\n")
    writer.writerow(OUTPUT_COLUMNS)
    for number, verdict in enumerate(verdicts, start=1):
        reasons = REASON_SEPARATOR.join(verdict.reasons)
        writer.writerow((number, int(verdict.is_fake), f"{verdict.score:.3f}", reasons))


def _open_csv(path: Path) -> TextIO:
    if path.is_dir():
        raise InputError(f"{path}: is a folder, not a CSV file")
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    return path.open(newline="", encoding="utf-8")


def screen_reviews(
    file: Annotated[
        Path, typer.Argument(help="CSV with a text column; stars, reviewer_id, seller_id optional")
    ],
    history: Annotated[
        Path | None,
        typer.Option(help="Earlier reviews (seller_id, stars) to compare each seller's ratings to"),
    ] = None,
    linked_accounts: Annotated[
        Path | None,
        typer.Option(
            help="Linked accounts (account_id, linked_account_id): same device, IP, payout"
        ),
    ] = None,
) -> None:
    """Screen reviews for manipulation; CSV row,is_fake,score,reasons to stdout (row 1 = first)."""
    try:
        with _open_csv(file) as handle:
            reviews = read_reviews(handle, str(file))
        context = ReviewContext()
        if history is not None:
            with _open_csv(history) as handle:
                context = ReviewContext(rating_history=read_rating_history(handle, str(history)))
        if linked_accounts is not None:
            with _open_csv(linked_accounts) as handle:
                pairs = read_linked_accounts(handle, str(linked_accounts))
            context = ReviewContext(linked_pairs(pairs), context.rating_history)
    except UnicodeDecodeError:
        fail("an input file is not UTF-8 text")
    except (InputError, csv.Error) as error:
        fail(str(error))
    try:
        verdicts = screen(reviews, context)
    except FileNotFoundError as error:
        fail(str(error))
    write_verdicts(verdicts, sys.stdout)


def train_review_models(
    data: Annotated[
        Path, typer.Option(help="Shared data folder holding reviews/*.csv")
    ] = DEFAULT_TRAINING_DATA,
    output: Annotated[
        Path, typer.Option(help="Folder to write machine_text.npz and machine_text.json into")
    ] = MODEL_DIR,
) -> None:
    """Train the review text model and record its held-out metrics next to it."""
    from goodstanding.detectors.embeddings import embed
    from goodstanding.detectors.reviews.training import train_machine_text

    try:
        trained = train_machine_text(data, embed)
    except (FileNotFoundError, KeyError, ValueError, UnicodeDecodeError) as error:
        fail(f"cannot train the review model from {data}: {error}")
    trained.model.save(output, trained.metadata)
    typer.echo(f"review text model written to {output}")
    for domain, metrics in trained.metadata["held_out_metrics"].items():
        typer.echo(
            f"  {domain}: held-out F1 (fake) {metrics['fake']['f1']:.3f}, "
            f"recall {metrics['fake']['recall']:.3f}, "
            f"false-positive rate {metrics['false_positive_rate']:.3f}"
        )
