"""The class key gateway, end to end through the kit's Conversation, with the kit's stand-in as the real API.

| case | answer | checked |
|---|---|---|
| a class key | 200, billed once | `test_a_learner_with_a_class_key_talks_through_the_gateway_and_is_billed_once` |
| a made-up key, a revoked key | 401, KeyRevokedError | `test_made_up_and_revoked_keys_get_one_clear_line` |
| a hub token from this hub / another hub | 200 / 401 | `test_hub_tokens_are_checked_with_the_hub` |
| over budget, or a worst case that does not fit | 402, OverBudgetError, nothing sent | `test_a_learner_over_budget_gets_one_line_and_nothing_is_sent` |
| a body over the size limit | 413, before it is read | `test_a_body_over_the_size_limit_is_refused` |
| a stream cut midway | the kit's error, billed once as cut | `test_a_stream_cut_midway_is_billed_once_and_the_turn_then_succeeds` |
| a stream the learner stops | the cut-off reply kept, billed once | `test_a_stream_the_learner_stops_is_billed_once` |
"""

from __future__ import annotations

import importlib.util
import json
import os
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import anthropic
import pytest
from kit import client, snapshot

from helpers import Conversation
from helpers.errors import ApiError, KeyRevokedError, NetworkError, OverBudgetError
from helpers.gateway.ledger import Ledger
from helpers.gateway.server import Gateway
from helpers.standin import Fault, StandIn

REAL_KEY = "sk-ant-real-" + "7" * 30  # what the gateway alone holds


@pytest.fixture
def gateway(ledger: Ledger, upstream: StandIn) -> Iterator[Gateway]:
    with Gateway(ledger, upstream.url, REAL_KEY, rate=50) as running:
        yield running


def chat(gateway: Gateway, key: str, recordings: Path) -> Conversation:
    """A learner's conversation through the gateway, as the kit makes it in live mode."""
    return Conversation("You are a tutor.", client=client("live", recordings, gateway.url, key=key), max_tokens=40)


def rows(ledger: Ledger) -> list[tuple[str, str, int, int]]:
    """Every ledger entry: learner, status, input and output tokens."""
    import sqlite3

    with sqlite3.connect(ledger.path) as db:
        return db.execute("SELECT learner, status, input_tokens, output_tokens FROM usage ORDER BY at").fetchall()


def test_a_learner_with_a_class_key_talks_through_the_gateway_and_is_billed_once(
        gateway: Gateway, ledger: Ledger, upstream: StandIn, recordings: Path) -> None:
    key = ledger.issue("ana")
    conversation = chat(gateway, key, recordings)
    reply = conversation.send("Hello, I am Ana.")
    streamed = "".join(conversation.stream("What is my name?"))
    assert reply.text.startswith("Stand-in reply to: Hello") and "What is my name" in streamed
    assert conversation.replies[-1].source == reply.source == (
        f"live reply through the class gateway, from {upstream.url} (a rehearsal: not the Anthropic API)")
    assert [(r[0], r[1]) for r in rows(ledger)] == [("ana", "complete"), ("ana", "complete")]
    assert rows(ledger)[0][2:] == (reply.usage.input_tokens, reply.usage.output_tokens)
    sent = [r for r in upstream.requests if r["path"] == "/v1/messages"]
    assert len(sent) == 2 and all(r["headers"]["x-api-key"] == "<redacted>" for r in sent)
    assert all("authorization" not in r["headers"] for r in sent), "the learner's own credential stops at the gateway"
    sdk = client("live", recordings, gateway.url, key=key)
    assert sdk.messages.count_tokens(model="claude-haiku-4-5", messages=[{"role": "user", "content": "hi"}]).input_tokens > 0
    assert "claude-haiku-4-5" in [m.id for m in sdk.models.list()]
    assert len(rows(ledger)) == 2, "count_tokens and models are free: not billed"


def test_the_upstream_sees_the_real_key_and_never_the_learners(gateway: Gateway, ledger: Ledger) -> None:
    key = ledger.issue("ana")
    sent = gateway.headers_for({"authorization": f"Bearer {key}", "anthropic-version": "2023-06-01", "x-api-key": key})
    assert sent == {"x-api-key": REAL_KEY, "anthropic-version": "2023-06-01"}
    assert REAL_KEY not in ledger.path.read_bytes().decode("latin-1")


