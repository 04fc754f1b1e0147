"""A workspace's audit log as CSV, for the page's download and `python -m diagnostic admin audit`."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from diagnostic.exports.excel import formula_like
from diagnostic.storage.records import AuditRecord

AUDIT_COLUMNS = ("id", "at", "actor", "action", "target", "detail")


def audit_csv(events: Sequence[AuditRecord]) -> str:
    """The audit log as CSV; a cell a spreadsheet could take for a formula starts with an apostrophe."""

    def cell(value: object) -> str:
        text = value.isoformat() if hasattr(value, "isoformat") else str(value)
        return "'" + text if formula_like(text) else text

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(AUDIT_COLUMNS)
    writer.writerows([cell(getattr(event, column)) for column in AUDIT_COLUMNS] for event in events)
    return out.getvalue()
