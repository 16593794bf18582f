"""The teacher's commands: serve the gateway; issue, list and revoke class keys; set budgets; the usage report."""

from __future__ import annotations

import argparse
import os
import signal
import time
from pathlib import Path

from .ledger import Ledger, budget_text
from .report import report_csv, report_table
from .server import MAX_BODY, Gateway

DB_VAR = "CONVERSE_KIT_GATEWAY_DB"  # where the ledger lives
KEY_FILE_VAR = "CONVERSE_KIT_GATEWAY_KEY_FILE"  # a file only the gateway's user can read, holding the real key
UPSTREAM_VAR = "CONVERSE_KIT_GATEWAY_UPSTREAM"  # the real API (a stand-in's URL in tests)
DEFAULT_UPSTREAM = "https://api.anthropic.com"


def real_key(env: dict[str, str]) -> str:
    """The real key, from the gateway's own key file (or its own environment); never from an argument."""
    path = env.get(KEY_FILE_VAR, "")
    if path:
        return Path(path).read_text().strip()
    return env.get("ANTHROPIC_API_KEY", "").strip()


def parser() -> argparse.ArgumentParser:
    """The command line."""
    top = argparse.ArgumentParser(prog="python -m helpers.gateway", description=__doc__)
    top.add_argument("--db", default=os.environ.get(DB_VAR, "gateway.sqlite"), help=f"the ledger (or {DB_VAR})")
    top.add_argument("--sync", choices=("normal", "full"), default="normal",
                     help="ledger writes: normal survives a crash of the gateway; full also a power cut (slower)")
    sub = top.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="run the gateway until stopped")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (0.0.0.0: every network of this machine)")
    serve.add_argument("--port", type=int, default=int(os.environ.get("CONVERSE_KIT_GATEWAY_PORT", "9911")))
    serve.add_argument("--upstream", default=os.environ.get(UPSTREAM_VAR, DEFAULT_UPSTREAM),
                       help=f"the API requests are forwarded to, with the real key (default {DEFAULT_UPSTREAM}, or "
                            f"{UPSTREAM_VAR}); for a rehearsal, the kit's stand-in: python -m helpers.standin, then "
                            "--upstream http://127.0.0.1:<its port> with a dummy key file")
    serve.add_argument("--rate", type=float, default=None, help="class-wide requests a second, shared fairly")
    serve.add_argument("--patience", type=float, default=90.0, help="seconds a request may wait for its turn")
    serve.add_argument("--max-body", type=int, default=MAX_BODY, help="largest request body, in bytes")
    issue = sub.add_parser("issue", help="issue a class key to a learner (shown once)")
    issue.add_argument("name")
    issue.add_argument("--usd", type=float, default=None, help="budget in US dollars")
    issue.add_argument("--tokens", type=int, default=None, help="budget in tokens")
    sub.add_parser("list", help="every learner: budget, revoked, key issued")
    for verb in ("revoke", "restore"):
        sub.add_parser(verb, help=f"{verb} a learner's access").add_argument("name")
    budget = sub.add_parser("budget", help="set a learner's budget ('default' sets it for new hub users)")
    budget.add_argument("name")
    budget.add_argument("--usd", type=float, default=None)
    budget.add_argument("--tokens", type=int, default=None)
    report = sub.add_parser("report", help="usage per learner, as a table (or CSV with --csv FILE)")
    report.add_argument("--csv", default=None)
    sub.add_parser("log-content", help="store message content with usage from now on").add_argument(
        "state", choices=("on", "off"))
    return top


def stop_on_signal(number: int, frame: object) -> None:
    """Stop serving on SIGTERM as on Ctrl-C (the hub stops its services this way)."""
    raise KeyboardInterrupt


def serve(ledger: Ledger, args: argparse.Namespace) -> int:
    """Run the gateway in the foreground until SIGTERM or Ctrl-C."""
    env = dict(os.environ)
    gateway = Gateway(ledger, args.upstream, real_key(env), hub_api_url=env.get("JUPYTERHUB_API_URL"),
                      hub_token=env.get("JUPYTERHUB_API_TOKEN", ""), rate=args.rate, patience=args.patience,
                      max_body=args.max_body, host=args.host, port=args.port,
                      prefix=env.get("JUPYTERHUB_SERVICE_PREFIX", ""))
    signal.signal(signal.SIGTERM, stop_on_signal)
    interrupted = ledger.close_open()
    if interrupted:
        print(f"{interrupted} request(s) were on their way when the gateway last stopped: billed at their reservation "
              "(their worst case).", flush=True)
    with gateway:
        hub = " and JupyterHub tokens" if env.get("JUPYTERHUB_API_URL") else ""
        print(f"Class gateway at {gateway.url} -> {args.upstream}; class keys{hub} accepted; ledger {ledger.path}",
              flush=True)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            return 0


def main(argv: list[str] | None = None) -> int:
    """Run one teacher command."""
    args = parser().parse_args(argv)
    ledger = Ledger(args.db, synchronous=args.sync)
    try:
        return run(ledger, args)
    except (KeyError, ValueError) as problem:
        print(str(problem).strip("'\""))
        return 2


def run(ledger: Ledger, args: argparse.Namespace) -> int:
    """Carry out a parsed command."""
    if args.command == "serve":
        return serve(ledger, args)
    if args.command == "issue":
        key = ledger.issue(args.name, budget_usd=args.usd, budget_tokens=args.tokens)
        print(f"Class key for {args.name} (shown once; give it to them privately):\n{key}")
    elif args.command == "list":
        for learner in ledger.learners():
            print(f"{learner.name:20} budget: {budget_text(learner.budget_usd, learner.budget_tokens):24} "
                  f"revoked: {'yes' if learner.revoked else 'no':3}  class key: {'yes' if learner.has_key else 'no'}")
    elif args.command in ("revoke", "restore"):
        getattr(ledger, args.command)(args.name)
        print(f"{args.name}: {'revoked' if args.command == 'revoke' else 'restored'}.")
    elif args.command == "budget":
        if args.name == "default":
            ledger.set_setting("default_budget_usd", "" if args.usd is None else str(args.usd))
        else:
            ledger.set_budget(args.name, usd=args.usd, tokens=args.tokens)
        print(f"Budget of {args.name}: {budget_text(args.usd, args.tokens)}.")
    elif args.command == "report":
        if args.csv:
            Path(args.csv).write_text(report_csv(ledger))
            print(f"Wrote {args.csv}")
        print(report_table(ledger))
    elif args.command == "log-content":
        ledger.set_setting("log_content", args.state)
        print(f"Message content logging: {args.state}.")
    return 0
