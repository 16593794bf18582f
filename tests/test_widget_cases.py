"""ChatWidget (helpers/chat/widget.py) case by case, each expected answer written out by hand.

Every turn ends in `_release`, which shows the whole history again when the bubbles differ from it: a bubble popped too
many or too few would be hidden there. So the bubbles are read as `_release` starts, before that resync, and compared
by identity: the bubbles a turn keeps are the same widgets, not rebuilt (rebuilding 1,000 bubbles takes seconds)."""

from __future__ import annotations

import html
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from kit import stand_in_client

from helpers import Conversation
from helpers.chat.chatlog import Bubble, text_of
from helpers.chat.store import ChatStore
from helpers.chat.widget import BUSY, KEPT, ChatWidget
from helpers.reply import Reply
from helpers.standin import Fault, StandIn

TOOLS = [{"name": "add", "description": "Add two numbers.",
          "input_schema": {"type": "object", "properties": {"a": {"type": "number"}, "b": {"type": "number"}}}}]
STOPPED = "Stopped before any text arrived, so nothing was stored."


def scripted(body: dict[str, Any]) -> Any:
    """Answer "Hi" with "Hello", a tool_result with the sum, and anything else with a call of the add tool."""
    last = body["messages"][-1]["content"]
    if last == "Hi":
        return "Hello"
    if isinstance(last, list) and last[0].get("type") == "tool_result":
        return f"The sum is {last[0]['content']}."
    return [{"type": "text", "text": "Let me add."}, {"type": "tool_use", "name": "add", "input": {"a": 2, "b": 3}}]


@pytest.fixture
def tools() -> Iterator[StandIn]:
    """A stand-in that answers as `scripted` says."""
    with StandIn(reply=scripted) as server:
        yield server


def make(url: str, **options: Any) -> ChatWidget:
    """A widget on a fresh conversation with the stand-in, running callbacks in the calling thread."""
    conversation = Conversation("Be brief.", client=stand_in_client(url), max_tokens=500, tools=options.pop("tools", None))
    return ChatWidget(conversation, background=options.pop("background", False), **options)


def at_release(chat: ChatWidget) -> list[list[Bubble]]:
    """Record the bubbles each time the widget gives its turn back, before `_release` may show the history again."""
    seen: list[list[Bubble]] = []
    release = chat._release

    def recording() -> None:
        seen.append(list(chat.chat.bubbles))
        release()

    chat._release = recording  # type: ignore[method-assign]
    return seen


def same(found: list[Bubble], expected: list[Bubble]) -> bool:
    """Whether two lists hold the very same bubble widgets, in order."""
    return len(found) == len(expected) and all(a is b for a, b in zip(found, expected, strict=True))


def stopped_at_once(chat: ChatWidget) -> None:
    """Make every turn of this chat stop before any text arrives."""
    class AlwaysStopped(threading.Event):
        def is_set(self) -> bool:
            return True

    chat._stop = AlwaysStopped()


def test_undo_pops_exactly_the_last_exchange_s_two_bubbles(server: StandIn) -> None:
    chat = make(server.url)
    chat.send("One")
    chat.send("Two")
    kept = chat.chat.bubbles[:2]
    chat.show_note("an old note")
    seen = at_release(chat)
    chat.undo()
    assert len(seen) == 1 and same(seen[0], kept)
    assert same(chat.chat.bubbles, kept) and chat.chat.texts() == ["One", "Stand-in reply to: One"]
    assert chat.note_box.layout.display == "none" and chat.last_note == ""


def test_undo_after_a_tool_round_pops_its_four_bubbles(tools: StandIn) -> None:
    chat = make(tools.url, tools=TOOLS)
    conv = chat.conversation
    chat.send("Hi")
    chat.send("What is 2 + 3?")
    use: Any = conv.messages[-1]["content"][1]
    conv.send([{"type": "tool_result", "tool_use_id": use["id"], "content": "5"}])  # from a cell: the chat shows it
    assert chat.chat.texts()[-1] == "The sum is 5." and len(chat.chat.bubbles) == 6
    kept = chat.chat.bubbles[:2]
    seen = at_release(chat)
    chat.undo()
    assert len(seen) == 1 and same(seen[0], kept) and chat.chat.texts() == ["Hi", "Hello"]


