"""The class ledger on its own (no gateway, no server): keys, budgets, reservations, billing once, and the report, each
checked against numbers worked out by hand, so a budget off by one token or a reservation billed twice fails here."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import pytest

from helpers.gateway.ledger import (
    INTERRUPTED,
    Learner,
    Ledger,
    budget_text,
    estimated_cost,
    key_hash,
    seen,
    total_tokens,
)
from helpers.memory import PRICES, cost
from helpers.reply import Usage

HAIKU = "claude-haiku-4-5"


def rows(ledger: Ledger) -> list[tuple[object, ...]]:
    """Every usage row: id, learner, model, status, the four token counts, cost, content, upstream id."""
    with sqlite3.connect(ledger.path) as db:
        return db.execute("SELECT request_id, learner, model, status, input_tokens, output_tokens, "
                          "cache_creation_input_tokens, cache_read_input_tokens, cost_usd, content, upstream_id "
                          "FROM usage ORDER BY request_id").fetchall()


def test_a_key_is_shown_once_stored_hashed_and_replaced_by_the_next(ledger: Ledger) -> None:
    first = ledger.issue("ana")
    assert first.startswith("ck-class-") and len(first) == len("ck-class-") + 32  # 24 random bytes, URL-safe
    assert ledger.learner_for_key(first) == Learner("ana", None, None, False, True)
    with sqlite3.connect(ledger.path) as db:
        assert db.execute("SELECT key_hash FROM learners").fetchall() == [(key_hash(first),)]
    assert key_hash(first) != first and len(key_hash(first)) == 64
    ledger.revoke("ana")
    assert ledger.learner("ana") == Learner("ana", None, None, True, True)
    second = ledger.issue("ana", budget_usd=2.5, budget_tokens=1000)
    assert second != first and ledger.learner_for_key(first) is None
    assert ledger.learner_for_key(second) == Learner("ana", 2.5, 1000, False, True)  # a new key switches them back on
    assert ledger.learner("bo") is None and ledger.learner_for_key("ck-class-made-up") is None
    with pytest.raises(ValueError, match="^Give the learner a name, e.g. python -m helpers.gateway issue ana$"):
        ledger.issue("  ")


def test_a_hub_user_is_added_once_with_the_class_default_budget(ledger: Ledger) -> None:
    ledger.ensure("cy")
    assert ledger.learner("cy") == Learner("cy", None, None, False, False)
    ledger.set_setting("default_budget_usd", "0.75")
    ledger.ensure("di")
    ledger.ensure("cy")
    assert ledger.learner("di") == Learner("di", 0.75, None, False, False)
    assert ledger.learner("cy") == Learner("cy", None, None, False, False)  # already there: left as it was
    assert [learner.name for learner in ledger.learners()] == ["cy", "di"]


def test_budgets_revoking_and_settings_change_one_learner_or_say_who_is_unknown(ledger: Ledger) -> None:
    ledger.issue("ana")
    ledger.issue("bo")
    ledger.set_budget("ana", usd=0, tokens=0)  # nothing more for ana: 0 is a budget
    ledger.revoke("bo")
    assert ledger.learners() == [Learner("ana", 0, 0, False, True), Learner("bo", None, None, True, True)]
    ledger.set_budget("bo", usd=None, tokens=500)
    ledger.restore("bo")
    assert ledger.learners() == [Learner("ana", 0, 0, False, True), Learner("bo", None, 500, False, True)]
    for change in (lambda: ledger.revoke("zed"), lambda: ledger.restore("zed"),
                   lambda: ledger.set_budget("zed", usd=1, tokens=1)):
        with pytest.raises(KeyError, match="No learner named 'zed': see python -m helpers.gateway list"):
            change()
    for usd, tokens in ((-0.01, None), (None, -1)):
        with pytest.raises(ValueError, match="^A budget is a number of dollars or tokens, 0 or more.$"):
            ledger.set_budget("ana", usd=usd, tokens=tokens)
    assert ledger.setting("log_content") == "" and ledger.setting("log_content", "off") == "off"
    assert not ledger.logs_content()
    ledger.set_setting("log_content", "on")
    assert ledger.logs_content()
    ledger.set_setting("log_content", "off")
    assert ledger.setting("log_content") == "off" and not ledger.logs_content()


def test_an_answer_is_billed_once_and_its_content_kept_only_when_the_teacher_says(ledger: Ledger) -> None:
    usage = Usage(100, 20, 5, 7)
    assert ledger.record("r1", "ana", HAIKU, usage, "ok", content="Hi", upstream_id="msg_1")
    assert not ledger.record("r1", "ana", HAIKU, Usage(999, 999), "ok")  # the same id again: ignored
    ledger.set_setting("log_content", "on")
    assert ledger.record("r2", "ana", HAIKU, Usage(1, 1), "ok", content="Hello")
    assert rows(ledger) == [("r1", "ana", HAIKU, "ok", 100, 20, 5, 7, pytest.approx(cost(usage, HAIKU)), None, "msg_1"),
                            ("r2", "ana", HAIKU, "ok", 1, 1, 0, 0, pytest.approx(cost(Usage(1, 1), HAIKU)), "Hello", None)]
    assert ledger.entries() == 2
    assert ledger.spent("ana") == (pytest.approx(cost(usage, HAIKU) + cost(Usage(1, 1), HAIKU)), 134)
    assert ledger.spent("bo") == (0.0, 0)


def test_a_model_the_price_table_lacks_is_priced_at_its_dearest_row() -> None:
    usage = Usage(1_000_000, 1_000_000)
    assert estimated_cost(usage, HAIKU) == cost(usage, HAIKU) == 6.0
    assert estimated_cost(usage, "claude-someday-9") == max(cost(usage, model) for model in PRICES) == 30.0
    assert total_tokens(Usage(1, 20, 300, 4000)) == 4321


def test_a_token_budget_takes_a_worst_case_that_fits_exactly_and_refuses_one_token_more(ledger: Ledger) -> None:
    ledger.issue("ana", budget_tokens=100)
    assert ledger.reserve("q1", "ana", HAIKU, Usage(30, 30)) is None
    assert ledger.reserve("q2", "ana", HAIKU, Usage(21, 20)) == (
        "Class budget too small for this request: it could use up to 41 tokens (its input and max_tokens), and 40 tokens "
        "of your 100 tokens is left, so nothing was sent. Lower max_tokens, shorten the conversation, or ask your "
        "teacher to raise your budget.")
    assert ledger.reserve("q2", "ana", HAIKU, Usage(20, 20)) is None  # exactly the 40 left
    assert ledger.spent("ana")[1] == 100
    assert ledger.reserve("q3", "ana", HAIKU, Usage(1)) == (
        "Class budget used up: you have used your 100 tokens for this class, so nothing was sent. Ask your teacher "
        "to raise your budget.")
    assert [r[:8] for r in rows(ledger)] == [("q1", "ana", HAIKU, "reserved", 30, 30, 0, 0),
                                             ("q2", "ana", HAIKU, "reserved", 20, 20, 0, 0)]


def test_a_dollar_budget_is_checked_on_its_own(ledger: Ledger) -> None:
    worst = Usage(100_000, 10_000)  # $0.10 + $0.05 on haiku
    ledger.issue("ana", budget_usd=0.30)
    assert ledger.reserve("q1", "ana", HAIKU, worst) is None
    assert ledger.reserve("q2", "ana", HAIKU, worst) is None  # $0.30 reserved: exactly the budget
    assert ledger.spent("ana")[0] == pytest.approx(0.30)
    assert ledger.reserve("q3", "ana", HAIKU, Usage(1)) == (
        "Class budget used up: you have used your $0.30 for this class, so nothing was sent. Ask your teacher to raise "
        "your budget.")
    ledger.set_budget("ana", usd=0.40, tokens=None)
    assert ledger.reserve("q3", "ana", HAIKU, worst) == (
        "Class budget too small for this request: it could use up to $0.1500 (its input and max_tokens), and $0.1000 "
        "of your $0.40 is left, so nothing was sent. Lower max_tokens, shorten the conversation, or ask your teacher "
        "to raise your budget.")
    ledger.set_budget("ana", usd=None, tokens=None)
    assert ledger.reserve("q3", "ana", HAIKU, worst) is None  # no budget: no limit
    assert ledger.reserve("q4", "nobody", HAIKU, worst) is None  # an unknown learner has no budget row


def test_a_reservation_is_settled_once_released_only_while_open_and_kept_by_a_restart(ledger: Ledger) -> None:
    ledger.issue("ana", budget_tokens=1000)
    for request_id in ("q1", "q2", "q3"):
        assert ledger.reserve(request_id, "ana", HAIKU, Usage(100, 200)) is None
    ledger.set_setting("log_content", "on")
    assert ledger.settle("q1", Usage(10, 5, 1, 2), "ok", content="Hi", upstream_id="msg_1")
    assert not ledger.settle("q1", Usage(999), "ok")  # settled: never changed again
    assert not ledger.settle("nope", Usage(1), "ok")
    ledger.release("q2")
    ledger.release("q1")  # settled: stays
    assert ledger.spent("ana")[1] == 18 + 300
    assert ledger.close_open() == 1
    assert ledger.close_open() == 0
    assert rows(ledger) == [("q1", "ana", HAIKU, "ok", 10, 5, 1, 2, pytest.approx(cost(Usage(10, 5, 1, 2), HAIKU)), "Hi", "msg_1"),
                            ("q3", "ana", HAIKU, INTERRUPTED, 100, 200, 0, 0, pytest.approx(cost(Usage(100, 200), HAIKU)),
                             None, None)]
    ledger.set_setting("log_content", "off")
    assert ledger.reserve("q4", "ana", HAIKU, Usage(1)) is None
    assert ledger.settle("q4", Usage(1), "ok", content="secret")
    assert rows(ledger)[-1][9] is None  # content logging off: not kept


def test_a_failed_unit_of_work_leaves_nothing_behind(ledger: Ledger) -> None:
    with pytest.raises(RuntimeError), ledger.connect() as db:
        db.execute("INSERT INTO settings VALUES ('log_content', 'on')")
        raise RuntimeError("the gateway stopped here")
    assert ledger.setting("log_content") == ""
    assert ledger.journal_mode() == "wal"


def test_the_sync_mode_is_normal_or_full_and_nothing_else(tmp_path: Path) -> None:
    assert Ledger(tmp_path / "a.sqlite", synchronous="full").synchronous == "FULL"
    with pytest.raises(ValueError, match="synchronous is one of NORMAL, FULL, not 'OFF'"):
        Ledger(tmp_path / "b.sqlite", synchronous="OFF")
    ledger = Ledger(tmp_path / "c.sqlite", synchronous="full")
    with ledger.connect() as db:
        assert db.execute("PRAGMA synchronous").fetchone() == (2,)  # FULL
    with Ledger(tmp_path / "d.sqlite").connect() as db:
        assert db.execute("PRAGMA synchronous").fetchone() == (1,)  # NORMAL


def test_the_report_adds_up_each_learner(ledger: Ledger) -> None:
    ledger.issue("bo", budget_usd=1.5, budget_tokens=2000)
    ledger.issue("ana")
    ledger.revoke("ana")
    before = time.time()
    ledger.record("r1", "bo", HAIKU, Usage(100, 20, 5, 7), "ok")
    ledger.record("r2", "bo", HAIKU, Usage(1, 2, 3, 4), "ok")
    report = ledger.report()
    assert report[0] == {"learner": "ana", "requests": 0, "input_tokens": 0, "output_tokens": 0, "cache_write_tokens": 0,
                         "cache_read_tokens": 0, "estimated_cost_usd": 0, "budget": "none", "revoked": "yes",
                         "last_seen": "never"}
    bo = report[1]
    assert {k: v for k, v in bo.items() if k != "last_seen"} == {
        "learner": "bo", "requests": 2, "input_tokens": 101, "output_tokens": 22, "cache_write_tokens": 8,
        "cache_read_tokens": 11, "estimated_cost_usd": round(cost(Usage(101, 22, 8, 11), HAIKU), 6),
        "budget": "$1.50 and 2,000 tokens", "revoked": "no"}
    assert bo["last_seen"] in {seen(before), seen(time.time())}


def test_budgets_and_times_read_as_the_report_shows_them() -> None:
    assert budget_text(None, None) == "none"
    assert budget_text(2, None) == "$2.00"
    assert budget_text(None, 1_500_000) == "1,500,000 tokens"
    assert seen(None) == "never"
    assert seen(86_400 * 365 + 3_661) == "1971-01-01 01:01:01 UTC"


def test_each_thread_keeps_one_connection_that_waits_for_the_write_lock(ledger: Ledger) -> None:
    """A unit of work waits up to 30 s for another's write lock (a class of 30 writes at once), on a connection kept open."""
    import threading

    with ledger.connect() as db:
        assert db.execute("PRAGMA busy_timeout").fetchone() == (30_000,)
    assert ledger._connection() is ledger._connection()
    other: list[sqlite3.Connection] = []
    thread = threading.Thread(target=lambda: other.append(ledger._connection()))
    thread.start()
    thread.join()
    assert other[0] is not ledger._connection()


def test_opening_the_ledger_waits_30_s_for_another_writer_too(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The first connection (the schema's) waits as long as the per-thread ones: a hub restarting mid-class opens the file
    while the gateway writes. Each connection the ledger opens is asked its busy timeout (sqlite3's default is 5 s)."""
    import helpers.gateway.ledger as module

    waits: list[int] = []
    real = sqlite3.connect

    def connect(*args: object, **kwargs: object) -> sqlite3.Connection:
        db = real(*args, **kwargs)  # type: ignore[arg-type]
        waits.append(db.execute("PRAGMA busy_timeout").fetchone()[0])
        return db

    monkeypatch.setattr(module.sqlite3, "connect", connect)
    ledger = Ledger(tmp_path / "class.db")
    with ledger.connect():
        pass
    assert waits == [30_000, 30_000]
