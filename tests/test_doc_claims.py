"""What the notebooks, the README and the guide say matches the kit and its sources (issue 18 item 6, issue 21 item 5)."""

from __future__ import annotations

import json
import re
import struct
import zlib
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import anthropic
import pytest

import helpers.classroom.exercises  # noqa: F401  (registers the checks)
from helpers.api_facts import (
    IMAGE_MAX_EDGE,
    IMAGE_MIN_EDGE,
    STOP_ADVICE,
    THREAD_EXPIRED_STATUS,
    THREAD_EXPIRY_SECONDS,
)
from helpers.blocks import reply_content
from helpers.classroom.checks import hint_for
from helpers.classroom.exercises import CHECKS
from helpers.config import REPO_ROOT
from helpers.pictures import SAMPLE_IMAGE, image_tokens, size_of

NOTEBOOKS = REPO_ROOT / "notebooks"
NUMBERS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen", "twenty"]


def cell(notebook: str, index: int | str) -> str:
    """The source of one notebook cell: by its index, or the first cell holding a given phrase."""
    cells = ["".join(c["source"]) for c in json.loads((NOTEBOOKS / notebook).read_text(encoding="utf-8"))["cells"]]
    return cells[index] if isinstance(index, int) else next(c for c in cells if index in c)


def test_the_guide_counts_every_exercise() -> None:
    guide = (REPO_ROOT / "docs" / "facilitator_guide.md").read_text(encoding="utf-8")
    claim = re.search(r"all (\w+) exercises \((\d\d\.\d) to (\d\d\.\d)\)", guide)
    assert claim, "the guide says how many exercises there are"
    ids = sorted(CHECKS)
    assert (claim[1], claim[2], claim[3]) == (NUMBERS[len(ids)], ids[0], ids[-1])


def test_the_readme_names_529_as_the_sdks_overloaded_error() -> None:
    row = next(line for line in (REPO_ROOT / "README.md").read_text(encoding="utf-8").splitlines() if "529" in line and "|" in line)
    assert anthropic.OverloadedError.status_code == 529  # type: ignore[attr-defined]
    assert "overloaded_error" in row and "429" in row and "rate_limit_error" in row


def test_06_says_blank_text_blocks_are_left_out_and_they_are() -> None:
    said = cell("06_content_blocks.ipynb", 6)
    assert "blank text blocks are left out" in said and "unchanged" not in said
    blank = SimpleNamespace(to_dict=lambda: {"type": "text", "text": " ", "citations": None})
    use = SimpleNamespace(to_dict=lambda: {"type": "tool_use", "id": "toolu_1", "name": "f", "input": {}})
    assert reply_content(SimpleNamespace(content=[blank, use])) == [use.to_dict()]
    assert reply_content(SimpleNamespace(content=[blank])) is None


def test_pause_turn_advice_passes_the_paused_reply_back_as_the_sdk_says() -> None:
    docstring = Path(anthropic.__file__).parent.joinpath("types", "message.py").read_text(encoding="utf-8")
    assert "provide the response\n      back as-is" in docstring
    assert "as it is" in STOP_ADVICE.value["pause_turn"] and "paused reply" in STOP_ADVICE.value["pause_turn"]


def pixels(data: bytes) -> list[list[tuple[int, int, int]]]:
    """The rows of RGB pixels of a PNG the kit made (8-bit RGB, filter 0 on every row)."""
    width, height = size_of(data)
    chunks, at = [], 8
    while at < len(data):
        length, kind = struct.unpack(">I4s", data[at:at + 8])
        chunks.append((kind, data[at + 8:at + 8 + length]))
        at += 12 + length
    raw = zlib.decompress(b"".join(body for kind, body in chunks if kind == b"IDAT"))
    rows = [raw[y * (3 * width + 1) + 1:(y + 1) * (3 * width + 1)] for y in range(height)]
    return [[(row[3 * x], row[3 * x + 1], row[3 * x + 2]) for x in range(width)] for row in rows]


def test_the_sample_image_fits_the_vision_docs_advice_and_shows_on_a_white_page() -> None:
    data = SAMPLE_IMAGE.read_bytes()
    width, height = size_of(data)
    assert min(width, height) >= IMAGE_MIN_EDGE.value and max(width, height) <= IMAGE_MAX_EDGE.value
    assert image_tokens(width, height) <= 1600, "not scaled down by the API"
    rows = pixels(data)
    edge = rows[0] + rows[-1] + [row[0] for row in rows] + [row[-1] for row in rows]
    assert all(pixel != (255, 255, 255) for pixel in edge), "a frame that shows on a white page"


