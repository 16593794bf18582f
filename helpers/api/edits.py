"""What the server does to a prompt under `context_management` before the model reads it, as the SDK's Beta types and docs say.

Sources: anthropic 2.13 `types/beta/` (the edit params, `BetaContextManagementResponse`, `BetaCompactionBlock`,
`BetaUsage.iterations`) and the docs' context-editing and compaction pages. Documented: tool-result clearing clears the
oldest tool results first, keeps the `keep` most recent tool uses, spares `exclude_tools`, clears the calls' inputs too
with `clear_tool_inputs`, and edits nothing unless `clear_at_least` tokens can go; thinking clearing keeps the thinking
of the last `keep` assistant turns; compaction summarizes once the input reaches its trigger (default 150,000) and the
API drops every block before a compaction block sent back. The defaults (trigger 100,000 input tokens, keep 1 thinking
turn, compaction at 150,000) are documented facts in helpers.api_facts; keep 3 tool uses is the docs' default as
third-party SDKs quote it. The kit's guesses: the placeholder's wording and the stand-in's summary (the first sentence
of each user turn). Sizes are the one bill (helpers.api.bill).
"""

from __future__ import annotations

import copy
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..api_facts import CLEAR_THINKING_KEEP, CLEAR_TOOL_USES_KEEP, CLEAR_TOOL_USES_TRIGGER
from ..api_facts import COMPACT_TRIGGER as _COMPACT
from .bill import estimate_request_tokens, estimate_tokens
from .content import THINKING_TYPES, blocks_of

PLACEHOLDER = "[cleared by context editing]"  # the kit's wording: the docs say only that a placeholder replaces it
TOOL_TRIGGER, KEEP_TOOL_USES = CLEAR_TOOL_USES_TRIGGER.value, CLEAR_TOOL_USES_KEEP.value  # defaults: api_facts
KEEP_THINKING_TURNS, COMPACT_TRIGGER = CLEAR_THINKING_KEEP.value, _COMPACT.value
Summarize = Callable[[list[dict[str, Any]]], str]


@dataclass
class Edited:
    """The prompt the model reads, the edits applied (as `applied_edits` reports them), and a compaction made now."""

    body: dict[str, Any]
    applied: list[dict[str, Any]] = field(default_factory=list)
    compaction: dict[str, Any] | None = None
    compaction_usage: dict[str, int] | None = None
    pause: bool = False


def first_sentences(messages: list[dict[str, Any]]) -> str:
    """The stand-in's summary: the first sentence of each user turn's text (earlier summaries kept), not a model's."""
    parts = []
    for message in messages:
        for block in blocks_of(message.get("content")):
            if block.get("type") == "compaction" and block.get("content"):
                parts.append(str(block["content"]))
            elif message.get("role") == "user" and block.get("type") == "text":
                parts.append(str(block["text"]).split(". ")[0].rstrip(".") + ".")
    return " ".join(parts)


