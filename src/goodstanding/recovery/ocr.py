"""Read the MRZ from a picture of a document: PassportEye finds it, Tesseract reads it, and
mrz.parse_mrz decides whether what was read is a well-formed MRZ.

Tesseract's stock English model often reads the filler '<' as K, C or X and drops runs of fillers.
So the text is repaired where the MRZ's structure says what a character must be (digits in dates
and check digits, letters in codes and names, fillers after the name), and the region is read a few
ways until one reading passes every check digit. Check digits do not cover names: a name read here
can still carry an OCR error, which the reviewer's pre-check (compare_with_account) tolerates.
"""

from __future__ import annotations

import io
import re
import shutil
import warnings
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import numpy as np
from PIL import Image

from goodstanding.kit.files import UploadKind, inspect_upload
from goodstanding.recovery.mrz import (
    MrzFormat,
    MrzResult,
    character_classes,
    line_shape,
    parse_mrz,
)

TESSERACT_PACKAGE = "tesseract-ocr"
_TO_DIGIT = str.maketrans("OQDILZSBG", "001112586")
_TO_LETTER = str.maketrans("0125864", "OIZSBGA")
# What Tesseract's English model makes of fillers: a run starting '<<' that holds only these is
# the padding after the name, not more name.
_FILLER_NOISE = re.compile(r"<<[<KXCE]*$")
_SHORTEST_MRZ_LINE = 20


class OcrUnavailable(Exception):
    """The OCR engine is not installed on this machine."""


def _fit_width(line: str, width: int) -> str:
    """Grow or shrink the last run of fillers so the line has the format's width; OCR drops and
    invents fillers far more often than other characters. Check digits judge the result."""
    gap = width - len(line)
    if gap == 0:
        return line
    runs = list(re.finditer(r"<{2,}", line))
    if not runs:
        return line
    last = runs[-1]
    run_length = len(last.group()) + gap
    if run_length < 1:
        return line
    return line[: last.start()] + "<" * run_length + line[last.end() :]


def _clean_name_line(line: str, width: int) -> str:
    line = _FILLER_NOISE.sub(lambda noise: "<" * len(noise.group()), line)
    return line[:width].ljust(width, "<")


def repair_ocr_text(text: str) -> str | None:
    """Turn raw OCR output into MRZ lines of the right shape, or None if it has no MRZ shape."""
    lines = ["".join(line.split()).upper() for line in text.splitlines()]
    lines = [line for line in lines if len(line) >= _SHORTEST_MRZ_LINE or "<<" in line]
    if len(lines) < 2:
        return None
    # The widest of the last lines tells the format best: OCR loses fillers, rarely adds many.
    widest = max(len(line) for line in lines[-3:])
    visa = lines[-2].startswith("V")
    if widest <= 33 and len(lines) >= 3:
        fmt = MrzFormat.TD1
    elif widest <= 40:
        fmt = MrzFormat.MRVB if visa else MrzFormat.TD2
    else:
        fmt = MrzFormat.MRVA if visa else MrzFormat.TD3
    count, width = line_shape(fmt)
    lines = lines[-count:]
    name_line = 2 if fmt is MrzFormat.TD1 else 0
    lines = [
        _clean_name_line(line, width) if i == name_line else _fit_width(line, width)
        for i, line in enumerate(lines)
    ]
    joined = "".join(lines)
    classes = character_classes(fmt)
    if len(joined) != len(classes):
        return "\n".join(lines)  # parse_mrz will report the format failure
    fixed = "".join(
        char.translate(_TO_DIGIT)
        if kind == "n"
        else char.translate(_TO_LETTER)
        if kind == "a"
        else char
        for char, kind in zip(joined, classes, strict=True)
    )
    return "\n".join(fixed[i * width : (i + 1) * width] for i in range(count))


def _readings(image: bytes) -> Iterator[str]:
    """PassportEye's own reading first, then the region it found read again at other scales."""
    # PassportEye and scikit-image warn about their own deprecations on every call.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from passporteye.mrz.image import MRZPipeline
        from passporteye.util.ocr import ocr

        pipeline = MRZPipeline(io.BytesIO(image))
        found = pipeline.result
        if found is not None:
            yield str(found.aux["raw_text"])
        roi = pipeline["roi"]
        if roi is None:
            return
        gray = Image.fromarray((np.clip(roi, 0, 1) * 255).astype(np.uint8))
        for scale, binarise in ((2, False), (1, True), (2, True), (3, False)):
            variant = gray.resize(
                (gray.width * scale, gray.height * scale), Image.Resampling.LANCZOS
            )
            if binarise:
                variant = variant.point(lambda value: 255 if value > 128 else 0)
            yield str(ocr(np.asarray(variant)))


def _rank(result: MrzResult) -> tuple[bool, bool, int]:
    return (result.valid, result.format is not None, -len(result.failed_checks))


def read_mrz_from_bytes(image: bytes, *, today: date | None = None) -> MrzResult | None:
    """The best MRZ reading of a JPEG or PNG, or None when no MRZ is found on it.

    Raises RefusedUpload for a file that is not a safe JPEG/PNG, OcrUnavailable without Tesseract.
    """
    if shutil.which("tesseract") is None:
        raise OcrUnavailable(
            f"Tesseract is not installed; install the Debian package {TESSERACT_PACKAGE}"
        )
    safe = inspect_upload(image, allowed={UploadKind.JPEG, UploadKind.PNG})
    best: MrzResult | None = None
    for reading in _readings(safe.data_reencoded):
        repaired = repair_ocr_text(reading)
        if repaired is None:
            continue
        result = parse_mrz(repaired, today=today)
        if best is None or _rank(result) > _rank(best):
            best = result
        if best.valid:
            break
    return best


def read_mrz_from_image(path: Path | str, *, today: date | None = None) -> MrzResult | None:
    """Like read_mrz_from_bytes, for a file; OSError when it cannot be read."""
    return read_mrz_from_bytes(Path(path).read_bytes(), today=today)
