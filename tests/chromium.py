"""Where the browser tests find Chromium, and what they say when there is none."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

REQUIRE_VAR = "CONVERSE_KIT_REQUIRE_BROWSER"  # CI sets it to 1: a missing Chromium then fails instead of skipping
ENABLE = "python -m playwright install chromium"
NOT_FOUND = (f"No Chromium found, so the browser tests did not run. To run them: {ENABLE} "
             "(or on Debian/Ubuntu `sudo apt-get install -y chromium`, or set CHROMIUM_PATH to a Chromium or Chrome binary).")


def playwright_chromium() -> str | None:
    """The Chromium that `python -m playwright install chromium` downloaded, if it did."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return None
    with sync_playwright() as playwright:
        path = playwright.chromium.executable_path
    return path if Path(path).is_file() else None


def find_chromium() -> str | None:
    """CHROMIUM_PATH when set (and only it), else a Chromium or Chrome on PATH, else Playwright's own; None if none."""
    wanted = os.environ.get("CHROMIUM_PATH")
    if wanted is not None:
        return wanted if Path(wanted).is_file() and os.access(wanted, os.X_OK) else None
    on_path = (shutil.which(name) for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"))
    return next((path for path in on_path if path), None) or playwright_chromium()


def required() -> bool:
    """Whether a missing Chromium is a failure (CI) rather than a reported skip (a learner's machine)."""
    return os.environ.get(REQUIRE_VAR, "").strip().lower() in ("1", "true", "yes")
