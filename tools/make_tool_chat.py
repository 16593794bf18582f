"""Write data/conversations/tool_chat.json: a second 100-turn script, tool-heavy, its facts stated mid-sentence and late.

Authored templates, not model output. Every turn is a tool loop (the user asks, the assistant calls `plot_log`, a long
tool result comes back, the assistant answers), so context editing has tool results to clear. The three facts sit in
the middle of a user turn's text (never its first sentence) at turns 9, 57 and 88: not where a summary of first
sentences or a pin on the first turns would keep them. The benchmark runs every rung on it with the same parameters.
"""

from __future__ import annotations

import json
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "data" / "conversations" / "tool_chat.json"
FACTS = {8: "the gate code is 4417", 56: "our treasurer is Joaquim", 87: "the harvest fair is on October 12"}
SYSTEM = "You help a community garden keep its plot log. Use the plot_log tool to read a plot's history. " * 6
PLOTS = ["north beds", "south beds", "greenhouse", "orchard", "herb spiral", "pond edge", "compost yard"]


def exchange(turn: int) -> list[dict[str, object]]:
    """One tool loop: the question, the call, its long result, the answer."""
    plot = PLOTS[turn % len(PLOTS)]
    fact = f" Before I forget, {FACTS[turn]}, so please keep that in mind." if turn in FACTS else ""
    user = f"Turn {turn + 1}: what happened in the {plot} this week?{fact} Summarize it for the newsletter."
    call = f"toolu_plot_{turn:03d}"
    rows = "; ".join(f"day {d}: watered {d % 3 + 1} times, weeded, {d * 7 % 11} seedlings moved" for d in range(1, 25))
    return [{"role": "user", "content": user},
            {"role": "assistant", "content": [{"type": "tool_use", "id": call, "name": "plot_log", "input": {"plot": plot}}]},
            {"role": "user", "content": [{"type": "tool_result", "tool_use_id": call, "content": f"{plot} log: {rows}."}]},
            {"role": "assistant", "content": f"This week in the {plot}: steady watering and weeding; seedlings moved. Turn {turn + 1}."}]


def main() -> None:
    """Write the script."""
    data = {"about": "Authored, synthetic tool-heavy conversation (templates, not model output) for "
                     "benchmarks/context_cost.py and notebook 08. Made by tools/make_tool_chat.py.",
            "system": SYSTEM, "facts": list(FACTS.values()), "pinned": sorted(FACTS),
            "tools": [{"name": "plot_log", "description": "Read one plot's log for the week.",
                       "input_schema": {"type": "object", "properties": {"plot": {"type": "string"}}, "required": ["plot"]}}],
            "exchanges": [exchange(t) for t in range(100)]}
    OUT.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
