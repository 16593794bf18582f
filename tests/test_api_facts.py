"""The kit states API facts as the SDK and the docs give them (issue 11): each test fails on the old claim."""

from __future__ import annotations

import typing

import anthropic
import pytest
from anthropic import _constants
from anthropic.types import StopReason

from helpers import api_facts
from helpers.config import LIVE_TIMEOUT_SECONDS, REPO_ROOT
from helpers.errors import friendly
from helpers.history import check_history
from helpers.standin import StandIn


def test_every_fact_names_its_source_and_the_day_it_was_checked() -> None:
    facts = api_facts.all_facts()
    assert len(facts) >= 20
    for name, fact in facts.items():
        assert fact.source and fact.checked in ("2026-11-26", "2026-12-01", "2026-12-02"), name  # the days they were checked


def test_sdk_facts_are_read_from_the_sdk_not_retyped() -> None:
    assert api_facts.STOP_REASONS.value == typing.get_args(StopReason)
    assert api_facts.MAX_RETRIES.value == _constants.DEFAULT_MAX_RETRIES
    assert set(api_facts.DEPRECATED_MODELS.value) == set(anthropic._data.DEPRECATED_MODELS)
    assert api_facts.CONTEXT_EXCEEDED.value in api_facts.STOP_REASONS.value  # point 2


def test_the_cache_minimums_are_the_documented_ones() -> None:  # point 1
    assert api_facts.cache_minimum("claude-haiku-4-5") == 4096
    assert api_facts.cache_minimum("claude-opus-4-6") == 4096
    assert api_facts.cache_minimum("claude-sonnet-4-6") == 1024
    assert api_facts.cache_minimum("claude-3-haiku-20240307") == 2048
    assert api_facts.cache_minimum("claude-opus-5") is None  # not in the docs checked: unverified, not guessed
    assert api_facts.cache_write_multiplier("5m") == 1.25 and api_facts.cache_write_multiplier("1h") == 2.0


def test_consecutive_turns_and_the_system_role_are_called_the_kits_rules() -> None:  # points 3 and 4
    with pytest.raises(ValueError, match="its own rule; the API would combine them"):
        check_history([{"role": "user", "content": "a"}, {"role": "user", "content": "b"}])
    with pytest.raises(ValueError, match="its own rule: some models also accept 'system'"):
        check_history([{"role": "system", "content": "Be brief."}])
    assert api_facts.capabilities("claude-opus-4-8").system_messages is True
    assert api_facts.capabilities("claude-haiku-4-5").system_messages is False
    assert api_facts.capabilities("claude-sonnet-4-6").prefill is False and api_facts.capabilities("claude-haiku-4-5").prefill


def test_max_tokens_zero_is_valid_for_the_api_and_the_kit_says_so() -> None:  # point 5
    from helpers.conversation import check_max_tokens

    assert api_facts.MIN_MAX_TOKENS.value == 0
    with pytest.raises(ValueError, match="the API also accepts 0"):
        check_max_tokens(0)


def test_the_timeout_message_counts_every_attempt() -> None:  # point 6
    import httpx2

    error = anthropic.APITimeoutError(httpx2.Request("POST", "https://api.anthropic.com/v1/messages"))
    message = str(friendly(error))
    attempts = _constants.DEFAULT_MAX_RETRIES + 1
    assert f"up to {attempts} attempts" in message and "per attempt" in message
    assert api_facts.longest_wait_seconds(LIVE_TIMEOUT_SECONDS) > attempts * LIVE_TIMEOUT_SECONDS
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    assert "a request waits at most 2 minutes" not in readme and "each attempt waits at most 2 minutes" in readme


def test_the_python_requirement_is_httpx2s() -> None:  # point 7
    assert api_facts.PYTHON_REQUIRED.value == ">=3.11"
    for path in ("README.md", "docs/facilitator_guide.md", "pyproject.toml"):
        text = (REPO_ROOT / path).read_text(encoding="utf-8")
        assert "3.10" not in text, path


def test_cut_off_is_presented_as_the_kits_marker_not_an_api_stop_reason() -> None:  # point 13
    from helpers.conversation import CUT_OFF

    assert CUT_OFF not in api_facts.STOP_REASONS.value
    assert "kit's own marker" in api_facts.KIT_RULES["cut_off"]
    for name in ("05_chat_widget.ipynb",):
        text = (REPO_ROOT / "notebooks" / name).read_text(encoding="utf-8")
        assert "the kit's own marker" in text, name


def test_the_price_table_is_dated_when_checked_and_marks_deprecated_models() -> None:  # point 10
    from helpers.memory.pricing import PRICES, PRICES_AS_OF, deprecation, price

    assert PRICES_AS_OF == api_facts.CHECKED != "2025-10-15"
    assert price("claude-haiku-4-5").input == 1.00 and price("claude-haiku-4-5").output == 5.00
    marked = {model for model in PRICES if deprecation(model)}
    assert marked == {"claude-sonnet-4-5", "claude-opus-4-5"} and deprecation("claude-haiku-4-5") is None


def test_request_says_plainly_when_it_calls_the_api(server: StandIn) -> None:  # point 14
    from kit import stand_in_client

    from helpers import Conversation
    from helpers.memory import SummarizeOlder

    assert "calls the API once" in (Conversation.request.__doc__ or "")
    conv = Conversation(client=stand_in_client(server.url), memory=SummarizeOlder(60, 1))
    for i in range(3):
        conv.send(f"Fact {i}: the answer is {i * 7}, with extra words to go over the small budget quickly.")
    before = len(server.requests)
    conv.request("And now?")
    assert len(server.requests) == before + 1  # the summary call, as the docstring says
    conv.request("And now?")
    assert len(server.requests) == before + 1  # the summary is kept: no second call
