"""Safe intake of uploaded files (identity documents, appeal evidence).

An upload is typed by its content, never by its name or declared type. Images are decoded and
written out again, so what we keep is only pixels: EXIF (with its GPS position), text chunks and
anything appended after the image's end are gone. PDFs are refused when they can act (JavaScript,
launch actions) or carry other files, and are rewritten keeping only the objects the document uses.
"""

from __future__ import annotations

import io
import warnings
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from PIL import Image, ImageOps
from pypdf import PdfReader, PdfWriter
from pypdf.errors import PdfReadError
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
# A phone photo is at most a few thousand pixels a side; beyond this it is a trap, not a document.
MAX_IMAGE_SIDE = 12_000
MAX_PDF_PAGES = 20
JPEG_QUALITY = 92


class UploadKind(StrEnum):
    JPEG = "jpeg"
    PNG = "png"
    PDF = "pdf"


_SIGNATURES = (
    (b"\xff\xd8\xff", UploadKind.JPEG),
    (b"\x89PNG\r\n\x1a\n", UploadKind.PNG),
    (b"%PDF-", UploadKind.PDF),
)
_PILLOW_FORMATS = {UploadKind.JPEG: "JPEG", UploadKind.PNG: "PNG"}

# PDF names that make a document do something when opened, or carry another file.
_SCRIPT_NAMES = {"/JS", "/JavaScript"}
_ACTIVE_ACTIONS = {"/JavaScript", "/Launch", "/ImportData", "/SubmitForm", "/RichMediaExecute"}
_EMBEDDED_FILE_NAMES = {"/EmbeddedFiles", "/EmbeddedFile", "/RichMedia"}


@dataclass(frozen=True, slots=True)
class SafeFile:
    kind: UploadKind
    data_reencoded: bytes
    width: int | None = None  # images only
    height: int | None = None
    pages: int | None = None  # PDFs only


class RefusedUpload(Exception):
    """The upload is not accepted; ``message`` is written for the person who sent it."""

    def __init__(self, reason_code: str, message: str) -> None:
        super().__init__(message)
        self.reason_code = reason_code
        self.message = message


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


def sniff_kind(data: bytes) -> UploadKind | None:
    """The file's type from its first bytes, or None when it is none we accept."""
    return next((kind for magic, kind in _SIGNATURES if data.startswith(magic)), None)


def inspect_upload(
    data: bytes,
    *,
    max_bytes: int = MAX_UPLOAD_BYTES,
    allowed: Collection[str] = frozenset(UploadKind),
) -> SafeFile:
    """Check an upload; return a re-encoded copy safe to store and show, or raise RefusedUpload."""
    if not data:
        raise RefusedUpload("empty", "The file is empty.")
    if len(data) > max_bytes:
        raise RefusedUpload(
            "too_large",
            f"The file is {_megabytes(len(data))}; the largest we accept is "
            f"{_megabytes(max_bytes)}.",
        )
    kind = sniff_kind(data)
    accepted = " or ".join(sorted(name.upper() for name in allowed))
    if kind is None:
        raise RefusedUpload(
            "unknown_type",
            f"The file is not a JPEG, PNG or PDF, whatever its name says. Please send {accepted}.",
        )
    if kind not in allowed:
        raise RefusedUpload(
            "type_not_allowed",
            f"{kind.upper()} files are not accepted here. Please send {accepted}.",
        )
    if kind is UploadKind.PDF:
        return _inspect_pdf(data)
    _refuse_hidden_payload(data, kind)
    return _reencode_image(data, kind)


# Where each image format ends; anything after it is no part of the picture.
_IMAGE_END = {UploadKind.JPEG: b"\xff\xd9", UploadKind.PNG: b"IEND\xaeB`\x82"}


def _refuse_hidden_payload(data: bytes, kind: UploadKind) -> None:
    """Refuse bytes after the image's end marker: a script or archive riding along (a polyglot).

    Re-encoding would drop them anyway; refusing says plainly that the file is not what it seems.
    Padding with zero bytes, which some scanners add, is tolerated.
    """
    marker = _IMAGE_END[kind]
    end = data.rfind(marker)
    if end != -1 and data[end + len(marker) :].strip(b"\x00\r\n\t "):
        raise RefusedUpload(
            "hidden_payload",
            "The file has extra data hidden after the picture. Please send the original photo "
            "or scan, not an edited file.",
        )


