"""Model retirement guard: `python -m helpers.classroom.models` checks every model id the kit uses against the installed SDK.

It reads the ids in the notebooks' cells, the scripts, the recordings' requests and the configured model,
and fails on an id the SDK marks deprecated or does not know, naming the replacement: the newest id of the
same family (haiku, sonnet, opus, ...) that the installed SDK knows and does not mark deprecated. Each current id is
shown with its display name and limits from the kit's Models API data (helpers.api.models).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import typing
from collections import defaultdict
from pathlib import Path

import anthropic

from ..api.models import known, model_info
from ..config import DEFAULT_MODEL, REPO_ROOT, load_settings

MODEL_ID = re.compile(r"\bclaude-[a-z0-9][a-z0-9.-]*[a-z0-9]\b")


def known_models() -> list[str]:
    """The model ids the installed SDK knows, newest first (its `Model` type)."""
    literal = typing.get_args(anthropic.types.Model)[0]
    return list(typing.get_args(literal))


def deprecated_models() -> dict[str, str]:
    """The ids the installed SDK warns about, with their end-of-life dates."""
    try:
        from anthropic._data.deprecated_models import DEPRECATED_MODELS
    except ImportError:  # an SDK without the table: nothing is known to be deprecated
        return {}
    return dict(DEPRECATED_MODELS)


def family(model: str) -> str:
    """The family of a model id: `haiku` for claude-haiku-4-5."""
    return model.split("-")[1] if model.count("-") >= 1 else model


def replacement(model: str) -> str:
    """The newest known, undated, non-deprecated id of the same family, else the kit's default."""
    retired = deprecated_models()
    for candidate in known_models():
        if family(candidate) == family(model) and candidate not in retired and not re.search(r"\d{8}$", candidate):
            return candidate
    return DEFAULT_MODEL


def status(model: str) -> str | None:
    """What is wrong with a model id for this SDK, or None when it is current."""
    retired = deprecated_models()
    if model in retired:
        return f"deprecated, end of life {retired[model]}"
    if model not in known_models():
        return "not known to the installed SDK"
    return None


def model_uses(root: Path = REPO_ROOT) -> dict[str, set[str]]:
    """Every model id used by the notebooks, scripts and recordings under `root`, with where it is used."""
    found: dict[str, set[str]] = defaultdict(set)
    for path in sorted((root / "notebooks").glob("*.ipynb")):
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        for model in MODEL_ID.findall("\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")):
            found[model].add(str(path.relative_to(root)))
    for path in sorted((root / "scripts").glob("*.py")):
        for model in MODEL_ID.findall(path.read_text(encoding="utf-8")):
            found[model].add(str(path.relative_to(root)))
    for path in sorted((root / "data" / "recordings").rglob("*.json")):
        body = json.loads(path.read_text(encoding="utf-8")).get("request", {}).get("body") or {}
        if isinstance(body, dict) and isinstance(body.get("model"), str):
            found[body["model"]].add(f"recordings/{path.parent.name}")
    found[load_settings().model].add("the configured model (CONVERSE_KIT_MODEL or helpers/config.py)")
    return found


def described(model: str) -> str:
    """The model's display name and limits from the kit's Models API data (helpers.api.models), or that it has none."""
    if not known(model):
        return "no Models API data in helpers/api/models.py"
    info = model_info(model)
    return f"{info['display_name']}, context {info['max_input_tokens']:,}, max_tokens {info['max_tokens']:,}"


def setup_warning(model: str) -> str | None:
    """One line for the setup cell when the configured model is deprecated, or None."""
    retired = deprecated_models()
    if model not in retired:
        return None
    return (f"Warning: {model} is deprecated (end of life {retired[model]}). "
            f"Set CONVERSE_KIT_MODEL={replacement(model)} in .env.")


def check(root: Path = REPO_ROOT) -> tuple[str, bool]:
    """The report of every model id in use, and whether all are current."""
    lines, ok = [f"anthropic {anthropic.__version__}: {len(known_models())} model ids known"], True
    for model, places in sorted(model_uses(root).items()):
        problem = status(model)
        where = ", ".join(sorted(places))
        if problem:
            ok = False
            lines.append(f"FAIL {model}: {problem}; use {replacement(model)} instead. Used in: {where}")
        else:
            lines.append(f"ok   {model} ({described(model)}): used in {where}")
    return "\n".join(lines), ok


def main(argv: list[str] | None = None) -> int:
    """Print the report; exit 1 if any model id is deprecated or unknown, 2 if there is nothing to check."""
    parser = argparse.ArgumentParser(prog="python -m helpers.classroom.models", description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", nargs="?", type=Path, default=REPO_ROOT,
                        help="a kit folder holding notebooks/, scripts/ or data/recordings/ (default: this kit)")
    root = parser.parse_args(argv).folder
    if not root.is_dir():
        print(f"{root} is not a folder: give the kit's folder (the one holding notebooks/), or nothing for this kit.")
        return 2
    if not sources(root):
        print(f"Nothing to check in {root}: it has no notebooks/*.ipynb, scripts/*.py or data/recordings/. "
              "Give the kit's folder (the one holding notebooks/), or nothing for this kit.")
        return 2
    report, ok = check(root)
    print(report)
    return 0 if ok else 1


def sources(root: Path) -> list[Path]:
    """The files under a folder that can name a model: notebooks, scripts, recordings."""
    return [*(root / "notebooks").glob("*.ipynb"), *(root / "scripts").glob("*.py"),
            *(root / "data" / "recordings").rglob("*.json")]


if __name__ == "__main__":
    sys.exit(main())
