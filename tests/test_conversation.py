"""Conversation: the history sent is the history shown, turns are atomic, bad input is refused before sending."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from kit import snapshot, stand_in_client

from helpers import Conversation, ask
from helpers.errors import HistoryChangedError, SavedConversationError
from helpers.standin import StandIn


@pytest.fixture
def conv(server: StandIn) -> Conversation:
    """A conversation with one exchange already in it, talking to the stand-in."""
    conversation = Conversation("Be brief.", client=stand_in_client(server.url), max_tokens=100)
    conversation.send("First question")
    return conversation


def test_send_adds_the_turn_and_the_reply_together(conv: Conversation) -> None:
    reply = conv.send("Second question")
    assert [m["role"] for m in conv.messages] == ["user", "assistant"] * 2
    assert conv.messages[-1]["content"] == reply.text == "Stand-in reply to: Second question"
    assert reply.stop_reason == "end_turn" and reply.usage.output_tokens > 0
    assert conv.usage == conv.replies[0].usage + reply.usage


def test_what_claude_sees_is_exactly_what_is_sent(conv: Conversation, server: StandIn) -> None:
    shown = conv.request("Second question")
    conv.send("Second question")
    assert server.requests[-1]["body"] == shown
    assert shown["messages"][:-1] == conv.messages[:-2], "the list sent is the history plus the new turn"


def test_stream_yields_pieces_then_stores_the_whole_reply(conv: Conversation, server: StandIn) -> None:
    pieces = list(conv.stream("Stream this please"))
    assert len(pieces) > 1 and "".join(pieces) == conv.messages[-1]["content"]
    assert server.requests[-1]["body"]["stream"] is True
    assert conv.last_reply is not None and conv.last_reply.text == "".join(pieces)


def test_a_stopped_stream_keeps_what_arrived_marked_cut_off(conv: Conversation) -> None:
    seen: list[str] = []
    for piece in conv.stream("A long answer please, in many words so the stream has several parts", stopped=lambda: len(seen) >= 2):
        seen.append(piece)
    assert conv.messages[-1] == {"role": "assistant", "content": "".join(seen)}
    assert conv.replies[-1].stop_reason == "cut_off" and len(conv) == 4
    before = snapshot(conv)
    assert list(conv.stream("Another long answer, please, with many words in it", stopped=lambda: True)) == []
    assert snapshot(conv) == before, "a stop before any text stores nothing"


def test_an_abandoned_stream_stores_nothing(conv: Conversation) -> None:
    before = snapshot(conv)
    pieces = conv.stream("A long answer please, in many words so the stream has several parts to it")
    next(pieces)
    pieces.close()  # type: ignore[attr-defined]
    assert snapshot(conv) == before


@pytest.mark.parametrize("mode", ["send", "stream"])
def test_a_stale_reply_changes_nothing_not_even_the_usage(conv: Conversation, mode: str) -> None:
    later = conv.stream("Streamed, but finished only after another turn") if mode == "stream" else None
    if later is not None:
        next(later)  # the request is out and its reply is arriving
    conv.send("Sent meanwhile")
    after = snapshot(conv)
    with pytest.raises(HistoryChangedError, match="not stored"):
        if later is not None:
            list(later)
        else:  # a send whose reply comes back after the history moved on
            sent_with = conv.messages[:2]
            message = conv.client.messages.create(**conv.request("Sent against the old history"))
            conv._commit("Sent against the old history", message, sent_with)
    assert snapshot(conv) == after, "messages, replies and usage are all as before the stale reply"
    assert conv.usage == conv.replies[0].usage + conv.replies[1].usage


@pytest.mark.parametrize(
    ("text", "error", "message"),
    [("", ValueError, "empty"), ("  \n\t", ValueError, "whitespace"), (None, TypeError, "not NoneType"),
     (42, TypeError, "not int"), (["hi"], TypeError, "list of content blocks"), ([], TypeError, "list of content blocks"),
     ([{"type": "text", "text": " "}], ValueError, "whitespace")],
)
def test_bad_text_is_refused_before_anything_is_sent(
    conv: Conversation, server: StandIn, text: object, error: type[Exception], message: str
) -> None:
    sent, before = len(server.requests), snapshot(conv)
    for action in (conv.send, conv.stream, conv.request):
        with pytest.raises(error, match=message):
            action(text)  # type: ignore[operator]
    assert len(server.requests) == sent and snapshot(conv) == before


@pytest.mark.parametrize(
    ("messages", "message"),
    [
        ([{"role": "assistant", "content": "Hi"}], "must start with a user turn"),
        ([{"role": "user", "content": "a"}, {"role": "user", "content": "b"}], "both 'user' turns"),
        ([{"role": "system", "content": "Be nice"}], "system prompt"),
        ([{"role": "user", "content": 3}], "content must be text"),
        ([{"role": "user", "content": "hi", "name": "x"}], "must be a dict like"),
        ("not a list", "must be a list"),
    ],
)
def test_a_bad_history_is_refused(messages: Any, message: str) -> None:
    with pytest.raises((ValueError, TypeError), match=message):
        Conversation(messages=messages)


@pytest.mark.parametrize("max_tokens", [0, -1, "10", 2.5, True])
def test_bad_max_tokens_is_refused(conv: Conversation, server: StandIn, max_tokens: object) -> None:
    sent = len(server.requests)
    with pytest.raises(ValueError, match="max_tokens must be a whole number"):
        conv.send("hi", max_tokens=max_tokens)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="max_tokens"):
        Conversation(max_tokens=max_tokens)  # type: ignore[arg-type]
    assert len(server.requests) == sent


def test_a_fork_is_independent(conv: Conversation) -> None:
    twin = conv.fork()
    twin.send("Only in the fork")
    assert len(conv) == 2 and len(twin) == 4
    twin.messages[0]["content"] = "changed"
    assert conv.messages[0]["content"] == "First question"


def test_undo_and_reset(conv: Conversation) -> None:
    conv.send("Second question")
    assert conv.undo() == {"role": "user", "content": "Second question"}
    assert len(conv) == 2 and len(conv.replies) == 1
    conv.reset()
    assert conv.messages == [] and conv.usage.output_tokens == 0 and conv.system == "Be brief."
    with pytest.raises(ValueError, match="nothing|no exchange"):
        conv.undo()


def test_save_and_load_round_trip(conv: Conversation, tmp_path: Path) -> None:
    path = conv.save(tmp_path / "chat.json")
    loaded = Conversation.load(path)
    assert (loaded.messages, loaded.system, loaded.model, loaded.max_tokens, loaded.usage) == (
        conv.messages, conv.system, conv.model, conv.max_tokens, conv.usage)
    assert [p.name for p in tmp_path.iterdir()] == ["chat.json"], "no temporary file is left behind"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "not JSON"),
        ('{"hello": "world"}', "not a converse-kit conversation"),
        ('{"format": "converse-kit/conversation", "version": 2, "messages": []}', "newer version"),
        ('{"format": "converse-kit/conversation", "version": 1, "messages": []}', "not a valid saved conversation"),
        ('{"format": "converse-kit/conversation", "version": 1, "system": null, "model": "m", "max_tokens": 5,'
         ' "messages": [{"role": "assistant", "content": "x"}]}', "not a valid saved conversation"),
    ],
    ids=["not-json", "foreign", "newer", "missing-fields", "bad-history"],
)
def test_loading_a_bad_file_gets_a_clear_error(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "chat.json"
    path.write_text(content)
    with pytest.raises(SavedConversationError, match=message):
        Conversation.load(path)


def test_markdown_and_repr(conv: Conversation) -> None:
    text = conv.to_markdown()
    assert "**System:** Be brief." in text and "**User:** First question" in text and "**Assistant:**" in text
    assert repr(conv).startswith("Conversation(2 messages") and "0x" not in repr(conv)
    assert json.loads(json.dumps(conv.to_dict()))["messages"] == conv.messages


def test_ask_keeps_no_state(server: StandIn) -> None:
    import helpers.session

    helpers.session.setup(quiet=True)
    helpers.session._active.client = stand_in_client(server.url)  # type: ignore[union-attr]
    assert ask("one").text == "Stand-in reply to: one"
    assert ask("two").text == "Stand-in reply to: two"
    assert [len(r["body"]["messages"]) for r in server.requests] == [1, 1]
