"""The chat store: every branch kept in SQLite as it goes, reopened by id or from the list; two kernels lose nothing."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from kit import stand_in_client

from helpers import Conversation
from helpers.chat.store import ChatStore, store_path
from helpers.chat.widget import ChatWidget
from helpers.config import REPO_ROOT
from helpers.standin import StandIn


def test_the_store_is_in_the_learners_folder_and_a_setting_moves_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CONVERSE_KIT_STORE")
    assert store_path() == Path.home() / ".converse-kit" / "chats.sqlite3"
    monkeypatch.setenv("CONVERSE_KIT_STORE", str(tmp_path / "elsewhere.sqlite3"))
    assert ChatStore().path == tmp_path / "elsewhere.sqlite3"
    with pytest.raises(ValueError, match="inside the kit's folder"):
        ChatStore(REPO_ROOT / "notebooks" / "chats.sqlite3")


def test_a_chat_with_branches_is_reopened_by_id_with_labels_and_usage(server: StandIn, tmp_path: Path) -> None:
    store = ChatStore(tmp_path / "chats.sqlite3")
    conv = Conversation("Be brief.", client=stand_in_client(server.url), max_tokens=100)
    chat = store.keep(conv)
    conv.send("First")
    conv.send("Second")
    conv.fork_at(2)
    conv.send("Second, edited")
    again = ChatStore(tmp_path / "chats.sqlite3").open(chat, client=stand_in_client(server.url))  # as after a restart
    assert again.messages == conv.messages and again.system == "Be brief." and again.usage == conv.usage
    assert [r.footer() for r in again.replies] == [r.footer() for r in conv.replies]
    assert [(b.messages, b.last_user, b.current) for b in again.branches()] == [(4, "Second", False), (4, "Second, edited", True)]
    again.switch(2, -1)
    assert again.messages[2]["content"] == "Second" and again.replies[-1].text == "Stand-in reply to: Second"
    again.undo()
    reopened = ChatStore(tmp_path / "chats.sqlite3").open(chat)
    assert reopened.messages == again.messages[:2] and len(reopened.branches()) == 1, "the undone exchange is gone"
    content = reopened.tree.path()[1]
    assert content.hash and content.reply is not None and content.reply.usage.output_tokens > 0


def test_the_list_of_past_chats_has_titles_and_dates_newest_first(server: StandIn, tmp_path: Path) -> None:
    store = ChatStore(tmp_path / "chats.sqlite3")
    for text in ("About owls", "About bats"):
        conv = Conversation(client=stand_in_client(server.url))
        store.keep(conv)
        conv.send(text)
    store.keep(Conversation())  # an empty chat is not listed
    listed = store.chats()
    assert [c.title for c in listed] == ["About bats", "About owls"] and all(c.messages == 2 for c in listed)
    assert "About bats (20" in listed[0].label() and "2 messages" in listed[0].label()


WRITER = textwrap.dedent("""
    import sys
    from helpers import Conversation
    from helpers.chat.store import ChatStore
    store, name = ChatStore(sys.argv[1]), sys.argv[2]
    shared = Conversation(messages=[{"role": "user", "content": "shared"}, {"role": "assistant", "content": "start"}])
    own, both = Conversation(), "shared-chat"
    store.keep(own, f"chat-{name}")
    store.keep(shared, both)
    for i in range(60):
        own.messages += [{"role": "user", "content": f"{name} {i}"}, {"role": "assistant", "content": f"reply {i}"}]
        own._changed()
        shared.messages += [{"role": "user", "content": f"{name} says {i}"}, {"role": "assistant", "content": "ok"}]
        shared._changed()
""")


def test_two_kernels_writing_at_once_lose_nothing(tmp_path: Path) -> None:
    path = tmp_path / "chats.sqlite3"
    ChatStore(path).close()
    writers = [subprocess.Popen([sys.executable, "-c", WRITER, str(path), name], cwd=REPO_ROOT) for name in ("a", "b")]
    assert [w.wait(timeout=120) for w in writers] == [0, 0]
    store = ChatStore(path)
    for name in ("a", "b"):
        assert len(store.open(f"chat-{name}").messages) == 120
    tree, _ = store.load("shared-chat")
    said = {n.message["content"] for n in tree.nodes.values()}
    assert {f"{name} says {i}" for name in "ab" for i in range(60)} <= said, "a kernel's turns were lost"


def test_the_widget_keeps_the_chat_and_reopens_it_from_the_list(server: StandIn, tmp_path: Path) -> None:
    store = ChatWidget(Conversation(client=stand_in_client(server.url)), background=False).store
    assert store is not None and store.path == tmp_path / "store" / "chats.sqlite3"  # the tests' own store
    first = ChatWidget(Conversation(client=stand_in_client(server.url)), background=False)
    first.send("Remember owls")
    first.edit(0)
    first.send("Remember bats")
    restarted = ChatWidget(Conversation(client=stand_in_client(server.url)), background=False)  # a new kernel
    assert restarted.past_box.options[0][1] == first.chat_id and "Remember bats" in restarted.past_box.options[0][0]
    restarted.past_box.value = first.chat_id
    restarted._open_chosen()
    assert restarted.chat.texts() == first.chat.texts() and restarted.conversation.messages == first.conversation.messages
    assert restarted.conversation.tree.versions()[0] == (2, 2)
    restarted.switch(0, -1)
    assert restarted.chat.texts()[0] == "Remember owls" and restarted.send("And more?") is not None
    assert len(ChatStore(store.path).open(first.chat_id).branches()) == 2
