"""Simulate a long scripted conversation under a memory strategy: tokens sent and billed per turn.

Token counts are the kit's bill (helpers.api.bill, the same the stand-in uses), not the API's count. Caching is billed by
the same rules as the local stand-in (helpers.memory.caching, values from helpers.api_facts): a
prefix is cached only from the model's minimum on; a request that repeats a cached prefix reads it
(0.1x) and writes the rest up to its breakpoint (1.25x for 5 minutes, 2x for 1 hour); an entry
expires its TTL after its last use, at a stated pace of turns. Without caching, every token costs 1x. Extra calls a
strategy makes (a summary, a compaction, a memory write) are billed too: their input at 1x, and their output (the
summary, the tool call) at the model's output price, in input-token equivalents (pricing.py: $5 vs $1 for Haiku 4.5).
The replies to the script's own turns are the same under every strategy, so they are left out.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..api.bill import request_units
from ..api_facts import CACHE_READ_MULTIPLIER, cache_write_multiplier
from ..config import DEFAULT_MODEL, REPO_ROOT
from .caching import Block, PromptCache, minimum, request_blocks
from .pricing import price
from .strategies import Exchange, Strategy, tokens_of

LONG_CHAT = REPO_ROOT / "data" / "conversations" / "long_chat.json"
SECONDS_PER_TURN = 60.0  # the kit's assumed pace: one turn a minute, so a 5-minute cache stays warm between turns


@dataclass(frozen=True)
class Script:
    """A scripted conversation: a system prompt, exchanges, and the facts a good memory keeps."""

    system: str
    exchanges: list[Exchange]
    facts: list[str]
    pinned: list[int]
    tools: list[dict[str, Any]] | None = None  # a tool-heavy script's tool definitions (sent with every request)

    def request(self, t: int, max_tokens: int = 300) -> dict[str, Any]:
        """Turn t's request: the exchanges before it, then its user turn (and any tool round in it), with the tools."""
        history = [m for pair in self.exchanges[:t] for m in pair]
        body = {"model": "sim", "max_tokens": max_tokens, "system": self.system, "messages": [*history, *self.exchanges[t][:-1]]}
        return {**body, "tools": self.tools} if self.tools else body


@dataclass(frozen=True)
class Turn:
    """What one turn sent and what it was billed, in input-token equivalents."""

    sent: int
    cache_read: int
    cache_write: int
    uncached: int
    cache_write_1h: int = 0
    side_output: float = 0.0  # extra calls' output (summaries, compactions, memory writes), in input equivalents

    @property
    def billed(self) -> float:
        """Input-token equivalents: uncached at 1x, writes at 1.25x (5 minutes) or 2x (1 hour), reads at 0.1x."""
        writes = cache_write_multiplier("5m") * self.cache_write + cache_write_multiplier("1h") * self.cache_write_1h
        return self.uncached + writes + CACHE_READ_MULTIPLIER.value * self.cache_read + self.side_output


def load_script(path: Path = LONG_CHAT) -> Script:
    """Read a scripted conversation from data/conversations."""
    data = json.loads(path.read_text(encoding="utf-8"))
    return Script(data["system"], data["exchanges"], data["facts"], data["pinned"], data.get("tools"))


def units(body: dict[str, Any]) -> list[int]:
    """The request as cacheable units (system prompt, then each message), sized by the bill (helpers.api.bill)."""
    return request_units(body)


def blocks(body: dict[str, Any]) -> list[Block]:
    """The request as cacheable blocks, exactly as the stand-in bills it: block-level breakpoints and the top-level one."""
    return request_blocks(body)


def output_ratio(model: str) -> float:
    """An output token's price in input tokens for the model (pricing.py), or 5 where the table has no price."""
    try:
        rates = price(model)
    except KeyError:
        return 5.0  # Haiku 4.5's ratio, for a model the price table does not know (the kit's fallback)
    return rates.output / rates.input


class ExtractiveSummarizer:
    """An offline stand-in for the model's summary: the first sentence of each dropped user turn.

    It counts the tokens a real summary call would read, so their cost can be billed.
    """

    def __init__(self) -> None:
        self.read = 0
        self.wrote = 0  # the summaries' own tokens: a model writes the whole updated summary each time

    def __call__(self, summary: str, dropped: list[Exchange]) -> str:
        """Fold the dropped exchanges into the summary."""
        self.read += tokens_of(summary) + sum(tokens_of(pair) for pair in dropped)
        firsts = [str(pair[0]["content"]).split(". ")[0].rstrip(".") + "." for pair in dropped]
        new = " ".join([summary, *firsts]).strip()
        self.wrote += tokens_of(new)
        return new


