"""The evaluation script runs end to end on a sample (the full run is `make evaluate`)."""

from pathlib import Path

import pytest
from shared_data import run_evaluation, shared_data_dir

SCRIPT = "evaluate_reviews.py"


@pytest.mark.slow
def test_writes_its_section_and_pictures_on_a_sample(tmp_path: Path) -> None:
    data = shared_data_dir()
    docs = tmp_path / "detection.md"
    docs.write_text("# Detection quality\n\n## Restricted products\n\nkept as it is\n")
    images = tmp_path / "img"
    completed = run_evaluation(
        SCRIPT, "--data", data, "--sample", "12", "--docs", docs, "--images", images
    )
    assert completed.returncode == 0, completed.stderr[-2000:]
    document = docs.read_text()
    assert "## Restricted products\n\nkept as it is\n" in document
    assert "## Review manipulation" in document
    assert "false-positive rate" in document
    for domain in ("product", "hotel"):
        assert (images / f"reviews_{domain}_confusion.png").stat().st_size > 0


def test_missing_data_is_one_line(tmp_path: Path) -> None:
    completed = run_evaluation(SCRIPT, "--data", tmp_path, "--docs", tmp_path / "d.md")
    assert completed.returncode == 2
    assert completed.stderr.strip().startswith("evaluate_reviews: labelled review set not found")
    assert not (tmp_path / "d.md").exists()
