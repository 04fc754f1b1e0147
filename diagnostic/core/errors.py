"""Errors the services raise for the user to read.

Each carries a message `code` (a key of the catalogues, diagnostic/locales/fr.yaml and en.yaml) and
`params` (the values of that text's {placeholders}). The services never translate: the edge that
knows the user's language (a page, the command line) calls diagnostic.i18n.error_text(exc, lang).
A parameter may itself be a Message (a key and its parameters), translated in the same language.
Parameters are given as they are: the edge escapes them for where it shows them (Markdown, PDF…).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Message:
    """A catalogue key and the values of its placeholders, to translate later (diagnostic.i18n)."""

    code: str
    params: Mapping[str, object] = field(default_factory=dict)


class DomainError(Exception):
    """An error meant for the user: `code` is its catalogue key, `params` the values of its placeholders.

    Subclasses set a default `code`; `code=` and `params=` (keyword only) replace or add to it.
    """

    code: str = "error.unexpected"

    def __init__(self, *args: object, code: str | None = None, params: Mapping[str, object] | None = None):
        super().__init__(*args)
        if code is not None:
            self.code = code
        self.params: dict[str, object] = dict(params or {})


class Conflict(DomainError):
    """Someone else changed what the screen showed since it was drawn: nothing was written.

    `current` is the stored value now (to show it), `by` who wrote it when known.
    Code "save.conflict", params {"who": by, or the Message "save.someone" when nobody is named}. A
    screen that knows more shows its own key with these params (a comment: "save.conflict_comment"
    with "mine"; a plan action: "plan.conflict").
    """

    code = "save.conflict"

    def __init__(
        self,
        current: Any = None,
        by: str = "",
        *,
        code: str | None = None,
        params: Mapping[str, object] | None = None,
    ):
        self.current = current
        self.by = by
        super().__init__(
            f"changed meanwhile by {by or 'someone else'}: {current!r}",
            code=code,
            params={"who": by or Message("save.someone"), **(params or {})},
        )


class Gone(DomainError):
    """The row the screen showed was deleted meanwhile (by another person or another tab).

    Code "save.gone", no params; the positional arguments (what was gone, in English) are for the log.
    """

    code = "save.gone"


class InputRefused(DomainError, ValueError):
    """What a person typed cannot be saved: `message_key` says why, `details` where (English).

    Code = `message_key` (e.g. "company.too_long"), params {"details": details} plus any `params=`.
    """

    def __init__(self, message_key: str, details: str = "", *, params: Mapping[str, object] | None = None):
        self.message_key = message_key
        self.details = details
        super().__init__(
            f"{message_key}: {details}" if details else message_key,
            code=message_key,
            params={"details": details, **(params or {})},
        )


class StorageUnavailable(DomainError):
    """The database did not answer in time (locked by another writer, stopped, unreachable).

    `busy` tells a lock that lasted too long from a database that cannot be reached.
    Code "error.database" (nothing is lost, try again), no params; where an answer was being saved the
    screen says more precisely "save.busy" or "save.unreachable" (pass code= to raise it so).
    """

    code = "error.database"

    def __init__(self, busy: bool, *, code: str | None = None, params: Mapping[str, object] | None = None):
        self.busy = busy
        super().__init__("database busy" if busy else "database unreachable", code=code, params=params)
