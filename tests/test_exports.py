"""Save and Export: JSON that Conversation.load reads, Markdown, a standalone HTML page; only into the learner's folder."""

from __future__ import annotations

import base64

import pytest
from kit import stand_in_client

from helpers import Conversation
from helpers.chat.exports import exports_folder, render
from helpers.chat.widget import ChatWidget
from helpers.config import REPO_ROOT
from helpers.pictures import flags
from helpers.reply import Reply, Usage
from helpers.standin import StandIn

THOUGHT = [{"type": "thinking", "thinking": "Let me think <b>hard</b>", "signature": "sig"},
           {"type": "text", "text": "Owls hunt at night. <script>alert(1)</script>"}]


@pytest.fixture
def widget(server: StandIn) -> ChatWidget:
    """A chat with one exchange."""
    chat = ChatWidget(Conversation("Be brief.", client=stand_in_client(server.url)), background=False)
    chat.send("First question")
    return chat


@pytest.mark.parametrize("name", ["../README.json", "../../README.json", str(REPO_ROOT / "README.json"), "/etc/x.json"])
def test_a_name_that_leads_outside_the_learners_folder_is_refused(widget: ChatWidget, name: str) -> None:
    before = (REPO_ROOT / "README.md").read_text()
    for action in (widget.save, widget.export_markdown, widget.export_html):
        assert action(name) is None
        assert "leads outside your exports folder" in widget.last_note
    assert (REPO_ROOT / "README.md").read_text() == before and not (REPO_ROOT / "README.json").exists()


def test_a_file_the_chat_did_not_write_is_never_overwritten(widget: ChatWidget) -> None:
    assert widget.store is not None
    folder = exports_folder(widget.store)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "mine.md").write_text("my own notes")
    assert widget.export_markdown("mine.md") is None and "the chat did not write it" in widget.last_note
    assert (folder / "mine.md").read_text() == "my own notes"
    written = widget.save("chat.json")
    assert written is not None and widget.save("chat.json") == written, "the chat may overwrite its own file"
    written.write_text(written.read_text() + " ")
    assert widget.save("chat.json") is None and "changed" in widget.last_note, "a file changed since is not overwritten"


def test_json_export_is_what_conversation_load_reads(widget: ChatWidget) -> None:
    path = widget.save("chat")
    assert path is not None and path.name == "chat.json"
    loaded = Conversation.load(path)
    assert loaded.messages == widget.conversation.messages and loaded.system == "Be brief."


def test_the_html_page_is_standalone_escaped_labelled_with_steps_collapsed_and_images_inline() -> None:
    image = {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": base64.b64encode(flags()).decode()}}
    fake = {"type": "image", "source": {"type": "base64", "media_type": "text/html", "data": "PHNjcmlwdD4="}}
    conv = Conversation(messages=[{"role": "user", "content": [{"type": "text", "text": "What is this?"}, image, fake]},
                                  {"role": "assistant", "content": THOUGHT}])
    conv.replies = [Reply("Owls hunt at night.", Usage(5, 7), "end_turn", "claude-haiku-4-5", "msg_1", "authored sample")]
    page = render(conv, "html")
    assert page.startswith("<!DOCTYPE html>") and "<script" not in page and "&lt;script&gt;alert(1)" in page
    assert "<details><summary>Thinking</summary><pre>Let me think &lt;b&gt;hard&lt;/b&gt;</pre></details>" in page
    assert "[authored sample | stop_reason: end_turn | tokens: 5 in, 7 out]" in page
    assert 'src="data:image/png;base64,' in page and "data:text/html" not in page
    assert "http://" not in page and "https://" not in page, "the page loads nothing from elsewhere"


def test_markdown_export_keeps_every_replys_label(widget: ChatWidget) -> None:
    path = widget.export_markdown("talk")
    assert path is not None and path.suffix == ".md"
    text = path.read_text()
    assert "**User:** First question" in text and widget.conversation.replies[0].footer() in text
