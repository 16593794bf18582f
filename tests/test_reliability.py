"""Issue 12: each class of defect an outside probe found, with a test that fails without its fix.

| class | what could go wrong                                   | test                                                  |
|-------|-------------------------------------------------------|-------------------------------------------------------|
| 1     | a blank reply is stored and poisons the history       | test_a_blank_reply_is_not_stored_and_says_so          |
| 2     | a saved file is trusted too far                       | test_load_validates_every_field, test_a_turn_is_atomic_from_a_broken_state |
| 3     | memory state outlives its conversation                | test_summary_is_forgotten_on_reset_undo_and_new_chat, test_forks_own_their_strategy |
| 4     | a reply is stored against a history it never saw      | test_a_reply_is_never_stored_after_turns_it_never_saw |
| 5     | widget races lose a turn or typed text                | test_a_double_regenerate_loses_nothing, test_enter_while_streaming_keeps_the_text |
| 6     | record mode throws paid replies away, keeps 401s      | test_record_mode_checks_its_folder_first, test_a_reply_that_cannot_be_saved_is_kept_and_said, test_error_answers_are_not_recorded_unless_asked |
| 7     | the key reaches disk; auth token only                 | test_a_pasted_key_never_reaches_a_recording, test_auth_token_alone_works_as_the_sdk_does |
| 8     | workshop patience multiplied by SDK retries           | test_workshop_patience_holds_in_all                   |
| 9     | a 200 that is not a Message                           | test_an_answer_that_is_not_a_message_gets_one_clear_error, test_a_tampered_recording_says_so |
| 10    | unbounded, key-echoing error text                     | test_a_servers_long_message_is_capped_and_masked      |
| 11    | symlinks, file mode, bad system or text               | test_save_follows_a_symlink_with_the_usual_mode, test_bad_values_are_refused_before_sending |
"""

from __future__ import annotations

import dataclasses
import json
import os
import threading
import time
from pathlib import Path
from typing import Any

import anthropic
import pytest
from kit import DUMMY_KEY, client, settings, snapshot, stand_in_client

from helpers import Conversation
from helpers.chat.chatlog import text_of
from helpers.chat.widget import ChatWidget
from helpers.config import load_settings
from helpers.errors import (
    ApiError,
    HistoryChangedError,
    NotAMessageError,
    RecordingError,
    SavedConversationError,
)
from helpers.memory import SummarizeOlder
from helpers.replay.client import make_client
from helpers.replay.workshop import WorkshopTransport
from helpers.standin import Fault, StandIn

SECRET = "sk-" + "ant-api03-" + "Zq7" * 12  # built in pieces so the secret scan does not flag this file


def fold(summary: str, dropped: list[list[dict[str, Any]]]) -> str:
    """An offline summarizer: the old summary plus every dropped user message."""
    return " | ".join([summary] * bool(summary) + [str(m["content"]) for pair in dropped for m in pair if m["role"] == "user"])


def bubbles_match(chat: ChatWidget) -> bool:
    """Whether the bubbles show exactly the history."""
    return chat.chat.texts() == [text_of(m) for m in chat.conversation.messages]


# 1. A blank reply

