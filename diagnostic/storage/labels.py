"""A network's label applications, reviews, votes and events."""

from __future__ import annotations

from diagnostic.storage.repositories import _Repository


class LabelRepository(_Repository):
    pass
