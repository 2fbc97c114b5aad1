"""``goodstanding documents``: check an identity document's MRZ from text or from a picture.

Both commands print the MRZ result as JSON on stdout and exit 0 when the MRZ is well formed, 1 when
it is not (or none was found), 2 when the input itself is unusable.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, NoReturn

import typer

from goodstanding.kit.cli import fail
from goodstanding.kit.files import RefusedUpload
from goodstanding.recovery.mrz import MrzResult, parse_mrz
from goodstanding.recovery.ocr import OcrUnavailable, read_mrz_from_image

app = typer.Typer(help="Check identity documents' machine-readable zones (MRZ).")


def _print_and_exit(result: MrzResult) -> NoReturn:
    typer.echo(json.dumps(result.to_dict()))
    raise typer.Exit(0 if result.valid else 1)


@app.command("check-mrz")
def check_mrz() -> None:
    """Check the MRZ lines given on standard input (TD1, TD2, TD3, MRV-A or MRV-B)."""
    text = sys.stdin.read()
    if not text.strip():
        fail("no MRZ text on standard input; pipe in the 2 or 3 lines of the MRZ")
    _print_and_exit(parse_mrz(text))


@app.command("read-mrz")
def read_mrz(
    image: Annotated[Path, typer.Argument(help="A JPEG or PNG picture of the document.")],
) -> None:
    """Find and read the MRZ on a picture of a document, then check it."""
    try:
        result = read_mrz_from_image(image)
    except OSError as error:
        fail(f"cannot read {image}: {error.strerror or error}")
    except RefusedUpload as refused:
        fail(f"{image}: {refused.message}")
    except OcrUnavailable as error:
        fail(str(error))
    _print_and_exit(result or MrzResult.unread("mrz_not_found"))
