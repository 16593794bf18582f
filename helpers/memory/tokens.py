"""Offline token estimates: a rough count for when no API call is wanted."""

from __future__ import annotations

import json
from typing import Any

from ..pictures import block_image_tokens

CHARS_PER_TOKEN = 4.0  # a common rule of thumb for English text; the API's count_tokens is the real measure


def estimate_tokens(text: str) -> int:
    """Estimate the tokens in a text (about four characters a token); an estimate, not a count."""
    return max(1, round(len(text) / CHARS_PER_TOKEN)) if text else 0


def estimate_request_tokens(body: dict[str, Any]) -> int:
    """Estimate the input tokens of a Messages request body (system plus messages), offline."""
    parts, media = [json.dumps(body.get("system", ""))], 0
    for message in body.get("messages", []):
        content = message.get("content", "")
        if isinstance(content, list):
            media += sum(media_tokens(b) or 0 for b in content if isinstance(b, dict))
            content = [b for b in content if not (isinstance(b, dict) and media_tokens(b) is not None)]
        parts.append(content if isinstance(content, str) else json.dumps(content))
    return sum(estimate_tokens(p) for p in parts) + 4 * len(body.get("messages", [])) + media


def media_tokens(block: dict[str, Any]) -> int | None:
    """An image's documented estimate (width * height / 750), a text document's text; None for other blocks."""
    if block.get("type") == "image":
        return block_image_tokens(block)
    source = block.get("source") or {}
    if block.get("type") == "document" and source.get("type") == "text":
        return estimate_tokens(str(source.get("data", "")))
    return None