def after_compaction(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The messages from the last compaction block on (the API drops every block before it); all of them if none."""
    for i in range(len(messages) - 1, -1, -1):
        content = blocks_of(messages[i].get("content"))
        at = [j for j, b in enumerate(content) if b.get("type") == "compaction" and b.get("content") is not None]
        if at:
            return [{"role": messages[i]["role"], "content": content[at[-1]:]}, *messages[i + 1:]]
    return messages


def _tool_uses(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every tool_use block in the messages, oldest first."""
    return [b for m in messages for b in blocks_of(m.get("content")) if b.get("type") == "tool_use"]


def _triggered(body: dict[str, Any], trigger: dict[str, Any] | None, default: int) -> bool:
    """Whether the edit's trigger is reached: input tokens (by the bill) or the number of tool uses."""
    trigger = trigger or {"type": "input_tokens", "value": default}
    if trigger["type"] == "tool_uses":
        return len(_tool_uses(body["messages"])) >= int(trigger["value"])
    return estimate_request_tokens(body) >= int(trigger["value"])


def clear_tool_uses(body: dict[str, Any], edit: dict[str, Any]) -> dict[str, Any] | None:
    """Clear the oldest tool results in place (all but the `keep` most recent uses, sparing exclude_tools); report it."""
    if not _triggered(body, edit.get("trigger"), TOOL_TRIGGER):
        return None
    before, spared = estimate_request_tokens(body), set(edit.get("exclude_tools") or [])
    keep = int((edit.get("keep") or {"value": KEEP_TOOL_USES})["value"])
    uses = [u for u in _tool_uses(body["messages"]) if u.get("name") not in spared]
    cleared = uses[: max(0, len(uses) - keep)]
    inputs = edit.get("clear_tool_inputs")
    edited = copy.deepcopy(body)
    ids = {str(u.get("id")) for u in cleared}
    for message in edited["messages"]:
        for block in blocks_of(message.get("content")) if isinstance(message.get("content"), list) else []:
            if block.get("type") == "tool_result" and str(block.get("tool_use_id")) in ids:
                block["content"] = PLACEHOLDER
            if block.get("type") == "tool_use" and str(block.get("id")) in ids and \
                    (inputs is True or (isinstance(inputs, list) and block.get("name") in inputs)):
                block["input"] = {}
    saved = before - estimate_request_tokens(edited)
    least = int((edit.get("clear_at_least") or {"value": 0})["value"])
    if not cleared or saved < least:
        return None  # 'Context will only be modified if at least this many tokens can be removed'
    body["messages"] = edited["messages"]
    return {"type": "clear_tool_uses_20250919", "cleared_tool_uses": len(cleared), "cleared_input_tokens": saved}


def clear_thinking(body: dict[str, Any], edit: dict[str, Any]) -> dict[str, Any] | None:
    """Drop the thinking of all but the last `keep` assistant turns that have thinking (keep 'all': drop none)."""
    keep = edit.get("keep") or {"type": "thinking_turns", "value": KEEP_THINKING_TURNS}
    if keep == "all" or (isinstance(keep, dict) and keep.get("type") == "all"):
        return None
    turns = [i for i, m in enumerate(body["messages"]) if m.get("role") == "assistant"
             and any(b.get("type") in THINKING_TYPES for b in blocks_of(m.get("content")))]
    older = turns[: max(0, len(turns) - int(keep["value"]))]
    if not older:
        return None
    before = estimate_request_tokens(body)
    for i in older:
        message = body["messages"][i]
        body["messages"][i] = {**message, "content": [b for b in blocks_of(message["content"]) if b.get("type") not in THINKING_TYPES]}
    return {"type": "clear_thinking_20251015", "cleared_thinking_turns": len(older),
            "cleared_input_tokens": before - estimate_request_tokens(body)}


def compaction_block(summary: str) -> dict[str, Any]:
    """A compaction block as BetaCompactionBlock declares it (the signature is the stand-in's digest, nothing real;
    tool_changes is [], 'when the range changed no tool': the stand-in never changes tools)."""
    return {"type": "compaction", "content": summary, "encrypted_content": None,
            "signature": "standin-compaction-" + hashlib.sha256(summary.encode()).hexdigest()[:32], "tool_changes": []}


def compact(result: Edited, edit: dict[str, Any], summarize: Summarize) -> None:
    """Summarize the whole prompt once it reaches the trigger; the model then reads the compaction block alone."""
    body = result.body
    if not _triggered(body, edit.get("trigger"), COMPACT_TRIGGER):
        return
    block = compaction_block(summarize(body["messages"]))
    used = {"input_tokens": estimate_request_tokens(body), "output_tokens": estimate_tokens(str(block["content"]))}
    body["messages"] = [{"role": "assistant", "content": [block]}]
    result.compaction, result.compaction_usage = block, used
    result.pause = bool(edit.get("pause_after_compaction"))


def edited(body: dict[str, Any], summarize: Summarize = first_sentences) -> Edited:
    """The prompt after the API's context management: blocks before a compaction dropped, then each edit in order."""
    seen = {**body, "messages": after_compaction(copy.deepcopy(list(body.get("messages", []))))}
    result = Edited(seen)
    config = body.get("context_management")
    for edit in (config or {}).get("edits") or []:
        if edit["type"] == "clear_tool_uses_20250919":
            applied = clear_tool_uses(seen, edit)
        elif edit["type"] == "clear_thinking_20251015":
            applied = clear_thinking(seen, edit)
        else:
            compact(result, edit, summarize)
            applied = None  # compaction is reported by its block and usage.iterations, not applied_edits (the SDK's union)
        if applied:
            result.applied.append(applied)
    return result
