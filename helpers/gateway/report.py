"""The teacher's usage report, as a text table or CSV."""

from __future__ import annotations

import csv
import io

from .ledger import REPORT_FIELDS, Ledger


def report_table(ledger: Ledger) -> str:
    """The usage report as a text table, with a line saying whether message content is logged."""
    rows = ledger.report()
    widths = {f: max([len(f)] + [len(str(r[f])) for r in rows]) for f in REPORT_FIELDS}
    lines = ["  ".join(f"{f:<{widths[f]}}" for f in REPORT_FIELDS)]
    lines += ["  ".join(f"{r[f]!s:<{widths[f]}}" for f in REPORT_FIELDS) for r in rows]
    logged = "ON (the teacher turned it on)" if ledger.logs_content() else "off (only token counts are stored)"
    return "\n".join([*lines, f"Message content logging: {logged}. Costs are estimates from helpers/memory/pricing.py."])


def report_csv(ledger: Ledger) -> str:
    """The usage report as CSV, with the content-logging state in a last comment line."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=REPORT_FIELDS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(ledger.report())
    out.write(f"# message content logged: {'yes' if ledger.logs_content() else 'no'}\n")
    return out.getvalue()
