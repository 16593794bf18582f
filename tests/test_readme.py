"""The README's promises: its test command is the one CI runs, and its setup command opens JupyterLab."""

from __future__ import annotations

import re

from helpers.config import REPO_ROOT

README = (REPO_ROOT / "README.md").read_text(encoding="utf-8")


def commands(text: str) -> list[str]:
    """The lines of every fenced shell block in a Markdown text."""
    blocks = re.findall(r"```(?:bash|sh|shell)\n(.*?)```", text, flags=re.S)
    return [line.strip() for block in blocks for line in block.splitlines() if line.strip()]


def test_ci_runs_the_readme_test_command() -> None:
    ci = [line for line in (REPO_ROOT / ".ci" / "run").read_text().splitlines() if "pytest" in line]
    assert len(ci) == 1, "the CI script should have exactly one test command"
    assert ci[0].strip() in commands(README), f"README does not give CI's test command: {ci[0]}"


def test_setup_command_opens_jupyterlab() -> None:
    setup = [line for line in commands(README) if "jupyter lab" in line]
    assert setup and "pip install -r requirements.txt" in setup[0], "README needs one command that sets up and opens JupyterLab"
    # Given a notebook's path, JupyterLab serves only that notebook's folder: the navigation's ../README.md would 404.
    assert all("--notebook-dir=." in line for line in setup), "serve the kit's top folder so the notebooks' links open"


def test_env_file_is_ignored_and_example_has_no_key() -> None:
    assert ".env" in (REPO_ROOT / ".gitignore").read_text().splitlines()
    example = (REPO_ROOT / ".env.example").read_text()
    assert re.search(r"^ANTHROPIC_API_KEY=$", example, flags=re.M), ".env.example must leave the key empty"


def test_every_test_the_readme_names_exists() -> None:
    named = re.findall(r"`(tests/\w+\.py)::(\w+)`", README)
    assert len(named) >= 5
    for path, name in named:
        assert f"def {name}(" in (REPO_ROOT / path).read_text(encoding="utf-8"), f"README names a missing test: {path}::{name}"
