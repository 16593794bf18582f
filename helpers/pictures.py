"""Small images the kit makes itself (PNG, with zlib and struct: no download, no new dependency), as content blocks."""

from __future__ import annotations

import base64
import math
import struct
import zlib
from pathlib import Path
from typing import Any

from .api_facts import IMAGE_MAX_EDGE, IMAGE_TOKENS_DIVISOR
from .config import REPO_ROOT

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


def size_of(data: bytes) -> tuple[int, int]:
    """A PNG's width and height, read from its IHDR chunk."""
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("Not a PNG image: the kit reads the size of PNG images only.")
    width, height = struct.unpack(">II", data[16:24])
    return int(width), int(height)


def image_tokens(width: int, height: int) -> int:
    """The documented estimate of an image's input tokens: width * height / 750, after scaling to the long-edge limit."""
    scale = min(1.0, IMAGE_MAX_EDGE.value / max(width, height))
    return max(1, math.ceil(width * scale * height * scale / IMAGE_TOKENS_DIVISOR.value))  # the docs' table rounds up


def image_block(path: str | Path) -> dict[str, Any]:
    """An image content block (base64 PNG) from a file."""
    data = base64.standard_b64encode(Path(path).read_bytes()).decode("ascii")
    return {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": data}}


def block_image_tokens(block: dict[str, Any]) -> int | None:
    """The documented token estimate of a base64 PNG image block, or None when its size cannot be read offline."""
    source = block.get("source") or {}
    if source.get("type") != "base64" or source.get("media_type") != "image/png":
        return None
    try:
        return image_tokens(*size_of(base64.standard_b64decode(source.get("data", ""))[:24]))
    except (ValueError, struct.error):
        return None
