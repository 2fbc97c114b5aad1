"""MRZ from pictures: the repair of raw OCR text (pure), and real reads with Tesseract."""

from __future__ import annotations

import io
import json
import shutil
from datetime import date
from typing import Any

import pytest
from PIL import Image
from shared_data import shared_data_dir

from goodstanding.kit.files import RefusedUpload
from goodstanding.recovery.mrz import parse_mrz
from goodstanding.recovery.ocr import read_mrz_from_bytes, read_mrz_from_image, repair_ocr_text

TODAY = date(2026, 1, 1)
needs_tesseract = pytest.mark.skipif(
    shutil.which("tesseract") is None,
    reason="tesseract binary missing: install the Debian package tesseract-ocr",
)


class TestRepairOcrText:
    # Readings Tesseract really produced on the ICAO specimens (O for 0, K for '<', lost fillers).
    def test_letters_and_digits_swapped_by_ocr_are_put_back(self) -> None:
        raw = (
            "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<K<K<KKKKK\n"
            "L898902C36UT07408122F1204159ZE184226B<<<<<1O"
        )
        repaired = repair_ocr_text(raw)
        assert repaired is not None
        result = parse_mrz(repaired, today=TODAY)
        assert result.valid
        assert result.fields.issuing_country == "UTO"
        assert result.fields.given_names == "ANNA MARIA"

    def test_dropped_fillers_are_restored_from_the_check_digits(self) -> None:
        raw = "I<MCO029067<<<O<<<<\n9901018FO903248MCO<<<<<<<<<<<O\nSPECIMEN<<SPECIMEN<<<<<KK<KK"
        result = parse_mrz(repair_ocr_text(raw) or "", today=TODAY)
        assert result.valid, result.failed_checks
        assert result.fields.document_number == "029067"

    def test_junk_lines_above_the_mrz_are_ignored(self) -> None:
        raw = (
            "ANAL\nSME NGATINEAU YO\n\n"
            "VCFRASPECIMEN<<SPECIMEN<<<<<<<<<KKKK\nF000000005UT00311063M1401143<M300703"
        )
        result = parse_mrz(repair_ocr_text(raw) or "", today=TODAY)
        assert result.valid
        assert result.format == "MRVB"

    def test_text_without_an_mrz_shape(self) -> None:
        assert repair_ocr_text("") is None
        assert repair_ocr_text("a receipt\nTOTAL 12.50") is None


def _specimen_truth(image: str) -> dict[str, Any]:
    for line in (shared_data_dir() / "mrz" / "mrz_specimens.jsonl").read_text().splitlines():
        record = json.loads(line)
        if image in (record["image"] or "").split("|"):
            return parse_mrz(str(record["mrz"]), today=TODAY).to_dict()
    raise AssertionError(f"{image} has no ground truth")


@needs_tesseract
@pytest.mark.slow
class TestReadMrzFromImage:
    @pytest.mark.parametrize(
        "image", ["images/mrz/passports/Czech_Republic.png", "images/mrz/visas/France.png"]
    )
    def test_specimen_is_read_as_printed(self, image: str) -> None:
        result = read_mrz_from_image(shared_data_dir() / "mrz" / image, today=TODAY)
        assert result is not None
        assert result.to_dict() == _specimen_truth(image)

    def test_picture_without_an_mrz(self) -> None:
        out = io.BytesIO()
        Image.new("L", (600, 400), 255).save(out, format="PNG")
        assert read_mrz_from_bytes(out.getvalue(), today=TODAY) is None


class TestUnusableInput:
    def test_not_an_image(self) -> None:
        if shutil.which("tesseract") is None:
            pytest.skip("tesseract binary missing: install the Debian package tesseract-ocr")
        with pytest.raises(RefusedUpload):
            read_mrz_from_bytes(b"%PDF-1.7 not a picture")
