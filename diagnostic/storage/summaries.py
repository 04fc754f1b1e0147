"""The assessments' read model (summaries) and the portfolio's reads."""

from __future__ import annotations

from diagnostic.storage.repositories import _Repository


class SummaryRepository(_Repository):
    pass
