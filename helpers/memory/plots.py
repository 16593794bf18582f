"""Plots a learner would rather look at than read: tokens per turn and what they cost."""

from __future__ import annotations

from itertools import accumulate
from typing import Any

from .costsim import Outcome


def plot_costs(outcomes: list[Outcome], title: str = "") -> Any:
    """Two panels: tokens sent per turn, and cumulative input billed, one line per strategy (a closed figure)."""
    import matplotlib.pyplot as plt

    fig, (sent, billed) = plt.subplots(1, 2, figsize=(12, 4.5))
    for outcome in outcomes:
        sent.plot([turn.sent for turn in outcome.turns], label=outcome.label)
        billed.plot(list(accumulate(turn.billed for turn in outcome.turns)), label=outcome.label)
    sent.set(title="Tokens sent per turn (estimate)", xlabel="turn", ylabel="tokens")
    billed.set(title="Cumulative input billed (token equivalents)", xlabel="turn")
    billed.legend(fontsize=7)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    plt.close(fig)  # shown once, as the cell's result, not again by the inline backend
    return fig