def test_made_up_and_revoked_keys_get_one_clear_line(gateway: Gateway, ledger: Ledger, recordings: Path) -> None:
    key = ledger.issue("ben")
    conversation = chat(gateway, key, recordings)
    conversation.send("Hi")
    before = snapshot(conversation)
    ledger.revoke("ben")
    with pytest.raises(KeyRevokedError, match="revoked") as revoked:
        conversation.send("Still there?")
    assert snapshot(conversation) == before and len(str(revoked.value).splitlines()) == 1
    with pytest.raises(KeyRevokedError, match="not one of this class's keys"):
        chat(gateway, "ck-class-made-up", recordings).send("Hi")
    with pytest.raises(KeyRevokedError, match="not one of this class's keys"):
        chat(gateway, REAL_KEY, recordings).send("Hi")  # even the real key is not a learner's credential
    ledger.restore("ben")
    conversation.send("Back again")
    assert [r[0] for r in rows(ledger)] == ["ben", "ben"]


def test_a_learner_over_budget_gets_one_line_and_nothing_is_sent(
        gateway: Gateway, ledger: Ledger, upstream: StandIn, recordings: Path) -> None:
    key = ledger.issue("cy", budget_tokens=120)
    conversation = chat(gateway, key, recordings)
    conversation.send("A first question that uses some tokens, to spend the budget.")
    sent, before = len(upstream.requests), snapshot(conversation)
    with pytest.raises(OverBudgetError, match="Class budget too small for this request: it could use up to") as small:
        conversation.send("A second one, whose worst case (its input and max_tokens) does not fit what is left.")
    assert len(str(small.value).splitlines()) == 1 and "Lower max_tokens" in str(small.value)
    assert snapshot(conversation) == before and len(upstream.requests) == sent
    ledger.set_budget("cy", usd=None, tokens=ledger.spent("cy")[1])
    with pytest.raises(OverBudgetError, match="Class budget used up: you have used your"):
        conversation.send("One more?")
    assert snapshot(conversation) == before and len(upstream.requests) == sent
    ledger.set_budget("cy", usd=0.50, tokens=None)
    conversation.send("One more?")
    assert len(rows(ledger)) == 2 and ledger.spent("cy")[0] <= 0.50


def test_a_body_over_the_size_limit_is_refused(ledger: Ledger, upstream: StandIn, recordings: Path) -> None:
    key = ledger.issue("dee")
    with Gateway(ledger, upstream.url, REAL_KEY, max_body=2_000) as small:
        conversation = chat(small, key, recordings)
        with pytest.raises(ApiError, match="Request too large: .* at most 2,000"):
            conversation.send("word " * 1_000)
        assert conversation.messages == [] and upstream.requests == [] and rows(ledger) == []
        conversation.send("A short one.")  # the same learner goes on
    assert len(rows(ledger)) == 1


def test_a_stream_cut_midway_is_billed_once_and_the_turn_then_succeeds(
        gateway: Gateway, ledger: Ledger, upstream: StandIn, recordings: Path) -> None:
    key = ledger.issue("eve")
    conversation = chat(gateway, key, recordings)
    upstream.inject(Fault("drop_stream"))
    with pytest.raises(NetworkError):
        "".join(conversation.stream("Tell me a long story about lists in Python, please."))
    assert conversation.messages == []
    assert [r[1] for r in rows(ledger)] == ["cut upstream"] and rows(ledger)[0][2] > 0
    "".join(conversation.stream("Tell me a long story about lists in Python, please."))
    assert [r[1] for r in rows(ledger)] == ["cut upstream", "complete"] and len(conversation.messages) == 2


def test_content_is_stored_only_when_the_teacher_turns_it_on(gateway: Gateway, ledger: Ledger, recordings: Path) -> None:
    import sqlite3

    conversation = chat(gateway, ledger.issue("fay"), recordings)
    conversation.send("My secret plan is turnips.")
    ledger.set_setting("log_content", "on")
    conversation.send("And carrots.")
    with sqlite3.connect(ledger.path) as db:
        stored = [r[0] for r in db.execute("SELECT content FROM usage ORDER BY at")]
    assert stored[0] is None and "turnips" not in ledger.path.read_bytes().decode("latin-1")
    assert json.loads(stored[1])["messages"][0]["content"] == "And carrots."


