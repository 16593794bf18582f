"""The rulebook's rules about images in a request: media types, bytes and sides (the vision docs' general limits)."""

from __future__ import annotations

import base64
import binascii
import struct
from typing import Any

from ..api_facts import DOCS, SDK
from ..pictures import size_of
from .rulebook import Request, Rule
from .rules_blocks import BASE, _each_block

VISION_DOC = f"{DOCS}/build-with-claude/vision (general limits)"
MEDIA_TYPES = ("image/jpeg", "image/png", "image/gif", "image/webp")  # SDK: types/base64_image_source_param.py
MAX_IMAGE_BYTES = 5 * 1024 * 1024  # VISION_DOC: 5 MB per image through the API
MAX_SIDE, MAX_SIDE_MANY, MANY_IMAGES = 8000, 2000, 20  # VISION_DOC: 8000 px a side; 2000 px with more than 20 images


def _images(request: Request) -> list[tuple[int, int, dict[str, Any]]]:
    """Every base64 image block in the messages, with its position."""
    return [(i, j, b) for i, j, b in _each_block(request, "image") if (b.get("source") or {}).get("type") == "base64"]


def _media_type(request: Request) -> str | None:
    """A base64 image whose media type the API does not take."""
    bad = [(i, j) for i, j, b in _images(request) if b["source"].get("media_type") not in MEDIA_TYPES]
    return (f"messages.{bad[0][0]}.content.{bad[0][1]}.image.source.base64.media_type: Input should be "
            f"{', '.join(repr(m) for m in MEDIA_TYPES)}") if bad else None


def _decoded(block: dict[str, Any]) -> bytes:
    """An image block's bytes (empty when its data is not base64)."""
    try:
        return base64.b64decode(str(block["source"].get("data", "")), validate=True)
    except (binascii.Error, ValueError):
        return b""


def _image_bytes(request: Request) -> str | None:
    """A base64 image over the per-image size limit."""
    for i, j, block in _images(request):
        size = len(_decoded(block))
        if size > MAX_IMAGE_BYTES:
            return f"messages.{i}.content.{j}.image.source.base64: image exceeds 5 MB maximum: {size} bytes > {MAX_IMAGE_BYTES} bytes"
    return None


def _image_sides(request: Request) -> str | None:
    """An image with a side over the limit (2000 px when the request holds more than 20 images)."""
    images = _images(request)
    limit = MAX_SIDE_MANY if len(images) > MANY_IMAGES else MAX_SIDE
    over = []
    for i, j, block in images:
        try:
            width, height = size_of(_decoded(block))  # all of it: a WebP or JPEG size may sit past byte 24
        except (ValueError, struct.error):
            continue  # a size the kit cannot read offline: the API answers
        over += [f"messages.{i}.content.{j}"] if max(width, height) > limit else []
    return f"At least one image's longest side exceeds {limit} pixels: {', '.join(over)}" if over else None


# pragma: no mutate start (these build the bad examples at import: mutmut forks after import, so a mutant here never
# runs; tests/test_rulebook.py checks on every run that each bad example breaks its rule)
def _png(width: int, height: int) -> str:
    """A PNG header of the given size, base64 (enough for the size check; the kit's own bytes)."""
    header = b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 13) + b"IHDR" + struct.pack(">II", width, height)
    return base64.b64encode(header).decode()


def _image(data: str, media: str = "image/png") -> dict[str, Any]:
    """A user turn holding one image and a question."""
    return {"role": "user", "content": [{"type": "image", "source": {"type": "base64", "media_type": media, "data": data}},
                                        {"type": "text", "text": "What is this?"}]}
# pragma: no mutate end


MEDIA_RULES = (
    Rule("image.media_type", "a base64 image is JPEG, PNG, GIF or WebP", _media_type, "refused",
         f"{SDK}: types/base64_image_source_param.py (media_type)", "refuse",
         "Use a JPEG, PNG, GIF or WebP image, with its media_type set to match.",
         {**BASE, "messages": [_image(_png(300, 300), "image/bmp")]}),
    Rule("image.bytes", "a base64 image is at most 5 MB", _image_bytes, "refused", VISION_DOC, "refuse",
         "Make the image smaller than 5 MB (scale it down or compress it).",
         {**BASE, "messages": [_image(base64.b64encode(b"\0" * (MAX_IMAGE_BYTES + 1)).decode())]}),
    Rule("image.dimensions", "no image side over 8000 px (2000 px with more than 20 images)", _image_sides, "refused",
         f"{VISION_DOC}; error code as the SDK's types/image_dimensions_too_large_error.py", "refuse",
         "Scale the image down so no side is over the limit (1568 px on the long edge is what Claude uses anyway).",
         {**BASE, "messages": [_image(_png(9000, 600))]}, extra={"details": {"error_code": "image_dimensions_too_large"}}),
)
