"""What each memory strategy costs over a 100-turn conversation, as a share of sending the full history.

    python benchmarks/context_cost.py            # offline: token figures are estimates (about 4 characters a token)
    python benchmarks/context_cost.py --live     # with a key: each request's size comes from the API's count_tokens

Prints a table (input-token equivalents billed: cache writes at 1.25x, reads at 0.1x, see helpers/pricing.py),
whether the pinned facts survive to turn 100, and writes a plot to benchmarks/out/context_cost.png.
Target: the best managed strategy at most 8% of the full history, with every pinned fact kept.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from itertools import accumulate
from pathlib import Path

from tqdm import tqdm

from helpers.costsim import ExtractiveSummarizer, Script, Turn, facts_kept, load_script, simulate
from helpers.memory import BlockTrim, FullHistory, SlidingWindow, Strategy, SummarizeOlder, TokenBudget

OUT = Path(__file__).resolve().parent / "out" / "context_cost.png"
TARGET = 0.08
PINNED = [0, 1, 2]


def strategies() -> list[Strategy]:
    """Fresh instances of every strategy compared (some keep state between turns)."""
    return [
        FullHistory(),
        FullHistory(cache=True),
        SlidingWindow(10),
        SlidingWindow(10, cache=True),
        TokenBudget(4000, pinned=PINNED),
        TokenBudget(4000, pinned=PINNED, cache=True),
        BlockTrim(4000, 10, pinned=PINNED, cache=True),
        SummarizeOlder(4000, 10, summarizer=ExtractiveSummarizer(), pinned=PINNED, cache=True),
        SummarizeOlder(4000, 10, summarizer=ExtractiveSummarizer(), cache=True),
    ]


def live_sizer() -> Callable[[Strategy, Script, list[Turn]], list[Turn]]:
    """Rescale each simulated turn to the API's count_tokens figure for the same request (needs a key)."""
    from helpers import setup

    client = setup(quiet=True)

    def rescale(strategy: Strategy, script: Script, rows: list[Turn]) -> list[Turn]:
        scaled = []
        for t, row in enumerate(rows):
            history = [m for pair in script.exchanges[:t] for m in pair]
            body = strategy.prepare({"model": "m", "max_tokens": 1, "system": script.system,
                                     "messages": [*history, script.exchanges[t][0]]})
            counted = client.messages.count_tokens(model="claude-haiku-4-5", system=body.get("system", ""),
                                                   messages=body["messages"]).input_tokens
            k = counted / row.sent
            scaled.append(Turn(counted, round(row.cache_read * k), round(row.cache_write * k), round(row.uncached * k)))
        return scaled

    return rescale


def plot(results: dict[str, list[Turn]], path: Path) -> None:
    """Cumulative billed input per turn, one line per strategy."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (sent, billed) = plt.subplots(1, 2, figsize=(13, 5))
    for label, rows in results.items():
        sent.plot([r.sent for r in rows], label=label)
        billed.plot(list(accumulate(r.billed for r in rows)), label=label)
    sent.set(title="Tokens sent per turn (estimate)", xlabel="turn", ylabel="tokens")
    billed.set(title="Cumulative input billed (token equivalents)", xlabel="turn", yscale="log")
    billed.legend(fontsize=7)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)


def main(argv: list[str] | None = None) -> int:
    """Simulate every strategy, print the table, write the plot."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--live", action="store_true", help="size requests with the API's count_tokens (needs a key)")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    script = load_script()
    rescale = live_sizer() if args.live else None
    results, kept = {}, {}
    for strategy in tqdm(strategies(), desc="strategies", unit="strategy"):
        rows = simulate(strategy, script)
        results[strategy.label] = rescale(strategy, script, rows) if rescale else rows
        kept[strategy.label] = facts_kept(strategy, script)
    base = sum(r.billed for r in results[FullHistory().label])
    source = "the API's count_tokens" if args.live else "the offline estimate (about 4 characters a token)"
    print(f"\n{len(script.exchanges)} turns; token figures from {source}; caching modelled as the API bills it.")
    print(f"{'strategy':48} {'billed':>10} {'vs full':>8}  facts kept")
    best = 1.0
    for label, rows in results.items():
        total, facts = sum(r.billed for r in rows), kept[label]
        ratio = total / base
        if label != FullHistory().label and all(facts.values()):
            best = min(best, ratio)
        print(f"{label:48} {total:>10,.0f} {ratio:>8.1%}  {sum(facts.values())}/{len(facts)}")
    print(f"\nBest managed strategy with every pinned fact kept: {best:.1%} of the full history "
          f"(target at most {TARGET:.0%}): {'PASS' if best <= TARGET else 'FAIL'}")
    plot(results, args.out)
    print(f"Plot written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
