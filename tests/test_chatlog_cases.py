"""The chat's bubbles on their own: each block as the bubble shows it, which reply's footer goes under which turn, how
many bubbles a pop takes, and the version and Edit controls (test_widget.py drives the same through the chat widget)."""

from __future__ import annotations

import json
from typing import Any

from helpers.chat.chatlog import Bubble, ChatLog, block_markdown, folded, footer_for, markdown_output, text_of
from helpers.reply import Reply, Usage


def reply(text: str, stop: str = "end_turn") -> Reply:
    """An authored reply."""
    return Reply(text, Usage(3, 4), stop, "claude-haiku-4-5", "msg_" + text, "authored")


def test_each_block_is_shown_as_its_kind_with_markup_escaped() -> None:
    assert block_markdown({"type": "text", "text": "**hi**"}) == "**hi**"
    assert block_markdown({"type": "text"}) == ""
    assert block_markdown({"type": "thinking", "thinking": "a < b"}) == \
        "<details><summary>Thinking</summary>\n\na &lt; b\n\n</details>"
    assert block_markdown({"type": "redacted_thinking", "data": "x"}) == \
        "<details><summary>Thinking (redacted)</summary>\n\n(encrypted: sent back as it came)\n\n</details>"
    assert block_markdown({"type": "tool_use", "name": "add", "input": {"a": 1}}) == \
        "<details><summary>Tool call: add</summary>\n\n```json\n{\n \"a\": 1\n}\n```\n\n</details>"
    assert block_markdown({"type": "tool_use", "name": "now"}) == \
        "<details><summary>Tool call: now</summary>\n\n```json\n{}\n```\n\n</details>"
    assert block_markdown({"type": "tool_result", "content": "5"}) == \
        "<details><summary>Tool result</summary>\n\n```\n5\n```\n\n</details>"
    blocks = [{"type": "text", "text": "5"}]
    assert block_markdown({"type": "tool_result", "content": blocks, "is_error": True}) == \
        f"<details><summary>Tool result (error)</summary>\n\n```\n{json.dumps(blocks)}\n```\n\n</details>"
    image = {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": "AAAA"}}
    assert block_markdown(image) == '<img src="data:image/png;base64,AAAA" alt="image" style="max-height: 96px">'
    url = {"type": "image", "source": {"type": "url", "url": "https://example.com/a.png"}}
    assert block_markdown(url) == f"`{json.dumps(url)}`"
    assert block_markdown({"type": "document", "title": "<Plan>", "source": {"media_type": "application/pdf"}}) == \
        "*document: &lt;Plan&gt;*"
    assert block_markdown({"type": "document", "source": {"media_type": "application/pdf"}}) == "*document: application/pdf*"
    assert block_markdown({"type": "document"}) == "*document: attached*"
    assert folded("a & b", "body") == "<details><summary>a &amp; b</summary>\n\nbody\n\n</details>"


def test_a_message_is_its_text_or_its_blocks_one_paragraph_each() -> None:
    assert text_of({"role": "user", "content": "Hi"}) == "Hi"
    assert text_of({"role": "assistant", "content": [{"type": "text", "text": "A"}, {"type": "text", "text": "B"}]}) == "A\n\nB"
    assert markdown_output("# Hi") == {"output_type": "display_data", "data": {"text/markdown": "# Hi", "text/plain": "# Hi"},
                                       "metadata": {}}


def test_a_bubble_says_who_shows_its_text_and_grows_by_streamed_pieces() -> None:
    mine, theirs = Bubble("user", "Hi"), Bubble("assistant", footer="a <b> footer")
    assert mine.name.value == "<b>You</b>" and theirs.name.value == "<b>Claude</b>"
    assert mine.layout.align_self == "flex-end" and theirs.layout.align_self == "flex-start"
    assert {"ck-bubble", "ck-user"} <= set(mine._dom_classes) and "ck-assistant" in theirs._dom_classes
    assert mine.body.outputs == (markdown_output("Hi"),) and mine.footer.value == ""
    assert theirs.parts == [] and theirs.footer.value == "<small>a &lt;b&gt; footer</small>"
    theirs.append("Hel")
    theirs.append("lo")
    assert theirs.text == "Hello" and theirs.body.outputs == (markdown_output("Hello"),)
    assert repr(Bubble("user", "x" * 70)) == f"Bubble(user: {'x' * 60!r})"
    theirs.set_footer("")
    assert theirs.footer.value == ""
    assert theirs.children == (theirs.name, theirs.body, theirs.footer)


def test_a_footer_says_where_the_reply_came_from_and_a_stopped_one_says_so() -> None:
    assert footer_for(None) == ""
    assert footer_for(reply("Hi")) == reply("Hi").footer()
    stopped = reply("Hal", "cut_off")
    assert footer_for(stopped) == f"[authored | cut off: you pressed Stop | tokens: {stopped.usage}]"


def history(*texts: str) -> list[dict[str, Any]]:
    """Alternating user and assistant text turns."""
    return [{"role": ("user", "assistant")[i % 2], "content": text} for i, text in enumerate(texts)]


def test_the_replies_given_belong_to_the_last_assistant_turns() -> None:
    log = ChatLog()
    log.show(history("q0", "a0", "q1", "a1", "q2", "a2"), [reply("a1"), reply("a2")])  # the first reply was not kept
    assert log.texts() == ["q0", "a0", "q1", "a1", "q2", "a2"]
    assert [b.footer.value for b in log.bubbles] == ["", "", "", f"<small>{reply('a1').footer()}</small>", "",
                                                     f"<small>{reply('a2').footer()}</small>"]
    assert [b.role for b in log.bubbles] == ["user", "assistant"] * 3
    log.show(history("q0"), [])
    assert log.texts() == ["q0"] and repr(log) == "ChatLog(1 bubbles)"


def test_a_pop_takes_exactly_the_last_bubbles_and_never_more_than_there_are() -> None:
    log = ChatLog()
    for text in ("a", "b", "c"):
        log.add("user", text)
    made = log.add("assistant", "d", "footer")
    assert made is log.bubbles[-1] and made.footer.value == "<small>footer</small>"
    log.pop()
    assert log.texts() == ["a", "b", "c"]
    log.pop(2)
    assert log.texts() == ["a"]
    log.pop(0)
    assert log.texts() == ["a"]
    log.pop(5)
    assert log.texts() == []


def test_versions_and_edit_appear_where_a_turn_has_them_and_call_back_with_its_place() -> None:
    calls: list[tuple[str, int, int]] = []
    log = ChatLog()
    log.on_switch = lambda index, step: calls.append(("switch", index, step))
    log.on_edit = lambda index: calls.append(("edit", index, 0))
    log.versions = lambda: [(1, 1), (2, 3)]
    messages = history("q0", "a0") + [{"role": "user", "content": [{"type": "text", "text": "blocks"}]}]
    log.show(messages, [])
    first, second, third = log.bubbles
    [edit] = [c for c in first.children[0].children if getattr(c, "description", "") == "Edit"]
    assert edit.tooltip == "Edit this message and send it again as a new branch (the old one stays)"
    edit.click()
    [row] = [c for c in second.children[0].children if "ck-versions" in getattr(c, "_dom_classes", ())]
    back, count, ahead = row.children
    assert count.value == "<small>2/3</small>" and not back.disabled and not ahead.disabled
    assert back.tooltip == "Show version 1 of 3 of this message" and ahead.tooltip == "Show version 3 of 3 of this message"
    back.click()
    ahead.click()
    assert calls == [("edit", 0, 0), ("switch", 1, -1), ("switch", 1, 1)]
    assert third.children[0] is third.name, "no versions known and not a text turn: no controls"
    assert "ck-top" in first.children[0]._dom_classes
    ends = log.controls(0, messages[0], (1, 2))[0].children
    assert (ends[0].disabled, ends[2].disabled) == (True, False)
    ends = log.controls(0, messages[1], (2, 2))[0].children
    assert (ends[0].disabled, ends[2].disabled) == (False, True)
    assert len(log.controls(0, messages[1], (2, 2))) == 1  # a reply has versions but no Edit
    log.on_switch = log.on_edit = None
    assert log.controls(0, messages[0], (2, 3)) == []


def test_a_streamed_turn_gets_its_controls_on_its_last_bubbles_only() -> None:
    log = ChatLog()
    log.on_edit = lambda index: None
    messages = history("q0", "a0", "q1", "a1")
    for message in messages:
        log.add(message["role"], str(message["content"]))
    log.decorate(messages, 2)
    names = [b.children[0] is b.name for b in log.bubbles]
    assert names == [True, True, False, True]  # only q1, of the last two, can be edited
    log.decorate(messages, 10)
    assert [b.children[0] is b.name for b in log.bubbles] == [False, True, False, True]
    log.versions = lambda: [(1, 2)]
    log.on_switch = lambda index, step: None
    log.decorate(messages + history("q2"), 5)  # one more message than bubbles: only the bubbles there are
    assert len(log.bubbles[0].children[0].children) == 3  # name, versions, Edit


def test_the_log_scrolls_as_one_and_the_controls_are_small_and_styled() -> None:
    log = ChatLog()
    assert (log.layout.max_height, log.layout.overflow, log.layout.padding) == ("460px", "auto", "4px")
    assert log.children == () and "ck-log" in log._dom_classes
    log.on_switch = lambda index, step: None
    log.on_edit = lambda index: None
    bubble = log.add("user", "Hi")
    controls = log.controls(0, {"role": "user", "content": "Hi"}, (1, 2))
    bubble.set_controls(controls)
    assert bubble.children[0].layout.align_items == "center"
    back, _, ahead = controls[0].children
    for button, label in ((back, "<"), (ahead, ">"), (controls[1], "Edit")):
        assert (button.description, button.layout.width) == (label, "auto") and "ck-edit" in button._dom_classes
    empty = log.add("assistant")
    assert empty.parts == [] and empty.footer.value == ""
    assert block_markdown({"type": "thinking"}) == "<details><summary>Thinking</summary>\n\n\n\n</details>"


def test_each_reply_s_footer_goes_under_its_own_turn() -> None:
    def costed(text: str, tokens: int) -> Reply:
        return Reply(text, Usage(tokens, tokens), "end_turn", "claude-haiku-4-5", "msg_" + text, "authored")

    replies = [costed("a1", 11), costed("a2", 22), costed("a3", 33)]
    log = ChatLog()
    log.show(history("q0", "a0", "q1", "a1", "q2", "a2", "q3", "a3", "q4"), replies)
    assert [b.footer.value for b in log.bubbles if b.role == "assistant"] == [""] + [
        f"<small>{footer_for(r)}</small>" for r in replies]
    assert log.bubbles[-1].footer.value == ""


def test_controls_given_after_a_stream_name_their_own_turn_and_need_known_versions() -> None:
    edited: list[int] = []
    log = ChatLog()
    log.on_edit = edited.append
    log.on_switch = lambda index, step: None
    log.versions = lambda: []
    messages = history("q0", "a0", "q1", "a1")
    for message in messages:
        log.add(message["role"], str(message["content"]))
    log.decorate(messages, 2)
    [edit] = log.bubbles[2].children[0].children[1:]
    edit.click()
    assert edited == [2]
    assert log.bubbles[3].children[0] is log.bubbles[3].name, "no versions known: no < 1/2 > row"
    log.show(messages, [])
    assert all(len(b.children[0].children) <= 2 if b.children[0] is not b.name else True for b in log.bubbles)
    assert [len(getattr(b.children[0], "children", ())) for b in log.bubbles] == [2, 0, 2, 0]  # name and Edit only


def test_a_log_nobody_wired_shows_no_controls() -> None:
    log = ChatLog()
    assert log.controls(0, {"role": "user", "content": "Hi"}, (2, 3)) == []
    log.show(history("q0", "a0"), [])
    assert all(b.children[0] is b.name for b in log.bubbles)
