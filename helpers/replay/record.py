"""Record the kit's API traffic: `python -m helpers.replay.record [notebook-or-script ...]`.

Runs each notebook (or script) in record mode, saving every response under data/recordings/<name>/,
then runs the notebook again in replay mode and stores those outputs (what nbval compares).
With --authored, the replies come from data/authored/*.json through a local stand-in of the
API, and every recording is labelled an authored sample: this is how the kit's samples were made.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from tqdm import tqdm

from ..config import (
    AUTHORED_VAR,
    CASSETTE_VAR,
    KEY_VAR,
    MODE_VAR,
    RECORD_ERRORS_VAR,
    RECORDINGS_VAR,
    REPO_ROOT,
    load_settings,
)
from ..errors import KEY_HELP
from ..history import last_user_text
from ..standin import StandIn
from . import notebooks
from .recordings import RecordingStore

AUTHORED_REPLIES = REPO_ROOT / "data" / "authored"
# Error answers a notebook teaches on purpose, so record mode keeps them for that notebook (never 401 or 403):
# notebook 07 shows the API's 400 for a dropped thinking block.
TAUGHT_ERRORS = {"07_tools_and_thinking": "400"}


class AuthoredReplies:
    """Replies written by hand, looked up by the request's last user message (or its start) and an optional context.

    An entry may list `knows`: the phrases of its request it relies on (tests/test_authored_knows.py holds it to them);
    only `reply` reaches the stand-in.
    """

    def __init__(self, folder: Path) -> None:
        entries = [entry for path in sorted(folder.glob("*.json")) for entry in json.loads(path.read_text(encoding="utf-8"))["replies"]]
        self.entries: list[dict[str, Any]] = sorted(entries, key=lambda entry: "context" not in entry)  # specific ones first
        self.missing: list[str] = []

    def entry_for(self, body: dict[str, Any]) -> dict[str, Any] | None:
        """The authored entry that answers this request (its reply, and the `knows` phrases it relies on), or None."""
        said = last_user_text(body, width=10_000)
        whole = json.dumps(body, ensure_ascii=False)
        for entry in self.entries:
            same = said.startswith(entry["user_starts"]) if "user_starts" in entry else entry.get("user") == said
            if same and entry.get("context", "") in whole:
                return entry
        return None

    def __call__(self, body: dict[str, Any]) -> Any:
        """The authored reply for this request (text, or content blocks), or a marker (remembered as missing)."""
        entry = self.entry_for(body)
        if entry is not None:
            return entry["reply"]
        said = last_user_text(body, width=10_000)
        self.missing.append(said)
        return f"[no authored reply for: {said}]"


def targets(names: list[str]) -> list[Path]:
    """The notebooks and scripts to record: the ones named, or all of them."""
    if not names:
        return notebooks.kit_notebooks() + notebooks.kit_scripts()
    paths = [Path(name).resolve() for name in names]
    for path in paths:
        if path.suffix not in (".ipynb", ".py") or not path.exists():
            raise SystemExit(f"Cannot record {path}: give a notebook (.ipynb) or script (.py) of the kit.")
    return paths


STAGING = ".staging"  # inside the recordings folder; replay never reads a hidden folder


def recover(recordings: Path, name: str) -> str:
    """Tidy what an interrupted record run left: a cassette moved aside mid-swap goes back; a half-made one goes."""
    staging, final = recordings / STAGING / name, recordings / name
    old = staging.with_name(f"{name}.old")
    said = ""
    if old.exists() and not final.exists():
        os.replace(old, final)
        said = f"An interrupted record run had moved {final.name}'s recordings aside; they are back. "
    shutil.rmtree(old, ignore_errors=True)
    if staging.exists():
        shutil.rmtree(staging)
        said += f"The partial recordings of an interrupted record run of {name} were discarded."
    return said


@contextmanager
def staged(recordings: Path, name: str) -> Iterator[Path]:
    """Record into a staging folder and swap it in whole at the end: a run killed midway changes no recording."""
    said = recover(recordings, name)
    if said:
        print(f"[record] {said}", flush=True)
    staging = recordings / STAGING / name
    staging.parent.mkdir(parents=True, exist_ok=True)
    try:
        yield staging.parent
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    final, old = recordings / name, staging.with_name(f"{name}.old")
    if final.exists():
        os.replace(final, old)
    if staging.exists():
        os.replace(staging, final)
    shutil.rmtree(old, ignore_errors=True)
    if not any((recordings / STAGING).iterdir()):
        (recordings / STAGING).rmdir()


def record_one(path: Path, env: dict[str, str], recordings: Path) -> None:
    """Record one notebook or script (into staging, swapped in when done), then store a notebook's replay outputs."""
    name = path.stem
    with staged(recordings, name) as staging:
        record_env = {**env, MODE_VAR: "record", CASSETTE_VAR: name, RECORDINGS_VAR: str(staging),
                      RECORD_ERRORS_VAR: TAUGHT_ERRORS.get(name, "")}
        if path.suffix == ".py":
            done = notebooks.run_script(path, record_env)
            if done.returncode:
                raise RuntimeError(f"{path.name} failed while recording:\n{done.stderr[-2000:]}")
        else:
            notebooks.execute(path, record_env)
    clashes = RecordingStore(recordings).conflicts(name)
    if clashes:
        raise RuntimeError(f"{name} now records a request that {', '.join(clashes)} also holds with a different reply; "
                           "record those again too, so replay never has to guess.")
    if path.suffix == ".ipynb":
        learner = notebooks.learner_environment({**env, CASSETTE_VAR: name})  # stored outputs are what a learner sees
        notebooks.write(notebooks.execute(path, learner), path)


