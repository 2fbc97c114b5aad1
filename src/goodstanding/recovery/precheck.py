"""The automatic pre-check of an identity document, shown to the reviewer (it never decides).

Reads the MRZ of the document picture through OCR, validates it (check digits, dates, codes,
expiry; recovery/mrz.py) and compares the name with the account (``compare_with_account``). The
result is plain JSON stored on the case.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from goodstanding.kit.files import RefusedUpload, UploadKind
from goodstanding.recovery.mrz import compare_with_account
from goodstanding.recovery.ocr import OcrUnavailable, read_mrz_from_bytes


def precheck_files(
    files: Sequence[tuple[str, str, bytes]], *, account_name: str, today: date
) -> dict[str, Any]:
    """``files`` are (role, kind, plain bytes); only the document (not the selfie) is read."""
    document = next(((kind, data) for role, kind, data in files if role == "document"), None)
    if document is None:
        return {"mrz": None, "findings": [], "note": "no document"}
    kind, data = document
    if kind == UploadKind.PDF:
        return {"mrz": None, "findings": [], "note": "pdf_not_read"}
    try:
        result = read_mrz_from_bytes(data, today=today)
    except OcrUnavailable:
        return {"mrz": None, "findings": [], "note": "ocr_unavailable"}
    except RefusedUpload:
        return {"mrz": None, "findings": [], "note": "image_unreadable"}
    if result is None:
        return {"mrz": None, "findings": [], "note": "mrz_not_found"}
    findings = [
        {"code": finding.code, "message": finding.message}
        for finding in compare_with_account(result.fields, account_name, None)
        if finding.code != "account_birth_date_missing"  # accounts do not record a birth date
    ]
    return {"mrz": result.to_dict(), "findings": findings, "note": None}
