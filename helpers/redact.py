"""Keys kept off screen and disk: mask key-like text, and cap what a server's message may put in an error."""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from typing import Any

SECRET_VARS = ("ANTHROPIC_API_KEY", "ANTHROPIC_AUTH_TOKEN")  # the two credentials the SDK reads from the environment
REMOVED = "[key removed]"
KEY_LIKE = re.compile(r"sk-ant-[A-Za-z0-9_\-]{6,}|(?i:bearer\s+)[A-Za-z0-9._~+/=\-]{12,}")
MESSAGE_LIMIT = 300  # characters of a server's error message the kit shows


def env_secrets(env: Mapping[str, str] | None = None) -> list[str]:
    """The values of ANTHROPIC_API_KEY and ANTHROPIC_AUTH_TOKEN that are set (long enough to be a credential)."""
    source = os.environ if env is None else env
    return [value for name in SECRET_VARS if len(value := source.get(name, "").strip()) >= 8]


def header_secrets(headers: Mapping[str, str]) -> list[str]:
    """The credential values a request carries in `x-api-key` or `Authorization: Bearer`."""
    found = [headers.get("x-api-key", "")]
    auth = headers.get("authorization", "")
    found.append(auth.split(" ", 1)[1] if auth.lower().startswith("bearer ") else "")
    return [value.strip() for value in found if len(value.strip()) >= 8]


def mask(text: str, secrets: Iterable[str] = ()) -> str:
    """The text with each exact secret, and anything shaped like a key, replaced by `[key removed]`."""
    return KEY_LIKE.sub(REMOVED, scrub(text, [*secrets, *env_secrets()]))


def scrub(value: Any, secrets: Iterable[str]) -> Any:
    """A copy of JSON-shaped data with each exact secret replaced in every string (keys and values)."""
    wanted = sorted(set(secrets), key=len, reverse=True)

    def clean(text: str) -> str:
        """One string, scrubbed."""
        for secret in wanted:
            text = text.replace(secret, REMOVED)
        return text

    def walk(item: Any) -> Any:
        """Scrub one item and everything inside it."""
        if isinstance(item, str):
            return clean(item)
        if isinstance(item, dict):
            return {clean(str(k)): walk(v) for k, v in item.items()}
        if isinstance(item, list):
            return [walk(v) for v in item]
        return item

    return walk(value)


def clip(text: str, limit: int = MESSAGE_LIMIT) -> str:
    """The text on one line, cut to `limit` characters with a note of its full length."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else f"{flat[:limit].rstrip()}... (cut: {len(flat):,} characters in all)"
