"""The kept chat in Chromium: the log follows each message, branches, exports, a restart and reopen, axe-core's audit.

Servers and Chromium as in tests/test_browser.py (whose fixtures these tests use); the chat store of each server is
in the test's tmp_path. axe-core comes from npm (tests/axe.py). Screenshots go to tests/out/.
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from axe import NO_NPM, audit, axe_script, report, serious
from chromium import required
from test_browser import (  # noqa: F401  (fixtures)
    FIRST,
    LABEL,
    NOTEBOOK,
    OUT,
    STREAMED_END,
    chromium,
    click_every_suggestion,
    free_port,
    kept_in,
    lab,
    launch,
    live_voila,
    serve,
    voila_command,
)

from helpers.config import REPO_ROOT
from helpers.replay import notebooks

# Is the newest bubble inside the log's visible box, without anyone scrolling it there?
NEWEST_IN_VIEW = """(log) => {
  const last = log.querySelectorAll(".ck-bubble"), box = log.getBoundingClientRect();
  const r = last[last.length - 1].getBoundingClientRect();
  return {overflows: log.scrollHeight > log.clientHeight + 1, visible: r.bottom <= box.bottom + 2 && r.bottom > box.top};
}"""


@pytest.fixture(scope="module")
def axe() -> Path:
    """axe-core's script (installed with npm into tests/out/axe when missing)."""
    found = axe_script()
    if found is None:
        if required():
            pytest.fail(NO_NPM)
        pytest.skip(NO_NPM)
    return found


def git_status() -> str:
    """What git sees changed in the kit's folder."""
    return subprocess.run(["git", "status", "--porcelain"], cwd=REPO_ROOT, capture_output=True, text=True, check=True).stdout


def check_axe(page: Any, script: Path, where: str, capsys: pytest.CaptureFixture[str]) -> None:
    """Run axe-core on the chat, print what it found, and fail on any serious or critical violation."""
    found = audit(page, script)
    with capsys.disabled():
        print("\n" + report(where, found))
    assert not serious(found), report(where, found)


def note_path(chat: Any, suffix: str) -> Path:
    """The file a Save or Export note names ("Wrote N messages to PATH."), once it names a file with this suffix."""
    from playwright.sync_api import expect

    note = chat.locator(".ck-note .widget-html")
    expect(note).to_contain_text(f"{suffix}.", timeout=10_000)
    match = re.search(r"to (/\S+)\.$", note.inner_text().strip())
    assert match, note.inner_text()
    return Path(match.group(1))


