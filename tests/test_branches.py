"""Branches, property-based: random edits, regenerations, switches, undos and faults keep the invariants on every branch.

A hypothesis state machine drives a ChatWidget (kept in a SQLite store) against a local stand-in. After every step:
the history is exactly the tree's current branch and one the API would accept; the request the next turn would send
is exactly that branch; the bubbles equal the history; the store, reopened, holds the same tree; and a step that
failed changed nothing (history, replies, usage, bubbles, every branch).

    CONVERSE_KIT_PROPERTY_EXAMPLES=1000 python -m pytest tests/test_branches.py
"""

from __future__ import annotations

import copy
import itertools
import os
from pathlib import Path
from typing import Any

import hypothesis.strategies as st
from hypothesis import HealthCheck, settings
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test
from kit import stand_in_client

from helpers import Conversation
from helpers.chat.chatlog import text_of
from helpers.chat.store import ChatStore
from helpers.chat.widget import ChatWidget
from helpers.history import check_history
from helpers.standin import Fault, StandIn

EXAMPLES = int(os.environ.get("CONVERSE_KIT_PROPERTY_EXAMPLES", "60"))
TEXTS = st.sampled_from(["Hello", "Tell me about owls", "And bats?", "ünïcödé ✓", "a\nb"])
FAULTS = [Fault(kind="status", status=500, error_type="api_error", message="Internal server error"),
          Fault(kind="drop_stream"), Fault(kind="blank"), Fault(kind="malformed")]


class Branches(RuleBasedStateMachine):
    """A chat widget with branches, driven at random."""

    server: StandIn
    folder: Path
    counter = itertools.count()

    def __init__(self) -> None:
        super().__init__()
        self.server.clear_faults()
        self.store = ChatStore(self.folder / f"chats{next(self.counter)}.sqlite3")
        self.conv = Conversation("Be brief.", client=stand_in_client(self.server.url), max_tokens=60)
        self.conv.notice = lambda line: None
        self.chat = ChatWidget(self.conv, background=False, store=self.store)

    def state(self) -> Any:
        """Everything a failed step must leave unchanged, every branch included."""
        tree = self.conv.tree
        return (copy.deepcopy(self.conv.messages), list(self.conv.replies), self.conv.usage, self.chat.chat.texts(),
                sorted(tree.nodes), tree.head)

    def unchanged_unless_replied(self, before: Any, reply: Any) -> None:
        """A turn that brought no stored reply changed nothing."""
        if reply is None or reply.note:
            after = self.state()
            assert after[:2] == before[:2] and after[3:] == before[3:], "a failed turn changed the chat or its branches"

    @rule(text=TEXTS, fault=st.none() | st.sampled_from(FAULTS))
    def send(self, text: str, fault: Fault | None) -> None:
        """One turn at the end of the branch, maybe failing."""
        if fault:
            self.server.inject(copy.copy(fault))
        before = self.state()
        self.unchanged_unless_replied(before, self.chat.send(text))
        self.server.clear_faults()

    @rule(data=st.data(), text=TEXTS, fault=st.none() | st.sampled_from(FAULTS))
    def edit(self, data: st.DataObject, text: str, fault: Fault | None) -> None:
        """Edit one of your earlier turns and send it: a new branch beside the old one."""
        users = [i for i, m in enumerate(self.conv.messages) if m["role"] == "user"]
        if not users:
            return
        index = data.draw(st.sampled_from(users))
        if fault:
            self.server.inject(copy.copy(fault))
        before, old = self.state(), copy.deepcopy(self.conv.messages)
        self.chat.edit(index)
        reply = self.chat.send(text)
        self.server.clear_faults()
        self.unchanged_unless_replied(before, reply)
        if reply is not None and not reply.note:
            assert self.conv.messages[:index] == old[:index] and self.conv.messages[index]["content"] == text
            kept = [[n.message for n in self.conv.tree.path(b.leaf, current=False)][:len(old)] for b in self.conv.branches()]
            assert old in kept, "editing a turn lost the old branch"

    @rule(fault=st.none() | st.sampled_from(FAULTS))
    def regenerate(self, fault: Fault | None) -> None:
        """Ask again for the last reply."""
        if fault:
            self.server.inject(copy.copy(fault))
        before = self.state()
        self.unchanged_unless_replied(before, self.chat.regenerate())
        self.server.clear_faults()

    @rule(data=st.data())
    def switch(self, data: st.DataObject) -> None:
        """Show another version of a turn that has several."""
        choices = [(i, step) for i, (position, count) in enumerate(self.conv.tree.versions())
                   for step in (-1, 1) if 1 <= position + step <= count]
        if not choices:
            return
        index, step = data.draw(st.sampled_from(choices))
        position = self.conv.tree.versions()[index][0]
        self.chat.switch(index, step)
        assert self.conv.tree.versions()[index][0] == position + step

    @rule()
    def undo(self) -> None:
        """Remove the last exchange of the branch."""
        before = len(self.conv.messages)
        self.chat.undo()
        assert len(self.conv.messages) < before or before == 0

    @invariant()
    def the_history_is_the_current_branch(self) -> None:
        tree = self.conv.tree
        assert [n.message for n in tree.path()] == self.conv.messages
        check_history(self.conv.messages)
        assert self.conv.request("Next?")["messages"] == [*self.conv.messages, {"role": "user", "content": "Next?"}]
        assert self.chat.chat.texts() == [text_of(m) for m in self.conv.messages], "the bubbles differ from the history"
        assert all(len(self.conv.tree.path(b.leaf, current=False)) == b.messages for b in self.conv.branches())

    @invariant()
    def the_store_holds_the_same_tree(self) -> None:
        tree, _ = ChatStore(self.store.path).load(self.chat.chat_id) if self.conv.messages else (self.conv.tree, None)
        if self.conv.messages:
            assert sorted(tree.nodes) == sorted(self.conv.tree.nodes) and tree.head == self.conv.tree.head
            assert [n.message for n in tree.path()] == self.conv.messages


def test_random_branching_keeps_the_invariants(tmp_path: Path) -> None:
    with StandIn() as server:
        Branches.server, Branches.folder = server, tmp_path
        run_state_machine_as_test(Branches, settings=settings(
            max_examples=EXAMPLES, stateful_step_count=12, deadline=None, derandomize=True,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much]))
