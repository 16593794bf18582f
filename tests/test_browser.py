"""The chat in a real browser: Voila serves notebook 05 in replay mode, Chromium clicks a suggested message.

Needs Chromium (Debian's package: `apt-get install -y chromium`; or CHROMIUM_PATH) and the `playwright` and `voila` packages; the test
fails, never skips, when one is missing. It prints where it saved its screenshot.
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

import pytest

from helpers.config import REPO_ROOT

CHROMIUM_HELP = ("The browser test needs Chromium: on Debian or Ubuntu `sudo apt-get install -y chromium` "
                 "(.ci/run does this), or set CHROMIUM_PATH to a Chromium or Chrome binary.")


def chromium() -> str:
    """The Chromium to drive: CHROMIUM_PATH, else the first one on PATH; fails (never skips) with the fix."""
    found = os.environ.get("CHROMIUM_PATH") or next(
        (path for name in ("chromium", "chromium-browser", "google-chrome") if (path := shutil.which(name))), None)
    if not found:
        pytest.fail(CHROMIUM_HELP)
    return found

NOTEBOOK = REPO_ROOT / "notebooks" / "05_chat_widget.ipynb"
SCREENSHOT = REPO_ROOT / "tests" / "out" / "browser_chat.png"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
FIRST = "What is a Python list?"
STREAMED_END = "is the first item"  # the last words of the recorded reply to FIRST


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_until_listening(port: int, server: subprocess.Popen[bytes], log: Path, seconds: float = 120) -> None:
    """Wait until the server accepts connections (a page request would start a kernel), or fail with its log."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"Voila exited with code {server.returncode}:\n{log.read_text()[-3000:]}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=2).close()
            return
        except OSError:
            time.sleep(0.3)
    pytest.fail(f"Voila did not listen on port {port} within {seconds:.0f} s:\n{log.read_text()[-3000:]}")


@pytest.fixture
def voila(tmp_path: Path) -> Iterator[str]:
    """Voila serving notebook 05 in replay mode on a free port of 127.0.0.1; stopped by its process id."""
    port, log = free_port(), tmp_path / "voila.log"
    env = {**os.environ, "CONVERSE_KIT_MODE": "replay", "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    command = [sys.executable, "-m", "voila", str(NOTEBOOK), "--no-browser", f"--port={port}",
               "--Voila.ip=127.0.0.1", "--show_tracebacks=True"]
    with log.open("wb") as out:
        server = subprocess.Popen(command, cwd=REPO_ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
                                  start_new_session=True)
    try:
        wait_until_listening(port, server, log)
        yield f"http://127.0.0.1:{port}/"
    finally:
        os.killpg(server.pid, signal.SIGTERM)  # Voila and the kernel it started share its process group
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=10)


def test_a_suggested_message_streams_its_reply_into_the_page(voila: str, capsys: pytest.CaptureFixture[str]) -> None:
    executable = chromium()
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1000, "height": 900})
            page.goto(voila, timeout=120_000)
            chat = page.locator(".ck-chat").last
            suggestion = chat.get_by_role("button", name=f"Try: {FIRST}")
            expect(suggestion).to_be_visible(timeout=120_000)
            meter = chat.locator(".ck-meter")
            before = meter.inner_text()
            assert "Last turn: none yet" in before, before
            suggestion.click()
            expect(chat.locator(".ck-assistant").last).to_contain_text(STREAMED_END, timeout=30_000)
            expect(chat.locator(".ck-assistant").last).to_contain_text("authored sample (hand-written, not model output)")
            expect(meter).not_to_have_text(before, timeout=10_000)
            assert "Last turn: 31 in, 63 out" in meter.inner_text()
            expect(chat.get_by_role("button", name="Try: How do I add an item to one?")).to_be_visible()
            chat.scroll_into_view_if_needed()
            SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
            chat.screenshot(path=str(SCREENSHOT))
            with capsys.disabled():
                print(f"\nscreenshot of the chat: {SCREENSHOT}")
            box = chat.get_by_placeholder("Type a message and press Enter")
            box.fill("Tell me a joke nobody recorded")
            box.press("Enter")
            expect(chat.locator(".ck-note")).to_contain_text("No recorded reply for this message", timeout=30_000)
            assert chat.locator(".ck-bubble").count() == 2, "the unrecorded message left the history as it was"
        finally:
            browser.close()
    assert SCREENSHOT.stat().st_size > 10_000