def test_voila_follows_each_message_branches_exports_and_passes_axe(chromium: str, live_voila: str, axe: Path,  # noqa: F811
                                                                    tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from playwright.sync_api import expect, sync_playwright

    before = git_status()
    with sync_playwright() as playwright:
        browser, page = launch(playwright, chromium)
        outside: list[str] = []
        page.on("request", lambda request: outside.append(request.url) if not request.url.startswith(("http://127.0.0.1", "data:")) else None)
        try:
            page.goto(live_voila, timeout=120_000)
            chat = page.locator(".ck-chat").last
            expect(chat.get_by_role("button", name=f"Try: {FIRST}")).to_be_visible(timeout=120_000)
            log = chat.locator(".ck-log")
            assert log.get_attribute("role") == "log" and log.get_attribute("aria-live") == "polite"
            box = chat.get_by_role("textbox", name="Message")
            for number, text in enumerate(["What is a tuple?", "And a set?", "How do I sort words?", "What does len() do?"], 1):
                box.fill(text)
                box.press("Enter")
                expect(chat.locator(".ck-assistant small")).to_have_count(number, timeout=30_000)
                expect(chat.locator(".ck-assistant small").last).to_contain_text("tokens", timeout=30_000)
                expect(chat.get_by_role("button", name="Send")).to_be_enabled(timeout=30_000)  # the turn is released
                page.wait_for_timeout(300)
                seen = log.evaluate(NEWEST_IN_VIEW)
                assert seen["visible"], f"after message {number} the newest reply is hidden below the fold ({seen})"
            assert seen["overflows"], "the log never overflowed, so following it was not tested"
            chat.locator(".ck-user").nth(1).get_by_role("button", name="Edit").click()
            expect(box).to_have_value("And a set?")
            box.fill("And a frozenset?")
            box.press("Enter")
            versions = chat.locator(".ck-versions")
            expect(versions).to_contain_text("2/2", timeout=30_000)
            assert chat.locator(".ck-bubble").count() == 4, "the edited branch is the first two exchanges"
            versions.get_by_role("button", name="<").click()
            expect(versions).to_contain_text("1/2", timeout=10_000)
            expect(chat.locator(".ck-bubble")).to_have_count(8)
            expect(chat.locator(".ck-user").nth(1)).to_contain_text("And a set?")
            versions.get_by_role("button", name=">").click()
            expect(versions).to_contain_text("2/2", timeout=10_000)
            expect(chat.locator(".ck-user").nth(1)).to_contain_text("And a frozenset?")
            chat.get_by_text("Save, load, export").click()
            chat.get_by_role("textbox", name="File name").fill("branch")
            chat.get_by_role("button", name="Export HTML").click()
            html = note_path(chat, ".html")
            chat.get_by_role("button", name="Export Markdown").click()
            markdown = note_path(chat, ".md")
            store = tmp_path / "store" / "exports"
            assert html == store / "branch.html" and markdown == store / "branch.md", (html, markdown)
            assert "And a frozenset?" in markdown.read_text() and "And a set?" not in markdown.read_text()
            chat.scroll_into_view_if_needed()
            chat.screenshot(path=str(OUT / "voila_branches.png"))
            check_axe(page, axe, "Voila", capsys)
            assert {url.split("/npm/")[0] for url in outside} <= {"https://cdn.jsdelivr.net"}, outside
            assert all("fontawesome" in url for url in outside), "only Voila's icon font is asked of a CDN (notebook 05 says so)"
            exported = browser.new_page(viewport={"width": 900, "height": 900})
            exported.goto(html.as_uri())
            expect(exported.locator("section.assistant small").first).to_contain_text("live")
            assert exported.locator("section").count() == 4 and "<script" not in html.read_text()
            exported.screenshot(path=str(OUT / "exported_branch.png"), full_page=True)
        finally:
            browser.close()
    assert git_status() == before, "the chat wrote into the kit's folder"


def test_jupyterlab_reopens_a_kept_chat_after_a_restart_and_passes_axe(chromium: str, lab: str, axe: Path,  # noqa: F811
                                                                       capsys: pytest.CaptureFixture[str]) -> None:
    from playwright.sync_api import expect, sync_playwright

    ready = ("() => { const w = window.jupyterapp && window.jupyterapp.shell.currentWidget;"
             " const k = w && w.sessionContext && w.sessionContext.session && w.sessionContext.session.kernel;"
             " return k && k.status === 'idle'; }")
    before = git_status()
    with sync_playwright() as playwright:
        browser, page = launch(playwright, chromium)
        try:
            page.goto(f"{lab}lab/tree/{NOTEBOOK.name}", timeout=120_000)
            page.wait_for_function(ready, timeout=120_000)
            page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
            chat = page.locator(".ck-chat").last
            expect(chat.get_by_role("button", name=f"Try: {FIRST}")).to_be_visible(timeout=120_000)
            click_every_suggestion(chat)
            shown = chat.locator(".ck-bubble").all_inner_texts()
            page.evaluate("() => window.jupyterapp.shell.currentWidget.sessionContext.session.kernel.restart()")
            page.wait_for_timeout(1500)
            page.wait_for_function(ready, timeout=120_000)
            page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
            page.wait_for_function(ready, timeout=120_000)
            chat = page.locator(".ck-chat").last
            expect(chat.get_by_role("button", name=f"Try: {FIRST}")).to_be_visible(timeout=120_000)
            assert chat.locator(".ck-bubble").count() == 0, "after the restart the full chat starts empty"
            chat.get_by_text("Your chats").click()
            past = chat.get_by_label("Past chats")
            assert FIRST in past.locator("option").first.inner_text().replace("\xa0", " ") and past.locator("option").count() == 1
            past.select_option(index=0)
            chat.get_by_role("button", name="Open").click()
            expect(chat.locator(".ck-bubble")).to_have_count(6, timeout=30_000)
            assert chat.locator(".ck-bubble").all_inner_texts() == shown, "the reopened chat differs from the one kept"
            expect(chat.locator(".ck-assistant small").last).to_contain_text(LABEL)
            chat.scroll_into_view_if_needed()
            chat.screenshot(path=str(OUT / "jupyterlab_reopened.png"))
            check_axe(page, axe, "JupyterLab", capsys)
        finally:
            browser.close()
    assert git_status() == before, "the chat wrote into the kit's folder"


@pytest.fixture
def paced_voila(tmp_path: Path) -> Iterator[str]:
    """Voila serving notebook 05 in replay mode, each replayed stream paced (CONVERSE_KIT_REPLAY_PACE) so Stop can be pressed."""
    port = free_port()
    env = {**notebooks.learner_environment(dict(os.environ)), **kept_in(tmp_path), "CONVERSE_KIT_REPLAY_PACE": "0.25"}
    yield from serve(voila_command(port), env, port, tmp_path / "voila.log")


def test_escape_stops_a_paced_replayed_reply_and_keeps_what_arrived(chromium: str, paced_voila: str) -> None:  # noqa: F811
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as playwright:
        browser, page = launch(playwright, chromium)
        try:
            page.goto(paced_voila, timeout=120_000)
            chat = page.locator(".ck-chat").last
            chat.get_by_role("button", name=f"Try: {FIRST}").click(timeout=120_000)
            expect(chat.locator(".ck-assistant").last).to_contain_text("list", timeout=30_000)
            chat.get_by_role("textbox", name="Message").focus()
            page.keyboard.press("Escape")
            expect(chat.locator(".ck-assistant small").last).to_contain_text("cut off: you pressed Stop", timeout=30_000)
            assert STREAMED_END not in chat.locator(".ck-assistant").last.inner_text(), "the reply was not stopped halfway"
        finally:
            browser.close()
