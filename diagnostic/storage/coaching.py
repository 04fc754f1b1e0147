"""Coaching notes and checked-with-client marks per answer."""

from __future__ import annotations

from diagnostic.storage.repositories import _Repository


class CoachingRepository(_Repository):
    pass
