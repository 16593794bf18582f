"""Context limits: count_tokens, the context window (and its fallback), and the error at the limit."""

from __future__ import annotations

from kit import stand_in_client

from helpers.errors import PromptTooLongError, friendly
from helpers.memory.limits import FALLBACK_CONTEXT_WINDOW, context_window, count_tokens, limit_error
from helpers.memory.tokens import estimate_request_tokens
from helpers.standin import Fault, StandIn

BODY = {"model": "claude-haiku-4-5", "max_tokens": 300, "system": "Be brief.",
        "messages": [{"role": "user", "content": "How do raised beds drain? " * 20}]}


def test_count_tokens_sends_only_what_the_endpoint_takes(server: StandIn) -> None:
    counted = count_tokens(stand_in_client(server.url), BODY)
    assert counted == estimate_request_tokens(BODY)  # the stand-in counts with the same estimate
    sent = server.requests[-1]
    assert sent["path"] == "/v1/messages/count_tokens" and "max_tokens" not in sent["body"]


def test_the_context_window_comes_from_the_models_api(server: StandIn) -> None:
    window, source = context_window(stand_in_client(server.url), "claude-haiku-4-5")
    assert source == "from the Models API" and window > 0


def test_the_context_window_falls_back_and_says_so(server: StandIn) -> None:
    server.inject(Fault(kind="status", status=500, message="boom"))
    window, source = context_window(stand_in_client(server.url), "claude-haiku-4-5")
    assert window == FALLBACK_CONTEXT_WINDOW and source.startswith("fallback") and "InternalServerError" in source


def test_the_limit_error_is_the_sdks_and_becomes_a_short_message() -> None:
    error = limit_error()
    assert error.status_code == 400 and "prompt is too long" in str(error)
    message = friendly(error)
    assert isinstance(message, PromptTooLongError)
    assert "14,873 over the limit of 200,000" in str(message)