def _reencode_image(data: bytes, kind: UploadKind) -> SafeFile:
    too_large = RefusedUpload(
        "image_too_large",
        f"The image's dimensions are too large: we accept at most {MAX_IMAGE_SIDE} pixels a side "
        "and no more pixels in all than a large camera photo.",
    )
    unreadable = RefusedUpload(
        "image_unreadable", f"The file starts like a {kind.upper()} image but cannot be read."
    )
    try:
        # Pillow only warns between MAX_IMAGE_PIXELS and twice that; a bomb must be an error.
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=[_PILLOW_FORMATS[kind]]) as image:
                if max(image.size) > MAX_IMAGE_SIDE:
                    raise too_large
                image.load()
                # Turn the picture upright before the EXIF orientation tag is dropped.
                upright = ImageOps.exif_transpose(image)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise too_large from None
    except (OSError, SyntaxError, ValueError):
        raise unreadable from None

    if kind is UploadKind.JPEG and upright.mode not in ("RGB", "L"):
        upright = upright.convert("RGB")
    # Pillow writes some of info (ICC profile, EXIF) back on save: keep only what pixels need.
    upright.info = {key: upright.info[key] for key in ("transparency",) if key in upright.info}
    out = io.BytesIO()
    if kind is UploadKind.JPEG:
        upright.save(out, format="JPEG", quality=JPEG_QUALITY)
    else:
        upright.save(out, format="PNG")
    return SafeFile(kind, out.getvalue(), width=upright.width, height=upright.height)


def _inspect_pdf(data: bytes) -> SafeFile:
    unreadable = RefusedUpload("pdf_unreadable", "The file starts like a PDF but cannot be read.")
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise RefusedUpload(
                "pdf_encrypted",
                "The PDF is protected by a password. Please send it without the protection.",
            )
        page_count = _declared_page_count(reader)
        if page_count <= MAX_PDF_PAGES:
            # The declared count may lie; walking the page tree counts for real.
            page_count = len(reader.pages)
        if page_count > MAX_PDF_PAGES:
            raise RefusedUpload(
                "pdf_too_many_pages",
                f"The PDF has {page_count} pages; the most we accept is {MAX_PDF_PAGES}.",
            )
        if page_count == 0:
            raise unreadable
        _refuse_active_content(reader.trailer)
        writer = PdfWriter(clone_from=reader)
        out = io.BytesIO()
        writer.write(out)
    except RefusedUpload:
        raise
    except (PdfReadError, OSError, ValueError, KeyError, TypeError, AttributeError, RecursionError):
        raise unreadable from None
    return SafeFile(UploadKind.PDF, out.getvalue(), pages=page_count)


def _declared_page_count(reader: PdfReader) -> int:
    pages = reader.root_object.get("/Pages")
    pages = pages.get_object() if pages is not None else None
    count = pages.get("/Count") if isinstance(pages, DictionaryObject) else None
    return count if isinstance(count, int) else 0


def _refuse_active_content(trailer: DictionaryObject) -> None:
    for key, value in _walk(trailer):
        if key in _SCRIPT_NAMES or (key == "/S" and value in _ACTIVE_ACTIONS) or key == "/XFA":
            raise RefusedUpload(
                "pdf_active_content",
                "The PDF contains JavaScript or other actions that run when it is opened; "
                "please send a plain PDF (for example, print it to PDF again).",
            )
        if key in _EMBEDDED_FILE_NAMES or value == "/FileAttachment":
            raise RefusedUpload(
                "pdf_embedded_file",
                "The PDF carries other files inside it; please send the document alone.",
            )


def _walk(root: Any) -> Iterator[tuple[str, Any]]:
    """Every (key, value) of every dictionary reachable from root, each object visited once."""
    seen: set[tuple[int, int]] = set()
    stack: list[Any] = [root]
    while stack:
        node = stack.pop()
        if isinstance(node, IndirectObject):
            ref = (node.idnum, node.generation)
            if ref in seen:
                continue
            seen.add(ref)
            node = node.get_object()
        if isinstance(node, DictionaryObject):
            for key, value in node.items():
                resolved = value.get_object() if isinstance(value, IndirectObject) else value
                yield str(key), resolved if isinstance(resolved, NameObject) else None
                stack.append(value)
        elif isinstance(node, ArrayObject):
            stack.extend(node)
