"""Prices, in one place, with their date: estimated costs of a turn or a conversation."""

from __future__ import annotations

from dataclasses import dataclass

from ..api_facts import CACHE_READ_MULTIPLIER, CHECKED, DEPRECATED_MODELS, cache_write_multiplier
from ..reply import Usage

PRICES_AS_OF = CHECKED  # checked against PRICES_SOURCE on that date; check it again before you budget
PRICES_SOURCE = "https://platform.claude.com/docs/en/about-claude/pricing (and the Claude Haiku 4.5 model page)"
CACHE_WRITE = cache_write_multiplier("5m")  # from helpers/api_facts.py, where the caching facts live
CACHE_READ = CACHE_READ_MULTIPLIER.value


@dataclass(frozen=True)
class Price:
    """US dollars per million tokens."""

    input: float
    output: float


PRICES: dict[str, Price] = {
    "claude-haiku-4-5": Price(input=1.00, output=5.00),  # the kit's default model: $1 / $5 per MTok on the model page
    "claude-sonnet-4-5": Price(input=3.00, output=15.00),  # deprecated in the SDK: see deprecation()
    "claude-opus-4-5": Price(input=5.00, output=25.00),  # deprecated in the SDK: see deprecation()
}


def deprecation(model: str) -> str | None:
    """'deprecated, retires <date>' for a model the SDK marks deprecated, else None."""
    retires = DEPRECATED_MODELS.value.get(model)
    return f"deprecated, retires {retires}" if retires else None


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
