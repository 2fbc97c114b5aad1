"""Measure MRZ reading on the specimen images paired with ground-truth strings.

Run: .venv/bin/python tests/recovery/eval_ocr.py  (a few minutes; not part of the test suite)
A read counts as correct when it is valid and every field equals the ground truth's; pairs whose
image is known not to show the string (`image_match` says MISMATCH) are reported apart.
"""

from __future__ import annotations

import json
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import date
from pathlib import Path

from goodstanding.recovery.mrz import MrzResult, parse_mrz
from goodstanding.recovery.ocr import read_mrz_from_image

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "mrz"
TODAY = date(2026, 1, 1)


def _read(image: str) -> tuple[MrzResult | None, float]:
    started = time.perf_counter()
    result = read_mrz_from_image(DATA / image, today=TODAY)
    return result, time.perf_counter() - started


def main() -> int:
    pairs = []
    for line in (DATA / "mrz_specimens.jsonl").read_text().splitlines():
        record = json.loads(line)
        for image in (record["image"] or "").split("|"):
            if image:
                pairs.append((image, record))
    with ProcessPoolExecutor(2) as pool:
        readings = list(pool.map(_read, [image for image, _ in pairs]))
    correct = names = valid = comparable = 0
    for (image, record), (result, seconds) in zip(pairs, readings, strict=True):
        truth = parse_mrz(record["mrz"], today=TODAY)
        mismatch = str(record["image_match"] or "").startswith("MISMATCH")
        data_fields = {**truth.to_dict()["fields"], "surname": None, "given_names": None}
        read = {} if result is None else result.to_dict()["fields"]
        same = (
            result is not None
            and result.valid
            and {**read, "surname": None, "given_names": None} == data_fields
        )
        names_same = result is not None and result.fields == truth.fields
        comparable += not mismatch
        correct += same and not mismatch
        names += same and names_same and not mismatch
        valid += result is not None and result.valid
        summary = "not found" if result is None else json.dumps(result.to_dict())
        flag = "MISMATCH-PAIR" if mismatch else ("OK" if same else "WRONG")
        flag += "" if mismatch or not same or names_same else "/NAME"
        print(f"{flag:13} {seconds:5.1f}s {image}: {summary}")
    print(f"valid, all fields but names equal to ground truth: {correct}/{comparable} pairs")
    print(f"valid, every field (names too) equal: {names}/{comparable} pairs")
    print(f"valid reads (all check digits pass): {valid}/{len(pairs)} images")
    return 0


if __name__ == "__main__":
    sys.exit(main())
