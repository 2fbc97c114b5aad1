"""Where the labelled data shared by the engineers lives: `<repo>/../shared/data`.

The data is not part of the repository (several sets are licensed for research only), so tests
that need it skip with a clear message when the folder is absent.
"""

import subprocess
import sys
from pathlib import Path

import pytest

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
SCRIPTS = Path(__file__).resolve().parents[1] / "scripts"


def shared_data_dir() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.skip(f"shared data folder absent: {SHARED_DATA}")
    return SHARED_DATA


def run_evaluation(script: str, *arguments: str | Path) -> subprocess.CompletedProcess[str]:
    """Run `scripts/<script>` (an evaluation that writes a section of docs/detection.md) in a
    fresh interpreter, as `make evaluate` does."""
    return subprocess.run(
        [sys.executable, str(SCRIPTS / script), *map(str, arguments)],
        capture_output=True,
        text=True,
        timeout=600,
    )
