"""The install a class relies on: learner and test dependencies apart, every direct dependency pinned in constraints.txt."""

from __future__ import annotations

import re
from pathlib import Path

from helpers.config import REPO_ROOT

LEARNER, TEST, CONSTRAINTS = (REPO_ROOT / name for name in ("requirements.txt", "requirements-test.txt", "constraints.txt"))
TEST_TOOLS = {"pytest", "nbval", "ruff", "mypy", "playwright", "hypothesis", "mutmut"}


def canonical(name: str) -> str:
    """A package name as pip compares them (PEP 503)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def requirement_names(lines: list[str]) -> set[str]:
    """The package names in requirement lines (options such as -r, -c and -e skipped)."""
    names = (re.split(r"[\s<>=!~;\[]", line.strip(), maxsplit=1)[0] for line in lines)
    return {canonical(name) for name in names if name and not name.startswith(("#", "-"))}


def file_lines(path: Path) -> list[str]:
    """A requirements file's lines."""
    return path.read_text().splitlines()


def pins() -> dict[str, str]:
    """Every pin in constraints.txt: name -> version."""
    found = (re.fullmatch(r"([A-Za-z0-9_.-]+)==(\S+)", line.strip()) for line in file_lines(CONSTRAINTS))
    return {canonical(match[1]): match[2] for match in found if match}


def project_dependencies() -> list[str]:
    """pyproject.toml's [project] dependencies (read with a pattern: tomllib is not in Python 3.10)."""
    block = re.search(r"^dependencies = \[(.*?)^\]", (REPO_ROOT / "pyproject.toml").read_text(), flags=re.S | re.M)
    assert block, "pyproject.toml has no dependencies list"
    return re.findall(r'"([^"]+)"', block[1])


def direct_dependencies() -> set[str]:
    """The kit's own dependencies (pyproject.toml) and both requirements files' packages."""
    project = project_dependencies()
    return requirement_names(project) | requirement_names(file_lines(LEARNER)) | requirement_names(file_lines(TEST))


def test_every_direct_dependency_is_pinned() -> None:
    pinned = pins()
    missing = sorted(direct_dependencies() - set(pinned))
    assert not missing, f"not pinned in constraints.txt (run python tools/refresh_constraints.py): {missing}"
    assert len(pinned) >= 50, "constraints.txt should pin the whole install, not only the direct dependencies"


def test_both_requirement_files_use_the_constraints() -> None:
    for path in (LEARNER, TEST):
        assert "-c constraints.txt" in file_lines(path), f"{path.name} must use -c constraints.txt"
    assert "-r requirements.txt" in file_lines(TEST), "the test install builds on the learner's"


def test_the_learner_install_holds_no_test_tools() -> None:
    assert not requirement_names(file_lines(LEARNER)) & TEST_TOOLS
    project = project_dependencies()
    assert not requirement_names(project) & (TEST_TOOLS | {"matplotlib"})
    assert requirement_names(file_lines(TEST)) >= TEST_TOOLS


def test_a_pin_in_pyproject_agrees_with_the_constraints() -> None:
    project = project_dependencies()
    pinned = pins()
    for line in project:
        if "==" in line:
            name, version = line.split("==")
            assert pinned[canonical(name)] == version.strip(), f"{name}: pyproject says {version}, constraints.txt {pinned[canonical(name)]}"
