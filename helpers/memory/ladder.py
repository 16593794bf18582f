"""Notebook 08's context-management ladder: every rung on one scripted conversation, and what each request cost.

The rungs are the kit's strategies (helpers.memory.strategies) and the server-side rungs the cost simulation runs
(helpers.memory.rungs); the offline figures are the simulation's (helpers.memory.costsim: the kit's token estimate and
the documented caching rules), not the API's. The demo settings here (budgets, triggers) are the kit's choices for
the tool-heavy script, not documented defaults.
"""

from __future__ import annotations

import html
import json
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import accumulate
from typing import Any

from ..api.content import blocks_of
from ..api_facts import COMPACTION_MIN_TRIGGER
from ..reply import Usage
from .costsim import LONG_CHAT, ExtractiveSummarizer, Outcome, Script, Turn, compare
from .plots import PANEL_H, PANEL_W, Chart, legend, panel
from .pricing import input_equivalents
from .rungs import MemoryTool, ServerEdits
from .strategies import BlockTrim, FullHistory, Strategy, SummarizeOlder

TOOL_CHAT = LONG_CHAT.parent / "tool_chat.json"  # tool-heavy: facts stated mid-sentence, early, mid-way and late


def clear_tool_uses(trigger: int, keep: int, least: int = 0, **options: Any) -> dict[str, Any]:
    """A clear_tool_uses_20250919 edit as the SDK's BetaClearToolUses20250919EditParam spells it."""
    edit = {"type": "clear_tool_uses_20250919", "trigger": {"type": "input_tokens", "value": trigger},
            "keep": {"type": "tool_uses", "value": keep}, **options}
    return {**edit, "clear_at_least": {"type": "input_tokens", "value": least}} if least else edit


def compact(trigger: int, **options: Any) -> dict[str, Any]:
    """A compact_20260112 edit as the SDK's BetaCompact20260112EditParam spells it."""
    return {"type": "compact_20260112", "trigger": {"type": "input_tokens", "value": trigger}, **options}


def rungs(script: Script) -> list[Strategy]:
    """Every rung, cached, with the kit's demo settings for the tool-heavy script (the same on any script)."""
    pins = list(script.pinned)
    return [
        FullHistory(cache=True),
        BlockTrim(9000, 15, pinned=pins, cache=True),
        SummarizeOlder(9000, 15, summarizer=ExtractiveSummarizer(), cache=True),
        ServerEdits([clear_tool_uses(9000, 3, 4000)], "clear tool uses (9,000; keep 3)", cache=True),
        ServerEdits([compact(COMPACTION_MIN_TRIGGER.value)], f"compaction ({COMPACTION_MIN_TRIGGER.value:,})", cache=True),
        MemoryTool(10, script.facts, cache=True),
    ]


def billed(usage: Any) -> float:
    """One reply's input in input-token equivalents (pricing.input_equivalents of the SDK's usage)."""
    return float(input_equivalents(Usage.from_api(usage)))


def cost_line(usage: Any) -> str:
    """What a reply's usage says was read: uncached, written to the cache, read from it, and the input billed."""
    kit = Usage.from_api(usage)
    return (f"input {kit.input_tokens:,} | cache written {kit.cache_creation_input_tokens:,} | cache read "
            f"{kit.cache_read_input_tokens:,} | billed {input_equivalents(kit):,.0f} input-token equivalents")


def split_pairs(messages: Sequence[dict[str, Any]]) -> list[str]:
    """Each tool_use sent without its tool_result in the next message, or a tool_result without its call (none: [])."""
    problems = []
    for i, message in enumerate(messages):
        blocks = blocks_of(message.get("content"))
        answered = {str(b.get("tool_use_id")) for b in blocks_of(messages[i + 1].get("content"))} if i + 1 < len(messages) else set()
        asked = {str(b.get("id")) for b in blocks_of(messages[i - 1].get("content"))} if i else set()
        problems += [f"messages.{i}: tool_use {b.get('id')} unanswered" for b in blocks
                     if b.get("type") == "tool_use" and str(b.get("id")) not in answered]
        problems += [f"messages.{i}: tool_result for {b.get('tool_use_id')} with no call before it" for b in blocks
                     if b.get("type") == "tool_result" and str(b.get("tool_use_id")) not in asked]
    return problems


