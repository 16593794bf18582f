"""The layout of helpers/: a core and wings, and the import rule between them (see helpers/__init__.py)."""

from __future__ import annotations

import ast
import importlib
import subprocess
from pathlib import Path

import pytest

from helpers.config import REPO_ROOT

HELPERS = REPO_ROOT / "helpers"
CORE_ROOMS = {"api"}  # a folder of the core (the API as the kit knows it), not a wing
WINGS = sorted(p.parent.name for p in HELPERS.glob("*/__init__.py") if p.parent.name not in CORE_ROOMS)
ASSEMBLY = {"helpers.session", "helpers"}  # where the kit is assembled: may use the wings' listed names


def module_name(path: Path) -> str:
    """`helpers/replay/client.py` -> `helpers.replay.client` (a package's `__init__` is the package)."""
    parts = list(path.relative_to(REPO_ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def wing_of(name: str) -> str | None:
    """The wing a dotted module name belongs to, or None for the core."""
    parts = name.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in WINGS else None


def imports(name: str, is_package: bool, source: str) -> list[tuple[str, list[str]]]:
    """Every helpers module this source imports, absolute, with the names taken from it."""
    package = name if is_package else name.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom):
            base = package.split(".")[: len(package.split(".")) - node.level + 1] if node.level else []
            target = ".".join([*base, *(node.module.split(".") if node.module else [])])
            names = [alias.name for alias in node.names]
            if not node.module:  # `from . import x`: each name is a module
                found += [(f"{target}.{n}", []) for n in names]
            else:
                found.append((target, names))
        elif isinstance(node, ast.Import):
            found += [(alias.name, []) for alias in node.names]
    return [(target, names) for target, names in found if target == "helpers" or target.startswith("helpers.")]


def exported(wing: str) -> set[str]:
    """The names a wing's `__init__` lists in `__all__`."""
    return set(importlib.import_module(f"helpers.{wing}").__all__)


def documented(wing: str) -> str:
    """A wing's `__init__` docstring."""
    return ast.get_docstring(ast.parse((HELPERS / wing / "__init__.py").read_text(encoding="utf-8"))) or ""


def violations(name: str, is_package: bool, source: str) -> list[str]:
    """Where this module breaks the rule: core imports no wing; wings meet only through listed, documented names."""
    own, found = wing_of(name), []
    for target, names in imports(name, is_package, source):
        other = wing_of(target)
        if other is None or other == own:
            continue
        through_init = target == f"helpers.{other}" and names and set(names) <= exported(other)
        if own is None and name not in ASSEMBLY:
            found.append(f"{name} (core) imports the {other} wing ({target})")
        elif not through_init:
            found.append(f"{name} imports {target} {names}: use a name helpers/{other}/__init__.py lists")
        elif own is not None and f"helpers.{other}" not in documented(own):
            found.append(f"{name} imports the {other} wing, which helpers/{own}/__init__.py does not name")
    return found


def modules() -> list[Path]:
    """Every module of the helpers package that git tracks."""
    tracked = subprocess.run(["git", "ls-files", "helpers"], cwd=REPO_ROOT, capture_output=True, text=True).stdout
    return [REPO_ROOT / line for line in tracked.split() if line.endswith(".py")]


def test_git_shows_the_core_and_the_wings() -> None:
    assert set(WINGS) == {"replay", "standin", "memory", "chat", "classroom", "gateway"}
    core = {p.stem for p in HELPERS.glob("*.py")}
    assert {"conversation", "reply", "history", "errors", "config", "session"} <= core
    for wing in WINGS:
        assert len(documented(wing).split()) > 20, f"helpers/{wing}/__init__.py needs a paragraph saying what it holds"
        assert f"helpers/{wing}/__init__.py" in {str(p.relative_to(REPO_ROOT)) for p in modules()}


def test_every_module_keeps_the_import_rule() -> None:
    found = [v for path in modules() for v in violations(module_name(path), path.name == "__init__.py", path.read_text())]
    assert found == []


def test_every_wing_module_imports() -> None:
    for path in modules():
        importlib.import_module(module_name(path).removesuffix(".__main__") if path.stem == "__main__" else module_name(path))


@pytest.mark.parametrize(("name", "source"), [
    ("helpers.conversation", "from .chat import ChatWidget"),
    ("helpers.reply", "from .replay.transport import ReplayTransport"),
    ("helpers.chat.widget", "from ..replay.recordings import RecordingStore"),
    ("helpers.memory.strategies", "from ..chat import ChatWidget"),
    ("helpers.chat.meter", "from ..memory import not_a_listed_name"),
])
def test_the_rule_catches_a_planted_violation(name: str, source: str) -> None:
    assert violations(name, False, source)


def test_the_rule_allows_what_it_documents() -> None:
    assert violations("helpers.chat.meter", False, "from ..memory import cost\nfrom ..conversation import Conversation") == []
    assert violations("helpers.session", False, "from .replay import make_client") == []


MAX_LINES = 300  # STYLE.md: about 300 lines a module at most


def test_no_helpers_module_is_over_300_lines() -> None:
    long = {str(p.relative_to(REPO_ROOT)): n for p in modules() if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert long == {}, f"split these by job (at most {MAX_LINES} lines a module): {long}"
