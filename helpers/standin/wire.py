"""The stand-in's response bodies: every field the SDK's response types declare, null where the API sends null.

Field lists follow the installed SDK's `Message`, `Usage`, `MessageDeltaUsage` and `ModelInfo` types
(the Models API bodies come from helpers.api.models, with their sources);
`tests/test_conformance.py` checks every shipped recording against them.
"""

from __future__ import annotations

import json
from typing import Any

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


def message(message_id: str, model: str, content: str | list[dict[str, Any]], stop: str, use: dict[str, Any],
            **stops: Any) -> dict[str, Any]:
    """A complete `Message`: text becomes one text block (none when empty, as with max_tokens=0), blocks stay as given."""
    if isinstance(content, str):
        content = [{"type": "text", "text": content, "citations": None}] if content else []
    return {"id": message_id, "type": "message", "role": "assistant", "model": model, "content": content,
            "stop_reason": stop, "stop_sequence": stops.get("stop_sequence"), "stop_details": stops.get("stop_details"),
            "container": None, "diagnostics": None, "usage": use}


def beta(body: dict[str, Any]) -> dict[str, Any]:
    """The message with the fields the SDK's BetaMessage adds (the stand-in has no value for them: null)."""
    return {**body, "context_management": None, "input_transformations": None,
            "usage": {**body["usage"], "iterations": None, "fallback_credit": None}}


def block_events(index: int, block: dict[str, Any]) -> list[bytes]:
    """The events of one content block: its start with empty fields, its deltas, its stop (as the SDK accumulates them)."""
    kind, deltas = block["type"], []
    start = {**block, "text": ""} if kind == "text" else {**block, "thinking": "", "signature": ""} if kind == "thinking" \
        else {**block, "input": {}} if kind == "tool_use" else block
    if kind == "text":
        deltas = [{"type": "text_delta", "text": piece} for piece in chunks(block["text"])]
    elif kind == "thinking":
        deltas = [{"type": "thinking_delta", "thinking": piece} for piece in chunks(block["thinking"]) if block["thinking"]]
        deltas.append({"type": "signature_delta", "signature": block["signature"]})  # just before the block's stop
    elif kind == "tool_use":
        deltas = [{"type": "input_json_delta", "partial_json": piece} for piece in chunks(json.dumps(block["input"]), 2)]
    return [sse("content_block_start", {"type": "content_block_start", "index": index, "content_block": start}),
            *(sse("content_block_delta", {"type": "content_block_delta", "index": index, "delta": d}) for d in deltas),
            sse("content_block_stop", {"type": "content_block_stop", "index": index})]


def stream_events(body: dict[str, Any]) -> list[bytes]:
    """The SSE events of a message, in the order the API sends them; message_delta carries the final usage."""
    start = {**body, "content": [], "stop_reason": None, "stop_sequence": None, "stop_details": None,
             "usage": {**body["usage"], "output_tokens": 1}}
    blocks = [event for i, block in enumerate(body["content"]) for event in block_events(i, block)]
    final = {key: body["usage"][key] for key in ("input_tokens", "cache_creation_input_tokens", "cache_read_input_tokens",
                                                 "output_tokens", "output_tokens_details", "server_tool_use", "iterations", "fallback_credit")
             if key in body["usage"]}
    extra: dict[str, Any] = {key: None for key in ("context_management", "input_transformations") if key in body}
    return [
        sse("message_start", {"type": "message_start", "message": start}),
        *blocks[:1], *([sse("ping", {"type": "ping"})] if blocks else []), *blocks[1:],
        sse("message_delta", {"type": "message_delta", "usage": final, **extra,
                              "delta": {"stop_reason": body["stop_reason"], "stop_sequence": body.get("stop_sequence"),
                                        "stop_details": body.get("stop_details"), "container": None}}),
        sse("message_stop", {"type": "message_stop"}),
    ]


def cut(text: str, max_tokens: int) -> tuple[str, bool]:
    """The text cut to max_tokens (at a word boundary), and whether it was cut."""
    if estimate_tokens(text) <= max_tokens:
        return text, False
    head = text[: max_tokens * 4]
    return (head.rsplit(" ", 1)[0] if " " in head else head), True
