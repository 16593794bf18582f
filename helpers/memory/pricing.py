"""Prices, in one place, with their date: estimated costs of a turn or a conversation."""

from __future__ import annotations

from dataclasses import dataclass

from ..reply import Usage

PRICES_AS_OF = "2025-10-15"  # from Anthropic's public pricing page on that date; check it before you budget
CACHE_WRITE = 1.25  # a 5-minute cache write costs 1.25 times the input price
CACHE_READ = 0.10  # a cache read costs a tenth of the input price


@dataclass(frozen=True)
class Price:
    """US dollars per million tokens."""

    input: float
    output: float


PRICES: dict[str, Price] = {
    "claude-haiku-4-5": Price(input=1.00, output=5.00),
    "claude-sonnet-4-5": Price(input=3.00, output=15.00),
    "claude-opus-4-5": Price(input=5.00, output=25.00),
}


def price(model: str) -> Price:
    """The price of a model, or a clear error naming the ones the table knows."""
    if model not in PRICES:
        raise KeyError(f"No price for {model!r} in helpers/memory/pricing.py (prices as of {PRICES_AS_OF}). Known: {', '.join(PRICES)}.")
    return PRICES[model]


def input_equivalents(usage: Usage) -> float:
    """Input tokens weighted by what they cost: cache writes at 1.25x, cache reads at 0.1x."""
    return usage.input_tokens + CACHE_WRITE * usage.cache_creation_input_tokens + CACHE_READ * usage.cache_read_input_tokens


def cost(usage: Usage, model: str) -> float:
    """The estimated cost in US dollars of this usage (prices as of PRICES_AS_OF)."""
    rates = price(model)
    return (input_equivalents(usage) * rates.input + usage.output_tokens * rates.output) / 1_000_000
