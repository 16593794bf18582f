"""Memory strategies: what part of a long history is sent with the next turn.

Use one in two lines: `conv = Conversation(memory=SlidingWindow(5))`, then `conv.request(text)`
shows exactly what Claude will see. Every strategy keeps whole exchanges (a user turn and its
reply, with any tool_use/tool_result round between), so the request always starts with a user turn and the roles always alternate. Exchanges
listed in `pinned` are never dropped. With `cache=True` the request carries an automatic cache
breakpoint (top-level `cache_control`) that moves to the end of the prompt every turn.
"""

from __future__ import annotations

import copy
import functools
import json
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from .tokens import estimate_tokens

if TYPE_CHECKING:
    from ..conversation import Conversation

T = TypeVar("T")
Exchange = list[dict[str, Any]]  # [user message, assistant message], or longer with a tool round in it
Summarizer = Callable[[str, list[Exchange]], str]  # (old summary, dropped exchanges) -> new summary


def split(messages: list[dict[str, Any]]) -> tuple[list[Exchange], Exchange]:
    """The history as whole exchanges, plus the exchange in progress (the new user turn, with any tool round before it).

    An exchange starts at a user turn that is not a tool_result turn, so a tool_use stays with its tool_result
    and a thinking block with the turn it belongs to: no strategy can send one without the other.
    """
    starts = [i for i, m in enumerate(messages) if m["role"] == "user" and not _answers_tools(m)] or [0]
    bounds = [*starts, len(messages)]
    groups = [messages[a:b] for a, b in zip(bounds, bounds[1:], strict=False)]
    return groups[:-1], groups[-1]


def _answers_tools(message: dict[str, Any]) -> bool:
    """Whether a user turn carries tool results (it belongs to the exchange before it)."""
    content = message.get("content")
    return isinstance(content, list) and any(isinstance(b, dict) and b.get("type") == "tool_result" for b in content)


def tokens_of(item: Any) -> int:
    """The offline token estimate of a message, an exchange or a system prompt."""
    if isinstance(item, str):
        return estimate_tokens(item)
    plain = _plain(item)
    if plain is not None:
        return _plain_tokens(plain, isinstance(item, list))  # the common case (text messages, exchanges), remembered
    return estimate_tokens(json.dumps(item, ensure_ascii=False))


def _plain(item: Any) -> tuple[tuple[str, str], ...] | None:
    """A text message, or a list of them, as (role, text) pairs; None for anything else."""
    items = item if isinstance(item, list) else [item]
    pairs = []
    for message in items:
        if not (isinstance(message, dict) and message.keys() == {"role", "content"} and isinstance(message["content"], str)):
            return None
        pairs.append((message["role"], message["content"]))
    return tuple(pairs)


@functools.lru_cache(maxsize=8192)
def _plain_tokens(pairs: tuple[tuple[str, str], ...], is_list: bool) -> int:
    """The estimate of text messages, exactly as their JSON would give it."""
    messages = [{"role": role, "content": text} for role, text in pairs]
    return estimate_tokens(json.dumps(messages if is_list else messages[0], ensure_ascii=False))


def copied(message: dict[str, Any]) -> dict[str, Any]:
    """A copy of a message that shares nothing mutable with it."""
    return dict(message) if isinstance(message.get("content"), str) else copy.deepcopy(message)


class Strategy:
    """Base strategy: keep every exchange (the full history); subclasses choose what to keep."""

    name = "full history"

    def __init__(self, *, pinned: Sequence[int] = (), cache: bool = False) -> None:
        self.pinned, self.cache = tuple(pinned), cache
        self.dropped: list[int] = []

    def keep(self, pairs: list[Exchange], fixed: int) -> list[int]:
        """The indices of the exchanges to send (`fixed`: tokens that are always sent)."""
        return list(range(len(pairs)))

    def forget(self, messages: list[Any]) -> None:
        """Drop state about turns no longer in the history (after an undo or a reset)."""
        self.dropped = [i for i in self.dropped if 2 * i + 1 < len(messages)]

    def system(self, body: dict[str, Any], conversation: Conversation | None) -> str | None:
        """The system prompt to send (a summary strategy puts its summary here)."""
        return body.get("system")

    def prepare(self, body: dict[str, Any], conversation: Conversation | None = None) -> dict[str, Any]:
        """The request body to send: the chosen exchanges, pinned ones first kept, then the new turn."""
        pairs, tail = split(body["messages"])
        pinned = {i for i in self.pinned if i < len(pairs)}
        fixed = tokens_of(body.get("system") or "") + tokens_of(tail) + sum(tokens_of(pairs[i]) for i in pinned)
        kept = sorted(set(self.keep(pairs, fixed)) | pinned)
        self.dropped = [i for i in range(len(pairs)) if i not in kept]
        sent = {k: v for k, v in body.items() if k not in ("messages", "system")}
        system = self.system(body, conversation)
        if system:
            sent["system"] = system
        sent["messages"] = [copied(m) for m in [m for i in kept for m in pairs[i]] + tail]
        if self.cache:
            sent["cache_control"] = {"type": "ephemeral"}
        return sent

    @property
    def label(self) -> str:
        """The name with its options, for tables and plots."""
        return self.name + (" + pinned" if self.pinned else "") + (" + cache" if self.cache else "")

    def __repr__(self) -> str:
        """The strategy's name and settings."""
        extras = (f", pinned={list(self.pinned)}" if self.pinned else "") + (", cache=True" if self.cache else "")
        return f"{type(self).__name__}({self.describe()}{extras})"

    def describe(self) -> str:
        """The settings of this strategy, for its repr."""
        return ""