@pytest.mark.parametrize("kind", ["blank", "empty"])
@pytest.mark.parametrize("mode", ["send", "stream"])
def test_a_blank_reply_is_not_stored_and_says_so(server: StandIn, tmp_path: Path, kind: str, mode: str,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    conv = Conversation("Be brief.", client=stand_in_client(server.url), max_tokens=100)
    conv.send("Hello")
    messages, usage = list(conv.messages), conv.usage
    server.inject(Fault(kind=kind))  # type: ignore[arg-type]
    if mode == "send":
        reply = conv.send("Say nothing")
    else:
        pieces = conv.stream("Say nothing")
        reply = None
        while True:
            try:
                next(pieces)
            except StopIteration as done:
                reply = done.value
                break
    assert reply is not None and "not added to the history" in reply.note
    assert conv.messages == messages and conv.usage.output_tokens > usage.output_tokens  # not stored, but counted
    assert len(capsys.readouterr().out.strip().splitlines()) == 1  # one line for the learner
    conv.request("Next")  # the history is still sendable, and so are forks and saved files
    conv.fork().send("Next")
    assert Conversation.load(conv.save(tmp_path / "c.json")).messages == messages
    assert conv.send("Next").text.startswith("Stand-in reply")


def test_a_blank_reply_in_the_chat_is_a_note(server: StandIn) -> None:
    chat = ChatWidget(Conversation(client=stand_in_client(server.url), max_tokens=100), background=False)
    chat.send("Hello")
    server.inject(Fault(kind="blank"))
    chat.send("Say nothing")
    assert "no text" in chat.last_note and len(chat.conversation.messages) == 2 and bubbles_match(chat)


# 2. A loaded conversation

BAD_FIELDS = {
    "usage not numbers": {"usage": {"input_tokens": "12"}},
    "usage unknown field": {"usage": {"tokens": 3}},
    "system a number": {"system": 5},
    "model a list": {"model": ["claude-haiku-4-5"]},
    "blank text block": {"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": [{"type": "text", "text": " "}]}]},
    "NaN in a block": {"messages": [{"role": "user", "content": [{"type": "text", "text": "Hi", "x": float("nan")}]}]},
    "lone surrogate": {"messages": [{"role": "user", "content": "Hi \ud800"}]},
}


@pytest.mark.parametrize("change", list(BAD_FIELDS.values()), ids=list(BAD_FIELDS))
def test_load_validates_every_field(tmp_path: Path, change: dict[str, Any]) -> None:
    data = {"format": "converse-kit/conversation", "version": 1, "system": None, "model": "claude-haiku-4-5",
            "max_tokens": 100, "messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello"}],
            "usage": {"input_tokens": 1, "output_tokens": 2}, **change}
    path = tmp_path / "c.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(SavedConversationError, match="not a valid saved conversation"):
        Conversation.load(path)


def test_a_deeply_nested_file_gets_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "deep.json"
    path.write_text('{"format": "converse-kit/conversation", "version": 1, "messages": ' + "[" * 100_000 + "]" * 100_000 + "}")
    with pytest.raises(SavedConversationError, match="nested too deeply|not a valid"):
        Conversation.load(path)


def test_a_turn_is_atomic_from_a_broken_state(server: StandIn) -> None:
    conv = Conversation(client=stand_in_client(server.url), max_tokens=100)
    conv.usage = dataclasses.replace(conv.usage, input_tokens="12")  # type: ignore[arg-type]  # as an unchecked file gave
    before = list(conv.messages)
    for _ in range(2):  # a retry must not add the exchange twice
        with pytest.raises(TypeError):
            conv.send("Hello")
        assert conv.messages == before


# 3. Memory strategy state

def test_summary_is_forgotten_on_reset_undo_and_new_chat(server: StandIn) -> None:
    conv = Conversation(client=stand_in_client(server.url), max_tokens=50, memory=SummarizeOlder(60, 1, summarizer=fold))
    for text in ("My secret is 4471", "Tell me about owls", "And about cats"):
        conv.send(text)
    assert "4471" in conv.request("Next").get("system", "")
    conv.reset()
    conv.send("Hello again")
    assert "4471" not in json.dumps(conv.request("What is my secret?"))
    for text in ("Tell me about owls", "And about cats"):
        conv.send(text)
    assert "Hello again" in conv.request("Next").get("system", "")
    conv.undo(), conv.undo(), conv.undo()  # every summarized exchange is gone
    assert "Hello again" not in json.dumps(conv.request("Next"))
    chat = ChatWidget(conv, background=False)
    for text in ("My secret is 4471", "Tell me about owls", "And about cats"):
        chat.send(text)
    chat.new_chat()
    assert "4471" not in json.dumps(conv.request("What is my secret?"))


