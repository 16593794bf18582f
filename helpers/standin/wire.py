"""The stand-in's response bodies: every field the SDK's response types declare, null where the API sends null.

Field lists follow the installed SDK's `Message`, `Usage`, `MessageDeltaUsage` and `ModelInfo` types;
`tests/test_conformance.py` checks every shipped recording against them.
"""

from __future__ import annotations

import json
from typing import Any

from ..api_facts import DEPRECATED_MODELS, FALLBACK_CONTEXT_WINDOW
from ..memory import estimate_tokens


def chunks(text: str, words: int = 3) -> list[str]:
    """Split a text into pieces of a few words that join back to the exact text."""
    parts = text.split(" ")
    return [" ".join(parts[i : i + words]) + (" " if i + words < len(parts) else "") for i in range(0, len(parts), words)]


def sse(event: str, data: dict[str, Any]) -> bytes:
    """One server-sent event with its `event:` line and the blank line after it."""
    return f"event: {event}\ndata: {json.dumps(data)}\n\n".encode()


def usage(cache: dict[str, Any], output_tokens: int) -> dict[str, Any]:
    """A complete `Usage`: the cache fields, output tokens, and the optional fields the stand-in has no value for."""
    return {**cache, "output_tokens": output_tokens, "inference_geo": None, "output_tokens_details": None,
            "server_tool_use": None, "service_tier": "standard", "speed": None}


def message(message_id: str, model: str, text: str, stop: str, use: dict[str, Any]) -> dict[str, Any]:
    """A complete `Message` (no content block when there is no text, as with max_tokens=0)."""
    content = [{"type": "text", "text": text, "citations": None}] if text else []
    return {"id": message_id, "type": "message", "role": "assistant", "model": model, "content": content,
            "stop_reason": stop, "stop_sequence": None, "stop_details": None, "container": None, "diagnostics": None,
            "usage": use}


def beta(body: dict[str, Any]) -> dict[str, Any]:
    """The message with the fields the SDK's BetaMessage adds (the stand-in has no value for them: null)."""
    return {**body, "context_management": None, "input_transformations": None,
            "usage": {**body["usage"], "iterations": None, "fallback_credit": None}}


def stream_events(body: dict[str, Any]) -> list[bytes]:
    """The SSE events of a message, in the order the API sends them; message_delta carries the final usage."""
    start = {**body, "content": [], "stop_reason": None, "usage": {**body["usage"], "output_tokens": 1}}
    text = body["content"][0]["text"] if body["content"] else ""
    deltas = [sse("content_block_delta", {"type": "content_block_delta", "index": 0,
                                         "delta": {"type": "text_delta", "text": piece}}) for piece in chunks(text)]
    blocks = [
        sse("content_block_start", {"type": "content_block_start", "index": 0,
                                    "content_block": {"type": "text", "text": "", "citations": None}}),
        sse("ping", {"type": "ping"}),
        *deltas,
        sse("content_block_stop", {"type": "content_block_stop", "index": 0}),
    ] if text else []
    final = {key: body["usage"][key] for key in ("input_tokens", "cache_creation_input_tokens", "cache_read_input_tokens",
                                                 "output_tokens", "output_tokens_details", "server_tool_use", "iterations", "fallback_credit")
             if key in body["usage"]}
    extra: dict[str, Any] = {key: None for key in ("context_management", "input_transformations") if key in body}
    return [
        sse("message_start", {"type": "message_start", "message": start}),
        *blocks,
        sse("message_delta", {"type": "message_delta", "usage": final, **extra,
                              "delta": {"stop_reason": body["stop_reason"], "stop_sequence": None,
                                        "stop_details": None, "container": None}}),
        sse("message_stop", {"type": "message_stop"}),
    ]


def model_info(model: str) -> dict[str, Any]:
    """A complete `ModelInfo` (capabilities null: the stand-in does not know them; unverified for the live API)."""
    line = next((name for name in ("haiku", "sonnet", "opus") if name in model), None)
    return {"type": "model", "id": model, "display_name": model.replace("-", " ").title(),
            "created_at": "2025-10-01T00:00:00Z", "max_input_tokens": FALLBACK_CONTEXT_WINDOW.value, "max_tokens": 64_000,
            "lifecycle": "deprecated" if model in DEPRECATED_MODELS.value else "active", "line": line,
            "deprecated_at": None, "retires_at": None, "capabilities": None}


def cut(text: str, max_tokens: int) -> tuple[str, bool]:
    """The text cut to max_tokens (at a word boundary), and whether it was cut."""
    if estimate_tokens(text) <= max_tokens:
        return text, False
    head = text[: max_tokens * 4]
    return (head.rsplit(" ", 1)[0] if " " in head else head), True
