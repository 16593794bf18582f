"""The local stand-in of the API speaks the wire format the real SDK expects."""

from __future__ import annotations

import anthropic
import pytest
from kit import stand_in_client

from helpers.standin import Fault, StandIn, chunks


def test_create_and_stream_give_the_same_text(server: StandIn) -> None:
    client = stand_in_client(server.url)
    args = {"model": "claude-haiku-4-5", "max_tokens": 50, "messages": [{"role": "user", "content": "Hello there"}]}
    message = client.messages.create(**args)  # type: ignore[call-overload]
    with client.messages.stream(**args) as stream:  # type: ignore[arg-type]
        pieces = list(stream.text_stream)
        final = stream.get_final_message()
    assert message.content[0].text == "".join(pieces) == final.content[0].text == "Stand-in reply to: Hello there"
    assert message.stop_reason == final.stop_reason == "end_turn" and final.usage.output_tokens > 0


def test_max_tokens_cuts_the_reply(server: StandIn) -> None:
    long = StandIn(reply=lambda body: "word " * 200)
    with long:
        message = stand_in_client(long.url).messages.create(
            model="claude-haiku-4-5", max_tokens=10, messages=[{"role": "user", "content": "x"}])
    assert message.stop_reason == "max_tokens" and len(message.content[0].text) <= 40


def test_count_tokens_and_models(server: StandIn) -> None:
    client = stand_in_client(server.url)
    count = client.messages.count_tokens(model="claude-haiku-4-5", messages=[{"role": "user", "content": "hi " * 40}])
    assert count.input_tokens > 20
    assert client.models.retrieve("claude-haiku-4-5").max_input_tokens == 200_000


def test_a_fault_applies_its_number_of_times_then_clears(server: StandIn) -> None:
    server.inject(Fault(kind="status", status=500, times=1))
    message = stand_in_client(server.url, retries=2).messages.create(
        model="claude-haiku-4-5", max_tokens=10, messages=[{"role": "user", "content": "x"}])
    assert message.content[0].text.startswith("Stand-in reply") and len(server.requests) == 2


def test_the_rate_limit_answers_429_with_retry_after() -> None:
    with StandIn(rate_limit=2, retry_after=0.05) as server:
        client = stand_in_client(server.url)
        codes = []
        for _ in range(4):
            try:
                client.messages.create(model="claude-haiku-4-5", max_tokens=5, messages=[{"role": "user", "content": "x"}])
                codes.append(200)
            except anthropic.RateLimitError as error:
                codes.append(error.status_code)
                assert error.response.headers["retry-after"] == "0.05"
    assert codes == [200, 200, 429, 429]


def test_an_invalid_request_is_refused_like_the_api() -> None:
    with StandIn() as server, pytest.raises(anthropic.BadRequestError, match="max_tokens"):
        stand_in_client(server.url).messages.create(model="m", max_tokens=-1, messages=[{"role": "user", "content": "x"}])


def test_chunks_join_back_to_the_text() -> None:
    text = "one two three four five six seven"
    assert "".join(chunks(text)) == text and len(chunks(text)) == 3


LONG = "A shared reference document for the garden. " * 2000  # about 22,000 estimated tokens, above every minimum


def create(server: StandIn, **args: object) -> anthropic.types.Message:
    """One messages.create against the stand-in, defaults filled in."""
    body = {"model": "claude-haiku-4-5", "max_tokens": 20, "messages": [{"role": "user", "content": "x"}], **args}
    return stand_in_client(server.url).messages.create(**body)  # type: ignore[no-any-return, call-overload]


def test_a_long_prefix_is_written_then_read_and_a_short_one_caches_nothing(server: StandIn) -> None:
    messages = [{"role": "user", "content": LONG}]
    first = create(server, messages=messages, cache_control={"type": "ephemeral"}).usage
    second = create(server, messages=messages, cache_control={"type": "ephemeral"}).usage
    short = create(server, messages=[{"role": "user", "content": "Hi"}], cache_control={"type": "ephemeral"}).usage
    assert first.cache_creation_input_tokens > 4096 and first.cache_read_input_tokens == 0
    assert first.cache_creation is not None and first.cache_creation.ephemeral_5m_input_tokens == first.cache_creation_input_tokens
    assert second.cache_read_input_tokens == first.cache_creation_input_tokens and second.cache_creation_input_tokens == 0
    assert short.cache_creation_input_tokens == short.cache_read_input_tokens == 0 and short.input_tokens > 0


def test_the_minimum_is_per_model_and_read_from_the_facts() -> None:
    from helpers.api_facts import cache_minimum
    from helpers.memory.caching import PromptCache, request_blocks

    assert cache_minimum("claude-haiku-4-5") == 4096 and cache_minimum("claude-sonnet-4-6") == 1024
    body = {"cache_control": {"type": "ephemeral"}, "messages": [{"role": "user", "content": "word " * 2_000}]}  # ~2,500
    assert PromptCache().bill("claude-haiku-4-5", request_blocks(body), 0).written == 0
    assert PromptCache().bill("claude-sonnet-4-6", request_blocks(body), 0).written > 2000