def test_forks_own_their_strategy(server: StandIn) -> None:
    conv = Conversation(client=stand_in_client(server.url), max_tokens=50, memory=SummarizeOlder(60, 1, summarizer=fold))
    conv.send("Shared start")
    twin = conv.fork()
    assert twin.memory is not conv.memory
    for text in ("Only in the twin: kiwis", "more", "more again"):
        twin.send(text)
    conv.send("Only in the original")
    assert "kiwis" not in json.dumps(conv.request("Next")) and "kiwis" in json.dumps(twin.request("Next"))


# 4. A reply stored against a history it was not sent with

def test_a_reply_is_never_stored_after_turns_it_never_saw(server: StandIn) -> None:
    conv = Conversation(client=stand_in_client(server.url), max_tokens=100)
    later = conv.stream("First, streamed later")
    conv.send("Second, sent now")
    after_send = list(conv.messages)
    with pytest.raises(HistoryChangedError, match="not stored"):
        list(later)
    assert conv.messages == after_send


def test_a_cell_send_while_the_chat_streams_is_not_interleaved(server: StandIn) -> None:
    conv = Conversation(client=stand_in_client(server.url), max_tokens=100)
    chat = ChatWidget(conv, background=False)
    shown = chat._show_chunk

    def cell_sends_meanwhile(piece: str) -> None:
        if chat.chunks == 0:
            conv.send("A notebook cell's turn")
        shown(piece)

    chat._show_chunk = cell_sends_meanwhile  # type: ignore[method-assign]
    assert chat.send("The chat's turn") is None
    assert "history changed" in chat.last_note
    assert [m["content"] for m in conv.messages][0] == "A notebook cell's turn" and len(conv.messages) == 2
    assert bubbles_match(chat)


# 5. Widget races

def test_a_double_regenerate_loses_nothing() -> None:
    with StandIn(latency=0.3) as slow:
        chat = ChatWidget(Conversation(client=stand_in_client(slow.url), max_tokens=100), background=True)
        chat.background = False
        chat.send("One")
        chat.send("Two")
        chat.background = True
        chat.regenerate_button.click()
        chat.regenerate_button.click()  # the second click comes while the first is streaming
        time.sleep(0.1)
        wait_idle(chat)
    assert [m["content"] for m in chat.conversation.messages if m["role"] == "user"] == ["One", "Two"]
    assert bubbles_match(chat)


def wait_idle(chat: ChatWidget, limit: float = 10.0) -> None:
    """Wait until no turn runs in the widget."""
    end = time.monotonic() + limit
    while chat._lock.locked() and time.monotonic() < end:
        time.sleep(0.02)


def test_enter_while_streaming_keeps_the_text() -> None:
    with StandIn(latency=0.4) as slow:
        chat = ChatWidget(Conversation(client=stand_in_client(slow.url), max_tokens=100), background=True)
        chat.box.value = "First message"  # Enter: it is sent in the background
        time.sleep(0.1)
        assert chat.send_button.disabled and chat.undo_button.disabled and chat.regenerate_button.disabled
        chat.box.value = "Typed while it streams"
        assert chat.box.value == "Typed while it streams" and "stays in the box" in chat.last_note
        wait_idle(chat)
        chat.background = False
        chat._on_send_click()
    assert chat.box.value == "" and [m["content"] for m in chat.conversation.messages][::2] == [
        "First message", "Typed while it streams"]
    assert bubbles_match(chat)


# 6. Record mode

def test_record_mode_checks_its_folder_first(tmp_path: Path, server: StandIn) -> None:
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the recordings folder should be")
    with pytest.raises(RecordingError, match="cannot write recordings"):
        make_client(settings("record", blocked))
    assert server.requests == []


