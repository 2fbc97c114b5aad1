"""``goodstanding events``: take in marketplace events from a file."""

from __future__ import annotations

import json
import sys
from itertools import islice
from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy.exc import SQLAlchemyError
from tqdm import tqdm

from goodstanding.events.readers import UnsupportedFile, read_events
from goodstanding.events.service import MAX_BATCH, IntakeResult, event_service
from goodstanding.kit.cli import fail, settings_or_exit
from goodstanding.kit.db import Database
from goodstanding.kit.jobs import configure_jobs

app = typer.Typer(help="Take in marketplace events.", no_args_is_help=True)


@app.callback()
def events() -> None:
    """Take in marketplace events (kept a group so that more commands can join ``import``)."""


@app.command("import")
def import_events(
    file: Annotated[
        Path,
        typer.Argument(help="Events as NDJSON (.ndjson, .jsonl), CSV or Parquet.", dir_okay=False),
    ],
    refused_out: Annotated[
        Path | None,
        typer.Option(
            help="Write each refused record as a JSON line: position (1-based), event_id, reason.",
            dir_okay=False,
        ),
    ] = None,
    chunk_size: Annotated[
        int, typer.Option(help="Events per transaction.", min=1, max=MAX_BATCH)
    ] = 5000,
) -> None:
    """Take in every event of FILE through the same intake as the API, chunk by chunk.

    Each chunk is its own transaction, and a repeated event is a duplicate, so an interrupted
    import can simply be run again.
    """
    if not file.is_file():
        fail(f"no such file: {file}")
    settings = settings_or_exit()
    database = Database(settings.sqlalchemy_url)
    # As through the API, intake queues the detectors' screening and the sellers' policy
    # re-evaluation as jobs, for the worker (`goodstanding worker`, or `serve`) to run.
    configure_jobs(settings, database)
    total = IntakeResult()
    try:
        records = read_events(file)
        with tqdm(unit=" events", file=sys.stderr, disable=None) as progress:
            position = 0
            while chunk := list(islice(records, chunk_size)):
                with database.transaction() as db:
                    result = event_service.ingest(db, chunk)
                total.add(result, index_offset=position)
                position += len(chunk)
                progress.update(len(chunk))
    except UnsupportedFile as error:
        fail(str(error))
    except OSError as error:
        fail(f"cannot read {file}: {error.strerror or error}")
    except SQLAlchemyError as error:
        fail(f"database error: {type(error).__name__}: {str(error).splitlines()[0]}")
    finally:
        database.dispose()

    typer.echo(
        f"accepted {total.accepted}, duplicate {total.duplicate}, refused {len(total.refused)}"
    )
    if total.accepted and not settings.jobs_immediate:
        typer.echo(
            "screening and policy checks of these events are queued for the background worker "
            "(goodstanding worker, or goodstanding serve)",
            err=True,
        )
    if refused_out is not None:
        try:
            with refused_out.open("w", encoding="utf-8") as out:
                for refusal in total.refused:
                    line = {
                        "position": refusal.index + 1,
                        "event_id": refusal.event_id,
                        "reason": refusal.reason,
                    }
                    out.write(json.dumps(line, ensure_ascii=False) + "\n")
        except OSError as error:
            fail(f"cannot write {refused_out}: {error.strerror or error}")
        if total.refused:
            typer.echo(f"refused records written to {refused_out}")
    elif total.refused:
        for refusal in total.refused[:5]:
            typer.echo(f"  record {refusal.index + 1}: {refusal.reason}", err=True)
        typer.echo("(use --refused-out PATH to keep every reason)", err=True)