def test_the_cache_expires_after_its_ttl_and_one_hour_entries_last() -> None:
    from helpers.memory.caching import PromptCache, request_blocks

    for ttl, later, hit in (("5m", 299, True), ("5m", 301, False), ("1h", 3000, True), ("1h", 3601, False)):
        cache = PromptCache()
        body = {"cache_control": {"type": "ephemeral", "ttl": ttl}, "messages": [{"role": "user", "content": LONG}]}
        first = cache.bill("claude-haiku-4-5", request_blocks(body), 0)
        assert (first.write_1h > 0) == (ttl == "1h")
        assert (cache.bill("claude-haiku-4-5", request_blocks(body), later).read > 0) == hit, (ttl, later)


def test_explicit_breakpoints_are_billed_and_more_than_four_are_refused(server: StandIn) -> None:
    marked = [{"type": "text", "text": LONG, "cache_control": {"type": "ephemeral", "ttl": "1h"}}]
    usage = create(server, system=marked).usage
    assert usage.cache_creation is not None and usage.cache_creation.ephemeral_1h_input_tokens > 4096
    five = [{"type": "text", "text": f"part {i}", "cache_control": {"type": "ephemeral"}} for i in range(5)]
    with pytest.raises(anthropic.BadRequestError, match="maximum of 4"):
        create(server, system=five)


def test_streams_report_the_same_cache_usage_as_json(server: StandIn) -> None:
    args = {"model": "claude-haiku-4-5", "max_tokens": 20, "cache_control": {"type": "ephemeral"},
            "messages": [{"role": "user", "content": LONG}]}
    create(server, **args)
    with stand_in_client(server.url).messages.stream(**args) as stream:  # type: ignore[arg-type]
        final = stream.get_final_message()
    assert final.usage.cache_read_input_tokens > 4096 and final.usage.cache_creation_input_tokens == 0


def test_consecutive_user_turns_are_combined_not_refused(server: StandIn) -> None:
    seen: list[dict[str, object]] = []
    with StandIn(reply=lambda body: seen.append(body) or "ok") as combining:
        stand_in_client(combining.url).messages.create(model="claude-haiku-4-5", max_tokens=20, messages=[
            {"role": "user", "content": "one"}, {"role": "user", "content": "two"}])
    assert seen[0]["messages"] == [{"role": "user", "content": [{"type": "text", "text": "one"}, {"type": "text", "text": "two"}]}]


def test_max_tokens_zero_is_accepted_and_answers_nothing(server: StandIn) -> None:
    message = create(server, max_tokens=0)
    assert message.content == [] and message.usage.output_tokens == 0 and message.stop_reason == "max_tokens"


def test_prefill_and_system_messages_follow_the_model(server: StandIn) -> None:
    prefill = [{"role": "user", "content": "Name a colour"}, {"role": "assistant", "content": "The colour is"}]
    assert create(server, messages=prefill).content  # claude-haiku-4-5 supports prefill
    with pytest.raises(anthropic.BadRequestError, match="does not support assistant message prefill"):
        create(server, model="claude-sonnet-4-6", messages=prefill)
    system_turn = [{"role": "user", "content": "Hi"}, {"role": "system", "content": "Be brief."}]
    with pytest.raises(anthropic.BadRequestError, match="'system' is not supported"):
        create(server, messages=system_turn)
    assert create(server, model="claude-opus-4-8", messages=system_turn).content  # Opus 4.8 accepts them
    with pytest.raises(anthropic.BadRequestError, match="right after a user turn"):
        create(server, model="claude-opus-4-8", messages=[*prefill, {"role": "system", "content": "Be brief."}])


def test_empty_content_is_refused_like_the_api(server: StandIn) -> None:
    with pytest.raises(anthropic.BadRequestError, match="non-empty content"):
        create(server, messages=[{"role": "user", "content": ""}])


def test_a_reply_that_would_overflow_the_window_stops_with_the_sdk_stop_reason() -> None:
    from helpers.standin.server import CONTEXT_WINDOW

    with StandIn(reply=lambda body: "word " * 4000) as server:
        near = "word " * ((CONTEXT_WINDOW - 200) * 4 // 5)  # leaves about 200 tokens of room
        message = create(server, max_tokens=1000, messages=[{"role": "user", "content": near}])
    assert message.stop_reason == "model_context_window_exceeded"


def test_a_reply_cut_at_max_tokens_bills_every_token_it_was_given(server: StandIn) -> None:
    import anthropic

    client = anthropic.Anthropic(api_key="stand-in", base_url=server.url, max_retries=0)
    reply = client.messages.create(model="claude-haiku-4-5", max_tokens=5,
                                   messages=[{"role": "user", "content": "Tell me a long story about a garden " * 5}])
    assert reply.stop_reason == "max_tokens" and reply.usage.output_tokens == 5
