"""The memory wing: what a conversation can remember, and what that costs.

It holds the memory strategies a `Conversation` uses (`strategies`), the token estimate (`tokens`, re-exported
from the bill in helpers.api.bill),
the context window and `count_tokens` (`limits`), the price table (`pricing`), the prompt cache's billing rules
(`caching`, which the stand-in also answers by), the cost simulation of a long
conversation with its plots (`costsim`, `plots`), the benchmark's rungs: server-side edits and the memory tool
(`rungs`), and those shaped by the cache minimum (`chunked`), and notebook 08's ladder of every rung side by side
(`ladder`). It imports the core and no other wing.
Names other wings may import: the strategies, `estimate_tokens`, `estimate_request_tokens`, `context_window`,
`PRICES`, `PRICES_AS_OF`, `cost`, `compare`, `load_script`, and the prompt cache (`PromptCache`,
`TooManyBreakpoints`, `caching_demo`, `request_blocks`, `usage_fields`).
"""

from .caching import PromptCache, TooManyBreakpoints, caching_demo, request_blocks, usage_fields
from .costsim import compare, load_script
from .limits import context_window
from .pricing import PRICES, PRICES_AS_OF, cost
from .strategies import BlockTrim, FullHistory, SlidingWindow, Strategy, SummarizeOlder, TokenBudget
from .tokens import estimate_request_tokens, estimate_tokens

__all__ = [
    "PRICES",
    "PRICES_AS_OF",
    "BlockTrim",
    "FullHistory",
    "SlidingWindow",
    "Strategy",
    "SummarizeOlder",
    "TokenBudget",
    "PromptCache",
    "TooManyBreakpoints",
    "caching_demo",
    "compare",
    "context_window",
    "cost",
    "estimate_request_tokens",
    "estimate_tokens",
    "load_script",
    "request_blocks",
    "usage_fields",
]
