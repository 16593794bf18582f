"""A key gateway for a class: learners call the Messages API through it, and only it holds the real key.

It holds the ledger (`ledger.py`: class keys, budgets, reservations and every request's usage in SQLite, WAL mode;
`report.py`: the teacher's report), the fair share of a class-wide rate limit (`fairshare.py`), who a request comes
from (`auth.py`: a class key the teacher issued, or a learner's JupyterHub API token, checked with JupyterHub's
HubAuth), the exact routes it serves (`routes.py`), what a reply used (`tally.py`), the Tornado server and its
request handler that forward to the real API (`server.py`, `handler.py`) and the teacher's commands (`cli.py`, run
as `python -m helpers.gateway`). It imports only the kit's core helpers (config, answers, reply) and, of the other
wings, the token estimate and the price table through names `helpers.memory` lists (`estimate_request_tokens`,
`estimate_tokens`, `PRICES`, `cost`); nothing here runs on import.
"""
