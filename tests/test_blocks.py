"""Conversations made of blocks, against the stand-in: every block travels back unmodified, and a history the API
would reject (an unanswered tool_use, a stray tool_result, altered or dropped thinking, prefill where unsupported)
is refused before anything is sent, with the history unchanged."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
from kit import snapshot, stand_in_client

from helpers import Conversation
from helpers.blocks import UnsendableHistoryError
from helpers.standin import StandIn

TOOLS = [{"name": "add", "description": "Add two numbers.",
          "input_schema": {"type": "object", "properties": {"a": {"type": "number"}, "b": {"type": "number"}}}}]
THINKING = {"type": "enabled", "budget_tokens": 1024}


def scripted(body: dict[str, Any]) -> Any:
    """Think, ask for the tool, then answer once the tool_result is in."""
    last = body["messages"][-1]["content"]
    if isinstance(last, list) and last[0].get("type") == "tool_result":
        return [{"type": "text", "text": f"The sum is {last[0]['content']}."}]
    if isinstance(last, list) and last[0].get("type") == "image":
        return "A red square."
    return [{"type": "thinking", "thinking": "I should use the add tool."}, {"type": "text", "text": "Let me add."},
            {"type": "tool_use", "name": "add", "input": {"a": 2, "b": 3}}]


@pytest.fixture
def tool_server() -> Any:
    """A stand-in that answers with thinking and tool_use blocks."""
    with StandIn(reply=scripted) as server:
        yield server


def conversation(server: StandIn, thinking: dict[str, Any] | None = THINKING) -> Conversation:
    """A conversation with tools (and thinking) talking to the stand-in."""
    return Conversation(client=stand_in_client(server.url), tools=TOOLS, thinking=thinking, max_tokens=2000)


def result(conv: Conversation, value: str = "5") -> list[dict[str, Any]]:
    """The tool_result turn answering the last reply's tool_use."""
    use = next(b for b in conv.messages[-1]["content"] if b["type"] == "tool_use")  # type: ignore[union-attr]
    return [{"type": "tool_result", "tool_use_id": use["id"], "content": value}]


def test_a_reply_keeps_every_block_as_returned(tool_server: StandIn) -> None:
    conv = conversation(tool_server)
    reply = conv.send("What is 2 + 3?")
    content = conv.messages[-1]["content"]
    assert [b["type"] for b in content] == ["thinking", "text", "tool_use"]  # type: ignore[index]
    assert content[0]["signature"] and reply.stop_reason == "tool_use" and reply.text == "Let me add."  # type: ignore[index]
    conv.send(result(conv))
    sent = tool_server.requests[-1]["body"]["messages"]
    assert sent[1] == conv.messages[1], "the thinking and tool_use blocks went back unmodified"
    assert conv.messages[-1]["content"] == "The sum is 5." and len(conv) == 4


def test_streaming_stores_the_same_blocks_as_a_plain_reply(tool_server: StandIn) -> None:
    plain, streamed = conversation(tool_server), conversation(tool_server)
    plain.send("What is 2 + 3?")
    assert "".join(streamed.stream("What is 2 + 3?")) == "Let me add."
    assert streamed.messages == plain.messages
    streamed_final = "".join(streamed.stream(result(streamed)))
    assert streamed_final == "The sum is 5." and streamed.messages[-1]["content"] == "The sum is 5."


def test_save_load_fork_and_undo_keep_the_blocks(tool_server: StandIn, tmp_path: Path) -> None:
    conv = conversation(tool_server)
    conv.send("What is 2 + 3?")
    loaded = Conversation.load(conv.save(tmp_path / "c.json"), client=stand_in_client(tool_server.url))
    assert loaded.messages == conv.messages
    loaded.tools, loaded.thinking = TOOLS, THINKING
    twin = conv.fork()
    for each in (conv, loaded, twin):
        each.send(result(each))
        assert tool_server.requests[-1]["body"]["messages"][:2] == conv.messages[:2]
    conv.undo()  # the whole exchange: question, tool_use, tool_result, answer
    assert conv.messages == [] and twin.messages[:2] == loaded.messages[:2]


@pytest.mark.parametrize("case", ["unanswered", "stray", "altered", "unsigned", "dropped", "results_last"])
def test_a_history_the_api_would_reject_is_refused_before_sending(tool_server: StandIn, case: str) -> None:
    conv = conversation(tool_server)
    conv.send("What is 2 + 3?")
    turn: Any = result(conv)
    if case == "unanswered":
        turn = "Never mind, what is 3 + 4?"
    elif case == "stray":
        turn = [{"type": "tool_result", "tool_use_id": "toolu_nothing", "content": "5"}]
    elif case == "altered":
        conv.messages[1]["content"][0]["thinking"] = "I edited this."  # type: ignore[index]
    elif case == "unsigned":
        del conv.messages[1]["content"][0]["signature"]  # type: ignore[union-attr]
    elif case == "dropped":
        conv.messages[1]["content"] = conv.messages[1]["content"][1:]  # type: ignore[index]
    elif case == "results_last":
        turn = [{"type": "text", "text": "Here you go:"}, *turn]
    sent, before = len(tool_server.requests), snapshot(conv)
    with pytest.raises(UnsendableHistoryError) as caught:
        conv.send(turn)
    assert len(tool_server.requests) == sent and snapshot(conv) == before
    assert any(word in str(caught.value) for word in ("tool_result", "thinking", "tool"))