def test_undo_with_nothing_to_undo_says_so_and_gives_the_turn_back(server: StandIn) -> None:
    chat = make(server.url)
    chat.undo()
    assert chat.last_note == "There is no exchange to undo: the conversation is empty."
    assert chat.note.value == "There is no exchange to undo: the conversation is empty."
    assert not chat._lock.locked() and chat.send_button.disabled is False and chat.send("Hi") is not None


def test_a_failed_turn_pops_exactly_its_own_two_bubbles_and_offers_retry(server: StandIn) -> None:
    chat = make(server.url)
    chat.send("One")
    kept = chat.chat.bubbles
    seen = at_release(chat)
    server.inject(Fault(kind="status", status=529, error_type="overloaded_error", message="Overloaded"))
    assert chat.send("Two") is None
    assert len(seen) == 1 and same(seen[0], kept) and same(chat.chat.bubbles, kept)
    assert chat._streaming is None
    advice = "Wait a minute and run the cell again; in a workshop, space out requests or use replay mode."
    assert chat.note.value == ("<b>The API is busy.</b> The API is busy (529) and the SDK&#x27;s retries did not get "
                               f"through.<br>{advice}")  # the note's own HTML, not escaped again
    assert chat.last_note == f"The API is busy. The API is busy (529) and the SDK's retries did not get through.\n{advice}"
    assert chat.retry_button.layout.display == "inline-block" and chat.note_box.layout.display == "flex"
    reply = chat.retry()
    assert reply is not None and reply.text == "Stand-in reply to: Two"
    assert chat.chat.texts() == ["One", "Stand-in reply to: One", "Two", "Stand-in reply to: Two"]
    assert chat.retry() is None and chat.note_box.layout.display == "none"  # nothing left to retry


def test_a_turn_stopped_before_any_text_pops_exactly_its_two_bubbles(server: StandIn) -> None:
    chat = make(server.url)
    chat.send("One")
    kept = chat.chat.bubbles
    seen = at_release(chat)
    stopped_at_once(chat)
    assert chat.send("Two") is None
    assert len(seen) == 1 and same(seen[0], kept)
    assert chat.last_note == STOPPED and chat.note.value == STOPPED and chat._streaming is None
    assert chat.retry_button.layout.display == "none"


def test_a_reply_with_no_text_pops_exactly_its_two_bubbles_and_says_why(server: StandIn) -> None:
    chat = make(server.url)
    chat.send("One")
    kept = chat.chat.bubbles
    seen = at_release(chat)
    server.inject(Fault(kind="blank"))
    assert chat.send("Say nothing") is None or chat.conversation.messages[-1]["content"] == "Stand-in reply to: One"
    assert len(seen) == 1 and same(seen[0], kept)
    assert chat.last_note.startswith("Claude's reply had no text (stop_reason: end_turn), so this exchange was not added")


def test_a_regenerate_stopped_before_any_text_puts_the_old_reply_back(server: StandIn) -> None:
    chat = make(server.url)
    chat.send("One")
    before = list(chat.conversation.messages)
    stopped_at_once(chat)
    assert chat.regenerate() is None
    assert chat.conversation.messages == before and chat.chat.texts() == ["One", "Stand-in reply to: One"]
    assert chat.last_note == STOPPED


def test_a_finished_reply_keeps_its_streamed_bubble_showing_every_stored_block(tools: StandIn) -> None:
    chat = make(tools.url, tools=TOOLS)
    streamed: list[Bubble] = []
    show = chat._show_chunk

    def watch(piece: str) -> None:
        streamed.append(chat.chat.bubbles[-1])
        assert chat.chat.bubbles[-1].footer.value == "<small>streaming...</small>"
        assert chat.chat.texts()[-2:] == ["What is 2 + 3?", "".join(chat.chat.bubbles[-1].parts)]
        assert [b.role for b in chat.chat.bubbles] == ["user", "assistant", "user", "assistant"]
        assert (chat.send_button.disabled, chat.undo_button.disabled, chat.regenerate_button.disabled,
                chat.new_button.disabled, chat.stop_button.disabled) == (True, True, True, True, False)
        show(piece)

    chat._show_chunk = watch  # type: ignore[method-assign]
    chat.conversation.send("Hi")  # from a cell: the finished reply below is not the second message
    seen = at_release(chat)
    reply = chat.send("What is 2 + 3?")
    assert reply is not None and reply.text == "Let me add." and streamed
    stored = text_of(chat.conversation.messages[-1])
    assert "Tool call: add" in stored and seen[0][-1] is streamed[0] and seen[0][-1].text == stored
    assert chat.chat.bubbles[-1] is streamed[0] and chat._streaming is None
    assert chat.chat.bubbles[-1].footer.value == f"<small>{html.escape(reply.footer())}</small>"
    edit = chat.chat.bubbles[2].children[0].children[-1]  # decorate gave your turn its Edit button
    assert edit.description == "Edit"
    assert (chat.send_button.disabled, chat.stop_button.disabled) == (False, True)


