"""Prompt caching as the docs describe its billing, for the stand-in and the cost simulation alike.

A request is a list of blocks (the system prompt, then each message); a block that carries a cache
breakpoint has a TTL. Rules (api_facts names each source): a breakpoint's prefix is cached only if it
reaches the model's minimum; a later request reads the longest cached prefix found within the lookback
window (about 20 content blocks, counted in blocks, not messages) before one of its breakpoints, and writes the
rest up to its breakpoints; an entry lives for its TTL from its last use; at most 4 breakpoints. The kit's
simplification: it caches whole messages (an entry ends where a message ends).
"""

from __future__ import annotations

import hashlib
import json
import threading
from dataclasses import dataclass
from typing import Any

from ..api.bill import request_units
from ..api.content import blocks_of, output_format
from ..api.rulebook import Request, by_name
from ..api_facts import CACHE_LOOKBACK_BLOCKS, CACHE_TTL_SECONDS, cache_minimum

GUESSED_MINIMUM = 1024  # a guess, for models whose minimum the docs do not give (api_facts says "unverified")


class TooManyBreakpoints(ValueError):
    """More cache_control breakpoints than the API allows."""


@dataclass(frozen=True)
class Block:
    """One cacheable unit of a request: its content (as JSON), its tokens, its breakpoint's TTL, its content blocks."""

    key: str
    tokens: int
    ttl: str | None = None
    parts: int = 1  # content blocks in it: the lookback window counts blocks, not messages


@dataclass(frozen=True)
class CacheUsage:
    """How a request's input tokens were billed."""

    read: int = 0
    write_5m: int = 0
    write_1h: int = 0
    uncached: int = 0

    @property
    def written(self) -> int:
        """Tokens written to the cache, both TTLs."""
        return self.write_5m + self.write_1h


def minimum(model: str) -> int:
    """The model's documented minimum cacheable prefix, or the stand-in's guess."""
    return cache_minimum(model) or GUESSED_MINIMUM


class PromptCache:
    """Cached prefixes and when each expires; `bill` applies the documented rules to one request."""

    def __init__(self) -> None:
        self._expires: dict[str, float] = {}
        self._lock = threading.Lock()

    def bill(self, model: str, blocks: list[Block], now: float) -> CacheUsage:
        """Bill one request at time `now` (seconds), reading and updating the cache."""
        breaks = [i for i, block in enumerate(blocks) if block.ttl]  # at most 4: request_blocks checks the rulebook
        sums, keys = [0], []
        digest = hashlib.sha256(model.encode())
        for block in blocks:
            sums.append(sums[-1] + block.tokens)
            digest.update(block.key.encode())
            keys.append(digest.copy().hexdigest())
        with self._lock:
            self._expires = {k: t for k, t in self._expires.items() if t > now}
            read_end = max((self._hit(keys, i, blocks) for i in breaks), default=0)
            if read_end:
                self._expires[keys[read_end - 1]] = max(self._expires[keys[read_end - 1]], now + CACHE_TTL_SECONDS.value["5m"])
            written = {"5m": 0, "1h": 0}
            covered = sums[read_end]
            for i in breaks:
                ttl = str(blocks[i].ttl)
                if sums[i + 1] >= minimum(model):
                    written[ttl] += max(0, sums[i + 1] - covered)
                    covered = max(covered, sums[i + 1])
                    self._expires[keys[i]] = max(self._expires.get(keys[i], 0.0), now + CACHE_TTL_SECONDS.value[ttl])
        read = sums[read_end]
        return CacheUsage(read, written["5m"], written["1h"], sums[-1] - read - written["5m"] - written["1h"])

    def _hit(self, keys: list[str], at: int, blocks: list[Block]) -> int:
        """The number of units in the longest cached prefix whose end lies within the lookback window before unit `at`.

        The window counts content blocks back from the breakpoint's own block (the first of the 20).
        """
        back = 0  # content blocks between the end of unit j and the breakpoint's block
        for j in range(at, -1, -1):
            if j < at:
                back += blocks[j + 1].parts
            if back >= CACHE_LOOKBACK_BLOCKS.value:
                break
            if keys[j] in self._expires:
                return j + 1
        return 0


