"""The rulebook walked entry by entry: each rule's bad example sent to the stand-in (`python -m helpers.standin`, a plain
SDK client) and through `Conversation.request`, and each answered as the entry says (the API's 400, a combined
turn, or nothing invented), and the kit refusing before anything is sent where its stance is to refuse."""

from __future__ import annotations

import copy
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from typing import Any

import anthropic
import httpx2
import pytest

from helpers import Conversation
from helpers.api.rulebook import Request, Rule, UnsendableHistoryError, by_name, check_request, rules
from helpers.config import REPO_ROOT
from helpers.standin.replies import unmodified as standin_unmodified

RULES = rules()


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def standin_url() -> Iterator[str]:
    """The stand-in as a learner starts it: `python -m helpers.standin --port N`, stopped by its process id."""
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "helpers.standin", "--port", str(port)], cwd=REPO_ROOT,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                httpx2.get(f"{url}/v1/models", timeout=1)
                break
            except httpx2.TransportError:
                time.sleep(0.05)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


class Swap:
    """A memory strategy that sends `body` instead: how a bad body reaches Conversation.request exactly as written."""

    def __init__(self, body: dict[str, Any]) -> None:
        self.body = body

    def prepare(self, body: dict[str, Any], conversation: Conversation) -> dict[str, Any]:
        """Return the rule's bad example."""
        return copy.deepcopy(self.body)


def client(url: str) -> anthropic.Anthropic:
    """A plain SDK client for the stand-in (no kit transport)."""
    return anthropic.Anthropic(api_key="stand-in", base_url=url, max_retries=0)


def test_every_rule_has_a_source_a_date_a_stance_and_a_bad_example_that_breaks_it() -> None:
    assert len(RULES) >= 30 and len({r.name for r in RULES}) == len(RULES)
    for rule in RULES:
        assert rule.source and rule.checked and rule.advice and rule.checks, rule.name
        assert rule.find(Request(rule.bad, standin_unmodified)) is not None, rule.name
        assert rule.kit_rule == (rule.api != "refused"), f"{rule.name}: only the kit's own rules may say the API does not refuse"
        if rule.kit_rule:
            assert "own rule" in rule.advice, f"{rule.name}: a kit rule must say it is the kit's"


@pytest.mark.parametrize("rule", RULES, ids=[r.name for r in RULES])
def test_the_stand_in_answers_each_bad_example_as_the_rulebook_says(rule: Rule, standin_url: str) -> None:
    try:
        answer = client(standin_url).post("/v1/messages", body=rule.bad, cast_to=httpx2.Response)
    except anthropic.BadRequestError as error:
        assert rule.api == "refused", f"{rule.name}: the stand-in refused what the API {rule.api}"
        expected = rule.find(Request(rule.bad, standin_unmodified))
        assert error.body["error"]["message"] == expected  # type: ignore[index]
        for key, value in rule.extra.items():
            assert error.body["error"][key] == value  # type: ignore[index]
        return
    assert rule.api != "refused", f"{rule.name}: the stand-in let through what the API refuses"
    assert answer.status_code == 200 and answer.json()["type"] == "message"


@pytest.mark.parametrize("rule", RULES, ids=[r.name for r in RULES])
def test_the_kit_refuses_each_bad_example_before_sending_where_its_stance_says(rule: Rule, standin_url: str) -> None:
    conv = Conversation(client=client(standin_url), memory=Swap(rule.bad), model=str(rule.bad.get("model", "claude-haiku-4-5")))
    sent = httpx2.get(f"{standin_url}/v1/models").status_code  # the stand-in is up; count what reaches it below
    assert sent == 200
    shown = by_name(rule.shown_by) if rule.shown_by else rule
    if rule.stance == "refuse":
        with pytest.raises(UnsendableHistoryError) as caught:
            conv.send("Hi")
        assert shown.advice in str(caught.value), f"{rule.name}: refused for another rule: {caught.value}"
        assert conv.messages == [] and conv.replies == []
    else:
        conv.request("Hi")  # the kit lets the API answer


