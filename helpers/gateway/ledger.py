"""The gateway's ledger in SQLite (WAL mode): class keys, budgets, reservations and every request's usage."""

from __future__ import annotations

import hashlib
import secrets
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from ..memory import PRICES, cost
from ..reply import Usage

INTERRUPTED = "interrupted: billed at its reservation"  # the gateway stopped mid-request
# WAL with NORMAL: a commit survives the gateway's crash (kill -9, out of memory), and may be lost to a power cut or an
# OS crash; FULL also survives those, at one fsync a write (see sqlite.org/pragma.html#pragma_synchronous; the guide).
SYNC_MODES = ("NORMAL", "FULL")
KEY_PREFIX = "ck-class-"  # a class key, issued by the teacher; anything else is tried as a JupyterHub token
SCHEMA = """
CREATE TABLE IF NOT EXISTS learners (
    name TEXT PRIMARY KEY, key_hash TEXT UNIQUE, budget_usd REAL, budget_tokens INTEGER,
    revoked INTEGER NOT NULL DEFAULT 0, created REAL NOT NULL);
CREATE TABLE IF NOT EXISTS usage (
    request_id TEXT PRIMARY KEY, learner TEXT NOT NULL, model TEXT NOT NULL, status TEXT NOT NULL,
    input_tokens INTEGER NOT NULL, output_tokens INTEGER NOT NULL, cache_creation_input_tokens INTEGER NOT NULL,
    cache_read_input_tokens INTEGER NOT NULL, cost_usd REAL NOT NULL, at REAL NOT NULL, content TEXT,
    upstream_id TEXT);
CREATE TABLE IF NOT EXISTS settings (name TEXT PRIMARY KEY, value TEXT NOT NULL);
"""
REPORT_FIELDS = ("learner", "requests", "input_tokens", "output_tokens", "cache_write_tokens", "cache_read_tokens",
                 "estimated_cost_usd", "budget", "revoked", "last_seen")


def key_hash(key: str) -> str:
    """The stored form of a class key: its SHA-256 (the key itself is shown once, when issued)."""
    return hashlib.sha256(key.encode()).hexdigest()


def estimated_cost(usage: Usage, model: str) -> float:
    """The cost from the kit's price table; a model the table lacks is priced at its dearest row (the kit's choice)."""
    if model in PRICES:
        return cost(usage, model)
    return max(cost(usage, known) for known in PRICES)


@dataclass(frozen=True)
class Learner:
    """One learner as the ledger knows them."""

    name: str
    budget_usd: float | None
    budget_tokens: int | None
    revoked: bool
    has_key: bool


