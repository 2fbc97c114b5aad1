"""``goodstanding documents``: JSON on stdout; exit 0 valid, 1 invalid, 2 (one line) bad input."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from shared_data import shared_data_dir
from typer.testing import CliRunner

from goodstanding.recovery.cli import app

runner = CliRunner()
ICAO_TD3 = (
    "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10\n"
)


class TestCheckMrz:
    def test_valid_mrz(self) -> None:
        result = runner.invoke(app, ["check-mrz"], input=ICAO_TD3)
        assert result.exit_code == 0
        body = json.loads(result.stdout)
        assert body["valid"] is True and body["format"] == "TD3"
        assert set(body) == {"valid", "format", "failed_checks", "fields", "expired"}

    def test_invalid_mrz(self) -> None:
        result = runner.invoke(app, ["check-mrz"], input=ICAO_TD3.replace("<10", "<11"))
        assert result.exit_code == 1
        assert json.loads(result.stdout)["failed_checks"] == ["composite_check_digit"]

    def test_text_that_is_no_mrz(self) -> None:
        result = runner.invoke(app, ["check-mrz"], input="hello\n")
        assert result.exit_code == 1
        assert json.loads(result.stdout)["failed_checks"] == ["format"]

    def test_empty_stdin_is_a_usage_error(self) -> None:
        result = runner.invoke(app, ["check-mrz"], input=" \n")
        assert result.exit_code == 2
        assert result.stdout == ""
        assert len(result.stderr.strip().splitlines()) == 1
        assert "no MRZ text on standard input" in result.stderr

    def test_every_specimen(self) -> None:
        for line in (shared_data_dir() / "mrz" / "mrz_specimens.jsonl").read_text().splitlines():
            specimen = json.loads(line)
            result = runner.invoke(app, ["check-mrz"], input=specimen["mrz"])
            assert result.exit_code == (0 if json.loads(result.stdout)["valid"] else 1)


class TestReadMrz:
    def test_missing_file(self, tmp_path: Path) -> None:
        result = runner.invoke(app, ["read-mrz", str(tmp_path / "nope.png")])
        assert result.exit_code == 2
        assert len(result.stderr.strip().splitlines()) == 1
        assert "cannot read" in result.stderr and "Traceback" not in result.output

    def test_file_that_is_not_a_picture(self, tmp_path: Path) -> None:
        if shutil.which("tesseract") is None:
            pytest.skip("tesseract binary missing: install the Debian package tesseract-ocr")
        text = tmp_path / "scan.jpg"
        text.write_text("not a picture")
        result = runner.invoke(app, ["read-mrz", str(text)])
        assert result.exit_code == 2
        assert "not a JPEG, PNG or PDF" in result.stderr

    @pytest.mark.slow
    def test_picture_without_mrz(self, tmp_path: Path) -> None:
        if shutil.which("tesseract") is None:
            pytest.skip("tesseract binary missing: install the Debian package tesseract-ocr")
        from PIL import Image

        blank = tmp_path / "blank.png"
        Image.new("L", (600, 400), 255).save(blank)
        result = runner.invoke(app, ["read-mrz", str(blank)])
        assert result.exit_code == 1
        body = json.loads(result.stdout)
        assert body["valid"] is False and body["failed_checks"] == ["mrz_not_found"]