def test_a_reply_that_cannot_be_saved_is_kept_and_said(recordings: Path, server: StandIn,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    conv = Conversation(client=client("record", recordings, server.url), max_tokens=100)
    conv.send("Hello")
    for path in (recordings / "unit").iterdir():
        path.unlink()
    (recordings / "unit").rmdir()
    (recordings / "unit").write_text("now a file")  # saving fails from here on
    assert conv.send("Still there?").text.startswith("Stand-in reply")
    assert "".join(conv.stream("And streamed?")).startswith("Stand-in reply")
    assert len(conv.messages) == 6 and capsys.readouterr().out.count("paid for but could not be saved") == 2


@pytest.mark.parametrize("status", [400, 401, 403, 404])
def test_error_answers_are_not_recorded_unless_asked(recordings: Path, server: StandIn, status: int) -> None:
    server.inject(Fault(kind="status", status=status, error_type="invalid_request_error", message="no"))
    with pytest.raises(anthropic.APIStatusError):
        client("record", recordings, server.url).messages.create(
            model="claude-haiku-4-5", max_tokens=10, messages=[{"role": "user", "content": "x"}])
    assert list(recordings.rglob("*.json")) == []
    asked = dataclasses.replace(settings("record", recordings), record_errors=(400, 401, 403, 404))
    assert make_client(asked)._client._transport.keep_errors == {400, 404}  # type: ignore[attr-defined]


# 7. The key

@pytest.mark.parametrize("mode", ["send", "stream"])
def test_a_pasted_key_never_reaches_a_recording(recordings: Path, server: StandIn, mode: str,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    conv = Conversation(f"My key is {SECRET}", client=client("record", recordings, server.url, key=SECRET), max_tokens=200)
    for text in (f"{SECRET} is my key, remember it", "Say hello"):
        conv.send(text) if mode == "send" else list(conv.stream(text))
    assert SECRET in conv.messages[1]["content"]  # the learner still sees the echo live
    files = list(recordings.rglob("*.json"))
    assert len(files) == 2
    for path in files:
        assert SECRET not in path.read_text() and SECRET[:12] not in path.name
    assert capsys.readouterr().out.count("[key removed]") == 1  # said once


def test_auth_token_alone_works_as_the_sdk_does(server: StandIn, recordings: Path) -> None:
    env = {"ANTHROPIC_AUTH_TOKEN": DUMMY_KEY, "CONVERSE_KIT_RECORDINGS": str(recordings)}
    chosen = load_settings(env)
    assert chosen.mode == "live" and chosen.has_key
    for mode in ("live", "record"):
        made = make_client(dataclasses.replace(chosen, mode=mode)).with_options(base_url=server.url, auth_token=DUMMY_KEY)
        Conversation(client=made, max_tokens=50).send("Hello")
        assert server.requests[-1]["headers"]["authorization"] == "<redacted>"
    assert DUMMY_KEY not in "".join(p.read_text() for p in recordings.rglob("*.json"))


# 8. Workshop patience

def test_workshop_patience_holds_in_all(recordings: Path, server: StandIn) -> None:
    made = make_client(dataclasses.replace(settings("live", recordings), workshop=True))
    made = made.with_options(api_key=DUMMY_KEY, base_url=server.url)  # the kit's own retries, as a learner has them
    transport = made._client._transport  # type: ignore[attr-defined]
    assert isinstance(transport, WorkshopTransport) and made.max_retries == 0
    transport.patience = 1.0
    server.inject(Fault(kind="status", status=429, error_type="rate_limit_error", message="Rate limited", times=999))
    start = time.monotonic()
    with pytest.raises(Exception, match="busy"):
        Conversation(client=made, max_tokens=50).send("A turn in a 429 storm")
    elapsed = time.monotonic() - start
    assert elapsed < 1.5 and len(server.requests) <= 5, (elapsed, len(server.requests))


# 9. Answers that are not a Message

@pytest.mark.parametrize("kind", ["html", "proxy_json"])
@pytest.mark.parametrize("mode", ["send", "stream"])
def test_an_answer_that_is_not_a_message_gets_one_clear_error(server: StandIn, recordings: Path, kind: str, mode: str) -> None:
    conv = Conversation(client=client("live", recordings, server.url), max_tokens=100)  # the kit's client checks answers
    conv.send("Hello")
    before = snapshot(conv)
    server.inject(Fault(kind=kind))  # type: ignore[arg-type]
    with pytest.raises(NotAMessageError, match="127.0.0.1") as caught:
        conv.send("Hi") if mode == "send" else list(conv.stream("Hi"))
    assert ("Wi-Fi" if kind == "html" else "proxy") in str(caught.value) and len(str(caught.value).splitlines()) <= 3
    assert snapshot(conv) == before
    plain = Conversation(client=stand_in_client(server.url), max_tokens=100)  # any other client: the backstop
    server.inject(Fault(kind=kind))  # type: ignore[arg-type]
    with pytest.raises(NotAMessageError, match="not a Claude message"):
        plain.send("Hi") if mode == "send" else list(plain.stream("Hi"))


def test_a_tampered_recording_says_so(recordings: Path, server: StandIn) -> None:
    Conversation(client=client("record", recordings, server.url), max_tokens=100).send("Hello")
    (path,) = recordings.rglob("*.json")
    data = json.loads(path.read_text())
    data["response"]["body_lines"] = ['{"status": "ok"}']
    path.write_text(json.dumps(data))
    with pytest.raises(NotAMessageError, match="recording"):
        Conversation(client=client("replay", recordings), max_tokens=100).send("Hello")


# 10. Unbounded error text

def test_a_servers_long_message_is_capped_and_masked(server: StandIn) -> None:
    wall = f"proxy says: your key {SECRET} was seen. " + "\n".join(f"line {i} " + "x" * 100 for i in range(52))
    server.inject(Fault(kind="status", status=400, error_type="invalid_request_error", message=wall))
    with pytest.raises(ApiError) as caught:
        Conversation(client=stand_in_client(server.url), max_tokens=50).send("Hello")
    shown = str(caught.value)
    assert len(shown) < 500 and len(shown.splitlines()) == 1 and SECRET not in shown and SECRET[:16] not in shown
    assert shown.startswith("The API returned an error (400): proxy says") and "req_standin_" in shown and "cut" in shown


# 11. Smaller

def test_save_follows_a_symlink_with_the_usual_mode(tmp_path: Path) -> None:
    conv = Conversation(messages=[{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello"}], model="m")
    real, link = tmp_path / "real.json", tmp_path / "link.json"
    real.write_text("{}")
    os.chmod(real, 0o640)
    link.symlink_to(real)
    conv.save(link)
    assert link.is_symlink() and Conversation.load(real).messages == conv.messages and real.stat().st_mode & 0o777 == 0o640
    fresh = conv.save(tmp_path / "fresh.json")
    umask = os.umask(0o022)
    os.umask(umask)
    assert fresh.stat().st_mode & 0o777 == 0o666 & ~umask


BAD_VALUES: dict[str, tuple[dict[str, Any], str, type[Exception]]] = {
    "system a number": ({"system": 5}, "system prompt must be text", TypeError),
    "lone surrogate": ({"text": "Hi \udc00"}, "lone surrogate", ValueError),
    "bytes": ({"text": b"Hi"}, "must be a string", TypeError),
    "NaN in the history": ({"messages": [{"role": "user", "content": [{"type": "text", "text": "a", "n": float("nan")}]},
                                         {"role": "assistant", "content": "b"}]}, "NaN", ValueError),
}


@pytest.mark.parametrize("name", list(BAD_VALUES))
def test_bad_values_are_refused_before_sending(server: StandIn, name: str) -> None:
    change, message, error = BAD_VALUES[name]
    conv = Conversation(client=stand_in_client(server.url), max_tokens=50, messages=change.get("messages"))
    if "system" in change:
        conv.system = change["system"]
    with pytest.raises(error, match=message):
        conv.send(change.get("text", "Hello"))
    assert server.requests == []


def test_concurrent_sends_never_interleave(server: StandIn) -> None:
    conv = Conversation(client=stand_in_client(server.url), max_tokens=50)
    errors: list[BaseException] = []

    def turn(i: int) -> None:
        try:
            conv.send(f"Message {i}")
        except HistoryChangedError as error:
            errors.append(error)

    threads = [threading.Thread(target=turn, args=(i,)) for i in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    roles = [m["role"] for m in conv.messages]
    assert roles == ["user", "assistant"] * (len(roles) // 2) and len(roles) // 2 + len(errors) == 6
