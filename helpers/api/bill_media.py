"""The bill's media part: image sizes read from their headers (stdlib only), the documented resize, and PDF pages.

An image costs width x height / 750 tokens after the documented resize (long edge over 1568 px, or over about
1,600 tokens: scaled down keeping its aspect ratio), never its base64 text. Figures and sources: helpers.api_facts.
"""

from __future__ import annotations

import base64
import binascii
import math
import re
import struct
from typing import Any

from ..api_facts import (
    IMAGE_MAX_EDGE,
    IMAGE_MAX_TOKENS,
    IMAGE_TOKENS_DIVISOR,
    IMAGE_UNKNOWN_SIZE_TOKENS,
    PDF_TOKENS_PER_PAGE,
)

_JPEG_FRAMES = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}  # SOFn markers
_PAGE = re.compile(rb"/Type\s*/Page(?![a-zA-Z])")


def image_size(data: bytes) -> tuple[int, int]:
    """The width and height of a PNG, JPEG, GIF or WebP image, read from its header."""
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        width, height = struct.unpack(">II", data[16:24])
    elif data[:6] in (b"GIF87a", b"GIF89a"):
        width, height = struct.unpack("<HH", data[6:10])
    elif data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        width, height = _webp_size(data)
    elif data[:2] == b"\xff\xd8":
        width, height = _jpeg_size(data)
    else:
        raise ValueError("Not a PNG, JPEG, GIF or WebP image: the kit reads the size of those four only.")
    return int(width), int(height)


def _webp_size(data: bytes) -> tuple[int, int]:
    """A WebP image's size from its VP8, VP8L or VP8X chunk."""
    kind = data[12:16]
    if kind == b"VP8X":
        return 1 + int.from_bytes(data[24:27], "little"), 1 + int.from_bytes(data[27:30], "little")
    if kind == b"VP8L":
        bits = int.from_bytes(data[21:25], "little")
        return 1 + (bits & 0x3FFF), 1 + ((bits >> 14) & 0x3FFF)
    if kind == b"VP8 ":
        width, height = struct.unpack("<HH", data[26:30])
        return width & 0x3FFF, height & 0x3FFF
    raise ValueError("A WebP image without a VP8, VP8L or VP8X chunk: its size cannot be read.")


def _jpeg_size(data: bytes) -> tuple[int, int]:
    """A JPEG image's size from its first start-of-frame segment."""
    at = 2
    while at + 9 <= len(data):
        if data[at] != 0xFF:
            raise ValueError("A broken JPEG header: its size cannot be read.")
        marker = data[at + 1]
        length = struct.unpack(">H", data[at + 2 : at + 4])[0]
        if marker in _JPEG_FRAMES:
            height, width = struct.unpack(">HH", data[at + 5 : at + 9])
            return width, height
        at += 2 + length
    raise ValueError("A JPEG without a start-of-frame segment: its size cannot be read.")


def resized(width: int, height: int) -> tuple[int, int]:
    """The size the API works at: scaled down, keeping the aspect ratio, to the long-edge and token caps."""
    pixels_cap = IMAGE_MAX_TOKENS.value * IMAGE_TOKENS_DIVISOR.value
    scale = min(1.0, IMAGE_MAX_EDGE.value / max(width, height), math.sqrt(pixels_cap / (width * height)))
    return max(1, math.floor(width * scale)), max(1, math.floor(height * scale))


def image_tokens(width: int, height: int) -> int:
    """The documented estimate of an image's input tokens: width * height / 750 after the resize, rounded up."""
    w, h = resized(width, height)
    return max(1, math.ceil(w * h / IMAGE_TOKENS_DIVISOR.value))


def _decoded(source: dict[str, Any]) -> bytes:
    """The bytes of a base64 source (empty when they do not decode)."""
    try:
        return base64.standard_b64decode(str(source.get("data", "")))
    except (binascii.Error, ValueError):
        return b""


def block_image_tokens(block: dict[str, Any]) -> int | None:
    """An image block's estimate from its header; None when its size cannot be read offline (URL, file, unreadable)."""
    source = block.get("source") or {}
    if source.get("type") != "base64":
        return None
    try:
        return image_tokens(*image_size(_decoded(source)[:65536]))
    except (ValueError, struct.error):
        return None


def pdf_pages(data: bytes) -> int:
    """The number of pages of a PDF, counted from its page objects (at least 1)."""
    return max(1, len(_PAGE.findall(data)))


def media_tokens(block: dict[str, Any], text_tokens: Any) -> int | None:
    """A media block's estimate: images by their size (unknown size: the labelled cap), documents by text or pages."""
    source = block.get("source") or {}
    if block.get("type") == "image":
        known = block_image_tokens(block)
        return IMAGE_UNKNOWN_SIZE_TOKENS.value if known is None else known
    if block.get("type") != "document":
        return None
    if source.get("type") == "text":
        return int(text_tokens(str(source.get("data", ""))))
    if source.get("type") == "content":
        return int(text_tokens(str(source.get("content", ""))))
    if source.get("type") == "base64":  # a PDF: pages times the kit's per-page estimate
        return pdf_pages(_decoded(source)) * PDF_TOKENS_PER_PAGE.value
    return PDF_TOKENS_PER_PAGE.value  # a URL or Files API PDF: its pages cannot be counted offline (one page assumed)