def record_all(paths: list[Path], env: dict[str, str], recordings: Path) -> list[str]:
    """Record every target with a progress bar; return the failures."""
    failures = []
    bar = tqdm(paths, unit="file", desc="recording")
    for path in bar:
        bar.set_postfix_str(path.name)
        try:
            record_one(path, env, recordings)
        except Exception as error:  # keep going: one broken notebook should not stop the rest
            failures.append(f"{path.name}: {error}")
    return failures


def main(argv: list[str] | None = None) -> int:
    """Record the named notebooks and scripts (all of them by default)."""
    parser = argparse.ArgumentParser(prog="python -m helpers.replay.record", description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="*", help="notebooks or scripts (default: all)")
    parser.add_argument("--authored", action="store_true", help="make authored samples through a local stand-in")
    args = parser.parse_args(argv)
    paths = targets(args.paths)
    settings = load_settings()
    env = notebooks.environment(**{RECORDINGS_VAR: str(settings.recordings)})
    if args.authored:
        replies = AuthoredReplies(AUTHORED_REPLIES)
        with StandIn(reply=replies) as server:
            env.update({"ANTHROPIC_BASE_URL": server.url, KEY_VAR: "authored-sample-no-key", AUTHORED_VAR: "1"})
            failures = record_all(paths, env, settings.recordings)
        failures += [f"no authored reply for: {said!r}" for said in dict.fromkeys(replies.missing)]
        failures += [f"authored reply does not fit its request: {why}" for why in dict.fromkeys(server.authoring_errors)]
    elif not settings.has_key:
        print(f"Recording calls the live API, so it needs your API key, and none was found. Nothing was recorded.\n{KEY_HELP}")
        return 2
    else:
        failures = record_all(paths, env, settings.recordings)
    for failure in failures:
        print(f"FAILED {failure}", file=sys.stderr)
    print(f"Recorded {len(paths) - len(failures)} of {len(paths)} into {settings.recordings.relative_to(REPO_ROOT) if settings.recordings.is_relative_to(REPO_ROOT) else settings.recordings}.")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
