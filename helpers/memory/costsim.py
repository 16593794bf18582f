"""Simulate a long scripted conversation under a memory strategy: tokens sent and billed per turn.

Token counts are the offline estimate (helpers.memory.tokens), not the API's count. Caching is modelled
the way the API bills it: with a cache breakpoint at the end of the prompt, the part of a request
that repeats the previous request's prefix (system prompt, then whole messages) is a cache read
(0.1x), and the rest is a cache write (1.25x). Without caching, every input token costs 1x.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..config import REPO_ROOT
from .pricing import CACHE_READ, CACHE_WRITE
from .strategies import Exchange, Strategy, tokens_of

LONG_CHAT = REPO_ROOT / "data" / "conversations" / "long_chat.json"


@dataclass(frozen=True)
class Script:
    """A scripted conversation: a system prompt, exchanges, and the facts a good memory keeps."""

    system: str
    exchanges: list[Exchange]
    facts: list[str]
    pinned: list[int]


@dataclass(frozen=True)
class Turn:
    """What one turn sent and what it was billed, in input-token equivalents."""

    sent: int
    cache_read: int
    cache_write: int
    uncached: int

    @property
    def billed(self) -> float:
        """Input-token equivalents: uncached at 1x, writes at 1.25x, reads at 0.1x."""
        return self.uncached + CACHE_WRITE * self.cache_write + CACHE_READ * self.cache_read


def load_script(path: Path = LONG_CHAT) -> Script:
    """Read a scripted conversation from data/conversations."""
    data = json.loads(path.read_text(encoding="utf-8"))
    return Script(data["system"], data["exchanges"], data["facts"], data["pinned"])


def units(body: dict[str, Any]) -> list[int]:
    """The request as cacheable units (system prompt, then each message), in estimated tokens."""
    return [tokens_of(body.get("system") or "")] + [tokens_of(m) for m in body["messages"]]


def shared_prefix(before: dict[str, Any] | None, body: dict[str, Any]) -> int:
    """Estimated tokens at the start of `body` that repeat `before` exactly."""
    if before is None:
        return 0
    same = 0
    pieces = [before.get("system")] + before["messages"], [body.get("system")] + body["messages"]
    for old, new, size in zip(*pieces, units(body), strict=False):
        if old != new:
            break
        same += size
    return same


class ExtractiveSummarizer:
    """An offline stand-in for the model's summary: the first sentence of each dropped user turn.

    It counts the tokens a real summary call would read, so their cost can be billed.
    """

    def __init__(self) -> None:
        self.read = 0

    def __call__(self, summary: str, dropped: list[Exchange]) -> str:
        """Fold the dropped exchanges into the summary."""
        self.read += tokens_of(summary) + sum(tokens_of(pair) for pair in dropped)
        firsts = [str(pair[0]["content"]).split(". ")[0].rstrip(".") + "." for pair in dropped]
        return " ".join([summary, *firsts]).strip()


def simulate(strategy: Strategy, script: Script, turns: int | None = None, max_tokens: int = 300) -> list[Turn]:
    """Run the script turn by turn through the strategy and cost each request (summary calls included)."""
    rows, previous = [], None
    summarizer = getattr(strategy, "summarizer", None)
    for t, (user, _) in enumerate(script.exchanges[:turns]):
        read_before = summarizer.read if isinstance(summarizer, ExtractiveSummarizer) else 0
        history = [m for pair in script.exchanges[:t] for m in pair]
        body = strategy.prepare({"model": "sim", "max_tokens": max_tokens, "system": script.system,
                                 "messages": [*history, user]})
        sent = sum(units(body))
        summary_call = (summarizer.read if isinstance(summarizer, ExtractiveSummarizer) else 0) - read_before
        if body.get("cache_control"):
            read = shared_prefix(previous, body)
            rows.append(Turn(sent, read, sent - read, summary_call))
        else:
            rows.append(Turn(sent, 0, 0, sent + summary_call))
        previous = body
    return rows


def facts_kept(strategy: Strategy, script: Script) -> dict[str, bool]:
    """Which facts are still in the last request of the script under this strategy."""
    history = [m for pair in script.exchanges[:-1] for m in pair]
    body = strategy.prepare({"model": "sim", "max_tokens": 300, "system": script.system,
                             "messages": [*history, script.exchanges[-1][0]]})
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


def compare(strategies: list[Strategy], script: Script, baseline: Strategy) -> list[Outcome]:
    """Simulate each strategy and express its bill as a share of the baseline's."""
    base = sum(turn.billed for turn in simulate(baseline, script))
    outcomes = []
    for strategy in strategies:
        turns = simulate(strategy, script)
        outcomes.append(Outcome(strategy.label, turns, sum(t.billed for t in turns) / base, facts_kept(strategy, script)))
    return outcomes


def table(outcomes: list[Outcome]) -> str:
    """A plain-text table: billed, share of the full history, facts kept."""
    lines = [f"{'strategy':46} {'billed':>10} {'vs full':>8}  facts kept"]
    for o in outcomes:
        lines.append(f"{o.label:46} {o.billed:>10,.0f} {o.share:>8.1%}  {sum(o.facts.values())}/{len(o.facts)}")
    return "\n".join(lines)
