"""Context limits: counting a request's tokens, the model's context window, and the error at the limit."""

from __future__ import annotations

import json
from typing import Any

import anthropic
import httpx2

from ..api_facts import FALLBACK_CONTEXT_WINDOW as _FALLBACK
from ..config import REPO_ROOT

FALLBACK_CONTEXT_WINDOW = _FALLBACK.value  # used if the Models API fails; source and date in helpers/api_facts.py
COUNTED_FIELDS = ("model", "system", "messages", "cache_control", "tools", "tool_choice", "thinking", "output_config")  # as MessageCountTokensParams; no max_tokens
LIMIT_ERROR = REPO_ROOT / "data" / "authored" / "errors" / "prompt_too_long.json"


def count_tokens(client: anthropic.Anthropic, body: dict[str, Any]) -> int:
    """The API's count of a request's input tokens (a recorded call in replay mode)."""
    return client.messages.count_tokens(**{k: body[k] for k in COUNTED_FIELDS if k in body}).input_tokens


def context_window(client: anthropic.Anthropic, model: str) -> tuple[int, str]:
    """The model's context window from the Models API, or the documented fallback; and where it came from."""
    try:
        window = client.models.retrieve(model).max_input_tokens
    except (anthropic.AnthropicError, TypeError) as error:  # TypeError: the SDK found no key
        return FALLBACK_CONTEXT_WINDOW, f"fallback: the Models API call failed ({type(error).__name__})"
    if not window:
        return FALLBACK_CONTEXT_WINDOW, "fallback: the Models API did not say"
    return window, "from the Models API"


def limit_error() -> anthropic.APIStatusError:
    """The SDK's error for an authored 'prompt is too long' response, parsed by the real SDK."""
    sample = json.loads(LIMIT_ERROR.read_text(encoding="utf-8"))
    response = httpx2.Response(sample["status"], json=sample["body"], headers={"request-id": "req_authored_sample"})
    client = anthropic.Anthropic(api_key="authored-sample", max_retries=0,
                                 http_client=httpx2.Client(transport=httpx2.MockTransport(lambda _: response)))
    try:
        client.messages.create(model="claude-haiku-4-5", max_tokens=1, messages=[{"role": "user", "content": "x"}])
    except anthropic.APIStatusError as error:
        return error
    raise AssertionError("the authored error response did not raise")
