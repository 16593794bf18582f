"""Small images the kit makes itself (PNG, with zlib and struct: no download, no new dependency), as content blocks.

An image's token estimate (`image_tokens`, `block_image_tokens`, `size_of`) is the bill's (helpers.api.bill), re-exported here.
"""

from __future__ import annotations

import base64
import struct
import zlib
from pathlib import Path
from typing import Any

from .api.bill import block_image_tokens, image_tokens  # re-exported: the one formula lives in the bill
from .api.bill import image_size as size_of
from .config import REPO_ROOT

__all__ = ["SAMPLE_IMAGE", "block_image_tokens", "flags", "image_block", "image_tokens", "png", "size_of"]
Pixel = tuple[int, int, int]
SAMPLE_IMAGE = REPO_ROOT / "data" / "flag.png"  # made by flags(); tests/test_tools.py checks it is


def png(rows: list[list[Pixel]]) -> bytes:
    """The PNG bytes of an RGB image given as rows of (r, g, b) pixels."""
    height, width = len(rows), len(rows[0])
    raw = b"".join(b"\x00" + bytes(channel for pixel in row for channel in pixel) for row in rows)

    def chunk(kind: bytes, data: bytes) -> bytes:
        """One PNG chunk: length, type, data, CRC."""
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")


FRAME: Pixel = (90, 90, 90)  # a grey frame, so the white stripe stays visible on a white page


def flags(width: int = 300, height: int = 200, frame: int = 4) -> bytes:
    """The kit's sample picture: three vertical stripes, red, white and blue, in a thin grey frame.

    300 x 200 px: no edge under the 200 px below which the vision docs warn answers may degrade (IMAGE_MIN_EDGE).
    """
    colours: list[Pixel] = [(200, 30, 40), (255, 255, 255), (30, 60, 170)]

    def pixel(x: int, y: int) -> Pixel:
        """One pixel: the frame at the edges, else the stripe it falls in."""
        if min(x, y, width - 1 - x, height - 1 - y) < frame:
            return FRAME
        return colours[min(2, 3 * x // width)]

    return png([[pixel(x, y) for x in range(width)] for y in range(height)])


def image_block(path: str | Path) -> dict[str, Any]:
    """An image content block (base64 PNG) from a file."""
    data = base64.standard_b64encode(Path(path).read_bytes()).decode("ascii")
    return {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": data}}
