"""Safe intake of uploads: type by content, re-encoding, bombs, oversize and active PDFs."""

from __future__ import annotations

import io
import struct
import zlib
from collections.abc import Collection

import pytest
from PIL import Image
from pypdf import PdfWriter
from pypdf.generic import DictionaryObject, NameObject, TextStringObject

from goodstanding.kit.files import (
    MAX_IMAGE_SIDE,
    MAX_PDF_PAGES,
    MAX_UPLOAD_BYTES,
    RefusedUpload,
    UploadKind,
    inspect_upload,
)

SCRIPT = b"<script>alert(document.cookie)</script>"


def _jpeg(*, exif_note: str | None = None, size: tuple[int, int] = (64, 48)) -> bytes:
    image = Image.new("RGB", size, (200, 30, 30))
    out = io.BytesIO()
    if exif_note is None:
        image.save(out, format="JPEG")
    else:
        exif = Image.Exif()
        exif[0x010E] = exif_note  # ImageDescription
        exif[0x0112] = 6  # Orientation: rotate 90 degrees to display
        image.save(out, format="JPEG", exif=exif.tobytes())
    return out.getvalue()


def _png(size: tuple[int, int] = (40, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("L", size, 128).save(out, format="PNG")
    return out.getvalue()


def _png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def _bomb_png(side: int) -> bytes:
    """A 1-bit PNG of side x side pixels, all zero: a few kB on disk, gigapixels decoded."""
    row = b"\x00" * (1 + (side + 7) // 8)
    compressor = zlib.compressobj(9)
    body = b"".join(compressor.compress(row) for _ in range(side)) + compressor.flush()
    header = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", body)
        + _png_chunk(b"IEND", b"")
    )


def _pdf(pages: int = 1, *, javascript: bool = False, attachment: bool = False) -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=200, height=200)
    if javascript:
        writer._root_object[NameObject("/OpenAction")] = DictionaryObject(
            {
                NameObject("/S"): NameObject("/JavaScript"),
                NameObject("/JS"): TextStringObject("app.alert('hello');"),
            }
        )
    if attachment:
        writer.add_attachment("invoice.exe", b"MZ...")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _refusal(data: bytes, allowed: Collection[str] = frozenset(UploadKind)) -> RefusedUpload:
    with pytest.raises(RefusedUpload) as caught:
        inspect_upload(data, allowed=allowed)
    assert caught.value.message.endswith(".")
    return caught.value


class TestAccepted:
    def test_jpeg(self) -> None:
        safe = inspect_upload(_jpeg())
        assert (safe.kind, safe.width, safe.height, safe.pages) == (UploadKind.JPEG, 64, 48, None)
        assert Image.open(io.BytesIO(safe.data_reencoded)).format == "JPEG"

    def test_png(self) -> None:
        safe = inspect_upload(_png())
        assert (safe.kind, safe.width, safe.height) == (UploadKind.PNG, 40, 30)
        assert Image.open(io.BytesIO(safe.data_reencoded)).size == (40, 30)

    def test_pdf(self) -> None:
        safe = inspect_upload(_pdf(pages=3))
        assert (safe.kind, safe.pages) == (UploadKind.PDF, 3)
        assert safe.data_reencoded.startswith(b"%PDF-")


class TestRefused:
    def test_text_file_named_jpg(self) -> None:
        refused = _refusal(b"just some notes, saved as photo.jpg\n")
        assert refused.reason_code == "unknown_type"
        assert "whatever its name says" in refused.message

    def test_empty_file(self) -> None:
        assert _refusal(b"").reason_code == "empty"

    def test_fifty_megabyte_file(self) -> None:
        refused = _refusal(b"\xff\xd8\xff" + bytes(50 * 1024 * 1024))
        assert refused.reason_code == "too_large"
        assert "50.0 MB" in refused.message and "10.0 MB" in refused.message

    def test_type_not_allowed_here(self) -> None:
        refused = _refusal(_pdf(), allowed={"jpeg", "png"})
        assert refused.reason_code == "type_not_allowed"
        assert "JPEG or PNG" in refused.message

    def test_decompression_bomb_png(self) -> None:
        bomb = _bomb_png(20_000)
        assert len(bomb) < 200_000  # small on disk: 400 million pixels once decoded
        refused = _refusal(bomb)
        assert refused.reason_code == "image_too_large"

    def test_image_wider_than_the_side_limit(self) -> None:
        refused = _refusal(_png(size=(MAX_IMAGE_SIDE + 1, 2)))
        assert refused.reason_code == "image_too_large"
        assert str(MAX_IMAGE_SIDE) in refused.message

    def test_truncated_image(self) -> None:
        assert _refusal(_jpeg()[:200]).reason_code == "image_unreadable"

    def test_pdf_with_ten_thousand_pages(self) -> None:
        refused = _refusal(_pdf(pages=10_000))
        assert refused.reason_code == "pdf_too_many_pages"
        assert "10000 pages" in refused.message and str(MAX_PDF_PAGES) in refused.message

    def test_pdf_with_javascript(self) -> None:
        refused = _refusal(_pdf(javascript=True))
        assert refused.reason_code == "pdf_active_content"
        assert "JavaScript" in refused.message

    def test_pdf_with_embedded_file(self) -> None:
        assert _refusal(_pdf(attachment=True)).reason_code == "pdf_embedded_file"

    def test_encrypted_pdf(self) -> None:
        writer = PdfWriter()
        writer.add_blank_page(width=100, height=100)
        writer.encrypt("secret", algorithm="AES-256")
        out = io.BytesIO()
        writer.write(out)
        assert _refusal(out.getvalue()).reason_code == "pdf_encrypted"

    def test_broken_pdf(self) -> None:
        assert _refusal(b"%PDF-1.7\nnot really a pdf").reason_code == "pdf_unreadable"


class TestHiddenPayload:
    def test_script_appended_to_a_jpeg_is_refused(self) -> None:
        refusal = _refusal(_jpeg() + SCRIPT)
        assert refusal.reason_code == "hidden_payload"
        assert "extra data hidden after the picture" in str(refusal)

    def test_script_appended_to_a_png_is_refused(self) -> None:
        assert _refusal(_png() + SCRIPT).reason_code == "hidden_payload"

    def test_zero_padding_is_tolerated(self) -> None:
        assert inspect_upload(_png() + b"\x00" * 64).kind is UploadKind.PNG


class TestNeutralised:
    def test_exif_is_dropped(self) -> None:
        upload = _jpeg(exif_note="taken at 51.5N 0.1W")
        safe = inspect_upload(upload)
        assert b"51.5N" not in safe.data_reencoded
        reencoded = Image.open(io.BytesIO(safe.data_reencoded))
        assert not reencoded.getexif()
        # The orientation was applied to the pixels before the tag was dropped.
        assert (safe.width, safe.height) == (48, 64) == reencoded.size

    def test_script_appended_to_a_pdf_is_dropped(self) -> None:
        safe = inspect_upload(_pdf() + SCRIPT)
        assert SCRIPT not in safe.data_reencoded

    def test_upload_limit_default(self) -> None:
        assert MAX_UPLOAD_BYTES == 10 * 1024 * 1024