def test_each_turn_starts_unstopped_with_its_own_piece_count_and_no_old_note(server: StandIn) -> None:
    chat = make(server.url)
    chat.stop()  # a Stop pressed between turns does not stop the next one
    chat.show_note("an old note")
    reply = chat.send("Tell me " + " ".join(f"w{i}" for i in range(12)))
    assert reply is not None and reply.stop_reason == "end_turn" and chat.note_box.layout.display == "none"
    first = chat.chunks
    assert first > 1
    chat.send("Hi")
    assert chat.chunks == 2  # "Stand-in reply to: Hi" is five words: two pieces of three


def test_the_box_is_cleared_only_by_a_send_of_its_own_text() -> None:
    with StandIn() as server:
        chat = make(server.url)
        chat._filling = True  # typing, without Enter
        chat.box.value = "draft"
        chat._filling = False
        chat.send("draft")  # sent from a cell: the box keeps what you typed
        assert chat.box.value == "draft" and chat.chat.texts()[0] == "draft"
        chat._turn("other", from_box=True)  # the box changed since Enter: keep it
        assert chat.box.value == "draft"
        assert chat.send() is not None and chat.box.value == ""
        assert chat.chat.texts()[-2] == "draft" and len(chat.conversation.messages) == 6


def test_a_message_that_is_not_one_is_a_note_and_nothing_is_claimed(server: StandIn) -> None:
    chat = make(server.url)
    assert chat.send(5) is None  # type: ignore[arg-type]
    assert chat.last_note == "A message must be a string of text, not int. Example: conv.send('Hello')"
    assert chat.send("") is None and "non-empty content" in chat.last_note
    assert not chat._lock.locked() and chat.chat.bubbles == [] and chat.retry_button.layout.display == "none"


def test_while_a_turn_runs_every_action_waits_and_says_so(server: StandIn) -> None:
    chat = make(server.url, suggestions=["One", "Two"])
    chat.send("One")
    before = list(chat.chat.bubbles)
    assert chat._claim()
    assert chat.send("x") is None and chat.last_note == BUSY
    chat.show_note("")
    chat.box.value = "typed"
    assert chat.last_note == KEPT and chat.box.value == "typed"
    chat.show_note("")
    assert chat._turn("typed", from_box=True) is None and chat.last_note == KEPT
    for action in (chat.undo, chat.regenerate, chat.new_chat):
        chat.show_note("")
        action()
        assert chat.last_note == BUSY
    assert same(chat.chat.bubbles, before) and len(chat.conversation.messages) == 2
    assert chat.suggestion_box.children[0].disabled is True and chat.stop_button.disabled is False
    chat._release()
    assert chat.send_button.disabled is False and chat.stop_button.disabled is True and not chat._lock.locked()


def test_a_change_made_in_a_cell_is_shown_at_once_or_once_the_turn_is_given_back(server: StandIn) -> None:
    chat = make(server.url)
    chat.send("One")
    meter = chat.meter.value
    chat.conversation.send("From a cell")
    assert chat.chat.texts()[-2:] == ["From a cell", "Stand-in reply to: From a cell"] and chat.meter.value != meter
    assert chat._claim()
    kept = list(chat.chat.bubbles)
    chat.conversation.reset()  # while the widget holds its turn: not shown yet
    assert same(chat.chat.bubbles, kept)
    chat._release()
    assert chat.chat.bubbles == []


def test_filling_the_box_for_an_edit_sends_nothing(server: StandIn) -> None:
    chat = make(server.url)
    chat.send("One")
    chat.edit(0)
    assert chat.box.value == "One" and len(chat.conversation.messages) == 2 and chat.editing == 0


