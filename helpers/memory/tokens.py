"""Offline token estimates: a rough count for when no API call is wanted."""

from __future__ import annotations

import json
from typing import Any

CHARS_PER_TOKEN = 4.0  # a common rule of thumb for English text; the API's count_tokens is the real measure


def estimate_tokens(text: str) -> int:
    """Estimate the tokens in a text (about four characters a token); an estimate, not a count."""
    return max(1, round(len(text) / CHARS_PER_TOKEN)) if text else 0


def estimate_request_tokens(body: dict[str, Any]) -> int:
    """Estimate the input tokens of a Messages request body (system plus messages), offline."""
    parts = [json.dumps(body.get("system", ""))]
    for message in body.get("messages", []):
        content = message.get("content", "")
        parts.append(content if isinstance(content, str) else json.dumps(content))
    return sum(estimate_tokens(p) for p in parts) + 4 * len(body.get("messages", []))
