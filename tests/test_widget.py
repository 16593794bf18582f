"""ChatWidget: every callback is a plain method, the bubbles always show the history, errors never lose it."""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anthropic
import pytest
from kit import client as kit_client
from kit import snapshot as conversation_snapshot
from kit import stand_in_client

from helpers import Conversation
from helpers.chat.chatlog import text_of
from helpers.chat.exports import exports_folder
from helpers.chat.meter import read
from helpers.chat.streaming import CUT_OFF
from helpers.chat.widget import ChatWidget
from helpers.classroom.checks import passes
from helpers.memory import SlidingWindow
from helpers.standin import Fault, StandIn

SYSTEM = "You are a friendly tutor for people learning Python. Keep answers under 80 words."  # as in notebook 05
SUGGESTED = ["What is a Python list?", "How do I add an item to one?", "How do I remove it again?"]
LONG = " ".join(f"word{i}" for i in range(60))  # the stand-in streams three words a piece: 20 pieces


def make(url: str, **options: Any) -> ChatWidget:
    """A widget on a fresh conversation with the stand-in, running callbacks in the calling thread."""
    conversation = Conversation("Be brief.", client=stand_in_client(url), max_tokens=500)
    return ChatWidget(conversation, background=options.pop("background", False), **options)


def shown(widget: ChatWidget) -> list[str]:
    """What the bubbles show."""
    return widget.chat.texts()


def history(widget: ChatWidget) -> list[str]:
    """What the conversation holds."""
    return [text_of(m) for m in widget.conversation.messages]


def snapshot(widget: ChatWidget) -> tuple[Any, ...]:
    """Everything a failed turn must leave unchanged: the conversation's state and the bubbles."""
    return (*conversation_snapshot(widget.conversation), shown(widget))


@pytest.fixture
def counting() -> Iterator[StandIn]:
    """A stand-in whose replies are numbered, so a regenerated reply differs from the first."""
    numbers = itertools.count(1)
    with StandIn(reply=lambda body: f"Reply number {next(numbers)} " + LONG) as standin:
        yield standin


@pytest.fixture
def widget(server: StandIn) -> ChatWidget:
    """A widget with one exchange already in it."""
    made = make(server.url)
    made.send("First question")
    return made


def test_send_streams_the_reply_into_a_new_bubble_and_updates_the_meter(server: StandIn) -> None:
    chat = make(server.url)
    before = chat.meter.value
    reply = chat.send("Tell me about " + LONG)
    assert reply is not None and reply.text.startswith("Stand-in reply to: Tell me about")
    assert chat.chunks > 1, "the reply arrived in several pieces"
    assert shown(chat) == history(chat) == ["Tell me about " + LONG, reply.text]
    assert [b.role for b in chat.chat.bubbles] == ["user", "assistant"]
    assert server.requests[-1]["body"]["stream"] is True
    assert "live reply from the API" in chat.chat.bubbles[-1].footer.value
    assert chat.meter.value != before and f"Last turn: {reply.usage}" in chat.meter.value
    assert chat.fullness.value > 0


def test_a_piece_changes_only_the_last_bubble(widget: ChatWidget) -> None:
    for _ in range(3):
        widget.send("More, please")
    changes: list[int] = []
    for index, bubble in enumerate(widget.chat.bubbles):
        bubble.body.observe(lambda _, i=index: changes.append(i), "outputs")
    widget.send("And one more: " + LONG)
    assert changes == [], "no earlier bubble was rendered again"
    assert widget.chunks > 1 and shown(widget)[-1] == history(widget)[-1]


def test_enter_in_the_box_sends_and_clears_it(server: StandIn) -> None:
    chat = make(server.url)
    chat.box.value = "Sent with Enter"
    assert chat.box.value == ""
    assert history(chat)[0] == "Sent with Enter"
    chat.box.value = "   "
    chat.send_button.click()
    assert len(chat.conversation.messages) == 2, "blank input sends nothing"


def test_the_send_button_sends_the_box_text(server: StandIn) -> None:
    chat = make(server.url)
    chat.box.continuous_update = True  # as if the value synced while typing, before the click
    chat.box.unobserve_all("value")
    chat.box.value = "Sent with the button"
    chat.send_button.click()
    assert history(chat) == ["Sent with the button", "Stand-in reply to: Sent with the button"]


