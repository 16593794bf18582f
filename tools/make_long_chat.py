"""Write data/conversations/long_chat.json: a 100-turn scripted conversation for the memory notebook and benchmark.

Every message is authored filler of about 150 tokens (an estimate), made from templates; none of it is model
output. The first three user turns each state one fact that a good memory strategy keeps.
"""

from __future__ import annotations

import json
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "data" / "conversations" / "long_chat.json"
FACTS = ["My name is Ana.", "The project codename is Bluebird.", "The launch date is March 3."]
TOPICS = ["soil testing", "raised beds", "watering rota", "seed swaps", "tool shed", "compost bins", "volunteer sign-up",
          "budget sheet", "school visits", "pest control", "signage", "harvest festival"]
SYSTEM = ("You are a patient planning assistant for a community garden. " * 2 + "Answer in plain words, keep track of "
          "decisions, and point out anything that conflicts with an earlier decision. ") * 8


def pad(text: str, size: int = 600) -> str:
    """Repeat a sentence pattern until the text is about `size` characters."""
    filler = " We want this to work for every neighbour, including beginners and people with little time."
    while len(text) < size:
        text += filler
    return text[:size].rsplit(" ", 1)[0] + "."


def exchange(turn: int) -> list[dict[str, str]]:
    """One scripted exchange: a user turn and the assistant's reply."""
    topic = TOPICS[turn % len(TOPICS)]
    lead = FACTS[turn] + " " if turn < len(FACTS) else ""
    user = pad(f"{lead}Turn {turn + 1}: let's plan the {topic}. What should we decide first, and what can wait?")
    reply = pad(f"For the {topic}, decide who owns it and by when, then list the materials. Turn {turn + 1} noted.")
    return [{"role": "user", "content": user}, {"role": "assistant", "content": reply}]


def main() -> None:
    """Write the script."""
    data = {
        "about": "Authored, synthetic conversation (templates, not model output) for notebook 04 and "
                 "benchmarks/context_cost.py. Made by tools/make_long_chat.py.",
        "system": SYSTEM.strip(),
        "facts": FACTS,
        "pinned": [0, 1, 2],
        "exchanges": [exchange(t) for t in range(100)],
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
