"""Mutation testing, weekly (too slow for every CI run): mutmut per module, with the tests that guard it; prints scores.

    python tools/mutation.py                      # every module below
    python tools/mutation.py helpers/redact.py    # just these
    python tools/mutation.py --max-children 2 helpers/redact.py   # more mutants at once (default 1: a shared machine)

Each module runs in a scratch copy of the kit (mutmut writes a `mutants/` folder), with pyproject.toml's
[tool.mutmut] settings and this module's test files. Prints killed/total per module, the score (goal: at least
90%), the time it took, and each surviving mutant's diff, to kill with a test or to list in the README as
equivalent, with why.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import tomllib

ROOT = Path(__file__).resolve().parent.parent
COPIED = ("helpers", "tests", "data", "notebooks", "pyproject.toml")
GOAL = 0.90
# module -> the test files that guard it.
RULEBOOK_TESTS = ["tests/test_rule_cases.py", "tests/test_rulebook.py"]
EXERCISE_TESTS = ["tests/test_exercise_cases.py", "tests/test_exercises.py", "tests/test_exercise_properties.py"]
MODULES: dict[str, list[str]] = {
    "helpers/redact.py": ["tests/test_redact.py"],
    "helpers/api/rules_turns.py": RULEBOOK_TESTS,
    "helpers/api/rules_blocks.py": RULEBOOK_TESTS,
    "helpers/api/rules_media.py": RULEBOOK_TESTS,
    "helpers/api/rules_models.py": RULEBOOK_TESTS,
    "helpers/api/rules_context.py": [*RULEBOOK_TESTS, "tests/test_context_management.py"],
    "helpers/api/rules_structured.py": ["tests/test_structured_cases.py"],
    "helpers/api/bill.py": ["tests/test_bill_cases.py", "tests/test_bill.py"],
    "helpers/gateway/ledger.py": ["tests/test_ledger.py", "tests/test_gateway.py"],
    "helpers/gateway/server.py": ["tests/test_gateway_cases.py", "tests/test_gateway.py", "tests/test_gateway_probes.py"],
    "helpers/chat/store.py": ["tests/test_store_cases.py", "tests/test_store.py"],
    "helpers/branches.py": ["tests/test_branch_cases.py", "tests/test_branches.py"],
    "helpers/memory/strategies.py": ["tests/test_strategy_cases.py", "tests/test_memory.py"],
    "helpers/replay/recordings.py": ["tests/test_recording_cases.py", "tests/test_recordings.py"],
    "helpers/classroom/exercises.py": EXERCISE_TESTS,
    "helpers/classroom/blocks_exercises.py": EXERCISE_TESTS,
    "helpers/classroom/context_exercises.py": EXERCISE_TESTS,
    "helpers/chat/chatlog.py": ["tests/test_chatlog_cases.py", "tests/test_widget.py"],  # the chat's bubble sync
    "helpers/chat/widget.py": ["tests/test_widget_cases.py", "tests/test_widget.py"],  # its pops, read before the resync
}


def config(module: str, tests: list[str]) -> str:
    """pyproject.toml with [tool.mutmut] narrowed to one module and its tests."""
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    settings = tomllib.loads(text)["tool"]["mutmut"]
    settings.update(only_mutate=[module], pytest_add_cli_args_test_selection=tests)
    lines = [f"{key} = {json.dumps(value)}" for key, value in settings.items()]
    head = text.split("[tool.mutmut]")[0]
    return head + "[tool.mutmut]\n" + "\n".join(lines) + "\n"


def run(module: str, tests: list[str], max_children: int, keep: Path | None = None) -> tuple[int, int, list[str]]:
    """Mutate one module in a scratch copy; return caught, total and the uncaught mutants' diffs.

    Caught: killed by a test, or timed out (a mutant that loops forever). Uncaught: survived, or no test ran it.
    """
    with tempfile.TemporaryDirectory(prefix="converse-kit-mutation-") as scratch:
        work = Path(scratch) if keep is None else keep / module.replace("/", "_")
        for name in COPIED:
            source = ROOT / name
            if source.is_dir():
                shutil.copytree(source, work / name, ignore=shutil.ignore_patterns("__pycache__", "mutants"),
                                dirs_exist_ok=True)
            else:
                shutil.copy2(source, work / name)
        (work / "pyproject.toml").write_text(config(module, tests), encoding="utf-8")
        mutmut = [sys.executable, "-m", "mutmut"]
        subprocess.run([*mutmut, "run", "--max-children", str(max_children)], cwd=work,
                       stdout=subprocess.DEVNULL, check=False)
        subprocess.run([*mutmut, "export-cicd-stats"], cwd=work, stdout=subprocess.DEVNULL, check=True)
        stats = json.loads((work / "mutants" / "mutmut-cicd-stats.json").read_text())
        listed = subprocess.run([*mutmut, "results"], cwd=work, capture_output=True, text=True, check=True).stdout
        uncaught = re.findall(r"^\s*(\S+): (?:survived|no tests|suspicious)", listed, re.M)
        diffs = [subprocess.run([*mutmut, "show", name], cwd=work, capture_output=True, text=True).stdout
                 for name in uncaught]
    return stats["killed"] + stats["timeout"], stats["total"] - stats["skipped"], diffs


def case_only(diff: str) -> bool:
    """Whether a mutant only changes letter case (equivalent in SQL, whose keywords and names read in any case)."""
    lines = [line for line in diff.splitlines() if line[:1] in ("-", "+") and line[:3] not in ("---", "+++")]
    removed, added = [line[1:] for line in lines if line[0] == "-"], [line[1:] for line in lines if line[0] == "+"]
    return removed != added and [line.lower() for line in removed] == [line.lower() for line in added]


def main(argv: list[str] | None = None) -> int:
    """Run each module asked for and print its score; exit 1 if any is below the goal."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("modules", nargs="*", default=list(MODULES), help="modules to mutate (default: all)")
    parser.add_argument("--max-children", type=int, default=1, help="mutants tested at once (default: 1)")
    parser.add_argument("--keep", type=Path, help="keep each module's copy under this folder (to re-run survivors)")
    args = parser.parse_args(argv)
    scores = {}
    for module in args.modules:
        started = time.monotonic()
        killed, total, diffs = run(module, MODULES[module], args.max_children, args.keep)
        minutes = (time.monotonic() - started) / 60
        scores[module] = killed / total if total else 1.0
        for diff in diffs:
            print(diff.rstrip(), flush=True)
        cased = sum(case_only(diff) for diff in diffs)
        if cased:
            print(f"{module}: {cased} of the {len(diffs)} uncaught mutants only change letter case", flush=True)
        print(f"{module}: {killed}/{total} mutants killed or timed out, {scores[module]:.0%} (goal {GOAL:.0%}), "
              f"{minutes:.1f} min", flush=True)
    print("\nScores: " + ", ".join(f"{module} {score:.0%}" for module, score in scores.items()))
    return 0 if all(score >= GOAL for score in scores.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
