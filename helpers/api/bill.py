"""The token bill: the ONE offline estimate of a request's input tokens, by the documented formulas.

Text is the kit's estimate (about 4 characters a token, not the API's tokenizer); images by width x height / 750
after the documented resize, never their base64 text (`bill_media`); documents by their text or their pages; tool
definitions plus the automatic tool-use system prompt for the `tool_choice`; a structured-outputs format (its schema
as text, the kit's stand-in for the format prompt the docs say is added); earlier turns' thinking is not input,
except the thinking of the assistant turn whose tool use is being answered (the current tool loop); thinking is
billed as output. Each figure is a Fact in helpers.api_facts with its source and date. The stand-in's `usage` and
its `count_tokens`, the prompt cache's block sizes, the cost simulation and the gateway's budget all use this.
"""

from __future__ import annotations

import json
from typing import Any

from ..api_facts import (
    CHARS_PER_TOKEN,
    EARLIER_THINKING_COUNTED,
    KEEPS_EARLIER_THINKING,
    MESSAGE_OVERHEAD_TOKENS,
    TOOL_SYSTEM_PROMPT_TOKENS,
)
from . import bill_media
from .bill_media import block_image_tokens, image_size, image_tokens, resized
from .content import THINKING_TYPES, output_format

__all__ = ["block_image_tokens", "estimate_request_tokens", "estimate_tokens", "format_tokens", "image_size", "image_tokens",
           "media_tokens", "message_tokens", "output_tokens", "request_units", "resized", "thread_turn_tokens",
           "tool_tokens"]


def estimate_tokens(text: str) -> int:
    """Estimate the tokens in a text (about four characters a token); an estimate, not a count."""
    return max(1, round(len(text) / CHARS_PER_TOKEN.value)) if text else 0


def media_tokens(block: dict[str, Any]) -> int | None:
    """An image's or a document's estimate (see bill_media); None for other blocks."""
    return bill_media.media_tokens(block, estimate_tokens)


def _is_tool_results(message: dict[str, Any]) -> bool:
    """Whether a user message carries tool results (it continues the assistant's turn: a tool loop)."""
    content = message.get("content")
    return message.get("role") == "user" and isinstance(content, list) and \
        any(isinstance(b, dict) and b.get("type") == "tool_result" for b in content)


def thinking_counted(messages: list[dict[str, Any]], model: str | None = None) -> list[bool]:
    """For each message, whether its thinking blocks are input: only in the current tool loop (or on a model that keeps them)."""
    if EARLIER_THINKING_COUNTED.value or (model and KEEPS_EARLIER_THINKING.value.get(model)):
        return [True] * len(messages)
    last_human = max((i for i, m in enumerate(messages) if m.get("role") != "assistant" and not _is_tool_results(m)),
                     default=-1)
    return [i > last_human for i in range(len(messages))]  # the assistant turn still answering its tool calls


def message_tokens(message: dict[str, Any], *, keep_thinking: bool = True) -> int:
    """One message's input tokens: its text (as JSON), its media by their formulas, and the framing overhead."""
    content = message.get("content", "")
    media = 0
    if isinstance(content, list):
        kept = []
        for block in content:
            size = media_tokens(block) if isinstance(block, dict) else None
            if size is not None:
                media += size
            elif keep_thinking or not (isinstance(block, dict) and block.get("type") in THINKING_TYPES):
                kept.append(block)
        content = kept
    text = content if isinstance(content, str) else json.dumps(content)
    return estimate_tokens(text) + media + MESSAGE_OVERHEAD_TOKENS.value


def tool_tokens(body: dict[str, Any]) -> int:
    """The tool definitions as text plus the automatic tool-use system prompt for the request's tool_choice (0 without tools)."""
    tools = body.get("tools")
    if not tools:
        return 0
    choice = str((body.get("tool_choice") or {}).get("type") or "auto")
    return estimate_tokens(json.dumps(tools)) + TOOL_SYSTEM_PROMPT_TOKENS.value.get(choice, TOOL_SYSTEM_PROMPT_TOKENS.value["auto"])


def format_tokens(body: dict[str, Any]) -> int:
    """The format prompt of output_config.format: its schema as text (the kit's estimate; the docs give no size)."""
    shape = output_format(body)
    return estimate_tokens(json.dumps(shape)) if shape else 0  # STRUCTURED_FORMAT_PROMPT: added, size not given


def system_tokens(system: Any) -> int:
    """The system prompt's tokens (a string, or text blocks as JSON)."""
    return estimate_tokens(json.dumps(system if system is not None else ""))


def request_units(body: dict[str, Any]) -> list[int]:
    """The request in cacheable units, in cache order: tools with the system prompt first, then each message."""
    messages = list(body.get("messages", []))
    keep = thinking_counted(messages, body.get("model"))
    return [tool_tokens(body) + format_tokens(body) + system_tokens(body.get("system", ""))] + \
        [message_tokens(m, keep_thinking=k) for m, k in zip(messages, keep, strict=True)]


def estimate_request_tokens(body: dict[str, Any]) -> int:
    """Estimate the input tokens of a Messages request body (tools, system and messages), offline."""
    return sum(request_units(body))


def thread_turn_tokens(stored: dict[str, Any], new_messages: list[dict[str, Any]]) -> int:
    """A continued thread turn's input: the conversation the API rebuilds (stored system, tools, messages + the new ones)."""
    return estimate_request_tokens({**stored, "messages": [*stored.get("messages", []), *new_messages]})


def output_tokens(content: list[dict[str, Any]]) -> int:
    """A reply's output tokens: its text, its tool calls, and its full thinking (thinking is billed as output)."""
    parts = [str(b.get("text") or b.get("thinking") or "") if b.get("type") in ("text", *THINKING_TYPES) else
             json.dumps(b.get("input", {})) for b in content if isinstance(b, dict)]
    return estimate_tokens("".join(parts))
