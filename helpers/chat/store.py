"""The chats you keep: every message of every branch in one SQLite file in your own folder, saved as it goes.

The file is `~/.converse-kit/chats.sqlite3` unless CONVERSE_KIT_STORE names another; it is never inside the kit's
folder. WAL mode and one short transaction a write, so two kernels writing at once lose nothing.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import time
import uuid
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import anthropic

from ..branches import Node, Tree
from ..config import REPO_ROOT
from ..conversation import Conversation
from ..history import MessageDict
from ..reply import Reply, Usage

STORE_VAR = "CONVERSE_KIT_STORE"
SCHEMA = """
CREATE TABLE IF NOT EXISTS chats (id TEXT PRIMARY KEY, title TEXT NOT NULL, created REAL NOT NULL, updated REAL NOT NULL,
  system TEXT, model TEXT NOT NULL, max_tokens INTEGER NOT NULL, usage TEXT NOT NULL, head TEXT);
CREATE TABLE IF NOT EXISTS messages (id TEXT PRIMARY KEY, chat TEXT NOT NULL REFERENCES chats(id), parent TEXT,
  role TEXT NOT NULL, content TEXT NOT NULL, hash TEXT NOT NULL, reply TEXT, created REAL NOT NULL);
CREATE INDEX IF NOT EXISTS messages_by_chat ON messages (chat, created);
CREATE TABLE IF NOT EXISTS written (path TEXT PRIMARY KEY, sha256 TEXT NOT NULL);
"""


def store_path() -> Path:
    """Where the chats are kept: CONVERSE_KIT_STORE if set, else ~/.converse-kit/chats.sqlite3."""
    named = os.environ.get(STORE_VAR, "").strip()
    return Path(named).expanduser() if named else Path.home() / ".converse-kit" / "chats.sqlite3"


def outside_kit(path: Path) -> Path:
    """The path, resolved, if it is outside the kit's own folder; else a clear error."""
    resolved = path.resolve()
    if resolved == REPO_ROOT or REPO_ROOT in resolved.parents:
        raise ValueError(f"{resolved} is inside the kit's folder, which git tracks: set {STORE_VAR} to a path in your "
                         "own folder (the default is ~/.converse-kit/chats.sqlite3).")
    return resolved


@dataclass(frozen=True)
class ChatSummary:
    """One kept chat, as the list of past chats shows it."""

    id: str
    title: str
    created: float
    updated: float
    messages: int

    def label(self) -> str:
        """The chat's title and the date it last changed."""
        return f"{self.title} ({time.strftime('%Y-%m-%d %H:%M', time.localtime(self.updated))}, {self.messages} messages)"


def new_id() -> str:
    """A fresh chat id."""
    return uuid.uuid4().hex


def reply_row(reply: Reply | None) -> str | None:
    """A reply's provenance, stop reason and usage as JSON (its text is the message itself)."""
    if reply is None:
        return None
    return json.dumps({"source": reply.source, "stop_reason": reply.stop_reason, "model": reply.model, "id": reply.id,
                       "usage": asdict(reply.usage), "stop_sequence": reply.stop_sequence})


def reply_from(row: str | None, message: MessageDict) -> Reply | None:
    """The reply a stored row describes, its text taken from the message."""
    if row is None:
        return None
    data = json.loads(row)
    content = message["content"]
    text = content if isinstance(content, str) else "".join(str(b.get("text", "")) for b in content if b.get("type") == "text")
    return Reply(text, Usage(**data["usage"]), data["stop_reason"], data["model"], data["id"], data["source"],
                 stop_sequence=data.get("stop_sequence"))


