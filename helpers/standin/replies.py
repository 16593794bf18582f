"""What the stand-in answers: a reply (text, or content blocks) shaped as the API returns it for this request.

Sources (values in helpers/api_facts.py): thinking blocks only when the request turns thinking on, each with a
signature (extended thinking docs; the stand-in's signature is a digest of the text, a guess at nothing real);
`tool_use` blocks with an id and `stop_reason: "tool_use"` (tool use docs); `stop_sequences` end the text before
the first one found, with `stop_reason: "stop_sequence"` and the `stop_sequence` field (SDK Message docstring);
tool_choice, disable_parallel_tool_use and thinking display as in choices.py.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from ..api.bill import output_tokens
from ..api.content import THINKING_TYPES, blocks_of, ids, thinking_on
from ..api_facts import CONTEXT_EXCEEDED
from .choices import chosen, displayed, offered, sample_call, signed_omitted
from .wire import cut

Raw = str | list[dict[str, Any]] | dict[str, Any]
STOP_FIELDS = ("stop_reason", "stop_sequence", "stop_details")
REDACTED = "standin-redacted-"  # the stand-in's redacted_thinking data starts so: a guess at nothing real


def signature(thinking: str) -> str:
    """The stand-in's signature for a thinking text: a digest, so an edited text no longer matches."""
    return "standin-sig-" + hashlib.sha256(thinking.encode()).hexdigest()[:32]


def filled(block: dict[str, Any], number: int, body: dict[str, Any]) -> dict[str, Any]:
    """One block with the fields the API always sends (ids, signatures, citations)."""
    kind = block.get("type")
    if kind == "text":
        return {"type": "text", "text": str(block.get("text", "")), "citations": block.get("citations")}
    if kind == "thinking":
        return {"type": "thinking", "thinking": block["thinking"], "signature": signature(block["thinking"])}
    if kind == "redacted_thinking":
        return {"type": "redacted_thinking", "data": REDACTED + signature(json.dumps(body["messages"]) + str(number))[12:]}
    if kind == "tool_use":
        digest = hashlib.sha256(f"{json.dumps(body['messages'], sort_keys=True)}{number}".encode()).hexdigest()[:24]
        return {"type": "tool_use", "id": block.get("id") or f"toolu_standin_{digest}", "name": block["name"],
                "input": block.get("input", {}), "caller": {"type": "direct"}, "toolset_name": None}  # caller: a guess
    return dict(block)


def shaped(raw: Raw, body: dict[str, Any]) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The content blocks and stop fields of an authored reply, for this request."""
    extra = {key: raw[key] for key in STOP_FIELDS if isinstance(raw, dict) and key in raw}
    blocks = raw.get("content", []) if isinstance(raw, dict) else raw
    content = [filled(b, i, body) for i, b in enumerate(blocks_of(blocks))
               if thinking_on(body) or b.get("type") not in THINKING_TYPES]
    if "stop_reason" not in extra:
        extra["stop_reason"] = "tool_use" if any(b["type"] == "tool_use" for b in content) else "end_turn"
    return content, extra


def stopped_at(content: list[dict[str, Any]], stops: list[str]) -> tuple[list[dict[str, Any]], str | None]:
    """The content cut before the first stop sequence in its text, and that sequence (None if none appears)."""
    for i, block in enumerate(content):
        text = block.get("text", "") if block.get("type") == "text" else ""
        found = sorted((text.find(s), s) for s in stops if s and s in text)
        if found:
            head = {**block, "text": text[: found[0][0]]}
            return [*content[:i], *([head] if head["text"] else [])], found[0][1]
    return content, None


def unmodified(block: Any) -> bool:
    """Whether a thinking block carries the stand-in's own signature for its text (a redacted block, its own data)."""
    if block.get("type") == "redacted_thinking":
        return str(block.get("data", "")).startswith(REDACTED)
    return bool(block.get("signature") == signature(str(block.get("thinking")))) or signed_omitted(block)


def answer(raw: Raw, body: dict[str, Any], room: int) -> tuple[list[dict[str, Any]], dict[str, Any], int]:
    """The reply's content blocks, its stop fields and its output tokens, for a request with `room` tokens left.

    A text reply longer than max_tokens (or the room left) is cut, stopping with max_tokens (or
    model_context_window_exceeded); stop sequences cut text replies and block replies alike.
    """
    limit = min(int(body["max_tokens"]), room)
    if isinstance(raw, str):
        text, was_cut = cut(raw, limit)
        stop = "end_turn" if not was_cut else CONTEXT_EXCEEDED.value if room < int(body["max_tokens"]) else "max_tokens"
        content, stops = ([{"type": "text", "text": text, "citations": None}] if text else []), {"stop_reason": stop}
    else:
        content, stops = shaped(raw, body)
    content = chosen(content, stops, body, filled)  # tool_choice: ImpossibleReply for a call the API never sends
    content, sequence = stopped_at(content, [str(s) for s in body.get("stop_sequences") or []])
    if sequence is not None:
        stops.update(stop_reason="stop_sequence", stop_sequence=sequence)
    spent = output_tokens(content)  # the bill's output: text, tool input and the full thinking
    content = displayed(content, body)  # display omitted: the thinking text left out, still billed in full
    # a reply cut at max_tokens used every token it was given (the cut text lands on a word boundary, a little short)
    return content, stops, limit if stops["stop_reason"] in ("max_tokens", CONTEXT_EXCEEDED.value) else spent


def default_blocks(body: dict[str, Any], text: str) -> Raw:
    """The stand-in's own default reply: text, a thinking block first when thinking is on, and a call of the
    first client tool (inputs filled with sample values) unless the last turn already answers a tool or tool_choice is
    none (SDK ToolChoiceNoneParam: 'The model will not be allowed to use tools')."""
    last = body["messages"][-1] if body.get("messages") else {}
    answering = ids(last.get("content"), "tool_result", "tool_use_id")
    tools = offered(body)  # tool_choice none calls nothing, tool calls the named tool
    blocks = [{"type": "thinking", "thinking": f"Thinking about: {text[:60]}"}] if thinking_on(body) else []
    if tools and not answering:
        return [*blocks, {"type": "text", "text": text}, sample_call(tools[0])]
    return [*blocks, {"type": "text", "text": text}] if blocks else text
