"""Run the kit's notebooks and scripts, and clean notebook outputs the same way every time."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from ..config import REPO_ROOT

KEPT_NOTEBOOK_METADATA = ("kernelspec", "language_info")


def kit_notebooks() -> list[Path]:
    """The numbered notebooks, in order."""
    return sorted((REPO_ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def kit_scripts() -> list[Path]:
    """The runnable example scripts."""
    return sorted((REPO_ROOT / "scripts").glob("*.py"))


def clean(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Number code cells 1, 2, 3... (nbval skips cells with no count) and drop metadata a reader does not need."""
    nb.metadata = {k: v for k, v in nb.metadata.items() if k in KEPT_NOTEBOOK_METADATA}
    if "language_info" in nb.metadata:
        nb.metadata["language_info"] = {"name": "python"}
    count = 0
    for cell in nb.cells:
        cell.metadata = {"tags": cell.metadata["tags"]} if cell.metadata.get("tags") else {}
        if cell.cell_type == "code":
            count += 1
            cell.execution_count = count
            cell.outputs = merge_streams(cell.outputs)
            for output in cell.outputs:
                if "execution_count" in output:
                    output["execution_count"] = count
    return nb


def merge_streams(outputs: list[nbformat.NotebookNode]) -> list[nbformat.NotebookNode]:
    """Join consecutive pieces printed to the same stream into one output, as a reader sees them."""
    merged: list[nbformat.NotebookNode] = []
    for output in outputs:
        if merged and output.output_type == "stream" == merged[-1].output_type and output.name == merged[-1].name:
            merged[-1]["text"] = "".join(merged[-1]["text"]) + "".join(output["text"])
        else:
            merged.append(output)
    return merged


def execute(path: Path, env: dict[str, str], timeout: int = 300) -> nbformat.NotebookNode:
    """Run a notebook top to bottom in a fresh kernel with this environment; raises on an unexpected error."""
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}})
    client.execute(env=env)
    return nb


def run_script(path: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Run one of the kit's scripts with this environment, capturing what it prints."""
    return subprocess.run([sys.executable, str(path)], env=env, capture_output=True, text=True, timeout=300, cwd=REPO_ROOT)


def write(nb: nbformat.NotebookNode, path: Path) -> None:
    """Write a cleaned notebook."""
    nbformat.write(clean(nb), path)


def environment(**changes: str | None) -> dict[str, str]:
    """A copy of this process's environment with some variables set (or removed with None)."""
    env = dict(os.environ)
    for name, value in changes.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return env
