"""axe-core for the browser tests: found in tests/out/axe (gitignored), installed there with npm when missing."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

from helpers.config import REPO_ROOT

VERSION = "4.10.3"  # the axe-core release the tests inject (npm package axe-core)
FOLDER = REPO_ROOT / "tests" / "out" / "axe"
SCRIPT = FOLDER / "node_modules" / "axe-core" / "axe.min.js"
NO_NPM = f"npm is not installed, so axe-core cannot be installed: apt-get install -y npm (or npm install axe-core@{VERSION} --prefix {FOLDER})."
SERIOUS = ("serious", "critical")

# Run axe on the last chat of the page; each violation as its rule, impact, help and how many elements it hit.
RUN = """async () => {
  const chats = document.querySelectorAll(".ck-chat");
  const result = await axe.run(chats[chats.length - 1], {resultTypes: ["violations"]});
  return {passes: result.passes.length, violations: result.violations.map((v) => ({id: v.id, impact: v.impact,
          help: v.help, nodes: v.nodes.length, where: v.nodes.slice(0, 3).map((n) => n.html.slice(0, 160))}))};
}"""


def axe_script() -> Path | None:
    """The axe-core script, installed with npm into tests/out/axe if it is not there yet; None without npm."""
    if SCRIPT.is_file():
        return SCRIPT
    npm = shutil.which("npm")
    if npm is None:
        return None
    FOLDER.mkdir(parents=True, exist_ok=True)
    subprocess.run([npm, "install", "--no-audit", "--no-fund", "--silent", "--prefix", str(FOLDER), f"axe-core@{VERSION}"],
                   check=True, timeout=300, capture_output=True)
    return SCRIPT if SCRIPT.is_file() else None


def audit(page: Any, script: Path) -> dict[str, Any]:
    """Inject axe-core into the page and check the chat; the summary of what it found."""
    page.add_script_tag(path=str(script))
    found: dict[str, Any] = page.evaluate(RUN)
    return found


def report(where: str, found: dict[str, Any]) -> str:
    """axe's result in a few lines, for the test output."""
    lines = [f"axe-core {VERSION} on the chat in {where}: {found['passes']} rules passed, {len(found['violations'])} violated"]
    lines += [f"  {v['impact']}: {v['id']} ({v['nodes']} elements) {v['help']} e.g. {v['where'][:1]}" for v in found["violations"]]
    return "\n".join(lines)


def serious(found: dict[str, Any]) -> list[dict[str, Any]]:
    """The serious and critical violations."""
    return [v for v in found["violations"] if v["impact"] in SERIOUS]