def test_a_click_s_work_runs_in_a_daemon_thread_and_an_error_becomes_a_note(server: StandIn) -> None:
    chat = make(server.url, background=True)
    ran: list[threading.Thread] = []
    done = threading.Event()

    def action() -> None:
        ran.append(threading.current_thread())
        done.set()

    chat._launch(action)
    assert done.wait(10) and ran[0] is not threading.main_thread() and ran[0].daemon is True
    chat.background = False
    chat._launch(lambda: 1 / 0)
    assert chat.last_note == "ZeroDivisionError: division by zero"
    assert chat.note.value == "<b>ZeroDivisionError:</b> division by zero" and chat.retry_button.layout.display == "none"


def test_a_note_is_escaped_unless_asked_and_retry_shows_only_with_it() -> None:
    chat = ChatWidget(Conversation(), background=False, store=False)
    assert chat.retry() is None and chat.note_box.layout.display == "none"  # nothing failed yet: nothing to retry
    chat._retry = lambda: None
    chat.show_note("<b>x</b> & y")
    assert chat.note.value == "&lt;b&gt;x&lt;/b&gt; &amp; y" and chat.last_note == "<b>x</b> & y"
    assert chat.note_box.layout.display == "flex" and chat.retry_button.layout.display == "none" and chat._retry is None
    chat._retry = lambda: None
    chat.show_note("<b>x</b>", retry=True, escape=False)
    assert chat.note.value == "<b>x</b>" and chat.retry_button.layout.display == "inline-block" and chat._retry is not None
    chat.show_note("")
    assert chat.note_box.layout.display == "none" and chat.last_note == "" and chat._retry is None


def test_the_controls_say_what_they_do() -> None:
    chat = ChatWidget(Conversation(), background=False, store=False)
    box = chat.box
    assert (box.placeholder, box.description, box.continuous_update) == ("Type a message and press Enter", "Message", False)
    assert box.layout.flex == "1" and box.style.description_width == "auto"
    labels = [(b.description, b.tooltip) for b in (*chat.input_row.children[1:], *chat.action_row.children,
                                                   chat.retry_button)]
    assert labels == [("Send", "Send the message (Enter)"), ("Stop", "Stop the reply; keep what arrived (Escape)"),
                      ("Cancel edit", "Send at the end of the branch instead"), ("Undo", "Remove the last exchange"),
                      ("Regenerate", "Ask for the last reply again"), ("New chat", "Forget every turn"),
                      ("Retry", "Try the failed request again")]
    assert chat.input_row.children[0] is box and chat.send_button.button_style == "primary"
    assert chat.retry_button.button_style == "warning" and chat.stop_button.disabled is True
    assert (chat.cancel_button.layout.display, chat.cancel_button.layout.width) == ("none", "auto")
    assert list(chat.note_box.children) == [chat.note, chat.retry_button] and chat.note_box.layout.display == "none"
    assert "ck-note" in chat.note_box._dom_classes and "ck-chat" in chat.view._dom_classes
    assert "ck-meter" in chat.meter._dom_classes
    assert (chat.fullness.min, chat.fullness.max, chat.fullness.description) == (0.0, 1.0, "Context")
    parts = chat.view.children
    assert list(parts[2:]) == [chat.chat, chat.note_box, chat.suggestion_box, chat.input_row, chat.action_row,
                               chat.meter, chat.fullness, chat.panels]
    assert "ck-chat" in parts[0].value and len(parts) == 10


def test_the_buttons_call_their_actions() -> None:
    numbers = iter(range(1, 100))
    with StandIn(reply=lambda body: f"Reply {next(numbers)}") as server:
        chat = make(server.url)
        chat.send("One")
        chat.regenerate_button.click()
        assert chat.chat.texts() == ["One", "Reply 2"] and chat.conversation.tree.versions() == [(1, 1), (2, 2)]
        chat.undo_button.click()
        assert chat.conversation.messages == []
        called: list[str] = []
        chat._retry = lambda: called.append("again")
        chat.retry_button.click()
        assert called == ["again"] and chat._retry is None
        chat._retry = lambda: "not a reply"
        assert chat.retry() is None  # only a Reply comes back
        chat.send("Two")
        chat.edit(0)
        chat.cancel_button.click()
        assert chat.editing is None and chat.cancel_button.layout.display == "none"
        chat.new_button.click()
        assert chat.conversation.messages == [] and chat.chat.bubbles == []


