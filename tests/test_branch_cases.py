"""The branch tree on its own, case by case: following a history, undo pruning, replies on the right turns, forking,
switching versions and branches, and the errors that name the valid range (test_branches.py drives a Conversation)."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import pytest

from helpers.branches import Tree, content_hash
from helpers.reply import Reply, Usage


def turns(*texts: str) -> list[dict[str, Any]]:
    """Alternating user and assistant text turns."""
    return [{"role": ("user", "assistant")[i % 2], "content": text} for i, text in enumerate(texts)]


def reply(text: str) -> Reply:
    """An authored reply."""
    return Reply(text, Usage(1, 1), "end_turn", "claude-haiku-4-5", "msg_" + text, "authored")


def contents(tree: Tree) -> list[Any]:
    """The current branch's contents."""
    return [n.message["content"] for n in tree.path()]


def test_the_hash_is_of_role_and_content_in_a_canonical_form() -> None:
    message = {"role": "user", "content": "Café"}
    text = json.dumps(message, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    assert content_hash(message) == hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]
    assert content_hash({"content": "Café", "role": "user"}) == content_hash(message)


def test_following_a_history_reuses_what_the_tree_has_and_copies_what_it_adds() -> None:
    tree, history = Tree(), turns("q0", "a0")
    tree.follow(history, [reply("a0")])
    first = [n.id for n in tree.path()]
    history[0]["content"] = "changed after"
    assert contents(tree) == ["q0", "a0"], "the tree keeps its own copy"
    tree.follow(turns("q0", "a0", "q1", "a1"), [reply("a0"), reply("a1")])
    assert [n.id for n in tree.path()][:2] == first and len(tree.nodes) == 4
    assert [r.text for r in tree.replies()] == ["a0", "a1"]
    tree.follow(turns("q0", "a0", "q1"), [reply("a0")])  # undo of the last reply: cut short
    assert contents(tree) == ["q0", "a0", "q1"] and len(tree.removed) == 1 and len(tree.nodes) == 3
    tree.follow([], [])
    assert tree.head is None and tree.nodes == {} and tree.children == {None: []} and len(tree.removed) == 4


def test_an_undo_keeps_a_message_that_another_branch_grows_from() -> None:
    tree = Tree()
    tree.follow(turns("q0", "a0", "q1", "a1"), [])
    tree.fork_at(2)
    tree.follow(turns("q0", "a0", "q1 again", "a1 again"), [])
    tree.follow(turns("q0"), [])  # back to the first turn: the cut branch goes, a0 stays (the other branch grows from it)
    assert len(tree.nodes) == 4 and contents(tree) == ["q0"] and len(tree.removed) == 2
    assert sorted(n.message["content"] for n in tree.nodes.values()) == ["a0", "a1", "q0", "q1"]


def test_replies_belong_to_the_last_assistant_turns_and_stop_at_one_without() -> None:
    tree = Tree()
    tree.follow(turns("q0", "a0", "q1", "a1", "q2", "a2"), [reply("a1"), reply("a2")])
    assert [n.reply.text if n.reply else None for n in tree.path()] == [None, None, None, "a1", None, "a2"]
    assert [r.text for r in tree.replies()] == ["a1", "a2"]
    messages, replies = tree.current()
    assert messages == turns("q0", "a0", "q1", "a1", "q2", "a2") and [r.text for r in replies] == ["a1", "a2"]
    messages[0]["content"] = "changed"
    assert contents(tree)[0] == "q0", "the history handed out is a copy"
    tree.path()[3].reply = None
    assert [r.text for r in tree.replies()] == ["a2"]
    tree.follow(turns("q0", "a0", "q1", "a1", "q2", "a2"), [])
    assert [r.text for r in tree.replies()] == ["a2"], "no replies given: the kept ones stay"


def test_forking_goes_back_before_one_of_your_turns_only() -> None:
    tree = Tree()
    tree.follow(turns("q0", "a0", "q1", "a1"), [])
    for index in (-1, 4):
        with pytest.raises(IndexError) as caught:
            tree.fork_at(index)
        assert str(caught.value) == f"There is no message {index}: this branch has messages 0 to 3."
    with pytest.raises(ValueError) as caught:
        tree.fork_at(1)
    assert str(caught.value) == "Message 1 is not one of your turns: fork at a user message that is not a tool result."
    assert tree.fork_at(2) == (turns("q0", "a0"), []) and contents(tree) == ["q0", "a0"]
    assert tree.fork_at(0) == ([], []) and tree.head is None and len(tree.nodes) == 4
    tools = Tree()
    tools.follow([{"role": "user", "content": "q"}, {"role": "assistant", "content": [{"type": "tool_use", "id": "t"}]},
                  {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "t", "content": "5"}]}], [])
    with pytest.raises(ValueError, match="Message 2 is not one of your turns"):
        tools.fork_at(2)


def branched() -> Tree:
    """q0 a0, then three versions of the second turn (q1, q1b, q1c), the last current."""
    tree = Tree()
    tree.follow(turns("q0", "a0", "q1", "a1"), [])
    for text in ("q1b", "q1c"):
        tree.fork_at(2)
        tree.follow(turns("q0", "a0", text, f"re {text}"), [])
    return tree


def test_versions_say_where_each_message_sits_among_its_turn_s_versions() -> None:
    tree = branched()
    assert tree.versions() == [(1, 1), (1, 1), (3, 3), (1, 1)]
    assert [tree.siblings(i) for i in range(4)] == tree.versions()
    tree.switch(2, -2)
    assert contents(tree) == ["q0", "a0", "q1", "a1"] and tree.versions()[2] == (1, 3)


