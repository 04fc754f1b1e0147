"""A network's good practices and their moderation."""

from __future__ import annotations

from diagnostic.storage.repositories import _Repository


class PracticeRepository(_Repository):
    pass
