"""Run the kit's notebooks and scripts, and clean notebook outputs the same way every time."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from ..config import AUTHORED_VAR, KEY_VAR, MODE_VAR, REPO_ROOT

# What a learner with no key has: no mode chosen, no key. Set empty rather than removed, so no `.env` can fill them in.
NO_KEY_LEARNER = {MODE_VAR: "", KEY_VAR: "", "ANTHROPIC_BASE_URL": None, "ANTHROPIC_AUTH_TOKEN": None, AUTHORED_VAR: None}

KEPT_NOTEBOOK_METADATA = ("kernelspec", "language_info")

if TYPE_CHECKING:  # nbformat and nbclient are imported where used: every notebook's setup() imports this module
    import nbformat


def kit_notebooks() -> list[Path]:
    """The numbered notebooks, in order."""
    return sorted((REPO_ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def kit_scripts() -> list[Path]:
    """The runnable example scripts."""
    return sorted((REPO_ROOT / "scripts").glob("*.py"))


def kernel_metadata() -> dict[str, str]:
    """The kernelspec exactly as JupyterLab will write it on open (name, display name, language)."""
    from jupyter_client.kernelspec import KernelSpecManager

    spec = KernelSpecManager().get_kernel_spec("python3")
    return {"display_name": spec.display_name, "language": spec.language, "name": "python3"}


def clean(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Number code cells 1, 2, 3... (nbval skips cells with no count) and drop metadata a reader does not need.

    The kernelspec and language_info stay as the kernel reports them: JupyterLab writes both into the notebook
    when its kernel connects, and any difference marks a just-opened notebook as modified.
    """
    nb.metadata = {k: v for k, v in nb.metadata.items() if k in KEPT_NOTEBOOK_METADATA}
    nb.metadata["kernelspec"] = kernel_metadata()
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
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}})
    client.execute(env=env)
    return nb


def run_script(path: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Run one of the kit's scripts with this environment, capturing what it prints."""
    return subprocess.run([sys.executable, str(path)], env=env, capture_output=True, text=True, timeout=300, cwd=REPO_ROOT)


def write(nb: nbformat.NotebookNode, path: Path) -> None:
    """Write a cleaned notebook."""
    import nbformat

    nbformat.write(clean(nb), path)


def learner_environment(env: dict[str, str]) -> dict[str, str]:
    """This environment as a learner with no key runs a notebook: replay mode, chosen because no key was found."""
    changed = {**env, **{name: value for name, value in NO_KEY_LEARNER.items() if value is not None}}
    return {name: value for name, value in changed.items() if NO_KEY_LEARNER.get(name, "") is not None}


def environment(**changes: str | None) -> dict[str, str]:
    """A copy of this process's environment with some variables set (or removed with None)."""
    env = dict(os.environ)
    for name, value in changes.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return env
