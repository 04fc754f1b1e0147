"""Network members, join codes and groups; the members' shared results."""

from __future__ import annotations

from diagnostic.storage.repositories import _Repository


class NetworkRepository(_Repository):
    pass
