"""Rungs shaped by the caching rules: a window that moves in chunks, the memory tool over it, more breakpoints.

A prompt is cached only from the model's minimum cacheable prefix on, and any change before a breakpoint invalidates
the cache from there (helpers.memory.caching, from the prompt-caching docs). So a window that drops an exchange every
turn is never read from the cache, and one shorter than the minimum is never cached at all. `ChunkedWindow` lets the
window grow to `high` tokens, then drops the oldest exchanges at once while what is left stays at least `low`; its
parameters come from the documented minimum (`for_cache`: low = the minimum, high = twice it), not from a script.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ..api.content import blocks_of
from ..config import DEFAULT_MODEL
from .caching import minimum
from .rungs import MEMORY_TOOL, Counter, ServerEdits, memory_write
from .strategies import Exchange, Strategy, split, tokens_of

if TYPE_CHECKING:
    from ..conversation import Conversation

MARK = {"type": "ephemeral"}  # a 5-minute breakpoint (cache_control), as the SDK's CacheControlEphemeralParam


def _marked(content: Any) -> list[dict[str, Any]]:
    """Message or system content as blocks, with a cache breakpoint on its last block."""
    parts = [dict(b) for b in blocks_of(content)]
    parts[-1] = {**parts[-1], "cache_control": MARK}
    return parts


def system_breakpoint(body: dict[str, Any]) -> dict[str, Any]:
    """The request with a breakpoint at the end of its system prompt (the docs' advice: cached apart from the turns)."""
    return {**body, "system": _marked(body["system"])} if body.get("system") else body


class ChunkedWindow(Strategy):
    """Whole exchanges from a start that only moves when the prompt passes `high`: then past as many as keep it at `low`."""

    def __init__(self, high: int, low: int, **options: Any) -> None:
        super().__init__(**options)
        if not 0 < low < high:
            raise ValueError("A chunked window needs 0 < low < high.")
        self.high, self.low, self.start = high, low, 0
        self.name = f"chunked window ({low:,}-{high:,})"

    @classmethod
    def for_cache(cls, model: str = DEFAULT_MODEL, **options: Any) -> ChunkedWindow:
        """The window sized by the model's minimum cacheable prefix: never below it, dropped at twice it."""
        return cls(2 * minimum(model), minimum(model), **options)

    def keep(self, pairs: list[Exchange], fixed: int) -> list[int]:
        """Every exchange from the start; the start moves forward only when the prompt passes `high`."""
        self.start = min(self.start, len(pairs))
        size = fixed + sum(tokens_of(p) for p in pairs[self.start:])
        if size > self.high:
            while self.start < len(pairs) and size - tokens_of(pairs[self.start]) >= self.low:
                size -= tokens_of(pairs[self.start])
                self.start += 1
        return list(range(self.start, len(pairs)))

    def forget(self, messages: list[Any]) -> None:
        """Start again from the first exchange when the history shrinks below the window's start."""
        super().forget(messages)
        self.start = min(self.start, len(messages) // 2)

    def describe(self) -> str:
        """The two marks."""
        return f"high={self.high}, low={self.low}"


class MemoryChunks(ChunkedWindow):
    """The memory tool over a chunked window: facts written when stated, the memory viewed where each window starts.

    The kit's model of Claude's choices (authored, not measured): a fact is written in the turn that states it (one
    tool loop), and when the window moves Claude views the memory once, at the start of the new window, where the view
    stays until the next move (so it does not break the cache in between). A fact stated since stays in the window.
    """

    name = "memory tool"

    def __init__(self, high: int, low: int, facts: Sequence[str], **options: Any) -> None:
        super().__init__(high, low, **options)
        self.facts, self.summarizer = list(facts), Counter()
        self.memory: list[str] = []
        self.view: list[str] = []
        self.viewed_at = 0

    @classmethod
    def for_cache(cls, model: str = DEFAULT_MODEL, **options: Any) -> MemoryChunks:
        """The memory tool over the window sized by the model's cache minimum (`facts` is required)."""
        facts = options.pop("facts")
        return cls(2 * minimum(model), minimum(model), facts, **options)

    def prepare(self, body: dict[str, Any], conversation: Conversation | None = None) -> dict[str, Any]:
        """The window, the memory tool, and the memory as viewed when the window last moved."""
        sent = super().prepare(body, conversation)
        sent["tools"] = [*(sent.get("tools") or []), MEMORY_TOOL]
        turn = json.dumps(split(body["messages"])[1])
        new = [f for f in self.facts if f in turn and f not in self.memory]
        if new:
            self.memory.extend(new)
            memory_write(self.summarizer, sent, self.memory)
        if self.start != self.viewed_at:
            self.view, self.viewed_at = list(self.memory), self.start
        if self.view:
            note = {"type": "text", "text": "<memory file=/memories/facts.md>\n" + "\n".join(self.view) + "\n</memory>"}
            first = sent["messages"][0]
            sent["messages"][0] = {**first, "content": [note, *blocks_of(first["content"])]}
        return sent

    @property
    def label(self) -> str:
        """The window's label, named as the memory-tool rung."""
        return "memory tool + " + super().label


class SystemBreakpoint(Strategy):
    """Another strategy's request with one more breakpoint, at the end of the system prompt."""

    def __init__(self, inner: Strategy) -> None:
        super().__init__(pinned=inner.pinned, cache=inner.cache)
        self.inner = inner
        self.summarizer = getattr(inner, "summarizer", None)

    def prepare(self, body: dict[str, Any], conversation: Conversation | None = None) -> dict[str, Any]:
        """The inner strategy's request, its system prompt marked."""
        return system_breakpoint(self.inner.prepare(body, conversation))

    @property
    def label(self) -> str:
        """The inner label, with the extra breakpoint named."""
        return self.inner.label + " + system breakpoint"


class CachedCompaction(ServerEdits):
    """Server compaction with the breakpoints its docs advise: the system prompt, the compaction block, the moving end."""

    def prepare(self, body: dict[str, Any], conversation: Conversation | None = None) -> dict[str, Any]:
        """What the model reads, with the compaction block (once there is one) and the system prompt marked."""
        sent = super().prepare(body, conversation)
        for i, message in enumerate(sent["messages"]):
            content = blocks_of(message.get("content"))
            if any(b.get("type") == "compaction" for b in content):
                marked = [{**b, "cache_control": MARK} if b.get("type") == "compaction" else b for b in content]
                sent["messages"][i] = {**message, "content": marked}
        return system_breakpoint(sent)


class ClearingBreakpoint(ServerEdits):
    """Tool-result clearing with a breakpoint just before the oldest tool use it keeps, so the cleared prefix is read.

    The server clears on every request once past the trigger, each time one more result, so the prompt changes where
    that result was and no earlier request's entry (all at their ends) matches. A breakpoint before the `keep` most
    recent tool uses ends on a prefix already cleared the turn before: the next request reads it, and writes again
    only the kept tool rounds and the new turn (the docs: clearing invalidates the cache from the point of clearing).
    """

    def prepare(self, body: dict[str, Any], conversation: Conversation | None = None) -> dict[str, Any]:
        """The request with the breakpoint placed by the clearing edit's `keep`, then edited as the server does."""
        clearing = next((e for e in self.edits if e.get("type") == "clear_tool_uses_20250919"), None)
        keep = int(((clearing or {}).get("keep") or {"value": 3})["value"])
        messages = list(body["messages"])
        uses = [i for i, m in enumerate(messages) if any(b.get("type") == "tool_use" for b in blocks_of(m.get("content")))]
        if clearing is not None and len(uses) > keep and uses[-keep] > 0:
            at = uses[-keep] - 1
            messages[at] = {**messages[at], "content": _marked(messages[at]["content"])}
        return super().prepare({**body, "messages": messages}, conversation)
