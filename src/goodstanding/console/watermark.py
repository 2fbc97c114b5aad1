"""Watermark a document image with who is looking at it, before it leaves the server.

A screenshot or photo of the screen then still names the reviewer and the moment; the text is
tiled across the whole image, semi-transparent, so cropping one corner does not remove it.
"""

from __future__ import annotations

import io

from PIL import Image, ImageDraw, ImageFont

from goodstanding.kit.files import UploadKind

OPACITY = 110  # of 255: readable over the document without hiding it
ANGLE = 30


def watermark(image_bytes: bytes, text: str) -> bytes:
    """The image with ``text`` tiled diagonally over it, as PNG bytes."""
    with Image.open(io.BytesIO(image_bytes)) as opened:
        base = opened.convert("RGBA")
    size = max(12, min(base.size) // 18)
    font = ImageFont.load_default(size=size)
    left, top, right, bottom = (int(edge) for edge in font.getbbox(text))
    tile = Image.new("RGBA", (right - left + size * 2, (bottom - top) * 3), (0, 0, 0, 0))
    ImageDraw.Draw(tile).text((size, bottom - top), text, font=font, fill=(170, 0, 0, OPACITY))
    tile = tile.rotate(ANGLE, expand=True)
    layer = Image.new("RGBA", base.size, (0, 0, 0, 0))
    for y in range(-tile.height, base.height + tile.height, max(1, tile.height // 2)):
        offset = (y // max(1, tile.height // 2)) % 2 * (tile.width // 2)
        for x in range(-tile.width, base.width + tile.width, tile.width):
            layer.paste(tile, (x + offset, y), tile)
    marked = Image.alpha_composite(base, layer).convert("RGB")
    output = io.BytesIO()
    marked.save(output, format="PNG")
    return output.getvalue()


def is_image(kind: str) -> bool:
    return kind in (UploadKind.JPEG, UploadKind.PNG)
