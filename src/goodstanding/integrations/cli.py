"""``goodstanding apikeys``: issue, list and revoke the keys integrations use."""

from __future__ import annotations

from typing import Annotated

import typer

from goodstanding.integrations.service import Scope, api_keys
from goodstanding.kit.cli import fail, open_database
from goodstanding.kit.errors import NotFound

app = typer.Typer(help="Issue, list and revoke API keys for the marketplace's systems.")


@app.command("create")
def create(
    name: Annotated[str, typer.Option(help="Who uses the key, e.g. 'order service'.")],
    scope: Annotated[
        list[Scope], typer.Option(help="A permission; repeat for several.", case_sensitive=False)
    ],
) -> None:
    """Issue a key. It is printed once and cannot be shown again."""
    with open_database().transaction() as db:
        issued = api_keys.issue(db, name=name, scopes=scope)
    typer.echo(issued.plaintext)


@app.command("list")
def list_keys() -> None:
    """Every key: prefix, name, scopes, last use, and whether it is revoked."""
    with open_database().transaction() as db:
        for key in api_keys.list(db):
            state = "revoked" if key.revoked_at else "active"
            last = key.last_used_at.isoformat() if key.last_used_at else "never"
            typer.echo(f"{key.prefix}  {state:7}  {key.name}  [{' '.join(key.scopes)}]  {last}")


@app.command("revoke")
def revoke(prefix: Annotated[str, typer.Argument(help="The key's prefix, from 'list'.")]) -> None:
    """Revoke a key at once."""
    try:
        with open_database().transaction() as db:
            api_keys.revoke(db, prefix)
    except NotFound as error:
        fail(error.detail, code=1)
    typer.echo(f"revoked {prefix}")
