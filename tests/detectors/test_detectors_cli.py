"""The detectors' command module and hooks: mounted by the root command, cheap to import."""

from __future__ import annotations

import subprocess
import sys

from typer.testing import CliRunner

from goodstanding.detectors.cli import models_app, screen_app

HEAVY_MODULES = ("torch", "sentence_transformers", "transformers")


def imported_after(code: str) -> list[str]:
    """The heavy modules a fresh interpreter has loaded after running ``code``."""
    probe = f"{code}\nimport sys\nprint(' '.join(m for m in {HEAVY_MODULES!r} if m in sys.modules))"
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=120
    )
    return result.stdout.split()


def test_importing_the_commands_loads_no_embedding_model() -> None:
    assert imported_after("import goodstanding.detectors.cli") == []


def test_the_root_command_starts_without_scikit_learn() -> None:
    # Every `goodstanding` command imports the detectors' commands to list them.
    probe = "import goodstanding.cli, sys; print('sklearn' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=120
    )
    assert result.stdout.strip() == "False"


def test_resolving_the_event_hooks_loads_no_embedding_model() -> None:
    code = (
        "from goodstanding.events.hooks import hooks_for\n"
        "assert hooks_for('listing.created') and hooks_for('review.posted')"
    )
    assert imported_after(code) == []


def test_screen_has_listings_and_reviews() -> None:
    result = CliRunner().invoke(screen_app, ["--help"])
    assert result.exit_code == 0
    assert "listings" in result.output and "reviews" in result.output


def test_models_train_names_both_training_sets() -> None:
    result = CliRunner().invoke(models_app, ["train", "--help"])
    assert result.exit_code == 0
    assert "--listings-data" in result.output and "--reviews-data" in result.output


def test_screen_listings_reports_a_missing_file_in_one_line() -> None:
    result = CliRunner().invoke(screen_app, ["listings", "/nonexistent/listings.csv"])
    assert result.exit_code != 0
    assert "no such file" in result.output
    assert "Traceback" not in result.output
