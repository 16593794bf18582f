"""The server-side rungs of the context ladder as strategies the cost simulation can run: context editing, compaction,
and the memory tool over a sliding window.

The edits are the API's documented behaviour, from helpers.api.edits (the same code the stand-in answers by); these
classes only hold what a client holds between turns (a compaction block it sends back; the memory file). What each
extra call costs is billed through `summarizer` (a Counter): the compaction's own input at 1x and its summary at the
output price (BetaUsage.iterations: reported apart from the top-level usage, billed all the same; the compaction docs:
"an additional sampling step, which contributes to rate limits and billing"), and each memory write, a tool loop (the
call, then the whole prompt once more with its result, which reads what the first request cached).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ..api.bill import estimate_request_tokens, estimate_tokens
from ..api.content import blocks_of
from ..api.edits import after_compaction, edited
from ..config import DEFAULT_MODEL
from .caching import minimum
from .strategies import SlidingWindow, Strategy, split

if TYPE_CHECKING:
    from ..conversation import Conversation

MEMORY_TOOL = {"type": "memory_20250818", "name": "memory"}  # SDK: types/beta/beta_memory_tool_20250818_param.py


class Counter:
    """Tokens of extra calls (compaction, memory writes): input at 1x (`.read`), from the cache, and their output."""

    def __init__(self) -> None:
        self.read = 0
        self.reused = 0  # input the extra call read from the cache (0.1x)
        self.wrote = 0  # the extra calls' output tokens (a summary, a tool call): billed at the output price


def memory_write(counter: Counter, sent: dict[str, Any], facts: list[str], floor: int | None = None) -> None:
    """Bill one memory write as the tool loop it is: the call (output), then the prompt again with the call's result.

    The loop's second request repeats the prompt the first one just cached (read at 0.1x, the caching docs); the call
    and its result (about 60 tokens, the kit's estimate) are new input.
    """
    call = {"type": "tool_use", "name": "memory", "input": {"command": "create", "path": "/memories/facts.md",
                                                             "file_text": "\n".join(facts)}}
    counter.wrote += estimate_tokens(json.dumps(call))
    size = estimate_request_tokens(sent)
    if sent.get("cache_control") and size >= (floor if floor is not None else minimum(DEFAULT_MODEL)):
        counter.reused += size
        counter.read += 60
    else:  # under the minimum nothing was cached: the loop's second request is billed in full
        counter.read += size + 60


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
            self.summarizer.wrote += result.compaction_usage["output_tokens"]
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
            memory_write(self.summarizer, sent, self.memory)
        if self.memory:
            note = {"type": "text", "text": "<memory file=/memories/facts.md>\n" + "\n".join(self.memory) + "\n</memory>"}
            last = sent["messages"][-1]
            sent["messages"][-1] = {**last, "content": [*blocks_of(last["content"]), note]}
        return sent

    @property
    def label(self) -> str:
        """The window's label, named as the memory-tool rung."""
        return "memory tool + " + super().label
