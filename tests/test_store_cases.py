"""The chat store without a server: where it lives, what one write keeps (title, settings, each message with its reply),
what a reopened chat holds, and the clear errors (test_store.py runs the same through the stand-in and two kernels)."""

from __future__ import annotations

import json
import sqlite3
import time
from pathlib import Path

import pytest

from helpers import Conversation
from helpers.chat.store import ChatStore, ChatSummary, outside_kit, reply_from, reply_row, store_path
from helpers.config import REPO_ROOT
from helpers.reply import Reply, Usage


def test_the_store_path_is_the_setting_with_home_expanded_or_the_default(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("CONVERSE_KIT_STORE", "  ~/chats/mine.sqlite3 ")
    assert store_path() == Path.home() / "chats" / "mine.sqlite3"
    monkeypatch.setenv("CONVERSE_KIT_STORE", "   ")
    assert store_path() == Path.home() / ".converse-kit" / "chats.sqlite3"
    assert outside_kit(tmp_path / "a" / ".." / "b.sqlite3") == (tmp_path / "b.sqlite3").resolve()
    for inside in (REPO_ROOT, REPO_ROOT / "data" / "chats.sqlite3"):
        with pytest.raises(ValueError) as caught:
            outside_kit(inside)
        assert str(caught.value) == (f"{inside.resolve()} is inside the kit's folder, which git tracks: set CONVERSE_KIT_STORE "
                                     "to a path in your own folder (the default is ~/.converse-kit/chats.sqlite3).")


def test_a_reply_row_keeps_where_the_reply_came_from_and_its_text_comes_from_the_message() -> None:
    reply = Reply("Hi there", Usage(10, 3, 2, 1), "stop_sequence", "claude-haiku-4-5", "msg_1", "authored",
                  stop_sequence="END")
    row = reply_row(reply)
    assert row is not None and json.loads(row) == {"source": "authored", "stop_reason": "stop_sequence",
                                                   "model": "claude-haiku-4-5", "id": "msg_1", "stop_sequence": "END",
                                                   "usage": {"input_tokens": 10, "output_tokens": 3,
                                                             "cache_creation_input_tokens": 2, "cache_read_input_tokens": 1}}
    blocks = {"role": "assistant", "content": [{"type": "thinking", "thinking": "Hm"}, {"type": "text", "text": "Hi "},
                                               {"type": "tool_use", "id": "t"}, {"type": "text", "text": "there"}]}
    back = reply_from(row, blocks)
    assert back is not None
    assert (back.text, back.usage, back.stop_reason, back.model, back.id, back.source, back.stop_sequence) == (
        "Hi there", Usage(10, 3, 2, 1), "stop_sequence", "claude-haiku-4-5", "msg_1", "authored", "END")
    assert reply_from(row, {"role": "assistant", "content": "Plain"}).text == "Plain"  # type: ignore[union-attr]
    assert reply_row(None) is None and reply_from(None, blocks) is None
    old = json.dumps({k: v for k, v in json.loads(row).items() if k != "stop_sequence"})  # a row from before it was kept
    assert reply_from(old, blocks).stop_sequence is None  # type: ignore[union-attr]


def chat(*texts: str, system: str | None = "Be brief.") -> Conversation:
    """A conversation of user turns with authored replies, as a learner's history after a few turns."""
    messages = [m for text in texts for m in ({"role": "user", "content": text}, {"role": "assistant", "content": f"re {text}"})]
    return Conversation(system, messages=messages, max_tokens=123, model="claude-haiku-4-5")


def test_one_write_keeps_the_title_the_settings_and_every_message(tmp_path: Path) -> None:
    store = ChatStore(tmp_path / "chats.sqlite3")
    conversation = chat("x" * 100, "Second")
    conversation.usage = Usage(5, 6, 7, 8)
    before = time.time()
    chat_id = store.keep(conversation, "mine")
    assert chat_id == "mine"
    [summary] = store.chats()
    assert (summary.id, summary.title, summary.messages) == ("mine", "x" * 80, 4)
    assert before <= summary.created == summary.updated <= time.time()
    tree, settings = store.load("mine")
    assert settings == {"system": "Be brief.", "model": "claude-haiku-4-5", "max_tokens": 123, "usage": Usage(5, 6, 7, 8)}
    assert [n.message for n in tree.path()] == conversation.messages and tree.head == conversation.tree.head
    assert [n.hash for n in tree.path()] == [n.hash for n in conversation.tree.path()]
    reopened = store.open("mine")
    assert (reopened.system, reopened.model, reopened.max_tokens, reopened.usage) == (
        "Be brief.", "claude-haiku-4-5", 123, Usage(5, 6, 7, 8))
    reopened.messages = reopened.messages[:2]
    reopened._changed()  # the reopened chat is saved as it goes again
    assert store.chats()[0].messages == 2
    assert repr(store) == f"ChatStore({str(tmp_path / 'chats.sqlite3')!r})"


def test_a_chat_of_blocks_only_is_titled_new_chat_and_an_empty_one_is_not_kept(tmp_path: Path) -> None:
    store = ChatStore(tmp_path / "chats.sqlite3")
    blocks = Conversation(messages=[{"role": "user", "content": [{"type": "text", "text": "Look"}]},
                                    {"role": "assistant", "content": [{"type": "text", "text": "ok"}]}])
    store.keep(blocks, "blocks")
    store.keep(Conversation(), "empty")
    assert [(c.id, c.title) for c in store.chats()] == [("blocks", "New chat")]
    with pytest.raises(KeyError, match="No kept chat has the id 'empty': ChatStore\\(\\).chats\\(\\) lists them."):
        store.load("empty")
    later = chat("Later")
    time.sleep(0.01)
    store.keep(later, "later")
    assert [c.id for c in store.chats()] == ["later", "blocks"]  # the one changed last first


def test_the_list_label_has_the_title_the_local_date_and_the_count() -> None:
    at = time.mktime((2026, 12, 2, 9, 5, 0, 0, 0, -1))
    assert ChatSummary("id", "About owls", at - 60, at, 4).label() == "About owls (2026-12-02 09:05, 4 messages)"


def test_a_head_the_tree_no_longer_has_opens_on_no_branch(tmp_path: Path) -> None:
    store = ChatStore(tmp_path / "chats.sqlite3")
    store.keep(chat("One"), "c")
    with sqlite3.connect(tmp_path / "chats.sqlite3") as db:
        db.execute("UPDATE chats SET head = 'gone'")
    tree, _ = store.load("c")
    assert tree.head is None and len(tree.nodes) == 2


def test_only_new_messages_are_written_and_undone_ones_are_deleted(tmp_path: Path) -> None:
    store = ChatStore(tmp_path / "chats.sqlite3")
    conversation = chat("One", "Two")
    store.keep(conversation, "c")
    with sqlite3.connect(tmp_path / "chats.sqlite3") as db:
        db.execute("UPDATE messages SET content = '\"edited on disk\"' WHERE role = 'user' AND content = '\"One\"'")
    conversation.messages = conversation.messages + [{"role": "user", "content": "Three"}, {"role": "assistant", "content": "3"}]
    conversation._changed()
    tree, _ = store.load("c")
    texts = [n.message["content"] for n in tree.path()]
    assert texts == ["edited on disk", "re One", "Two", "re Two", "Three", "3"], "a written message is not written again"
    conversation.messages = conversation.messages[:2]
    conversation._changed()
    assert [n.message["content"] for n in store.load("c")[0].path()] == ["edited on disk", "re One"]
    assert store.chats()[0].messages == 2


def test_a_failed_write_keeps_the_undone_ids_for_the_next_write(tmp_path: Path) -> None:
    store = ChatStore(tmp_path / "chats.sqlite3")
    conversation = chat("One", "Two")
    store.keep(conversation, "c")
    conversation.messages = conversation.messages[:2]
    removed = list(conversation.tree.removed)
    assert len(removed) == 2
    with sqlite3.connect(tmp_path / "chats.sqlite3") as db:
        db.execute("CREATE TRIGGER no_delete BEFORE DELETE ON messages BEGIN SELECT RAISE(ABORT, 'locked'); END")
    with pytest.raises(sqlite3.IntegrityError):
        store.write("c", conversation)
    assert conversation.tree.removed == removed
    with sqlite3.connect(tmp_path / "chats.sqlite3") as db:
        db.execute("DROP TRIGGER no_delete")
    store.write("c", conversation)
    assert store.chats()[0].messages == 2 and conversation.tree.removed == []


def test_the_files_the_chat_wrote_are_remembered_by_path(tmp_path: Path) -> None:
    store = ChatStore(tmp_path / "chats.sqlite3")
    assert store.wrote(tmp_path / "chat.md") is None
    store.remember(tmp_path / "chat.md", "abc")
    store.remember(tmp_path / "chat.md", "def")
    assert store.wrote(tmp_path / "chat.md") == "def" and store.wrote(tmp_path / "other.md") is None
    store.close()
    assert ChatStore(tmp_path / "chats.sqlite3").wrote(tmp_path / "chat.md") == "def"


def test_a_store_makes_its_folders_and_waits_for_another_kernel_s_lock_from_any_thread(tmp_path: Path) -> None:
    import threading

    store = ChatStore(tmp_path / "deep" / "er" / "chats.sqlite3")
    assert store.path.parent.is_dir()
    assert store._db.execute("PRAGMA busy_timeout").fetchone() == (30_000,)  # another kernel's write: wait up to 30 s
    listed: list[object] = []
    thread = threading.Thread(target=lambda: listed.append(store.chats()))  # the widget writes from its own threads
    thread.start()
    thread.join()
    assert listed == [[]]


def test_settings_alone_and_a_chat_emptied_by_new_chat_are_written_too(tmp_path: Path) -> None:
    store = ChatStore(tmp_path / "chats.sqlite3")
    conversation = chat("One")
    store.keep(conversation, "c")
    conversation.system = "Be long."
    store.write("c", conversation)  # no message changed: the settings still are
    assert store.load("c")[1]["system"] == "Be long."
    conversation.messages = []
    conversation._changed()  # New chat: the turns go
    assert store.chats()[0].messages == 0


def test_a_reopened_chat_has_its_model_its_client_and_its_messages_times(tmp_path: Path) -> None:
    store = ChatStore(tmp_path / "chats.sqlite3")
    conversation = Conversation(messages=[{"role": "user", "content": "Hi"},
                                          {"role": "assistant", "content": [{"type": "text", "text": "Yo"}]}],
                                model="claude-sonnet-4-5", max_tokens=77)
    conversation.tree.path()[1].reply = Reply("Yo", Usage(1, 1), "end_turn", "claude-sonnet-4-5", "msg_1", "authored")
    store.keep(conversation, "c")
    client = object()
    reopened = store.open("c", client=client)  # type: ignore[arg-type]
    assert (reopened.model, reopened.max_tokens, reopened.client) == ("claude-sonnet-4-5", 77, client)
    assert [n.created for n in reopened.tree.path()] == [n.created for n in conversation.tree.path()]
    assert reopened.tree.path()[1].reply.text == "Yo"  # type: ignore[union-attr]
    row = reply_row(conversation.tree.path()[1].reply)
    assert reply_from(row, {"role": "assistant", "content": [{"type": "text"}, {"type": "text", "text": "Yo"}]}).text == \
        "Yo"  # type: ignore[union-attr]  # a text block without text adds nothing
