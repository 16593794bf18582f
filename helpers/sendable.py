"""Checks that a request body, or a saved conversation, is plain JSON the API accepts, before anything is sent."""

from __future__ import annotations

import copy
import json
from typing import Any, TypeVar

from .api.rulebook import Request, by_name
from .history import check_history
from .reply import Usage

T = TypeVar("T")


def check_sendable(value: Any, what: str) -> Any:
    """Return `value` if it encodes as the JSON the SDK sends, or raise a ValueError saying what is wrong."""
    try:
        json.dumps(value, allow_nan=False, ensure_ascii=False).encode("utf-8")
    except RecursionError:
        raise ValueError(f"{what} is nested too deeply to send.") from None
    except UnicodeEncodeError as error:
        bad = error.object[error.start : error.end]
        raise ValueError(f"{what} contains {bad!r}, a lone surrogate that is not valid text: remove it, or paste the text again.") from None
    except ValueError:
        raise ValueError(f"{what} contains NaN or infinity, which JSON cannot carry: use a number or text instead.") from None
    except TypeError as error:
        raise TypeError(f"{what} contains something that is not text or JSON data ({error}): pass text, e.g. a str.") from None
    return value


def check_system(system: object) -> str | None:
    """Return a valid system prompt (text, or None for none), or raise a clear error."""
    if system is not None and not isinstance(system, str):
        raise TypeError(f"The system prompt must be text (a str) or None, not {type(system).__name__}.")
    check_sendable(system, "The system prompt")
    return system


def check_model(model: object) -> str:
    """Return a model id if it is non-empty text, or raise a clear error."""
    if not isinstance(model, str) or not model.strip():
        raise TypeError(f"The model must be a model id such as 'claude-haiku-4-5', not {model!r:.60}.")
    return model


def check_usage(usage: object) -> Usage:
    """Return saved token counts as a Usage, if every field is a known count (a whole number, 0 or more)."""
    if not isinstance(usage, dict):
        raise TypeError(f"usage must be a dict of token counts, not {type(usage).__name__}")
    fields = set(Usage.__dataclass_fields__)
    for name, count in usage.items():
        if name not in fields:
            raise ValueError(f"usage has an unknown field {str(name)[:40]!r}")
        if not isinstance(count, int) or isinstance(count, bool) or count < 0:
            raise ValueError(f"usage field {name!r} must be a whole number of tokens, not {count!r:.40}")
    return Usage(**usage)


def check_saved(data: dict[str, Any]) -> dict[str, Any]:
    """The fields of a saved conversation, each checked (KeyError, TypeError or ValueError names the bad one)."""
    messages = check_sendable(check_history(data["messages"]), "The saved history")
    return {
        "system": check_system(data["system"]),
        "model": check_model(data["model"]),
        "max_tokens": data["max_tokens"],
        "messages": messages,
        "usage": check_usage(data.get("usage", {})),
    }


def check_max_tokens(value: object) -> int:
    """Return a valid max_tokens, or raise the rulebook's refusal (the API's range, then the kit's own minimum of 1)."""
    for name in ("shape.max_tokens", "kit.max_tokens"):
        rule = by_name(name)
        found = rule.find(Request({"max_tokens": value}))
        if found is not None:
            raise ValueError(rule.refusal(found))
    return value  # type: ignore[return-value]


def owned(strategy: T) -> T:
    """An independent copy of a memory strategy for a fork (shallow if it holds something that cannot be copied)."""
    try:
        return copy.deepcopy(strategy)
    except Exception:
        return copy.copy(strategy)
