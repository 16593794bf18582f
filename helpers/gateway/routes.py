"""The gateway's exact routes: the four API endpoints a learner may reach, and nothing that merely resembles them.

A request target is matched whole, as sent: no percent-encoding, no dot segments, no empty segments, no backslash,
and only the query parameters the endpoint takes (with plain values). The path sent upstream is rebuilt from the
route's own text, never copied from the learner's, so no trick in a path can reach another endpoint with the real key.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode

MODEL_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:@-]{0,127}")  # a model id: a letter or digit first, so never '.' or '..'
PLAIN_VALUE = re.compile(r"[A-Za-z0-9._:@-]{0,128}")  # a query value the gateway passes on
ALLOWED_QUERY = {"messages": {"beta"}, "count_tokens": {"beta"}, "models": {"beta", "limit", "after_id", "before_id"},
                 "model": {"beta"}}  # the query parameters the SDK sends to each endpoint


@dataclass(frozen=True)
class Route:
    """A matched request: which endpoint, and the exact path and query to send upstream."""

    name: str  # messages, count_tokens, models or model
    upstream: str  # the path and query sent to the real API


def match(method: str, target: str, prefix: str = "") -> Route | None:
    """The route of a request target (`/v1/messages?beta=true`), or None: anything else is not served."""
    path, _, query = target.partition("?")
    if prefix and path.startswith(prefix + "/v1/"):
        path = path[len(prefix):]  # the hub's proxy prefix (/services/gateway), when reached through it
    if any(mark in target for mark in ("%", "\\", "#", ";")) or "//" in path or "/." in path:
        return None
    name = endpoint(method.upper(), path)
    if name is None:
        return None
    try:
        pairs = parse_qsl(query, keep_blank_values=True, strict_parsing=True) if query else []
    except ValueError:
        return None
    keys = [key for key, _ in pairs]
    if len(set(keys)) != len(keys) or not set(keys) <= ALLOWED_QUERY[name]:
        return None
    if not all(PLAIN_VALUE.fullmatch(value) for _, value in pairs):
        return None
    return Route(name, path + (f"?{urlencode(pairs)}" if pairs else ""))


def endpoint(method: str, path: str) -> str | None:
    """Which of the four endpoints a method and a clean path name, or None."""
    if method == "POST" and path == "/v1/messages":
        return "messages"
    if method == "POST" and path == "/v1/messages/count_tokens":
        return "count_tokens"
    if method == "GET" and path == "/v1/models":
        return "models"
    if method == "GET" and path.startswith("/v1/models/") and MODEL_ID.fullmatch(path[len("/v1/models/"):]):
        return "model"
    return None
