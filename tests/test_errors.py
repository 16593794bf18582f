"""Friendly errors: each SDK failure becomes a short message with the fix."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import anthropic
import pytest
from kit import settings, stand_in_client

from helpers import Conversation
from helpers.client import make_client
from helpers.errors import (
    ApiError,
    KeyRejectedError,
    KitError,
    ModelNotFoundError,
    NetworkError,
    NoKeyError,
    PromptTooLongError,
    RateLimitedError,
    friendly,
)
from helpers.standin import Fault, StandIn

CASES = [
    (Fault(kind="status", status=401, error_type="authentication_error", message="invalid key"), KeyRejectedError, ".env"),
    (Fault(kind="status", status=404, error_type="not_found_error", message="model: nope"), ModelNotFoundError, "CONVERSE_KIT_MODEL"),
    (Fault(kind="status", status=429, error_type="rate_limit_error", message="slow down", times=3), RateLimitedError, "Wait a minute"),
    (Fault(kind="status", status=529, error_type="overloaded_error", message="Overloaded", times=3), RateLimitedError, "retries"),
    (Fault(kind="status", status=400, error_type="invalid_request_error",
           message="prompt is too long: 210000 tokens > 200000 maximum"), PromptTooLongError, "10,000 over the limit of 200,000"),
    (Fault(kind="status", status=400, error_type="invalid_request_error", message="something else"), ApiError, "something else"),
]


@pytest.mark.parametrize(("fault", "kind", "fix"), CASES, ids=[c[1].__name__ + str(c[0].status) for c in CASES])
def test_api_errors_become_short_messages_with_the_fix(server: StandIn, fault: Fault, kind: type, fix: str) -> None:
    server.inject(fault)
    conv = Conversation(client=stand_in_client(server.url, retries=2).with_options(max_retries=2), model="claude-nope")
    with pytest.raises(kind, match=fix) as caught:
        conv.send("hello")
    assert len(str(caught.value).splitlines()) <= 3
    if fault.status in (429, 529):
        assert len(server.requests) == 3, "the SDK retried twice before the kit gave up"


def test_no_network_suggests_replay() -> None:
    conv = Conversation(client=stand_in_client("http://127.0.0.1:9"))
    with pytest.raises(NetworkError, match="CONVERSE_KIT_MODE=replay"):
        conv.send("hello")


def test_a_timeout_says_what_happened(server: StandIn) -> None:
    server.inject(Fault(kind="slow", delay=1.0))
    with pytest.raises(NetworkError, match="did not answer in time"):
        Conversation(client=stand_in_client(server.url, timeout=0.2)).send("hello")


def test_no_key_says_where_the_key_goes() -> None:
    error = friendly(TypeError('"Could not resolve authentication method. Expected one of api_key..."'))
    assert isinstance(error, NoKeyError) and ".env" in str(error) and "ANTHROPIC_API_KEY" in str(error)


def test_a_live_client_without_a_key_is_refused_with_the_fix(recordings: Path) -> None:
    without_key = dataclasses.replace(settings("live", recordings), has_key=False)
    with pytest.raises(NoKeyError, match="ANTHROPIC_API_KEY"):
        make_client(without_key)


def test_other_errors_pass_through_unchanged() -> None:
    error = ValueError("not an API error")
    assert friendly(error) is error


def test_kit_errors_are_sdk_errors_so_the_sdk_never_retries_them() -> None:
    assert issubclass(KitError, anthropic.AnthropicError)
    lines = RateLimitedError("first line\nsecond line")._render_traceback_()
    assert lines == ["RateLimitedError: first line", "second line"]