def test_stop_keeps_the_partial_reply_marked_as_cut_off(counting: StandIn) -> None:
    chat = make(counting.url)
    original = chat._show_chunk

    def piece_then_stop(piece: str) -> None:
        original(piece)
        if chat.chunks == 2:
            chat.stop()

    chat._show_chunk = piece_then_stop  # type: ignore[method-assign]
    reply = chat.send("Tell me a long story")
    assert reply is not None and reply.stop_reason == CUT_OFF
    assert chat.chunks == 2 and len(reply.text.split()) == 6
    assert shown(chat) == history(chat) == ["Tell me a long story", reply.text]
    assert "cut off" in chat.chat.bubbles[-1].footer.value
    chat._show_chunk = original  # type: ignore[method-assign]
    assert chat.send("Go on") is not None
    assert counting.requests[-1]["body"]["messages"][1] == {"role": "assistant", "content": reply.text}


def test_stop_before_any_text_stores_nothing(widget: ChatWidget) -> None:
    before = snapshot(widget)

    class AlwaysStopped(threading.Event):
        def is_set(self) -> bool:
            return True

    widget._stop = AlwaysStopped()
    assert widget.send("Stopped at once") is None
    assert snapshot(widget) == before
    assert "nothing was stored" in widget.note.value


def test_stop_works_while_a_reply_streams_in_the_background(counting: StandIn) -> None:
    chat = make(counting.url, background=True)
    original = chat._show_chunk

    def slow_piece(piece: str) -> None:
        original(piece)
        time.sleep(0.05)

    chat._show_chunk = slow_piece  # type: ignore[method-assign]
    chat.box.value = "A long story, please"
    deadline = time.monotonic() + 10
    while chat.chunks < 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert chat.stop_button.disabled is False and chat.send_button.disabled is True
    assert chat.send("Another one") is None and "still streaming" in chat.note.value
    chat.stop_button.click()
    while chat._lock.locked() and time.monotonic() < deadline:
        time.sleep(0.01)
    reply = chat.conversation.last_reply
    assert reply is not None and reply.stop_reason == CUT_OFF and chat.chunks < 20
    assert shown(chat) == history(chat)
    assert chat.stop_button.disabled is True and chat.send_button.disabled is False


def test_undo_removes_the_last_exchange(widget: ChatWidget) -> None:
    widget.send("Second question")
    widget.undo()
    assert shown(widget) == history(widget) == ["First question", "Stand-in reply to: First question"]
    widget.undo()
    assert shown(widget) == history(widget) == []
    widget.undo()
    assert "nothing to undo" in widget.note.value.lower() or "no exchange to undo" in widget.note.value


def test_regenerate_replaces_the_last_reply(counting: StandIn) -> None:
    chat = make(counting.url)
    chat.send("Hello")
    first = history(chat)[1]
    reply = chat.regenerate()
    assert reply is not None and reply.text != first and reply.text.startswith("Reply number 2")
    assert shown(chat) == history(chat) == ["Hello", reply.text]
    assert len(chat.conversation.replies) == 1


def test_a_failed_regenerate_keeps_the_old_reply_and_retry_regenerates(counting: StandIn) -> None:
    chat = make(counting.url)
    chat.send("Hello")
    before = snapshot(chat)
    counting.inject(Fault(kind="status", status=529, error_type="overloaded_error", message="Overloaded"))
    assert chat.regenerate() is None
    assert snapshot(chat) == before
    assert "busy" in chat.note.value and chat.retry_button.layout.display != "none"
    reply = chat.retry()
    assert reply is not None and reply.text.startswith("Reply number 2")
    assert shown(chat) == history(chat) == ["Hello", reply.text]
    assert chat.note_box.layout.display == "none"


def test_regenerate_with_nothing_to_regenerate_says_so(server: StandIn) -> None:
    chat = make(server.url)
    assert chat.regenerate() is None and "send a message first" in chat.note.value


def test_new_chat_forgets_the_turns_but_keeps_the_settings(widget: ChatWidget) -> None:
    widget.set_system("Answer in French.")
    widget.new_chat()
    assert shown(widget) == history(widget) == []
    assert widget.conversation.system == "Answer in French." and widget.options.system_box.value == "Answer in French."
    assert "Last turn: none yet" in widget.meter.value


