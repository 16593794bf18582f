"""The kit's AsyncAnthropic (helpers.replay.aio) goes where the session's client goes: live to a server, or replay from
recordings; requests sent together run at the same time; the wire log and the reply labels are the sync client's."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import anthropic
import pytest
from kit import client

from helpers.replay.aio import async_client
from helpers.reply import label_for
from helpers.standin import StandIn
from helpers.standin.replies import default_blocks

QUESTIONS = ("Name a fast vegetable.", "Name a shade herb.", "Name a bee flower.")


async def ask_all(made: anthropic.AsyncAnthropic) -> list[Any]:
    """The three questions at once, each its own one-turn conversation."""
    return await asyncio.gather(*(made.messages.create(model="claude-haiku-4-5", max_tokens=50,
                                                       messages=[{"role": "user", "content": q}]) for q in QUESTIONS))


def test_live_requests_run_together_and_are_logged_and_labelled(tmp_path: Path) -> None:
    with StandIn(latency=0.6) as standin:
        sync = client("live", tmp_path, base_url=standin.url)
        started = time.monotonic()
        replies = asyncio.run(ask_all(async_client(sync)))
        took = time.monotonic() - started
    assert [r.content[0].text for r in replies] == [f"Stand-in reply to: {q}" for q in QUESTIONS]
    assert took < 1.5  # three requests of 0.6 s each at the same time (one after another: 1.8 s or more)
    assert sorted(b["messages"][0]["content"] for b in sync.wire.sent) == sorted(QUESTIONS)  # the sync client's wire log


def test_replay_serves_what_record_mode_saved_with_no_server(tmp_path: Path) -> None:
    with StandIn() as standin:
        asyncio.run(ask_all(async_client(client("record", tmp_path, base_url=standin.url))))
    replay = client("replay", tmp_path)
    replies = asyncio.run(ask_all(async_client(replay)))  # no server is running now
    assert [r.content[0].text for r in replies] == [f"Stand-in reply to: {q}" for q in QUESTIONS]
    assert all(label_for(r.id, replay).startswith("replayed") for r in replies)


def test_a_client_without_an_httpx2_client_is_refused_with_the_fix() -> None:
    class Odd(anthropic.Anthropic):
        pass

    odd = Odd(api_key="x")
    odd._client = None  # type: ignore[assignment]
    with pytest.raises(TypeError, match="helpers.setup"):
        async_client(odd)


def test_the_stand_in_calls_no_tool_when_tool_choice_is_none() -> None:
    tool = {"name": "plot_log", "description": "Read a plot.", "input_schema": {"type": "object", "properties": {}}}
    body: dict[str, Any] = {"messages": [{"role": "user", "content": "Hi"}], "tools": [tool]}
    assert isinstance(default_blocks(body, "Hi"), list)  # auto: it calls the tool
    assert default_blocks({**body, "tool_choice": {"type": "none"}}, "Hi") == "Hi"  # none: 'not allowed to use tools'
