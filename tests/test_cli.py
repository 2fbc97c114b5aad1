"""The command line: one plain line and a non-zero exit for every operator mistake."""

from __future__ import annotations

import os
import subprocess
import sys

from typer.testing import CliRunner

from goodstanding import __version__
from goodstanding.cli import app

runner = CliRunner()


def run_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "goodstanding", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=60,
    )


def test_version() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.output.strip() == f"goodstanding {__version__}"


def test_help_explains_each_command() -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in (
        "serve",
        "migrate",
        "worker",
        "demo",
        "apikeys",
        "policy",
        "documents",
        "events",
        "metrics",
        "audit",
        "screen",
        "models",
    ):
        assert command in result.output


def test_screen_listings_writes_one_row_per_listing(tmp_path) -> None:  # type: ignore[no-untyped-def]
    listings = tmp_path / "listings.csv"
    listings.write_text("title\nBlue cotton t-shirt for men\nGlock 19 pistol 9mm\n")
    result = runner.invoke(app, ["screen", "listings", str(listings)])
    assert result.exit_code == 0, result.output
    header, shirt, pistol = result.stdout.splitlines()
    assert header == "row,label,decision,score,evidence"
    assert shirt.split(",")[:3] == ["1", "none", "allow"]
    assert pistol.split(",")[:3] == ["2", "weapons", "block"]


def test_models_train_is_a_command() -> None:
    result = runner.invoke(app, ["models", "train", "--help"])
    assert result.exit_code == 0
    assert "--listings-data" in result.output


def test_bad_database_url_stops_with_one_line() -> None:
    result = run_cli("serve", env={"GOODSTANDING_DATABASE_URL": "nonsense://x"})
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "GOODSTANDING_DATABASE_URL" in lines[0]
    assert "Traceback" not in result.stderr + result.stdout


def test_bad_number_names_the_setting() -> None:
    result = run_cli("migrate", env={"GOODSTANDING_SMTP_PORT": "many"})
    assert result.returncode != 0
    assert result.stderr.strip() == (
        "goodstanding: invalid setting GOODSTANDING_SMTP_PORT: "
        "Input should be a valid integer, unable to parse string as an integer"
    )


def test_missing_config_file_is_named(tmp_path) -> None:  # type: ignore[no-untyped-def]
    result = run_cli("migrate", env={"GOODSTANDING_CONFIG": str(tmp_path / "absent.toml")})
    assert result.returncode != 0
    assert "GOODSTANDING_CONFIG" in result.stderr
    assert "Traceback" not in result.stderr


def test_config_file_is_read_and_env_wins(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from goodstanding.config import load_settings

    config = tmp_path / "goodstanding.toml"
    config.write_text('smtp_host = "mail.example"\nsmtp_port = 2525\n')
    os.environ["GOODSTANDING_CONFIG"] = str(config)
    os.environ["GOODSTANDING_SMTP_PORT"] = "587"
    try:
        settings = load_settings()
    finally:
        del os.environ["GOODSTANDING_CONFIG"], os.environ["GOODSTANDING_SMTP_PORT"]
    assert settings.smtp_host == "mail.example"
    assert settings.smtp_port == 587


def test_unreachable_postgres_is_one_line() -> None:
    result = run_cli(
        "serve", env={"GOODSTANDING_DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none"}
    )
    assert result.returncode != 0
    assert len(result.stderr.strip().splitlines()) == 1
    assert "cannot reach the database" in result.stderr