def simulate(strategy: Strategy, script: Script, turns: int | None = None, max_tokens: int = 300, *,
             model: str = DEFAULT_MODEL, seconds_per_turn: float = SECONDS_PER_TURN) -> list[Turn]:
    """Run the script turn by turn through the strategy and cost each request (summary calls included)."""
    rows, cache, ratio = [], PromptCache(), output_ratio(model)
    summarizer = getattr(strategy, "summarizer", None)
    for t in range(len(script.exchanges[:turns])):
        read_before, wrote_before = int(getattr(summarizer, "read", 0)), int(getattr(summarizer, "wrote", 0))
        reused_before = int(getattr(summarizer, "reused", 0))
        body = strategy.prepare(script.request(t, max_tokens))
        sent = sum(units(body))
        summary_call = int(getattr(summarizer, "read", 0)) - read_before
        side = ratio * (int(getattr(summarizer, "wrote", 0)) - wrote_before) + \
            CACHE_READ_MULTIPLIER.value * (int(getattr(summarizer, "reused", 0)) - reused_before)
        bill = cache.bill(model, blocks(body), t * seconds_per_turn)  # a request with no breakpoint reads nothing
        rows.append(Turn(sent, bill.read, bill.write_5m, bill.uncached + summary_call, bill.write_1h, side))
    return rows


def lower_bound(script: Script, max_tokens: int = 300, *, model: str = DEFAULT_MODEL) -> float:
    """The least a strategy that keeps a cached context can be billed over the script, in input-token equivalents.

    Each turn adds new tokens (its user turn, the reply before it): each is written to the cache once (1.25x). Past the
    model's minimum cacheable prefix a cached request reads at least that minimum (0.1x) besides its new tokens;
    before the conversation reaches the minimum nothing can be cached, and the prompt is billed at 1x. No strategy
    that keeps the conversation cached pays less; dropping, summarizing or editing only adds cache writes.
    """
    least, before, floor = 0.0, 0, minimum(model)
    for t in range(len(script.exchanges)):
        size = sum(units(script.request(t, max_tokens)))
        new = size - before if before >= floor else size  # the first cached turn writes all of it
        if size < floor:
            least += size
        else:
            least += cache_write_multiplier("5m") * new + CACHE_READ_MULTIPLIER.value * max(0, floor - new)
        before = size
    return least


def facts_kept(strategy: Strategy, script: Script) -> dict[str, bool]:
    """Which facts are still in the last request of the script under this strategy."""
    body = strategy.prepare(script.request(len(script.exchanges) - 1))
    text = json.dumps(body, ensure_ascii=False)
    return {fact: fact in text for fact in script.facts}


@dataclass(frozen=True)
class Outcome:
    """One strategy over the whole script: its turns, its bill as a share of the full history, the facts kept."""

    label: str
    turns: list[Turn]
    share: float
    facts: dict[str, bool]

    @property
    def billed(self) -> float:
        """Input-token equivalents billed over the whole script."""
        return sum(turn.billed for turn in self.turns)


def compare(strategies: list[Strategy], script: Script, baseline: Strategy, **options: Any) -> list[Outcome]:
    """Simulate each strategy and express its bill as a share of the baseline's."""
    base = sum(turn.billed for turn in simulate(baseline, script, **options))
    outcomes = []
    for strategy in strategies:
        turns = simulate(strategy, script, **options)
        outcomes.append(Outcome(strategy.label, turns, sum(t.billed for t in turns) / base, facts_kept(strategy, script)))
    return outcomes


def table(outcomes: list[Outcome], against: str = "full") -> str:
    """A plain-text table: billed, share of the baseline (`against` names it), facts kept."""
    width = max([46, *(len(o.label) for o in outcomes)])
    lines = [f"{'strategy':{width}} {'billed':>10} {'vs ' + against:>15}  facts kept"]
    for o in outcomes:
        lines.append(f"{o.label:{width}} {o.billed:>10,.0f} {o.share:>15.1%}  {sum(o.facts.values())}/{len(o.facts)}")
    return "\n".join(lines)