def test_the_stand_in_answers_a_dropped_thinking_block_with_the_documented_error(tool_server: StandIn) -> None:
    conv = conversation(tool_server)
    conv.send("What is 2 + 3?")
    body = copy.deepcopy(conv.request(result(conv)))
    body["messages"][1]["content"] = body["messages"][1]["content"][1:]
    with pytest.raises(Exception, match="must start with a thinking block"):
        conv.client.messages.create(**body)


def test_thinking_blocks_come_only_when_thinking_is_on(tool_server: StandIn) -> None:
    conv = conversation(tool_server, thinking=None)
    conv.send("What is 2 + 3?")
    assert [b["type"] for b in conv.messages[-1]["content"]] == ["text", "tool_use"]  # type: ignore[index]
    conv.send(result(conv))  # no thinking required back when it is off
    assert conv.messages[-1]["content"] == "The sum is 5."


def test_prefill_where_the_model_supports_it_and_a_refusal_where_it_does_not(server: StandIn) -> None:
    conv = Conversation(client=stand_in_client(server.url), model="claude-haiku-4-5")
    reply = conv.send("List three fruits as JSON", prefill="{")
    assert server.requests[-1]["body"]["messages"][-1] == {"role": "assistant", "content": "{"}
    assert conv.messages[-1]["content"] == reply.text and reply.text.startswith("{Stand-in reply")
    other = Conversation(client=stand_in_client(server.url), model="claude-sonnet-4-6")
    sent, before = len(server.requests), snapshot(other)
    with pytest.raises(UnsendableHistoryError, match="does not accept prefill"):
        other.send("List three fruits as JSON", prefill="{")
    assert len(server.requests) == sent and snapshot(other) == before


def test_stop_sequences_end_the_reply_with_the_sequence_named(server: StandIn) -> None:
    conv = Conversation(client=stand_in_client(server.url))
    reply = conv.send("Count: one, two, STOP three", stop_sequences=["STOP"])
    assert reply.stop_reason == "stop_sequence" and reply.stop_sequence == "STOP"
    assert "STOP" not in reply.text and reply.text.endswith("two, ")
    streamed = "".join(conv.fork().stream("Count: one, two, STOP three", stop_sequences=["STOP"]))
    assert streamed == reply.text


def test_an_image_turn_is_sent_as_given(tool_server: StandIn) -> None:
    image = {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": "iVBORw0KGgo="}}
    conv = conversation(tool_server, thinking=None)
    conv.send([image, {"type": "text", "text": "What is this?"}])
    assert tool_server.requests[-1]["body"]["messages"][0]["content"][0] == image
    assert conv.messages[0]["content"][0] == image and conv.messages[1]["content"] == "A red square."


def test_the_chat_widget_shows_blocks_and_its_bubbles_equal_the_history(tool_server: StandIn) -> None:
    from helpers.chat.chatlog import text_of
    from helpers.chat.widget import ChatWidget

    conv = conversation(tool_server)
    conv.send([{"type": "text", "text": "What is 2 + 3?"},
               {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": "iVBORw0KGgo="}}])
    chat = ChatWidget(conv, background=False, window=200_000)
    shown = chat.chat.texts()
    assert shown == [text_of(m) for m in conv.messages]
    assert "<img src=\"data:image/png;base64," in shown[0]
    assert "<details><summary>Thinking</summary>" in shown[1] and "Tool call: add" in shown[1]
    conv.send(result(conv))  # a turn sent from a cell shows up in the chat too
    assert chat.chat.texts() == [text_of(m) for m in conv.messages] and "Tool result" in chat.chat.texts()[2]


def test_a_streamed_tool_call_in_the_widget_ends_as_the_stored_blocks(server: StandIn) -> None:
    from helpers.chat.chatlog import text_of
    from helpers.chat.widget import ChatWidget

    conv = Conversation(client=stand_in_client(server.url), tools=TOOLS)
    chat = ChatWidget(conv, background=False, window=200_000)
    reply = chat.send("Add two numbers, please")
    assert reply is not None and reply.stop_reason == "tool_use"
    assert chat.chat.texts() == [text_of(m) for m in conv.messages] and "Tool call: add" in chat.chat.texts()[-1]


def test_undo_after_a_tool_round_removes_the_whole_exchange(tool_server: StandIn) -> None:
    conv = conversation(tool_server)
    for question in ("Hello", "What is 2 + 3?"):
        conv.send(question)
        conv.send(result(conv))
    assert len(conv) == 8 and len(conv.replies) == 4
    assert conv.undo() == {"role": "user", "content": "What is 2 + 3?"}
    assert len(conv) == 4 and len(conv.replies) == 2
    conv.send("Next question")  # the history is continuable with a plain turn
