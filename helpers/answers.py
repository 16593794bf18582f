"""Answers that are not a Message (a captive portal's page, a proxy's JSON, a tampered recording): one clear error.

The response hook checks a 200 answer to `/v1/messages` before the SDK parses it; `check_message` is the
backstop on what the SDK returns, so no raw AttributeError, TypeError or AssertionError reaches the learner.
"""

from __future__ import annotations

import json
from typing import Any

import httpx2

from .errors import NotAMessageError
from .redact import clip, mask

SOURCE_HEADER = "x-converse-kit-source"  # set on replayed answers: the recording they came from
VIA_HEADER = "x-converse-kit-via"  # set by the class gateway and the stand-in on their answers: what they are
STANDIN_VIA = "the kit's local stand-in: an authored sample (hand-written, not model output), not the API"
HELP = "Check the network (a Wi-Fi login page?), ANTHROPIC_BASE_URL, or restore the recording with git checkout."


def describe(body: bytes | str) -> str:
    """The start of a body, on one line, with anything key-like masked."""
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else str(body)
    return clip(mask(text), 100) or "(an empty body)"


def origin(response: httpx2.Response) -> str:
    """Where an answer came from: a recording, or the server's address."""
    source = response.headers.get(SOURCE_HEADER)
    return source or f"the server at {response.request.url.scheme}://{response.request.url.netloc.decode()}"


def refuse(what: str, where: str) -> NotAMessageError:
    """The one error for an answer that is not a Claude message."""
    return NotAMessageError(f"The answer from {where} is not a Claude message; it starts: {what}\n"
                            f"Nothing was stored. {HELP}")


def check_answer(response: httpx2.Response) -> None:
    """Response hook: refuse a 200 answer to /v1/messages that is not a Message (or an SSE stream when one was asked)."""
    request = response.request
    if response.status_code != 200 or request.method != "POST" or not request.url.path.endswith("/v1/messages"):
        return
    try:
        streamed = bool(json.loads(request.read() or b"{}").get("stream"))
    except (ValueError, AttributeError):
        return
    kind = response.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind != ("text/event-stream" if streamed else "application/json"):
        raise refuse(f"({kind or 'no content type'}) " + describe(response.read()[:2000]), origin(response))
    if streamed:
        return  # a stream is checked as it is read (check_message on the final message)
    try:
        data = json.loads(response.read())
    except ValueError:
        return  # cut off or malformed JSON: the SDK's own error says so
    if not (isinstance(data, dict) and data.get("type") == "message"):
        raise refuse(describe(response.read()), origin(response))


def check_message(message: Any, where: str) -> Any:
    """Return the SDK's message if it has the shape of a Message, or raise NotAMessageError."""
    content, usage = getattr(message, "content", None), getattr(message, "usage", None)
    ok = (getattr(message, "type", None) == "message" and isinstance(content, list)
          and all(isinstance(getattr(block, "type", None), str) for block in content)
          and all(isinstance(getattr(usage, name, None), int) for name in ("input_tokens", "output_tokens")))
    if not ok:
        shown = message.to_json(indent=None) if hasattr(message, "to_json") else message
        raise refuse(describe(str(shown)), where)
    return message
