"""The chat in a real browser: Voila and JupyterLab serve notebook 05, Chromium clicks and types.

Needs Chromium (found by tests/chromium.py: CHROMIUM_PATH, Debian's `chromium`, or Playwright's own download).
Without one these tests are skipped and the test summary says how to enable them; with
CONVERSE_KIT_REQUIRE_BROWSER=1 (CI sets it) a missing Chromium fails instead. Screenshots go to tests/out/.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from chromium import NOT_FOUND, find_chromium, required
from kit import live_environment

from helpers.config import REPO_ROOT
from helpers.replay import notebooks
from helpers.standin import StandIn

NOTEBOOK = REPO_ROOT / "notebooks" / "05_chat_widget.ipynb"
OUT = REPO_ROOT / "tests" / "out"
SCREENSHOT = OUT / "browser_chat.png"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
FIRST = "What is a Python list?"
SUGGESTED = [FIRST, "How do I add an item to one?", "How do I remove it again?"]
STREAMED_END = "is the first item"  # the last words of the recorded reply to FIRST
LABEL = "authored sample (hand-written, not model output)"
TYPED = ["What is a tuple?", "And a set?", "How do I sort a list of words?", "What does len() do?"]

# For each user bubble's text and each reply's label: scroll to it, then list every box around it that clips it.
CLIPPED_BY = """(el) => {
  el.scrollIntoView({block: "center"});
  const r = el.getBoundingClientRect(), problems = [];
  if (r.height < 1) problems.push("has no height");
  for (let a = el.parentElement; a && !a.classList.contains("ck-chat"); a = a.parentElement) {
    const s = getComputedStyle(a);
    if (!/(auto|scroll|hidden|clip)/.test(s.overflowX + " " + s.overflowY)) continue;
    const b = a.getBoundingClientRect();
    if (r.top < b.top - 1 || r.bottom > b.bottom + 1 || r.left < b.left - 1 || r.right > b.right + 1)
      problems.push(`${el.innerText.slice(0, 40)!r} cut by ${a.className.slice(0, 60)}: ` +
                    `${r.top|0}..${r.bottom|0} outside ${b.top|0}..${b.bottom|0}`);
    if (a.classList.contains("ck-bubble") && a.scrollHeight > a.clientHeight + 1)
      problems.push(`a bubble scrolls inside itself (${a.scrollHeight} > ${a.clientHeight})`);
  }
  return problems;
}""".replace("!r", "")


@pytest.fixture(scope="module")
def chromium() -> str:
    """The Chromium to drive; skipped with the fix when there is none (failed instead when CI requires it)."""
    found = find_chromium()
    if found is None:
        if required():
            pytest.fail(NOT_FOUND)
        pytest.skip(NOT_FOUND)
    return found


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_until_listening(port: int, server: subprocess.Popen[bytes], log: Path, seconds: float = 120) -> None:
    """Wait until the server accepts connections, or fail with its log."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"The server exited with code {server.returncode}:\n{log.read_text()[-3000:]}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=2).close()
            return
        except OSError:
            time.sleep(0.3)
    pytest.fail(f"The server did not listen on port {port} within {seconds:.0f} s:\n{log.read_text()[-3000:]}")


