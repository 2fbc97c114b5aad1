"""``goodstanding policy``: check a policy file, and try it on sellers' inputs before it is live."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError

from goodstanding.kit.cli import fail
from goodstanding.policy.inputs import SellerInputs
from goodstanding.policy.schema import PolicyFileError, PolicySet, load_policies
from goodstanding.policy.simulate import simulate

app = typer.Typer(help="Check policy files and simulate them in shadow mode.")

PolicyFileArgument = Annotated[
    Path | None,
    typer.Argument(help="Operator override file merged over the shipped defaults.", dir_okay=False),
]


@app.command("check")
def check(file: PolicyFileArgument = None) -> None:
    """Validate the defaults and an override file; every problem names its file and line."""
    policies = _load_or_exit(file)
    typer.echo(
        f"{len(policies.policies)} policies enabled, from {', '.join(map(str, policies.sources))}"
    )


@app.command("simulate")
def simulate_command(
    inputs: Annotated[
        Path,
        typer.Option(
            help="JSON Lines of seller inputs, one object per seller and day.", dir_okay=False
        ),
    ],
    file: PolicyFileArgument = None,
) -> None:
    """How many sellers each rule would hit, with nothing acted on."""
    policies = _load_or_exit(file)
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


def _load_or_exit(file: Path | None) -> PolicySet:
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
