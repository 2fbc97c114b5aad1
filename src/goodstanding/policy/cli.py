"""``goodstanding policy``: check a policy file, and try it on sellers' inputs before it is live."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError
from sqlalchemy.exc import SQLAlchemyError

from goodstanding.kit.cli import fail, open_database
from goodstanding.policy.inputs import SellerInputs
from goodstanding.policy.policy_center import standing_table_markdown
from goodstanding.policy.schema import PolicyFileError, PolicySet, load_policies
from goodstanding.policy.simulate import SimulationReport, simulate

app = typer.Typer(help="Check policy files and simulate them in shadow mode.")

PolicyFileArgument = Annotated[
    Path | None,
    typer.Argument(help="Operator override file merged over the shipped defaults.", dir_okay=False),
]


@app.command("check")
def check(file: PolicyFileArgument = None) -> None:
    """Validate the defaults and an override file; every problem names its file and line."""
    policies = load_policies_or_exit(file)
    typer.echo(
        f"{len(policies.policies)} policies enabled, from {', '.join(map(str, policies.sources))}"
    )


@app.command("simulate")
def simulate_command(
    file: PolicyFileArgument = None,
    inputs: Annotated[
        Path | None,
        typer.Option(
            help="JSON Lines of seller inputs, one object per seller and day. Without it, the "
            "sellers stored in the database are read.",
            dir_okay=False,
        ),
    ] = None,
    days: Annotated[
        int,
        typer.Option(help="Days of stored history to replay, ending today.", min=1, max=3650),
    ] = 1,
) -> None:
    """How many sellers each rule would hit, with nothing acted on."""
    policies = load_policies_or_exit(file)
    if inputs is None:
        report = _simulate_stored(policies, days)
    else:
        try:
            report = simulate(policies, _read_inputs(inputs))
        except OSError as error:
            fail(f"cannot read {inputs}: {error.strerror or error}")
    typer.echo(f"{report.sellers_seen} sellers, {report.inputs_seen} inputs")
    typer.echo(f"{'policy':32} {'mode':6} {'hit':>7} {'automatic':>9} {'review':>7}")
    for rule in report.rules:
        mode = "shadow" if rule.shadow else "live"
        typer.echo(
            f"{rule.policy_id:32} {mode:6} {rule.sellers_hit:>7} {rule.automatic:>9} "
            f"{rule.for_review:>7}"
        )


@app.command("standing-table")
def standing_table() -> None:
    """Print what each standing allows as Markdown (the table in docs/policies.md)."""
    typer.echo(standing_table_markdown(), nl=False)


def _simulate_stored(policies: PolicySet, days: int) -> SimulationReport:
    """Replay the stored sellers over the last ``days`` days, read-only: rolled back at the end."""
    from goodstanding.policy.service import stored_history_inputs

    database = open_database()
    try:
        with database.sessions() as db:
            try:
                return simulate(policies, stored_history_inputs(db, days=days))
            finally:
                db.rollback()
    except SQLAlchemyError as error:
        fail(f"cannot read the stored history: {type(error).__name__}: {error}".splitlines()[0])
    finally:
        database.dispose()


def load_policies_or_exit(file: Path | None) -> PolicySet:
    """The shipped policies with ``file`` merged over them; a bad file ends the command with its
    first problem on one line."""
    try:
        return load_policies(file)
    except PolicyFileError as error:
        first, more = error.problems[0], len(error.problems) - 1
        fail(str(first) + (f" (and {more} more problems)" if more else ""))


def _read_inputs(path: Path) -> Iterator[SellerInputs]:
    with path.open(encoding="utf-8") as stream:
        for number, line in enumerate(stream, start=1):
            if not line.strip():
                continue
            try:
                yield SellerInputs.model_validate_json(line)
            except ValidationError as error:
                detail = error.errors()[0]
                where = ".".join(str(part) for part in detail["loc"]) or "line"
                fail(f"{path}:{number}: {where}: {detail['msg']}")