def test_switching_steps_between_versions_and_returns_to_the_branch_last_shown_below() -> None:
    tree = branched()
    assert tree.switch(2, -1)[0] == turns("q0", "a0", "q1b", "re q1b")
    with pytest.raises(ValueError) as caught:
        tree.switch(2, 2)
    assert str(caught.value) == "Message 2 has versions 1 to 3; there is no version 4."
    with pytest.raises(ValueError, match="there is no version 0"):
        tree.switch(2, -2)
    tree.switch(2, -1)  # to q1
    tree.fork_at(2)
    tree.follow(turns("q0", "a0", "q1b"), [])  # the same text as version 2: reused, not a new version
    assert tree.versions()[2] == (2, 3)
    tree.follow(turns("q0", "a0", "q1b", "another reply"), [])
    assert tree.versions()[3] == (2, 2)
    tree.switch(2, 1)
    tree.switch(2, -1)  # back to q1b: the branch last shown below it, not its newest
    assert contents(tree) == ["q0", "a0", "q1b", "another reply"]
    tree.switch(3, -1)
    tree.switch(2, 1)
    tree.switch(2, -1)
    assert contents(tree) == ["q0", "a0", "q1b", "re q1b"]


def test_branches_are_listed_oldest_first_and_any_can_be_made_current() -> None:
    tree = branched()
    listed = tree.branches()
    assert [(b.number, b.messages, b.last_user, b.current) for b in listed] == [
        (1, 4, "q1", False), (2, 4, "q1b", False), (3, 4, "q1c", True)]
    assert listed[0].leaf == tree.leaves()[0] and tree.path(listed[0].leaf, current=False)[-1].message["content"] == "a1"
    assert tree.switch_to(1)[0] == turns("q0", "a0", "q1", "a1")
    assert [b.current for b in tree.branches()] == [True, False, False]
    for number in (0, 4):
        with pytest.raises(ValueError) as caught:
            tree.switch_to(number)
        assert str(caught.value) == f"There is no branch {number}: this conversation has branches 1 to 3."
    long = Tree()
    long.follow([{"role": "user", "content": "x" * 70}, {"role": "assistant", "content": "a"},
                 {"role": "user", "content": [{"type": "text", "text": "blocks"}]}], [])
    assert long.branches()[0].last_user == "x" * 60
    empty = Tree()
    empty.follow([{"role": "user", "content": [{"type": "text", "text": "blocks"}]}], [])
    assert empty.branches()[0].last_user == ""


def test_a_history_that_leaves_the_branch_keeps_the_old_one_and_the_tree_keeps_its_own_copies() -> None:
    tree = Tree()
    blocks = [{"role": "user", "content": [{"type": "text", "text": "q0"}]}, {"role": "assistant", "content": "a0"}]
    tree.follow(blocks + turns("q1", "a1"), [])
    tree.follow(blocks + turns("q1 edited"), [])  # an edit: a new branch beside the old one
    assert len(tree.nodes) == 5 and tree.removed == [] and tree.versions()[2] == (2, 2)
    blocks[0]["content"][0]["text"] = "changed by the caller"
    assert tree.path()[0].message["content"][0]["text"] == "q0"
    handed, _ = tree.current()
    handed[0]["content"][0]["text"] = "changed by the reader"
    assert tree.path()[0].message["content"][0]["text"] == "q0"
    old = tree.leaves()[0]
    assert [n.message["content"] for n in tree.path(old)][2:] == ["q1", "a1"]  # a given head, not the current one


def test_an_undone_branch_is_never_the_one_a_switch_returns_to() -> None:
    tree = branched()
    tree.follow(turns("q0", "a0"), [])  # undo q1c and its reply
    assert all(chosen in tree.nodes for chosen in tree.chosen.values())
    tree.follow(turns("q0", "a0", "q1"), [])
    tree.switch(2, 1)
    assert [n.message["content"] for n in tree.path()] == ["q0", "a0", "q1b", "re q1b"]
    assert tree.switch_to(2)[0] == turns("q0", "a0", "q1b", "re q1b")


def test_a_reopened_tree_with_no_branch_shown_yet_switches_to_the_newest_below() -> None:
    from helpers.branches import Node

    made = branched()
    tree = Tree()
    for node in sorted(made.nodes.values(), key=lambda n: n.created):
        tree.add(Node(node.id, node.parent, node.message, node.hash, node.reply, node.created))
    tree.head = made.head  # as the store reopens it: no branch remembered below any message
    assert tree.switch(2, -1)[0] == turns("q0", "a0", "q1b", "re q1b")
    assert tree.switch_to(3)[0] == turns("q0", "a0", "q1c", "re q1c")  # the last branch is one of them


def test_a_conversation_s_history_follows_the_branch_it_switches_to() -> None:
    from helpers import Conversation

    conversation = Conversation(messages=turns("q0", "a0", "q1", "a1"))
    conversation.fork_at(2)
    assert conversation.messages == turns("q0", "a0")
    conversation.messages = turns("q0", "a0", "q1b", "a1b")
    conversation.switch(2, -1)
    assert conversation.messages == turns("q0", "a0", "q1", "a1")
    conversation.switch(2)  # the next version by default
    assert conversation.messages == turns("q0", "a0", "q1b", "a1b")
    conversation.switch_to(1)
    assert conversation.messages == turns("q0", "a0", "q1", "a1") and conversation.branches()[0].current