def lost_per_turn(turns: Sequence[Turn]) -> list[int]:
    """Each turn's cached tokens it could not read because the prompt before them changed (written again instead)."""
    lost, cached = [], 0
    for turn in turns:
        lost.append(max(0, min(cached, turn.sent) - turn.cache_read))
        cached = turn.cache_read + turn.cache_write + turn.cache_write_1h
    return lost


def cache_lost(turns: Sequence[Turn]) -> int:
    """The cached tokens lost over the whole script."""
    return sum(lost_per_turn(turns))


@dataclass(frozen=True)
class Row:
    """One rung over the whole script: its label, bill, share of the cached full history, cache lost, facts kept."""

    label: str
    billed: float
    share: float
    last_sent: int
    lost: int
    facts: dict[str, bool]


def simulate_ladder(script: Script, strategies: Sequence[Strategy] | None = None) -> list[Outcome]:
    """Simulate every rung on the script (offline), each billed as a share of the full history with caching."""
    return compare(list(strategies or rungs(script)), script, FullHistory(cache=True))


def rows(outcomes: Sequence[Outcome]) -> list[Row]:
    """The outcomes as table rows."""
    return [Row(o.label, o.billed, o.share, o.turns[-1].sent, cache_lost(o.turns), o.facts) for o in outcomes]


def table(rows: Sequence[Row]) -> str:
    """The ladder as a plain-text table."""
    lines = [f"{'rung':44} {'billed':>9} {'vs full+cache':>13} {'last sent':>9} {'cache lost':>10}  facts kept"]
    for r in rows:
        kept = sum(r.facts.values())
        lines.append(f"{r.label:44} {r.billed:>9,.0f} {r.share:>13.0%} {r.last_sent:>9,} {r.lost:>10,}  {kept}/{len(r.facts)}")
    return "\n".join(lines)


def facts_in(body: dict[str, Any], facts: Sequence[str]) -> dict[str, bool]:
    """Which facts appear anywhere in a request body (system, tools, messages, compaction blocks)."""
    text = json.dumps(body, ensure_ascii=False)
    return {fact: fact in text for fact in facts}


def plot_ladder(outcomes: Sequence[Outcome], title: str) -> Chart:
    """Three panels: tokens sent per turn, cumulative input billed, and cached tokens lost per turn; the legend below."""
    sent = [(o.label, [float(t.sent) for t in o.turns]) for o in outcomes]
    billed_so_far = [(o.label, list(accumulate(t.billed for t in o.turns))) for o in outcomes]
    lost = [(o.label, [float(n) for n in lost_per_turn(o.turns)]) for o in outcomes]
    parts = panel(0, "Tokens sent per turn (estimate)", "turn", sent)
    parts += panel(PANEL_W, "Cumulative input billed (token equivalents)", "turn", billed_so_far)
    parts += panel(2 * PANEL_W, "Cached tokens lost per turn", "turn", lost)
    parts += legend(list(outcomes), PANEL_H + 16)
    width, height = 3 * PANEL_W, PANEL_H + 20 + 18 * ((len(outcomes) + 1) // 2) + 24
    head = f'<text x="{width / 2}" y="16" text-anchor="middle" font-size="14" font-weight="bold">{html.escape(title)}</text>'
    svg = (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
           f'style="max-width: 100%; height: auto" font-family="sans-serif"><rect width="100%" height="100%" fill="white"/>'
           f'{head}<g transform="translate(0,24)">{"".join(parts)}</g></svg>')
    return Chart(title, svg)