def _parts(content: Any) -> int:
    """How many content blocks a system prompt or message content holds (a string is one)."""
    return max(1, len(content)) if isinstance(content, list) else 1


def _strip(content: Any) -> Any:
    """Content without its cache_control markers (they do not change the prefix)."""
    if isinstance(content, list):
        return [{k: v for k, v in b.items() if k != "cache_control"} if isinstance(b, dict) else b for b in content]
    return content


def _ttl(content: Any) -> str | None:
    """The TTL of the last cache_control marker in a system prompt or message content, if any."""
    marks = [b["cache_control"] for b in content if isinstance(b, dict) and b.get("cache_control")] if isinstance(content, list) else []
    return str(marks[-1].get("ttl") or "5m") if marks else None


def request_blocks(body: dict[str, Any]) -> list[Block]:
    """A Messages request as blocks sized by the bill (helpers.api.bill); top-level cache_control marks the last.

    Raises TooManyBreakpoints when the request carries more cache_control markers than the API allows.
    """
    system = body.get("system", "")
    too_many = by_name("cache.breakpoints").find(Request(body))  # the rule lives in the rulebook
    if too_many:
        raise TooManyBreakpoints(too_many)
    sizes = request_units(body)  # the bill's sizes: tools with the system prompt, then each message
    text = _strip(blocks_of(system)) if system else []  # a string is shorthand for one text block (the SDK's docstring)
    head = json.dumps({"tools": body.get("tools"), "system": text}) if body.get("tools") else json.dumps(text)
    shape = output_format(body)  # a new format invalidates the cache (STRUCTURED_FORMAT_PROMPT)
    head += json.dumps(shape) if shape else ""
    blocks = [Block(head, sizes[0], _ttl(system), len(body.get("tools") or []) + _parts(system))]
    for message, size in zip(body.get("messages", []), sizes[1:], strict=True):
        content = message.get("content", "")
        key = json.dumps({"role": message.get("role"), "content": _strip(blocks_of(content))}, sort_keys=True)
        blocks.append(Block(key, size, _ttl(content), _parts(content)))
    automatic = body.get("cache_control")
    if isinstance(automatic, dict) and blocks[-1].ttl is None:
        blocks[-1] = Block(blocks[-1].key, blocks[-1].tokens, str(automatic.get("ttl") or "5m"), blocks[-1].parts)
    return blocks


def usage_fields(cache: CacheUsage) -> dict[str, Any]:
    """The cache part of a response's `usage`, as the API reports it."""
    return {"input_tokens": cache.uncached, "cache_creation_input_tokens": cache.written,
            "cache_read_input_tokens": cache.read,
            "cache_creation": {"ephemeral_5m_input_tokens": cache.write_5m, "ephemeral_1h_input_tokens": cache.write_1h}}


def caching_demo(url: str, model: str = "claude-haiku-4-5") -> int:
    """Send a long prefix twice and a short one with cache_control to a stand-in at `url`; print each usage."""
    import anthropic

    client = anthropic.Anthropic(api_key="stand-in-demo", base_url=url, max_retries=0)
    long = "A long shared document. " * minimum(model)
    for label, text in (("long, first", long), ("long, again", long), ("short", "Hi!")):
        reply = client.messages.create(model=model, max_tokens=20, cache_control={"type": "ephemeral"},
                                       messages=[{"role": "user", "content": text}])
        u = reply.usage
        print(f"{label:12} written {u.cache_creation_input_tokens:>6,}  read {u.cache_read_input_tokens:>6,}  "
              f"uncached {u.input_tokens:>6,}")
    print(f"(minimum cacheable prefix for {model}: {minimum(model):,} tokens)")
    return 0