class Ledger:
    """Class keys, budgets and usage in one SQLite file; every write is committed before the answer goes out."""

    def __init__(self, path: Path | str, *, synchronous: str = "NORMAL") -> None:
        if synchronous.upper() not in SYNC_MODES:
            raise ValueError(f"synchronous is one of {', '.join(SYNC_MODES)}, not {synchronous!r}.")
        self.path, self.synchronous = Path(path), synchronous.upper()
        db = sqlite3.connect(self.path, timeout=30.0)
        try:
            db.execute("PRAGMA journal_mode=WAL")  # readers (the report) never block the gateway's writes
            db.executescript(SCHEMA)
        finally:
            db.close()
        self._local = threading.local()  # one connection per thread, opened on its first unit of work

    def _connection(self) -> sqlite3.Connection:
        """This thread's connection (kept open: opening one per call, and the checkpoint at each last close, cost ms)."""
        db: sqlite3.Connection | None = getattr(self._local, "db", None)
        if db is None:
            db = sqlite3.connect(self.path, timeout=30.0, isolation_level=None)
            db.execute(f"PRAGMA synchronous={self.synchronous}")
            self._local.db = db
        return db

    @contextmanager
    def connect(self) -> Iterator[sqlite3.Connection]:
        """This thread's connection for one unit of work, in one transaction that takes the write lock, committed on
        success (so two reservations are never checked against the same balance)."""
        db = self._connection()
        db.execute("BEGIN IMMEDIATE")
        try:
            yield db
            db.execute("COMMIT")
        except BaseException:
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise

    def journal_mode(self) -> str:
        """The database's journal mode (WAL once the ledger has opened it)."""
        db = sqlite3.connect(self.path)
        try:
            return str(db.execute("PRAGMA journal_mode").fetchone()[0])
        finally:
            db.close()

    def issue(self, name: str, *, budget_usd: float | None = None, budget_tokens: int | None = None) -> str:
        """A new class key for a learner (replacing any earlier key); the key is returned once and stored hashed."""
        if not name.strip():
            raise ValueError("Give the learner a name, e.g. python -m helpers.gateway issue ana")
        key = KEY_PREFIX + secrets.token_urlsafe(24)
        with self.connect() as db:
            db.execute("INSERT INTO learners (name, created) VALUES (?, ?) ON CONFLICT(name) DO NOTHING",
                       (name, time.time()))
            db.execute("UPDATE learners SET key_hash = ?, revoked = 0 WHERE name = ?", (key_hash(key), name))
        if budget_usd is not None or budget_tokens is not None:
            self.set_budget(name, usd=budget_usd, tokens=budget_tokens)
        return key

    def ensure(self, name: str) -> None:
        """Make sure a learner exists (a hub user is added on their first request, with the class default budget)."""
        with self.connect() as db:
            row = db.execute("SELECT value FROM settings WHERE name = 'default_budget_usd'").fetchone()
            db.execute("INSERT INTO learners (name, created, budget_usd) VALUES (?, ?, ?) ON CONFLICT(name) DO NOTHING",
                       (name, time.time(), float(row[0]) if row and row[0] else None))

    def learner_for_key(self, key: str) -> Learner | None:
        """The learner a class key belongs to, or None for a key this class never issued."""
        return self._learner("key_hash = ?", key_hash(key))

    def learner(self, name: str) -> Learner | None:
        """A learner by name, or None."""
        return self._learner("name = ?", name)

    def _learner(self, where: str, value: str) -> Learner | None:
        """One learner row, read."""
        with self.connect() as db:
            row = db.execute(f"SELECT name, budget_usd, budget_tokens, revoked, key_hash FROM learners WHERE {where}",
                             (value,)).fetchone()
        return None if row is None else Learner(row[0], row[1], row[2], bool(row[3]), row[4] is not None)

    def learners(self) -> list[Learner]:
        """Every learner, by name."""
        with self.connect() as db:
            rows = db.execute("SELECT name, budget_usd, budget_tokens, revoked, key_hash FROM learners ORDER BY name")
            return [Learner(r[0], r[1], r[2], bool(r[3]), r[4] is not None) for r in rows.fetchall()]

    def revoke(self, name: str) -> None:
        """Switch a learner off: their key (or hub token) is refused from the next request on."""
        self._update(name, "revoked = 1")

    def restore(self, name: str) -> None:
        """Switch a revoked learner back on."""
        self._update(name, "revoked = 0")

    def set_budget(self, name: str, *, usd: float | None, tokens: int | None) -> None:
        """Set a learner's budget in dollars and/or tokens (None: no limit of that kind)."""
        if (usd is not None and usd < 0) or (tokens is not None and tokens < 0):
            raise ValueError("A budget is a number of dollars or tokens, 0 or more.")
        self._update(name, "budget_usd = ?, budget_tokens = ?", usd, tokens)

    def _update(self, name: str, assignment: str, *values: object) -> None:
        """Change one learner's row, or say the learner is unknown."""
        with self.connect() as db:
            changed = db.execute(f"UPDATE learners SET {assignment} WHERE name = ?", (*values, name)).rowcount
        if not changed:
            raise KeyError(f"No learner named {name!r}: see python -m helpers.gateway list")

    def setting(self, name: str, default: str = "") -> str:
        """A class-wide setting (log_content, default_budget_usd)."""
        with self.connect() as db:
            row = db.execute("SELECT value FROM settings WHERE name = ?", (name,)).fetchone()
        return str(row[0]) if row else default

    def set_setting(self, name: str, value: str) -> None:
        """Change a class-wide setting."""
        with self.connect() as db:
            db.execute("INSERT INTO settings VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET value = excluded.value",
                       (name, value))

    def logs_content(self) -> bool:
        """Whether message content is stored with usage (off unless the teacher turns it on)."""
        return self.setting("log_content", "off") == "on"

    def record(self, request_id: str, learner: str, model: str, usage: Usage, status: str,
               content: str | None = None, upstream_id: str | None = None) -> bool:
        """Bill one upstream answer, once: the gateway's id for it is the key, so a second write is ignored."""
        kept = content if self.logs_content() else None
        with self.connect() as db:
            return db.execute(
                "INSERT INTO usage VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(request_id) DO NOTHING",
                (request_id, learner, model, status, usage.input_tokens, usage.output_tokens,
                 usage.cache_creation_input_tokens, usage.cache_read_input_tokens, estimated_cost(usage, model),
                 time.time(), kept, upstream_id)).rowcount == 1

    def reserve(self, request_id: str, name: str, model: str, worst: Usage) -> str | None:
        """Write a request's worst case into the ledger before it is sent, if it fits the budget; else say why not.

        One reservation at a time (BEGIN IMMEDIATE), so parallel requests can never together pass the budget; the
        entry is committed before the request leaves, so a gateway killed mid-request still holds it (write-ahead).
        """
        with self.connect() as db:
            row = db.execute("SELECT budget_usd, budget_tokens FROM learners WHERE name = ?", (name,)).fetchone()
            usd, tokens = row if row else (None, None)
            dollars, used = spent_in(db, name)
            need_usd, need = estimated_cost(worst, model), total_tokens(worst)
            if usd is not None and dollars + need_usd > usd:
                return budget_refusal(f"${usd:.2f}", dollars >= usd, f"${usd - dollars:.4f}", f"${need_usd:.4f}")
            if tokens is not None and used + need > tokens:
                return budget_refusal(f"{tokens:,} tokens", used >= tokens, f"{tokens - used:,} tokens", f"{need:,} tokens")
            db.execute("INSERT INTO usage VALUES (?, ?, ?, 'reserved', ?, ?, ?, ?, ?, ?, NULL, NULL)",
                       (request_id, name, model, worst.input_tokens, worst.output_tokens, worst.cache_creation_input_tokens,
                        worst.cache_read_input_tokens, need_usd, time.time()))
        return None

    def settle(self, request_id: str, usage: Usage, status: str, content: str | None = None,
               upstream_id: str | None = None) -> bool:
        """Replace a reservation by what the request really used, once (a settled entry is never changed again)."""
        with self.connect() as db:
            logged = db.execute("SELECT value FROM settings WHERE name = 'log_content'").fetchone()
            kept = content if logged and logged[0] == "on" else None
            model = db.execute("SELECT model FROM usage WHERE request_id = ? AND status = 'reserved'",
                               (request_id,)).fetchone()
            if model is None:
                return False
            db.execute("UPDATE usage SET status = ?, input_tokens = ?, output_tokens = ?, cache_creation_input_tokens = ?,"
                       " cache_read_input_tokens = ?, cost_usd = ?, at = ?, content = ?, upstream_id = ?"
                       " WHERE request_id = ?",
                       (status, usage.input_tokens, usage.output_tokens, usage.cache_creation_input_tokens,
                        usage.cache_read_input_tokens, estimated_cost(usage, model[0]), time.time(), kept, upstream_id,
                        request_id))
        return True

    def release(self, request_id: str) -> None:
        """Drop a reservation whose request the API never answered with a reply (refused, unreachable, an error)."""
        with self.connect() as db:
            db.execute("DELETE FROM usage WHERE request_id = ? AND status = 'reserved'", (request_id,))

    def close_open(self) -> int:
        """At start: reservations left by a gateway that was stopped mid-request stay billed at their worst case."""
        with self.connect() as db:
            return int(db.execute("UPDATE usage SET status = ? WHERE status = 'reserved'", (INTERRUPTED,)).rowcount)

    def spent(self, name: str) -> tuple[float, int]:
        """What a learner has used so far (reservations at their worst case): estimated dollars and tokens."""
        with self.connect() as db:
            return spent_in(db, name)

    def entries(self) -> int:
        """How many requests the ledger holds."""
        with self.connect() as db:
            return int(db.execute("SELECT COUNT(*) FROM usage").fetchone()[0])

    def report(self) -> list[dict[str, str | int | float]]:
        """Per learner: requests, input/output/cache tokens, estimated cost, budget, revoked, last seen."""
        with self.connect() as db:
            rows = db.execute(
                "SELECT l.name, COUNT(u.request_id), COALESCE(SUM(u.input_tokens), 0), COALESCE(SUM(u.output_tokens), 0),"
                " COALESCE(SUM(u.cache_creation_input_tokens), 0), COALESCE(SUM(u.cache_read_input_tokens), 0),"
                " COALESCE(SUM(u.cost_usd), 0), l.budget_usd, l.budget_tokens, l.revoked, MAX(u.at)"
                " FROM learners l LEFT JOIN usage u ON u.learner = l.name GROUP BY l.name ORDER BY l.name").fetchall()
        return [dict(zip(REPORT_FIELDS, (r[0], r[1], r[2], r[3], r[4], r[5], round(r[6], 6), budget_text(r[7], r[8]),
                                        "yes" if r[9] else "no", seen(r[10])), strict=True)) for r in rows]


