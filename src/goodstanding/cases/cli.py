"""``goodstanding audit``: check that nobody edited or deleted the staff audit trail."""

from __future__ import annotations

from typing import Annotated

import typer

from goodstanding.cases.audit import audit_log
from goodstanding.kit.cli import fail, open_database

app = typer.Typer(help="Check the staff audit trail.")


@app.callback()
def audit() -> None:
    """Check the staff audit trail (a group, so `audit verify` stays a subcommand)."""


@app.command("verify")
def verify(
    expect_head: Annotated[
        str | None,
        typer.Option(
            help="A head hash printed by an earlier run: it must still be in the chain, which "
            "also catches entries cut from the end."
        ),
    ] = None,
) -> None:
    """Recompute every entry's hash and link; exit 1 naming each entry that does not hold."""
    with open_database().transaction() as db:
        report = audit_log.verify(db)
        problems = [f"entry {problem.seq}: {problem.problem}" for problem in report.problems]
        if expect_head is not None and not audit_log.contains_hash(db, expect_head):
            problems.append(f"the earlier head {expect_head} is gone: entries were deleted")
    for problem in problems:
        typer.echo(problem, err=True)
    if problems:
        fail(f"audit trail broken ({len(problems)} problems)", code=1)
    typer.echo(f"audit trail intact: {report.count} entries, head {report.head_hash}")
