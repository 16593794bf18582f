"""Branches: every message a conversation has had, kept as a tree; the history is one path through it.

Invariant: `path()` is exactly the conversation's `messages` (the current branch). Editing an earlier turn or
regenerating a reply starts a new branch beside the old one, which stays; Undo removes the undone turns.
"""

from __future__ import annotations

import copy
import hashlib
import json
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from .blocks import ids
from .history import MessageDict
from .reply import Reply


def content_hash(message: MessageDict) -> str:
    """A short, stable hash of one message (its role and content)."""
    text = json.dumps(message, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


@dataclass
class Node:
    """One message in the tree: its parent, the message as kept, and for a reply where it came from."""

    id: str
    parent: str | None
    message: MessageDict
    hash: str
    reply: Reply | None = None
    created: float = field(default_factory=time.time)


@dataclass(frozen=True)
class Branch:
    """One branch: its number (1 is the oldest), its last message's id, its length, and whether it is current."""

    number: int
    leaf: str
    messages: int
    last_user: str
    current: bool


class Tree:
    """The message tree of one conversation, and which branch is current (`head`, the last message shown)."""

    def __init__(self) -> None:
        self.nodes: dict[str, Node] = {}
        self.children: dict[str | None, list[str]] = {None: []}
        self.head: str | None = None
        self.chosen: dict[str | None, str] = {}  # below each message, the branch last shown (switching back returns there)
        self.removed: list[str] = []  # ids undone since the store last wrote (it deletes them)

    def add(self, node: Node) -> Node:
        """Put a node under its parent (children stay in the order they were made)."""
        self.nodes[node.id] = node
        self.children.setdefault(node.id, [])
        self.children.setdefault(node.parent, []).append(node.id)
        return node

    def path(self, head: str | None = None, *, current: bool = True) -> list[Node]:
        """The messages from the first to `head` (the current branch by default)."""
        at, found = self.head if current and head is None else head, []
        while at is not None:
            found.append(self.nodes[at])
            at = self.nodes[at].parent
        return found[::-1]

    def follow(self, messages: Sequence[MessageDict], replies: Sequence[Reply]) -> None:
        """Make the tree's current branch the given history: reuse the messages it has, add the new ones.

        A history that is the current branch cut short (Undo, New chat) removes the cut turns from the tree.
        """
        path = self.path()
        same = 0
        while same < min(len(path), len(messages)) and path[same].message == messages[same]:
            same += 1
        if same == len(messages) and same < len(path):
            self._prune(path[same:])
        at = path[same - 1].id if same else None
        for message in messages[same:]:
            wanted = content_hash(message)
            match = next((c for c in self.children.get(at, []) if self.nodes[c].hash == wanted), None)
            node = self.nodes[match] if match else self.add(Node(uuid.uuid4().hex, at, copy.deepcopy(message), wanted))
            at = node.id
        self.head = at
        self._attach(replies)

    def _prune(self, cut: list[Node]) -> None:
        """Remove undone messages, the last first, while nothing else grows from them."""
        for node in reversed(cut):
            if self.children.get(node.id):
                break
            del self.nodes[node.id], self.children[node.id]
            self.children[node.parent].remove(node.id)
            if self.chosen.get(node.parent) == node.id:
                del self.chosen[node.parent]
            self.removed.append(node.id)

    def _attach(self, replies: Sequence[Reply]) -> None:
        """Give the last assistant messages of the branch their replies; remember the branch as the one shown."""
        path = self.path()
        answers = [n for n in path if n.message["role"] == "assistant"]
        for node, reply in zip(answers[len(answers) - len(replies):] if replies else [], replies, strict=False):
            node.reply = reply
        for node in path:
            self.chosen[node.parent] = node.id

    def replies(self) -> list[Reply]:
        """The current branch's replies, as `Conversation.replies` keeps them (the last assistant turns that have one)."""
        answers = [n.reply for n in self.path() if n.message["role"] == "assistant"]
        found: list[Reply] = []
        for reply in reversed(answers):
            if reply is None:
                break
            found.append(reply)
        return found[::-1]

    def current(self) -> tuple[list[MessageDict], list[Reply]]:
        """The current branch's history (copies) and its replies."""
        return [copy.deepcopy(n.message) for n in self.path()], self.replies()

    def fork_at(self, index: int) -> tuple[list[MessageDict], list[Reply]]:
        """Go back to just before message `index` (one of your turns) without removing anything: the next turn branches."""
        path = self.path()
        if not 0 <= index < len(path):
            raise IndexError(f"There is no message {index}: this branch has messages 0 to {len(path) - 1}.")
        message = path[index].message
        if message["role"] != "user" or ids(message["content"], "tool_result", "tool_use_id"):
            raise ValueError(f"Message {index} is not one of your turns: fork at a user message that is not a tool result.")
        self.head = path[index].parent
        return self.current()

    def siblings(self, index: int) -> tuple[int, int]:
        """Where message `index` of the branch sits among the versions of that turn: (position from 1, how many)."""
        node = self.path()[index]
        versions = self.children[node.parent]
        return versions.index(node.id) + 1, len(versions)

    def versions(self) -> list[tuple[int, int]]:
        """For every message of the current branch, `siblings()` of it, in one pass."""
        found = []
        for node in self.path():
            versions = self.children[node.parent]
            found.append((versions.index(node.id) + 1, len(versions)))
        return found

    def switch(self, index: int, step: int) -> tuple[list[MessageDict], list[Reply]]:
        """Show another version of message `index` (step -1 the one before, +1 the one after) and the branch below it."""
        position, count = self.siblings(index)
        if not 1 <= position + step <= count:
            raise ValueError(f"Message {index} has versions 1 to {count}; there is no version {position + step}.")
        node = self.path()[index]
        self.head = self._leaf_below(self.children[node.parent][position - 1 + step])
        self._attach([])
        return self.current()

    def _leaf_below(self, at: str) -> str:
        """The last message of the branch last shown below `at` (the newest one if none was)."""
        while self.children.get(at):
            at = self.chosen.get(at) or self.children[at][-1]
        return at

    def leaves(self) -> list[str]:
        """The last message of every branch, oldest branch first."""
        return sorted((n for n in self.nodes if not self.children.get(n)), key=lambda n: self.nodes[n].created)

    def branches(self) -> list[Branch]:
        """Every branch, oldest first."""
        found = []
        for number, leaf in enumerate(self.leaves(), start=1):
            path = self.path(leaf, current=False)
            said = [n.message["content"] for n in path if n.message["role"] == "user" and isinstance(n.message["content"], str)]
            found.append(Branch(number, leaf, len(path), str(said[-1])[:60] if said else "", leaf == self.head))
        return found

    def switch_to(self, number: int) -> tuple[list[MessageDict], list[Reply]]:
        """Make branch `number` (from `branches()`) the current one."""
        leaves = self.leaves()
        if not 1 <= number <= len(leaves):
            raise ValueError(f"There is no branch {number}: this conversation has branches 1 to {len(leaves)}.")
        self.head = leaves[number - 1]
        self._attach([])
        return self.current()


class Branching:
    """What `Conversation` gains from the tree: fork at a message, list branches, switch (the history follows)."""

    messages: list[MessageDict]
    replies: list[Reply]
    _tree: Tree | None
    _memory_forget: Callable[[], None]

    @property
    def tree(self) -> Tree:
        """Every branch this conversation has had (helpers.branches); the history is the current one."""
        if self._tree is None:
            self._tree = Tree()
        self._tree.follow(self.messages, self.replies)
        return self._tree

    @tree.setter
    def tree(self, tree: Tree) -> None:
        """Take a tree (a chat reopened from the store) and show its current branch."""
        self._tree, (self.messages, self.replies) = tree, tree.current()
        self._memory_forget()

    def branches(self) -> list[Branch]:
        """Every branch, oldest first; `current` marks the one the history is."""
        return self.tree.branches()

    def fork_at(self, index: int) -> None:
        """Go back to just before your turn at `index`, keeping its branch: the next send starts a new branch."""
        self.messages, self.replies = self.tree.fork_at(index)
        self._memory_forget()

    def switch(self, index: int, step: int = 1) -> None:
        """Show the next (step 1) or previous (step -1) version of message `index`, and its branch."""
        self.messages, self.replies = self.tree.switch(index, step)
        self._memory_forget()

    def switch_to(self, number: int) -> None:
        """Make branch `number` of `branches()` the history."""
        self.messages, self.replies = self.tree.switch_to(number)
        self._memory_forget()
