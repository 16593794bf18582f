"""Friendly errors: each SDK failure becomes a short message with the fix."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import anthropic
import pytest
from kit import settings, stand_in_client

from helpers import Conversation
from helpers.errors import (
    ApiError,
    KitError,
    NetworkError,
    NoKeyError,
    RateLimitedError,
    friendly,
)
from helpers.replay.client import make_client
from helpers.standin import Fault, StandIn


def test_any_other_api_error_says_what_the_api_said(server: StandIn) -> None:
    server.inject(Fault(kind="status", status=400, error_type="invalid_request_error", message="something else"))
    with pytest.raises(ApiError, match="something else"):
        Conversation(client=stand_in_client(server.url)).send("hello")


def test_the_sdk_retries_twice_before_the_kit_gives_up(server: StandIn) -> None:
    server.inject(Fault(kind="status", status=429, error_type="rate_limit_error", message="slow down", times=3))
    with pytest.raises(RateLimitedError):
        Conversation(client=stand_in_client(server.url, retries=2)).send("hello")
    assert len(server.requests) == 3


def test_no_network_suggests_replay() -> None:
    conv = Conversation(client=stand_in_client("http://127.0.0.1:9"))
    with pytest.raises(NetworkError, match="CONVERSE_KIT_MODE=replay"):
        conv.send("hello")


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