def test_a_refusal_names_what_the_api_answers_and_what_to_do() -> None:
    with pytest.raises(UnsendableHistoryError) as caught:
        check_request(by_name("thinking.forced_tool").bad)
    assert "Thinking may not be enabled when tool_choice forces tool use." in str(caught.value)
    assert "tool_choice {'type': 'auto'}" in str(caught.value) and "Nothing was sent" in str(caught.value)


def test_consecutive_turns_are_combined_by_the_stand_in_and_refused_by_the_kit(standin_url: str) -> None:
    body = by_name("kit.alternating").bad
    reply = client(standin_url).messages.create(**body)
    assert "Are you there?" in reply.content[0].text  # type: ignore[union-attr]  # both turns reached the reply as one
    with pytest.raises(UnsendableHistoryError, match="its own rule; the API would combine them"):
        check_request(body)


def test_a_thinking_block_is_checked_by_each_side_by_its_own_knowledge() -> None:
    from helpers.blocks import as_received, signed_thinking

    rule = by_name("thinking.unmodified")
    history = rule.bad["messages"]
    assert rule.find(Request(
        rule.bad, as_received(signed_thinking(history)))) is None  # the kit received exactly this block: kept
    edited = copy.deepcopy(history)
    received = signed_thinking(history)
    edited[1]["content"][0]["thinking"] = "2 + 3 is 6."
    with pytest.raises(UnsendableHistoryError, match="unmodified"):
        check_request({**rule.bad, "messages": edited}, as_received(received))


def test_stop_sequences_as_one_string_is_refused_before_sending(standin_url: str) -> None:
    conv = Conversation(client=client(standin_url))
    with pytest.raises(UnsendableHistoryError, match=r"stop_sequences=\['END'\]"):
        conv.send("Count to five", stop_sequences="END")  # type: ignore[arg-type]
    assert conv.messages == []


def image_turn(data: bytes, media: str = "image/png", at: int = 1) -> dict[str, Any]:
    """A request whose user turn holds a text block, then (at index `at`) one base64 image."""
    import base64

    image = {"type": "image", "source": {"type": "base64", "media_type": media, "data": base64.b64encode(data).decode()}}
    content: list[dict[str, Any]] = [{"type": "text", "text": "Look:"}]
    content.insert(at, image)
    return {"model": "claude-haiku-4-5", "max_tokens": 64, "messages": [{"role": "user", "content": "Hi"},
            {"role": "assistant", "content": "Hello"}, {"role": "user", "content": content}]}


def test_the_image_rules_name_the_block_they_found_in_the_api_s_words() -> None:
    """Written out by hand, so a wrong index or a garbled text in a rule fails here (the walk compares a rule with itself)."""
    from helpers.pictures import png

    found = by_name("image.media_type").find(Request(image_turn(b"GIF89a", "image/bmp")))
    assert found == ("messages.2.content.1.image.source.base64.media_type: Input should be "
                     "'image/jpeg', 'image/png', 'image/gif', 'image/webp'")
    big = by_name("image.bytes").find(Request(image_turn(b"\0" * (5 * 1024 * 1024 + 7))))
    assert big == "messages.2.content.1.image.source.base64: image exceeds 5 MB maximum: 5242887 bytes > 5242880 bytes"
    assert by_name("image.bytes").find(Request(image_turn(b"\0" * (5 * 1024 * 1024)))) is None  # exactly 5 MB is allowed
    wide = png([[(255, 255, 255)] * 8001])
    assert by_name("image.dimensions").find(Request(image_turn(wide))) == \
        "At least one image's longest side exceeds 8000 pixels: messages.2.content.1"
    assert by_name("image.dimensions").find(Request(image_turn(png([[(0, 0, 0)] * 8000])))) is None
    many = image_turn(png([[(0, 0, 0)] * 2001]))
    many["messages"][2]["content"] *= 21  # 21 images: over 20, so the 2000 px limit applies
    assert by_name("image.dimensions").find(Request(many)).startswith("At least one image's longest side exceeds 2000 pixels")
    assert by_name("image.bytes").find(Request(image_turn(b"not base64!"))) is None  # undecodable data is not 'over 5 MB'