class ChatStore:
    """One SQLite file of chats: `keep(conversation)` saves it as it goes, `chats()` lists them, `open(id)` reopens one."""

    def __init__(self, path: str | Path | None = None) -> None:
        self.path = outside_kit(Path(path) if path is not None else store_path())
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
        self._lock = threading.Lock()  # one connection, used from the widget's threads in turn
        self._written: dict[str, set[str]] = {}  # by chat: the message ids this store has written
        with self._lock:
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.executescript(SCHEMA)

    def keep(self, conversation: Conversation, chat_id: str | None = None) -> str:
        """Save this conversation now and after every change; returns its chat id (a new one unless given)."""
        chat = chat_id or new_id()
        self.write(chat, conversation)
        conversation.listeners.append(lambda: self.write(chat, conversation))
        return chat

    def write(self, chat: str, conversation: Conversation) -> None:
        """Write what changed: new messages of every branch, undone ones removed, the current branch and settings."""
        tree, now = conversation.tree, time.time()
        written = self._written.setdefault(chat, set())
        new = [n for n in tree.nodes.values() if n.id not in written]
        gone, tree.removed = list(tree.removed), []
        if not new and not gone and not written and tree.head is None:
            return  # an empty chat is not kept
        first = next((n.message["content"] for n in tree.path() if isinstance(n.message["content"], str)), "New chat")
        row = (chat, str(first)[:80], now, now, conversation.system, conversation.model, conversation.max_tokens,
               json.dumps(asdict(conversation.usage)), tree.head)
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                self._db.execute("INSERT INTO chats VALUES (?,?,?,?,?,?,?,?,?) ON CONFLICT(id) DO UPDATE SET title=excluded.title, "
                                 "updated=excluded.updated, system=excluded.system, model=excluded.model, "
                                 "max_tokens=excluded.max_tokens, usage=excluded.usage, head=excluded.head", row)
                self._db.executemany("INSERT OR REPLACE INTO messages VALUES (?,?,?,?,?,?,?,?)", [
                    (n.id, chat, n.parent, n.message["role"], json.dumps(n.message["content"], ensure_ascii=False), n.hash,
                     reply_row(n.reply), n.created) for n in new])
                self._db.executemany("DELETE FROM messages WHERE id = ? AND chat = ?", [(i, chat) for i in gone])
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                tree.removed[:0] = gone
                raise
        written.update(n.id for n in new)
        written.difference_update(gone)

    def chats(self) -> list[ChatSummary]:
        """Every kept chat, the one changed last first."""
        with self._lock:
            rows = self._db.execute("SELECT c.id, c.title, c.created, c.updated, COUNT(m.id) FROM chats c "
                                    "LEFT JOIN messages m ON m.chat = c.id GROUP BY c.id ORDER BY c.updated DESC").fetchall()
        return [ChatSummary(*row) for row in rows]

    def load(self, chat: str) -> tuple[Tree, dict[str, Any]]:
        """A kept chat's tree (its current branch as shown last) and its settings: system, model, max_tokens, usage."""
        with self._lock:
            found = self._db.execute("SELECT system, model, max_tokens, usage, head FROM chats WHERE id = ?", (chat,)).fetchone()
            rows = self._db.execute("SELECT id, parent, role, content, hash, reply, created FROM messages WHERE chat = ? "
                                    "ORDER BY created, rowid", (chat,)).fetchall()
        if found is None:
            raise KeyError(f"No kept chat has the id {chat!r}: ChatStore().chats() lists them.")
        tree = Tree()
        for ident, parent, role, content, digest, reply, created in rows:
            message: MessageDict = {"role": role, "content": json.loads(content)}
            tree.add(Node(ident, parent, message, digest, reply_from(reply, message), created))
        tree.head = found[4] if found[4] in tree.nodes else None
        self._written[chat] = set(tree.nodes)
        settings = {"system": found[0], "model": found[1], "max_tokens": found[2], "usage": Usage(**json.loads(found[3]))}
        return tree, settings

    def open(self, chat: str, *, client: anthropic.Anthropic | None = None) -> Conversation:
        """Reopen a kept chat by id: every branch, the one shown last current, saved as it goes again."""
        tree, settings = self.load(chat)
        conversation = Conversation(settings["system"], model=settings["model"], max_tokens=settings["max_tokens"], client=client)
        conversation.tree, conversation.usage = tree, settings["usage"]
        conversation.listeners.append(lambda: self.write(chat, conversation))
        return conversation

    def remember(self, path: Path, sha256: str) -> None:
        """Note a file the chat wrote (Save and Export overwrite only such a file, unchanged since)."""
        with self._lock:
            self._db.execute("INSERT OR REPLACE INTO written VALUES (?, ?)", (str(path), sha256))

    def wrote(self, path: Path) -> str | None:
        """The hash of what the chat last wrote to this path, or None if it never wrote there."""
        with self._lock:
            row = self._db.execute("SELECT sha256 FROM written WHERE path = ?", (str(path),)).fetchone()
        return str(row[0]) if row else None

    def close(self) -> None:
        """Close the file."""
        with self._lock:
            self._db.close()

    def __repr__(self) -> str:
        """Where the store is."""
        return f"ChatStore({str(self.path)!r})"