def test_save_writes_what_conversation_load_reads_and_load_shows_it(widget: ChatWidget, server: StandIn,
                                                                   tmp_path: Path) -> None:
    path = widget.save("chat.json")
    assert path is not None and path.parent == exports_folder(widget.store)  # type: ignore[arg-type]
    loaded = Conversation.load(path)
    assert loaded.messages == widget.conversation.messages and loaded.system == "Be brief."
    other = make(server.url)
    other.set_system("Something else")
    other.load(path)
    assert shown(other) == history(other) == history(widget)
    assert other.conversation.system == "Be brief." and other.options.system_box.value == "Be brief."
    assert other.conversation.usage == widget.conversation.usage
    assert other.send("Continue") is not None and len(other.conversation.messages) == 4


def test_loading_a_broken_file_is_a_note_and_changes_nothing(widget: ChatWidget, tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text("{not json")
    before = snapshot(widget)
    widget.load(broken)
    assert snapshot(widget) == before
    assert "not JSON" in widget.note.value and widget.retry_button.layout.display == "none"


def test_export_markdown_writes_the_transcript(widget: ChatWidget, tmp_path: Path) -> None:
    widget.path_box.value = "notes/chat.json"
    path = widget.export_markdown()
    assert widget.store is not None and path == exports_folder(widget.store) / "notes" / "chat.md"
    text = path.read_text()
    assert "**User:** First question" in text and "**Assistant:** Stand-in reply to: First question" in text


@pytest.mark.parametrize(
    ("fault", "headline"),
    [
        (Fault(kind="status", status=429, error_type="rate_limit_error", message="Rate limited"), "The API is busy"),
        (Fault(kind="status", status=529, error_type="overloaded_error", message="Overloaded"), "The API is busy"),
        (Fault(kind="drop_stream"), "Network problem"),
        (Fault(kind="error_event"), "verloaded"),  # an error event mid-stream: its type is named
    ],
    ids=["429", "529", "dropped-stream", "error-event"],
)
def test_an_error_shows_inline_and_retry_sends_again(widget: ChatWidget, server: StandIn, fault: Fault,
                                                      headline: str) -> None:
    before = snapshot(widget)
    server.inject(fault)
    assert widget.send("Second question") is None
    assert snapshot(widget) == before, "the history and the bubbles are as before"
    assert headline in widget.note.value and widget.retry_button.layout.display != "none"
    reply = widget.retry()
    assert reply is not None and reply.text == "Stand-in reply to: Second question"
    assert shown(widget) == history(widget) and len(history(widget)) == 4


def test_no_network_is_a_note_with_retry(tmp_path: Path) -> None:
    conversation = Conversation(client=stand_in_client("http://127.0.0.1:1"), max_tokens=50)
    chat = ChatWidget(conversation, background=False)
    assert chat.send("Anyone there?") is None
    assert "Network problem" in chat.note.value and chat.retry_button.layout.display != "none"
    assert shown(chat) == history(chat) == []


def test_no_key_is_a_note_that_says_where_the_key_goes(server: StandIn) -> None:
    conversation = Conversation(client=anthropic.Anthropic(base_url=server.url, max_retries=0), max_tokens=50)
    chat = ChatWidget(conversation, background=False)
    assert chat.send("Hello") is None
    assert "No API key" in chat.note.value and ".env" in chat.note.value
    assert shown(chat) == history(chat) == []


def test_a_replay_miss_is_a_clear_note_not_a_traceback(recordings: Path) -> None:
    conversation = Conversation(client=kit_client("replay", recordings), max_tokens=50)
    chat = ChatWidget(conversation, background=False)
    chat.box.value = "Something nobody recorded"
    assert "No recorded reply for this message" in chat.note.value
    assert "suggested message" in chat.note.value and "ANTHROPIC_API_KEY" in chat.note.value
    assert "Traceback" not in chat.note.value
    assert shown(chat) == history(chat) == []


def test_an_empty_message_is_refused_without_retry(widget: ChatWidget) -> None:
    before = snapshot(widget)
    assert widget.send("   ") is None
    assert snapshot(widget) == before and "cannot be empty" in widget.note.value
    assert widget.retry_button.layout.display == "none"


def test_settings_change_the_next_request(widget: ChatWidget, server: StandIn) -> None:
    widget.options.system_box.value = "You are a pirate."
    widget.set_model("claude-sonnet-4-6")
    widget.options.max_tokens_box.value = 42
    widget.send("Ahoy")
    body = server.requests[-1]["body"]
    assert (body["system"], body["model"], body["max_tokens"]) == ("You are a pirate.", "claude-sonnet-4-6", 42)
    assert widget.options.model_box.value == "claude-sonnet-4-6"
    with pytest.raises(ValueError, match="at least 1"):
        widget.set_max_tokens(0)


def test_the_memory_selector_uses_a_strategy_from_notebook_04(widget: ChatWidget, server: StandIn) -> None:
    for question in ("Two", "Three", "Four"):
        widget.send(question)
    widget.options.memory_box.value = "sliding window (3 exchanges)"
    assert isinstance(widget.conversation.memory, SlidingWindow)
    widget.send("Five")
    sent = server.requests[-1]["body"]["messages"]
    assert len(sent) == 7 and sent[0]["content"] == "Two", "the oldest exchange was not sent"
    assert len(widget.conversation.messages) == 10, "the history itself is whole"
    with pytest.raises(ValueError, match="Choose one of"):
        widget.set_memory("remember everything forever")


def test_a_given_memory_strategy_is_kept_and_offered(server: StandIn) -> None:
    strategy = SlidingWindow(2, pinned=[0])
    chat = ChatWidget(Conversation(client=stand_in_client(server.url), memory=strategy), background=False)
    assert chat.conversation.memory is strategy
    assert chat.options.memory_box.value.endswith("(given)")


def test_the_meter_reads_tokens_cost_and_context(widget: ChatWidget) -> None:
    reading = read(widget.conversation, 1000)
    last = widget.conversation.last_reply
    assert last is not None and not reading.estimated
    assert reading.context_used == last.usage.total_input + last.usage.output_tokens
    assert reading.share == pytest.approx(reading.context_used / 1000)
    assert "$" in reading.cost and "prices as of" in reading.cost
    widget.set_model("claude-unknown-1")
    assert "no price for claude-unknown-1" in widget.meter.value


def test_suggestions_follow_the_recorded_path(server: StandIn) -> None:
    chat = make(server.url, suggestions=["One", "Two"])
    assert chat.next_suggestion() == "One" and "Try: One" in chat.suggestion_box.children[0].description
    chat.suggestion_box.children[0].click()
    assert history(chat)[0] == "One" and chat.next_suggestion() == "Two"
    chat.send_suggestion()
    assert chat.next_suggestion() is None and chat.suggestion_box.children == ()
    chat.undo()
    chat.send("Off the path")
    assert chat.next_suggestion() is None
    assert chat.send_suggestion() is None and "New chat" in chat.note.value
    chat.new_chat()
    assert chat.next_suggestion() == "One"


def test_the_plain_text_display_is_short_and_stable(widget: ChatWidget) -> None:
    bundle = widget._repr_mimebundle_()
    assert bundle["text/plain"] == "ChatWidget(2 messages, model 'claude-haiku-4-5', max_tokens 500)"
    assert "application/vnd.jupyter.widget-view+json" in bundle


def test_a_saved_chat_is_json_with_the_kit_format(widget: ChatWidget, tmp_path: Path) -> None:
    path = widget.save("nested/chat.json")
    assert path is not None and json.loads(path.read_text())["format"] == "converse-kit/conversation"
    assert "Wrote 2 messages" in widget.note.value


def test_replay_mode_clicks_through_the_suggested_path_with_labelled_replies() -> None:
    chat = ChatWidget(Conversation(SYSTEM, max_tokens=300), suggestions=SUGGESTED, background=False)
    for _ in SUGGESTED:
        chat.suggestion_box.children[0].click()
        assert "authored sample (hand-written, not model output)" in chat.chat.bubbles[-1].footer.value
    assert len(history(chat)) == 6 and shown(chat) == history(chat)
    assert chat.note_box.layout.display == "none" and chat.suggestion_box.children == ()
    chat.send("Something that was never recorded")
    assert "No recorded reply for this message" in chat.note.value and len(history(chat)) == 6


def test_exercise_checks_of_notebook_05(server: StandIn) -> None:
    import helpers.classroom.exercises  # noqa: F401  (registers the checks)

    right = ChatWidget(Conversation(client=stand_in_client(server.url), max_tokens=150, memory=SlidingWindow(3)))
    assert passes("05.1", right)
    wrong = make(server.url)
    assert not passes("05.1", wrong)
    wrong.set_memory("sliding window (3 exchanges)")
    wrong.set_max_tokens(150)
    assert passes("05.1", wrong), "setting them on the chat works too"
    assert passes("05.2", {"stop_reason": CUT_OFF, "in_history": True})
    assert not passes("05.2", {"stop_reason": "end_turn", "in_history": True})
    assert not passes("05.2", {"stop_reason": CUT_OFF, "in_history": False})
