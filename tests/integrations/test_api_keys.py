from __future__ import annotations

import pytest
from sqlalchemy import select

from goodstanding.integrations.service import Scope, api_keys
from goodstanding.kit.db import Database
from goodstanding.kit.errors import Forbidden, Unauthorized
from goodstanding.models.api_key import ApiKey


class TestApiKeys:
    def test_issued_key_authenticates_for_its_scope(self, database: Database) -> None:
        with database.transaction() as db:
            issued = api_keys.issue(db, name="orders", scopes=[Scope.events_write])
        with database.transaction() as db:
            key = api_keys.authenticate(db, issued.plaintext, Scope.events_write)
            assert key.name == "orders"
            assert key.last_used_at is not None

    def test_only_a_hash_is_stored(self, database: Database) -> None:
        with database.transaction() as db:
            issued = api_keys.issue(db, name="orders", scopes=[Scope.events_write])
        secret = issued.plaintext.split("_", 2)[2]
        with database.transaction() as db:
            row = db.scalars(select(ApiKey)).one()
            assert secret not in (row.secret_hash, row.prefix)

    def test_other_scope_is_forbidden(self, database: Database) -> None:
        with database.transaction() as db:
            issued = api_keys.issue(db, name="orders", scopes=[Scope.events_write])
        with database.transaction() as db, pytest.raises(Forbidden):
            api_keys.authenticate(db, issued.plaintext, Scope.sellers_read)

    def test_revoked_and_tampered_keys_are_refused(self, database: Database) -> None:
        with database.transaction() as db:
            issued = api_keys.issue(db, name="orders", scopes=[Scope.events_write])
            api_keys.revoke(db, issued.key.prefix)
        with database.transaction() as db:
            for presented in (issued.plaintext, issued.plaintext[:-2] + "xx", "gs_nope", "x"):
                with pytest.raises(Unauthorized):
                    api_keys.authenticate(db, presented, Scope.events_write)


def test_cli_issues_lists_and_revokes(database_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from goodstanding.cli import app

    monkeypatch.setenv("GOODSTANDING_DATABASE_URL", database_url)
    runner = CliRunner()
    created = runner.invoke(
        app, ["apikeys", "create", "--name", "orders", "--scope", "events:write"]
    )
    assert created.exit_code == 0, created.output
    plaintext = created.output.strip()
    assert plaintext.startswith("gs_")
    prefix = plaintext.split("_")[1]
    listed = runner.invoke(app, ["apikeys", "list"])
    assert f"{prefix}  active" in listed.output
    assert runner.invoke(app, ["apikeys", "revoke", prefix]).exit_code == 0
    assert f"{prefix}  revoked" in runner.invoke(app, ["apikeys", "list"]).output
    missing = runner.invoke(app, ["apikeys", "revoke", "nope"])
    assert missing.exit_code == 1