class FullHistory(Strategy):
    """Send everything, every turn: the baseline."""


class SlidingWindow(Strategy):
    """Send only the last `exchanges` exchanges (plus pinned ones)."""

    def __init__(self, exchanges: int, **options: Any) -> None:
        super().__init__(**options)
        if exchanges < 1:
            raise ValueError("A sliding window needs at least one exchange.")
        self.exchanges = exchanges
        self.name = f"sliding window ({exchanges})"

    def keep(self, pairs: list[Exchange], fixed: int) -> list[int]:
        """The newest exchanges."""
        return list(range(max(0, len(pairs) - self.exchanges), len(pairs)))

    def describe(self) -> str:
        """The window size."""
        return str(self.exchanges)


class TokenBudget(Strategy):
    """Send the newest exchanges that fit a token budget (offline estimate), plus pinned ones."""

    def __init__(self, budget: int, **options: Any) -> None:
        super().__init__(**options)
        self.budget = budget
        self.name = f"token budget ({budget:,})"

    def keep(self, pairs: list[Exchange], fixed: int) -> list[int]:
        """The newest exchanges whose tokens, added to the fixed part, stay within the budget."""
        kept, used = [], fixed
        for i in reversed(range(len(pairs))):
            if i in self.pinned:
                continue
            used += tokens_of(pairs[i])
            if used > self.budget:
                break
            kept.append(i)
        return kept

    def describe(self) -> str:
        """The budget."""
        return f"{self.budget}"


class BlockTrim(Strategy):
    """Drop the oldest exchanges `block` at a time once over budget, so the prefix stays stable between drops."""

    def __init__(self, budget: int, block: int = 10, **options: Any) -> None:
        super().__init__(**options)
        self.budget, self.block = budget, block
        self.name = f"block trim ({budget:,}, {block})"

    def start(self, pairs: list[Exchange], fixed: int) -> int:
        """The first exchange sent: the smallest multiple of `block` that fits the budget."""
        start = 0
        while start < len(pairs) and fixed + sum(tokens_of(p) for p in pairs[start:]) > self.budget:
            start += self.block
        return min(start, len(pairs))

    def keep(self, pairs: list[Exchange], fixed: int) -> list[int]:
        """Every exchange from the current block start on."""
        return list(range(self.start(pairs, fixed), len(pairs)))

    def describe(self) -> str:
        """The budget and block size."""
        return f"{self.budget}, block={self.block}"


class SummarizeOlder(BlockTrim):
    """Block trimming, plus a running summary of what was dropped, which leads the system prompt.

    The summary is plain text in `.summary`: read it, or edit it, at any time.
    """

    def __init__(self, budget: int, block: int = 10, *, summarizer: Summarizer | None = None, **options: Any) -> None:
        super().__init__(budget, block, **options)
        self.summary = ""
        self.summarized = 0  # exchanges already folded into the summary
        self.covered: Exchange = []  # exactly the messages the summary was made from
        self.summarizer = summarizer
        self.name = f"summarize older ({budget:,}, {block})"

    def forget(self, messages: list[Any]) -> None:
        """Keep the summary only while every summarized exchange is still in the history."""
        super().forget(messages)
        if messages[: len(self.covered)] != self.covered:
            self.summary, self.summarized, self.covered = "", 0, []

    def system(self, body: dict[str, Any], conversation: Conversation | None) -> str | None:
        """The summary of dropped exchanges, then the original system prompt."""
        pairs, _ = split(body["messages"])
        if [m for pair in pairs[: self.summarized] for m in pair] != self.covered:
            self.summary, self.summarized, self.covered = "", 0, []  # not the history summarized: start again
        newly = [i for i in self.dropped if i >= self.summarized and i not in self.pinned]
        if newly:
            summarize = self.summarizer or model_summarizer(conversation)
            self.summary = summarize(self.summary, [pairs[i] for i in newly])
            self.summarized = max(newly) + 1
            self.covered = [copied(m) for pair in pairs[: self.summarized] for m in pair]
        parts = [f"Summary of the earlier conversation:\n{self.summary}"] if self.summary else []
        return "\n\n".join(parts + ([body["system"]] if body.get("system") else [])) or None


SUMMARY_PROMPT = (
    "Update the running summary of a conversation with the exchanges below. Keep every name, number, "
    "decision and open question; drop small talk. Reply with the summary only, at most 150 words."
)


def model_summarizer(conversation: Conversation | None) -> Summarizer:
    """A summarizer that asks the model (through the conversation's client, so it is recorded too)."""
    if conversation is None:
        raise ValueError("SummarizeOlder needs a conversation's client, or a summarizer function.")

    def summarize(summary: str, dropped: list[Exchange]) -> str:
        """Fold the dropped exchanges into the summary with one API call."""
        transcript = "\n".join(f"{m['role']}: {m['content']}" for pair in dropped for m in pair)
        text = f"Summary so far:\n{summary or '(none)'}\n\nExchanges to add:\n{transcript}"
        reply = conversation.client.messages.create(
            model=conversation.model, max_tokens=300, system=SUMMARY_PROMPT, messages=[{"role": "user", "content": text}]
        )
        return "".join(getattr(block, "text", "") for block in reply.content)

    return summarize
