"""``goodstanding metrics``: export every seller's metrics, or show one seller's."""

from __future__ import annotations

import sys
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy.exc import SQLAlchemyError

from goodstanding.kit.cli import fail, open_database
from goodstanding.kit.clock import utcnow
from goodstanding.kit.errors import DomainError
from goodstanding.metrics.export import format_value, write_csv
from goodstanding.metrics.results import MetricRow
from goodstanding.metrics.service import BatchEngine, metrics_service

app = typer.Typer(help="Seller performance metrics.", no_args_is_help=True)

AsOfOption = Annotated[
    str | None, typer.Option("--as-of", help="The day (UTC, YYYY-MM-DD); default today.")
]


class ExportFormat(StrEnum):
    CSV = "csv"


class Engine(StrEnum):
    ONLINE = "online"
    DUCKDB = BatchEngine.DUCKDB.value
    SPARK = BatchEngine.SPARK.value


def _day(text: str | None) -> date:
    if text is None:
        return utcnow().date()
    try:
        return date.fromisoformat(text)
    except ValueError:
        fail(f"--as-of must be a date like 2024-06-30, not {text!r}")


@app.command("export")
def export(
    as_of: AsOfOption = None,
    output_format: Annotated[
        ExportFormat, typer.Option("--format", help="Output format.")
    ] = ExportFormat.CSV,
    engine: Annotated[
        Engine,
        typer.Option(
            help="online: the live counters; duckdb or spark: recompute from the stored events."
        ),
    ] = Engine.ONLINE,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="File to write; default stdout.")
    ] = None,
    partitions: Annotated[
        int,
        typer.Option(
            help="duckdb: group the orders in this many parts, one at a time, when the whole "
            "log's grouping does not fit in memory."
        ),
    ] = 1,
) -> None:
    """One CSV row per seller and metric: seller_id,metric,numerator,denominator,value,target,
    status, for every seller with at least one order."""
    day = _day(as_of)
    if partitions < 1:
        fail(f"--partitions must be at least 1, not {partitions}")
    if partitions > 1 and engine is not Engine.DUCKDB:
        fail("--partitions applies to --engine duckdb only")
    database = open_database()
    try:
        with database.transaction() as db:
            if engine is Engine.ONLINE:
                rows = metrics_service.all_metrics(db, day)
            else:
                rows = metrics_service.recompute(
                    db, day, BatchEngine(engine.value), partitions=partitions
                )
    except SQLAlchemyError as error:
        fail(f"database error: {type(error).__name__}: {str(error).splitlines()[0]}")
    finally:
        database.dispose()
    if output is None:
        write_csv(rows, sys.stdout)
        return
    try:
        with output.open("w", encoding="utf-8", newline="") as out:
            count = write_csv(rows, out)
    except OSError as error:
        fail(f"cannot write {output}: {error.strerror or error}")
    typer.echo(f"{count} rows written to {output}", err=True)


def _table(rows: list[MetricRow]) -> list[str]:
    header = ("metric", "numerator", "denominator", "value", "window", "target", "status")
    lines = [
        (
            row.metric,
            str(row.numerator),
            str(row.denominator),
            format_value(row.numerator, row.denominator) or "-",
            f"{row.window_start}..{row.window_end}",
            format(row.target, "f"),
            row.status.value,
        )
        for row in rows
    ]
    widths = [max(len(line[i]) for line in [header, *lines]) for i in range(len(header))]
    return [
        "  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip()
        for line in [header, *lines]
    ]


@app.command("show")
def show(
    seller: Annotated[str, typer.Argument(help="The seller's id.")],
    as_of: AsOfOption = None,
) -> None:
    """One seller's metrics as a table, read from the live counters."""
    day = _day(as_of)
    database = open_database()
    try:
        with database.transaction() as db:
            rows = metrics_service.seller_metrics(db, seller, day)
    except DomainError as error:
        fail(error.detail)
    except SQLAlchemyError as error:
        fail(f"database error: {type(error).__name__}: {str(error).splitlines()[0]}")
    finally:
        database.dispose()
    typer.echo(f"seller {seller}, as of {day}")
    for line in _table(rows):
        typer.echo(line)