def test_a_new_widget_starts_from_its_conversation_and_its_options(server: StandIn) -> None:
    conv = Conversation("Be brief.", client=stand_in_client(server.url))
    conv.send("One")
    store = ChatStore()
    chat = ChatWidget(conv, suggestions=("One", "Two"), background=False, window=1000, store=store)
    assert chat.store is store and chat.chat.texts() == ["One", "Stand-in reply to: One"]
    assert chat._windows == {"claude-haiku-4-5": 1000} and chat.context_window() == 1000
    assert chat.suggestions == ["One", "Two"] and chat.next_suggestion() == "Two" and chat.chunks == 0
    assert chat.chat_id in chat._made and len(chat._made) == 1 and chat.editing is None and chat.last_note == ""
    assert chat.chat.versions is not None and chat.chat.versions() == [(1, 1), (1, 1)]
    assert chat.chat.on_edit == chat.edit and chat.chat.on_switch == chat.switch
    assert "Try: Two" in chat.suggestion_box.children[0].description  # refreshed
    assert ChatWidget(store=False).store is None and ChatWidget().conversation.messages == []
    assert isinstance(ChatWidget().store, ChatStore) and ChatWidget(window=None)._windows == {"claude-haiku-4-5": 200_000}
    assert ChatWidget(store=False).background is True and chat.background is False
    conv.notice("A notice")  # a blank reply's notice goes under the chat
    assert chat.last_note == "A notice"


def test_a_new_chat_is_a_new_kept_chat_and_the_old_one_stays(server: StandIn) -> None:
    chat = make(server.url)
    chat.send("One")
    first = chat.chat_id
    chat.edit(0)
    chat.new_chat()
    assert chat.chat_id != first and chat._made == {first, chat.chat_id} and chat.editing is None
    assert chat.last_note == "" and chat.chat.bubbles == [] and "Last turn: none yet" in chat.meter.value
    assert chat.store is not None and [c.id for c in chat.store.chats()] == [first]


def test_regenerate_needs_a_text_turn_to_send_again(server: StandIn) -> None:
    chat = make(server.url)
    assert chat.regenerate() is None and chat.last_note == "There is no reply to regenerate yet: send a message first."
    chat.conversation.send([{"type": "text", "text": "One"}])
    chat.show_note("")
    assert chat.regenerate() is None and chat.last_note == "There is no reply to regenerate yet: send a message first."
    assert not chat._lock.locked()


def test_send_suggestion_sends_the_next_one_or_says_none_fits(server: StandIn) -> None:
    chat = make(server.url, suggestions=["One"])
    reply = chat.send_suggestion()
    assert isinstance(reply, Reply) and chat.chat.texts()[0] == "One"
    assert chat.send_suggestion() is None
    assert chat.last_note == ("No suggested message fits this chat now: press New chat to start the suggested path "
                              "again.")


def test_a_new_turn_changes_the_controls_of_its_own_two_bubbles_only() -> None:
    numbers = iter(range(1, 100))
    with StandIn(reply=lambda body: f"Reply {next(numbers)}") as server:
        chat = make(server.url)
        chat.send("One")
        chat.regenerate()  # the reply now has versions: `< 2/2 >` beside it
        tops = [bubble.children[0] for bubble in chat.chat.bubbles]
        assert "2/2" in tops[1].children[1].children[1].value
        chat.send("Two")
    assert [bubble.children[0] for bubble in chat.chat.bubbles[:2]] == tops and all(
        a is b for a, b in zip([bubble.children[0] for bubble in chat.chat.bubbles[:2]], tops, strict=True))
    assert chat.chat.bubbles[2].children[0].children[-1].description == "Edit"


def test_an_edited_turn_is_sent_as_a_new_branch_with_its_new_text(server: StandIn) -> None:
    chat = make(server.url)
    chat.send("One")
    chat.edit(0)
    reply = chat.send("One, edited")
    assert reply is not None and reply.text == "Stand-in reply to: One, edited"
    assert chat.chat.texts() == ["One, edited", "Stand-in reply to: One, edited"] and chat.editing is None
    assert chat.conversation.tree.versions()[0] == (2, 2)
