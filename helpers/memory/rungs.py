"""The server-side rungs of the context ladder as strategies the cost simulation can run: context editing, compaction,
and the memory tool over a sliding window.

The edits are the API's documented behaviour, from helpers.api.edits (the same code the stand-in answers by); these
classes only hold what a client holds between turns (a compaction block it sends back; the memory file). What each
extra call costs is billed through `summarizer.read` (the simulation adds it at 1x, uncached): the compaction's own
input (BetaUsage: reported apart from the top-level usage, billed all the same), and each memory write, which is one
more request of the whole prompt (a tool loop: the call, then the result sent back).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ..api.bill import estimate_request_tokens
from ..api.content import blocks_of
from ..api.edits import after_compaction, edited
from .strategies import SlidingWindow, Strategy, split

if TYPE_CHECKING:
    from ..conversation import Conversation

MEMORY_TOOL = {"type": "memory_20250818", "name": "memory"}  # SDK: types/beta/beta_memory_tool_20250818_param.py


class Counter:
    """Tokens read by extra calls (compaction, memory writes), in the shape the simulation reads (`.read`)."""

    def __init__(self) -> None:
        self.read = 0


class ServerEdits(Strategy):
    """The full history sent; the server edits it by `context_management` (clearing, compaction) before the model reads it."""

    name = "server"

    def __init__(self, edits: Sequence[dict[str, Any]], name: str, **options: Any) -> None:
        super().__init__(**options)
        self.edits, self.name, self.summarizer = list(edits), name, Counter()
        self.block: dict[str, Any] | None = None
        self.since = 0  # how many of the client's messages the compaction block stands for

    def prepare(self, body: dict[str, Any], conversation: Conversation | None = None) -> dict[str, Any]:
        """What the model reads this turn: blocks before the compaction dropped, then the edits applied."""
        sent = super().prepare(body, conversation)
        messages = sent["messages"]
        if self.block is not None:  # the client sends the block back in the reply that carried it
            reply = messages[self.since] if self.since < len(messages) else {"role": "assistant", "content": []}
            messages = after_compaction([*messages[: self.since],
                                         {"role": "assistant", "content": [self.block, *blocks_of(reply["content"])]},
                                         *messages[self.since + 1:]])
        result = edited({**sent, "messages": messages, "context_management": {"edits": self.edits}})
        if result.compaction is not None and result.compaction_usage:
            self.block, self.since = result.compaction, len(sent["messages"])
            self.summarizer.read += result.compaction_usage["input_tokens"]
        return {k: v for k, v in result.body.items() if k != "context_management"}

    def describe(self) -> str:
        """The edits, for the repr."""
        return json.dumps(self.edits)


class MemoryTool(SlidingWindow):
    """A sliding window plus the memory tool: the pinned facts written to a memory file, read back with every turn.

    The kit's model of Claude's choices (authored, not measured): Claude writes a fact to memory in the turn that
    states it (one `create`/`str_replace` tool loop: one more request), and every request carries the memory tool and a
    `view` of the file's contents (the docs advise checking memory first). The facts are the script's.
    """

    name = "memory tool"

    def __init__(self, exchanges: int, facts: Sequence[str], **options: Any) -> None:
        super().__init__(exchanges, **options)
        self.facts, self.summarizer = list(facts), Counter()
        self.memory: list[str] = []

    def prepare(self, body: dict[str, Any], conversation: Conversation | None = None) -> dict[str, Any]:
        """The window, the memory tool, and the memory file shown in the new turn."""
        sent = super().prepare(body, conversation)
        sent["tools"] = [*(sent.get("tools") or []), MEMORY_TOOL]
        turn = json.dumps(split(body["messages"])[1])  # the exchange in progress: the user turn and its tool round
        new = [f for f in self.facts if f in turn and f not in self.memory]
        if new:  # a write is a tool loop: the whole prompt sent once more with the call and its result
            self.memory.extend(new)
            self.summarizer.read += estimate_request_tokens(sent) + 60
        if self.memory:
            note = {"type": "text", "text": "<memory file=/memories/facts.md>\n" + "\n".join(self.memory) + "\n</memory>"}
            last = sent["messages"][-1]
            sent["messages"][-1] = {**last, "content": [*blocks_of(last["content"]), note]}
        return sent

    @property
    def label(self) -> str:
        """The window's label, named as the memory-tool rung."""
        return "memory tool + " + super().label