def spent_in(db: sqlite3.Connection, name: str) -> tuple[float, int]:
    """A learner's estimated dollars and tokens of every kind so far, read in an open transaction."""
    row = db.execute("SELECT COALESCE(SUM(cost_usd), 0), COALESCE(SUM(input_tokens + output_tokens + "
                     "cache_creation_input_tokens + cache_read_input_tokens), 0) FROM usage WHERE learner = ?",
                     (name,)).fetchone()
    return float(row[0]), int(row[1])


def total_tokens(usage: Usage) -> int:
    """Tokens of every kind in a usage."""
    return usage.input_tokens + usage.output_tokens + usage.cache_creation_input_tokens + usage.cache_read_input_tokens


def budget_refusal(budget: str, used_up: bool, left: str, need: str) -> str:
    """The 402's message: the budget is used up, or too little of it is left for this request's worst case."""
    if used_up:
        return (f"Class budget used up: you have used your {budget} for this class, so nothing was sent. "
                "Ask your teacher to raise your budget.")
    return (f"Class budget too small for this request: it could use up to {need} (its input and max_tokens), and "
            f"{left} of your {budget} is left, so nothing was sent. Lower max_tokens, shorten the conversation, "
            "or ask your teacher to raise your budget.")


def budget_text(usd: float | None, tokens: int | None) -> str:
    """A budget as the report shows it."""
    parts = ([f"${usd:.2f}"] if usd is not None else []) + ([f"{tokens:,} tokens"] if tokens is not None else [])
    return " and ".join(parts) or "none"


def seen(at: float | None) -> str:
    """A time as the report shows it (UTC), or 'never'."""
    return time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(at)) if at else "never"