def serve(command: list[str], env: dict[str, str], port: int, log: Path, cwd: Path = REPO_ROOT) -> Iterator[str]:
    """Run a server on 127.0.0.1:port until the test ends; stop it by its process group."""
    env = {**env, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{env['PATH']}"}
    with log.open("wb") as out:
        server = subprocess.Popen(command, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        wait_until_listening(port, server, log)
        yield f"http://127.0.0.1:{port}/"
    finally:
        os.killpg(server.pid, signal.SIGTERM)  # the server and the kernels it started share its process group
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=10)


def voila_command(port: int) -> list[str]:
    """Voila serving notebook 05 with the kit's voila.json, on 127.0.0.1."""
    return [sys.executable, "-m", "voila", str(NOTEBOOK), "--no-browser", f"--port={port}", "--Voila.ip=127.0.0.1",
            "--show_tracebacks=True"]


def kept_in(tmp_path: Path) -> dict[str, str]:
    """The chat store of a server under test: in the test's own folder, never the tester's home or the kit."""
    return {"CONVERSE_KIT_STORE": str(tmp_path / "store" / "chats.sqlite3")}


@pytest.fixture
def voila(tmp_path: Path) -> Iterator[str]:
    """Voila serving notebook 05 as a learner with no key runs it (replay mode)."""
    port = free_port()
    env = {**notebooks.learner_environment(dict(os.environ)), **kept_in(tmp_path)}
    yield from serve(voila_command(port), env, port, tmp_path / "voila.log")


@pytest.fixture
def live_voila(tmp_path: Path) -> Iterator[str]:
    """Voila serving notebook 05 in live mode against a local stand-in of the API (any message gets a reply)."""
    port = free_port()
    with StandIn() as standin:
        yield from serve(voila_command(port), {**live_environment(standin.url), **kept_in(tmp_path)}, port, tmp_path / "voila.log")


@pytest.fixture
def lab(tmp_path: Path) -> Iterator[str]:
    """JupyterLab on a copy of notebook 05 (so nothing it does reaches the repository), in replay mode."""
    port, work = free_port(), tmp_path / "lab"
    work.mkdir()
    shutil.copy(NOTEBOOK, work / NOTEBOOK.name)
    news = tmp_path / "settings" / "@jupyterlab" / "apputils-extension" / "notification.jupyterlab-settings"
    news.parent.mkdir(parents=True)
    news.write_text('{"fetchNews": "false"}')  # no "get notified about Jupyter news?" toast over the screenshots
    env = {**notebooks.learner_environment(dict(os.environ)), **kept_in(tmp_path), "JUPYTER_CONFIG_DIR": str(tmp_path / "config"),
           "JUPYTERLAB_SETTINGS_DIR": str(tmp_path / "settings"), "JUPYTERLAB_WORKSPACES_DIR": str(tmp_path / "ws")}
    command = [sys.executable, "-m", "jupyter", "lab", "--no-browser", f"--port={port}", "--ServerApp.ip=127.0.0.1",
               "--IdentityProvider.token=", "--ServerApp.password=", "--allow-root", f"--ServerApp.root_dir={work}",
               "--LabApp.expose_app_in_browser=True"]
    yield from serve(command, env, port, tmp_path / "lab.log", cwd=work)


def launch(playwright: Any, executable: str) -> Any:
    """A headless Chromium page of a size a laptop shows."""
    browser = playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
    return browser, browser.new_page(viewport={"width": 1100, "height": 900})


def assert_every_message_visible(chat: Any, replies: int, label: str) -> None:
    """Every user message and every reply's label is fully visible once scrolled to; no bubble scrolls inside itself."""
    users, footers = chat.locator(".ck-user .jp-RenderedMarkdown"), chat.locator(".ck-assistant small")
    assert users.count() == replies and footers.count() == replies, (users.count(), footers.count())
    problems = [p for i in range(replies) for p in users.nth(i).evaluate(CLIPPED_BY) + footers.nth(i).evaluate(CLIPPED_BY)]
    assert not problems, "\n".join(problems)
    assert all(label in footers.nth(i).inner_text() for i in range(replies)), "a reply lost its label"


def click_every_suggestion(chat: Any) -> None:
    """Click each suggested message in turn, waiting for each reply to finish."""
    from playwright.sync_api import expect

    for number, text in enumerate(SUGGESTED, start=1):
        chat.get_by_role("button", name=f"Try: {text}").click()
        expect(chat.locator(".ck-assistant small")).to_have_count(number, timeout=30_000)
        expect(chat.locator(".ck-assistant small").last).to_contain_text("tokens", timeout=30_000)
        expect(chat.get_by_role("button", name="Send")).to_be_enabled(timeout=30_000)  # the turn is released


def shoot(chat: Any, name: str, capsys: pytest.CaptureFixture[str]) -> list[Path]:
    """One screenshot of the chat per reply, the log scrolled so that reply's label is in the middle."""
    OUT.mkdir(parents=True, exist_ok=True)
    footers, paths = chat.locator(".ck-assistant small"), []
    for number in range(1, footers.count() + 1):
        footers.nth(number - 1).evaluate("(el) => el.scrollIntoView({block: 'center'})")
        path = OUT / f"{name}_reply{number}.png"
        chat.screenshot(path=str(path))
        assert path.stat().st_size > 10_000
        paths.append(path)
    with capsys.disabled():
        print(f"\nscreenshots: {', '.join(p.name for p in paths)} in {OUT}")
    return paths


def test_a_suggested_message_streams_its_reply_into_the_page(chromium: str, voila: str) -> None:
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as playwright:
        browser, page = launch(playwright, chromium)
        try:
            page.goto(voila, timeout=120_000)
            chat = page.locator(".ck-chat").last
            suggestion = chat.get_by_role("button", name=f"Try: {FIRST}")
            expect(suggestion).to_be_visible(timeout=120_000)
            meter = chat.locator(".ck-meter")
            before = meter.inner_text()
            assert "Last turn: none yet" in before, before
            suggestion.click()
            expect(chat.locator(".ck-assistant").last).to_contain_text(STREAMED_END, timeout=30_000)
            expect(chat.locator(".ck-assistant").last).to_contain_text(LABEL)
            expect(meter).not_to_have_text(before, timeout=10_000)
            assert "Last turn: 31 in, 63 out" in meter.inner_text()
            expect(chat.get_by_role("button", name="Try: How do I add an item to one?")).to_be_visible()
            chat.scroll_into_view_if_needed()
            OUT.mkdir(parents=True, exist_ok=True)
            chat.screenshot(path=str(SCREENSHOT))
            box = chat.get_by_placeholder("Type a message and press Enter")
            box.fill("Tell me a joke nobody recorded")
            box.press("Enter")
            expect(chat.locator(".ck-note")).to_contain_text("No recorded reply for this message", timeout=30_000)
            assert chat.locator(".ck-bubble").count() == 2, "the unrecorded message left the history as it was"
        finally:
            browser.close()
    assert SCREENSHOT.stat().st_size > 10_000


def test_voila_every_suggestion_leaves_every_message_readable(chromium: str, voila: str,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as playwright:
        browser, page = launch(playwright, chromium)
        try:
            page.goto(voila, timeout=120_000)
            chat = page.locator(".ck-chat").last
            expect(chat.get_by_role("button", name=f"Try: {FIRST}")).to_be_visible(timeout=120_000)
            click_every_suggestion(chat)
            assert_every_message_visible(chat, len(SUGGESTED), LABEL)
            shoot(chat, "voila_every_suggestion", capsys)
            shown = page.inner_text("body")
            assert "/tmp" not in shown, "the page shows a server's temporary path"
            assert "Contents" not in shown and "Exercise" not in shown, "the page shows links or exercises that need the code"
            assert page.locator("a[href$='.ipynb'], a[href*='README']").count() == 0, "a link on the page would answer 403"
        finally:
            browser.close()


def test_voila_live_many_turns_leave_every_message_readable(chromium: str, live_voila: str,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as playwright:
        browser, page = launch(playwright, chromium)
        try:
            page.goto(live_voila, timeout=120_000)
            chat = page.locator(".ck-chat").last
            expect(chat.get_by_role("button", name=f"Try: {FIRST}")).to_be_visible(timeout=120_000)
            click_every_suggestion(chat)
            box = chat.get_by_placeholder("Type a message and press Enter")
            for number, text in enumerate(TYPED, start=len(SUGGESTED) + 1):
                box.fill(text)
                box.press("Enter")
                expect(chat.locator(".ck-assistant small")).to_have_count(number, timeout=30_000)
                expect(chat.locator(".ck-assistant small").last).to_contain_text("tokens", timeout=30_000)
                expect(chat.get_by_role("button", name="Send")).to_be_enabled(timeout=30_000)  # the turn is released
            assert_every_message_visible(chat, len(SUGGESTED) + len(TYPED), "live")
            shoot(chat, "voila_live_many_turns", capsys)
        finally:
            browser.close()


def test_jupyterlab_opens_unmodified_and_every_suggestion_stays_readable(chromium: str, lab: str,
                                                                         capsys: pytest.CaptureFixture[str]) -> None:
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as playwright:
        browser, page = launch(playwright, chromium)
        try:
            page.goto(f"{lab}lab/tree/{NOTEBOOK.name}", timeout=120_000)
            page.wait_for_function("() => window.jupyterapp && window.jupyterapp.shell.currentWidget"
                                   " && window.jupyterapp.shell.currentWidget.sessionContext"
                                   " && window.jupyterapp.shell.currentWidget.sessionContext.session"
                                   " && window.jupyterapp.shell.currentWidget.sessionContext.session.kernel"
                                   " && window.jupyterapp.shell.currentWidget.sessionContext.session.kernel.status === 'idle'",
                                   timeout=120_000)
            page.wait_for_timeout(2000)  # let JupyterLab finish what it does on open (kernel info, metadata)
            dirty = page.evaluate("() => window.jupyterapp.shell.currentWidget.context.model.dirty")
            assert dirty is False, "opening the notebook marked it modified"
            page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
            chat = page.locator(".ck-chat").last
            expect(chat.get_by_role("button", name=f"Try: {FIRST}")).to_be_visible(timeout=120_000)
            click_every_suggestion(chat)
            assert_every_message_visible(chat, len(SUGGESTED), LABEL)
            shoot(chat, "jupyterlab_every_suggestion", capsys)
            breaks = page.evaluate("() => getComputedStyle(document.querySelector('.jp-OutputArea-output pre')).wordBreak")
            assert breaks == "normal", f"printed output breaks words anywhere (word-break: {breaks})"
        finally:
            browser.close()