class FakeHub(BaseHTTPRequestHandler):
    """The one endpoint the gateway asks a hub: who owns this token (GET /hub/api/user)."""

    tokens = {"hub-token-of-gus": "gus"}

    def log_message(self, format: str, *args: object) -> None:
        """Stay quiet."""

    def do_GET(self) -> None:
        """200 with the name for a token of this hub, 403 for any other."""
        name = self.tokens.get(self.headers.get("authorization", "").removeprefix("token "))
        payload = json.dumps({"kind": "user", "name": name} if name else {"status": 403, "message": "no"}).encode()
        self.send_response(200 if name else 403)
        self.send_header("content-length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)


def test_hub_tokens_are_checked_with_the_hub(ledger: Ledger, upstream: StandIn, recordings: Path) -> None:
    if importlib.util.find_spec("jupyterhub") is None and not os.environ.get("CI"):
        pytest.skip("needs JupyterHub's HubAuth: pip install -r classroom/hub/requirements.txt (CI installs it)")
    hub = ThreadingHTTPServer(("127.0.0.1", 0), FakeHub)
    threading.Thread(target=hub.serve_forever, daemon=True).start()
    try:
        api = f"http://127.0.0.1:{hub.server_port}/hub/api"
        ledger.set_setting("default_budget_usd", "0.5")  # `budget default --usd 0.5`: for hub users not yet seen
        with Gateway(ledger, upstream.url, REAL_KEY, hub_api_url=api) as gateway:
            assert type(gateway.identify.hub).__name__ == "HubAuth", "JupyterHub's own token check"
            chat(gateway, "hub-token-of-gus", recordings).send("Hi from the hub")
            gus = ledger.learner("gus")
            assert gus is not None and gus.budget_usd == 0.5 and not gus.has_key
            with pytest.raises(KeyRevokedError, match="from another hub"):
                chat(gateway, "a-token-of-another-hub", recordings).send("Hi")
            ledger.revoke("gus")
            with pytest.raises(KeyRevokedError, match="revoked"):
                chat(gateway, "hub-token-of-gus", recordings).send("Hi again")
    finally:
        hub.shutdown()
        hub.server_close()
    assert [r[0] for r in rows(ledger)] == ["gus"]


def test_errors_are_in_the_api_format_and_not_retried(gateway: Gateway, recordings: Path) -> None:
    sdk = anthropic.Anthropic(api_key="ck-class-nobody", base_url=gateway.url, max_retries=2)
    with pytest.raises(anthropic.AuthenticationError) as refused:
        sdk.messages.create(model="claude-haiku-4-5", max_tokens=10, messages=[{"role": "user", "content": "Hi"}])
    assert refused.value.response.headers["x-should-retry"] == "false"
    assert refused.value.body["error"]["type"] == "authentication_error"  # type: ignore[index]


def test_a_stream_the_learner_stops_is_billed_once(ledger: Ledger, recordings: Path) -> None:
    with StandIn(reply=lambda body: "word " * 3000) as upstream, Gateway(ledger, upstream.url, REAL_KEY) as gateway:
        conversation = Conversation(client=client("live", recordings, gateway.url, key=ledger.issue("hal")), max_tokens=4000)
        pieces: list[str] = []
        for piece in conversation.stream("Talk for a long time.", stopped=lambda: len(pieces) >= 3):
            pieces.append(piece)
        deadline = time.monotonic() + 5
        while (not rows(ledger) or rows(ledger)[0][1] == "reserved") and time.monotonic() < deadline:
            time.sleep(0.05)  # reserved at once; settled when the gateway notices the learner left (its next write fails)
    assert conversation.replies[-1].stop_reason == "cut_off"
    assert len(rows(ledger)) == 1 and rows(ledger)[0][1] in ("left by the learner", "complete")
    assert rows(ledger)[0][2] > 0, rows(ledger)