def test_the_sample_image_shows_what_06s_replies_say() -> None:
    rows = pixels(SAMPLE_IMAGE.read_bytes())
    middle = rows[len(rows) // 2]
    left, centre, right = middle[len(middle) // 6], middle[len(middle) // 2], middle[5 * len(middle) // 6]
    assert left[0] > 150 > left[2] and centre == (255, 255, 255) and right[2] > 150 > right[0]
    authored = json.loads((REPO_ROOT / "data" / "authored" / "06_content_blocks.json").read_text(encoding="utf-8"))
    described = next(e["reply"] for e in authored["replies"] if e["user"] == "Describe this picture in one sentence.")
    assert all(part in described for part in ("red on the left", "white in the middle", "blue on the right", "frame"))


def test_04_teaches_the_documented_thread_lifetime() -> None:
    said = cell("04_memory_and_limits.ipynb", "anthropic-beta: message-threads")
    assert "unverified" not in said
    assert f"{THREAD_EXPIRY_SECONDS.value // 60} minutes" in said and str(THREAD_EXPIRED_STATUS.value) in said
    assert "within an hour" in said and "message-threads" in THREAD_EXPIRY_SECONDS.source


def test_02_says_whose_rule_the_first_user_turn_is() -> None:
    assert "kit's own rule" in cell("02_multi_turn_conversations.ipynb", 25)


def test_the_02_2_hint_uses_the_right_article() -> None:
    hint = hint_for("02.2", [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello"},
                             {"role": "user", "content": "Python, please. I have never programmed before."}])
    assert hint and "an assistant message" in hint


def replies() -> list[str]:
    """The opening words of every authored text reply (long enough to be found in an output)."""
    texts = []
    for path in (REPO_ROOT / "data" / "authored").glob("*.json"):
        for entry in json.loads(path.read_text(encoding="utf-8"))["replies"]:
            if isinstance(entry["reply"], str) and len(entry["reply"]) >= 30:
                texts.append(entry["reply"][:30])
    return texts


GETS_A_REPLY = (".send(", ".create(", "ask(", "tool_runner(", "run_tools(")


def outputs(notebook: Path) -> list[tuple[int, str]]:
    """The index and output text of each code cell that gets a reply and prints it (not a history or a request body)."""
    cells: list[dict[str, Any]] = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    found = []
    for i, c in enumerate(cells):
        source = "".join(c["source"])
        parts = [o.get("text") or o.get("data", {}).get("text/plain") or "" for o in c.get("outputs", [])]
        text = "".join("".join(p) if isinstance(p, list) else p for p in parts)
        if any(call in source for call in GETS_A_REPLY) and ".request(" not in source and "'role':" not in text:
            found.append((i, text))
    return found


@pytest.mark.parametrize("name", ["00_setup", "03_iterative_refinement", "04_memory_and_limits", "06_content_blocks",
                                  "07_tools_and_thinking"])
def test_every_reply_a_notebook_prints_carries_its_label(name: str) -> None:
    unlabelled = [i for i, text in outputs(NOTEBOOKS / f"{name}.ipynb")
                  if any(reply in text for reply in replies()) and "authored sample" not in text and "recorded" not in text]
    assert not unlabelled, f"{name}: cells {unlabelled} print a reply without its provenance label"


SHORTENED = [("01_single_turn_prompting.ipynb", 27), ("03_iterative_refinement.ipynb", 31), ("04_memory_and_limits.ipynb", 33),
             ("06_content_blocks.ipynb", 10), ("06_content_blocks.ipynb", 15), ("06_content_blocks.ipynb", 17),
             ("07_tools_and_thinking.ipynb", 18), ("07_tools_and_thinking.ipynb", 20), ("07_tools_and_thinking.ipynb", 24)]


@pytest.mark.parametrize(("notebook", "index"), SHORTENED)
def test_code_lines_issue_21_found_cut_off_now_fit(notebook: str, index: int) -> None:
    longest = max(cell(notebook, index).splitlines(), key=len)
    assert len(longest) <= 100, f"{notebook} cell {index}: a {len(longest)}-character line is cut off in JupyterLab"
