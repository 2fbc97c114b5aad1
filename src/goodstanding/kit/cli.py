"""Helpers every command uses: one-line failures, validated settings, the database."""

from __future__ import annotations

from typing import NoReturn

import typer

from goodstanding.config import Settings, SettingsError, load_settings
from goodstanding.kit.db import Database
from goodstanding.kit.logging import configure_logging

# Operator commands print their results on standard output, so logs go to standard error, and only
# warnings unless a command (serve, worker) sets its own level from the settings.
configure_logging(json_format=False, level="warning")


def fail(message: str, code: int = 2) -> NoReturn:
    """One plain line on stderr and a non-zero exit: what operators see instead of a traceback."""
    typer.echo(f"goodstanding: {message}", err=True)
    raise typer.Exit(code)


def settings_or_exit(**overrides: object) -> Settings:
    try:
        return load_settings(**overrides)
    except SettingsError as error:
        fail(str(error))


def open_database() -> Database:
    return Database(settings_or_exit().sqlalchemy_url)
