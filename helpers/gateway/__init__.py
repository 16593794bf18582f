"""A key gateway for a class: learners call the Messages API through it, and only it holds the real key.

It holds the ledger (`ledger.py`: class keys, budgets and every request's usage in SQLite, WAL mode), the fair
share of a class-wide rate limit (`fairshare.py`), who a request comes from (`auth.py`: a class key the teacher
issued, or a learner's JupyterHub API token), the HTTP server that forwards to the real API (`server.py`) and the
teacher's commands (`cli.py`, run as `python -m helpers.gateway`). It imports only the kit's core helpers (config,
errors, reply) and, of the other wings, the price table through names `helpers.memory` lists (`PRICES`, `cost`);
nothing here runs on import.
"""
