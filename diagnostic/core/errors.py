"""Errors the services raise for the user to read; each carries a message key of diagnostic/i18n.py."""

from __future__ import annotations

from typing import Any


class Conflict(Exception):
    """Someone else changed what the screen showed since it was drawn: nothing was written.

    `current` is the stored value now (to show it), `by` who wrote it when known.
    """

    def __init__(self, current: Any = None, by: str = ""):
        self.current = current
        self.by = by
        super().__init__(f"changed meanwhile by {by or 'someone else'}: {current!r}")


class Gone(Exception):
    """The row the screen showed was deleted meanwhile (by another person or another tab)."""


class InputRefused(ValueError):
    """What a person typed cannot be saved: `message_key` says why, `details` where (English)."""

    def __init__(self, message_key: str, details: str = ""):
        self.message_key = message_key
        self.details = details
        super().__init__(f"{message_key}: {details}" if details else message_key)


class StorageUnavailable(Exception):
    """The database did not answer in time (locked by another writer, stopped, unreachable).

    `busy` tells a lock that lasted too long from a database that cannot be reached.
    """

    def __init__(self, busy: bool):
        self.busy = busy
        super().__init__("database busy" if busy else "database unreachable")
