"""The application's log: text by default, one JSON line per event when AUTODIAG_LOG_FORMAT=json (for a
cluster's log collector), each line carrying the request, session, workspace and user it belongs to.

The fields are bound once per page run (app.py) in a context variable, so that every line written
during the run — a database error, a skipped file, the run itself — names them without being told.
The JSON formatter is python-json-logger's.
"""

from __future__ import annotations

import logging
import os
import sys
from contextvars import ContextVar
from typing import Any

from pythonjsonlogger.json import JsonFormatter

FIELDS = ("request_id", "session_id", "workspace_id", "user_id")
_bound: ContextVar[dict[str, Any] | None] = ContextVar("autodiag_log_fields", default=None)


def bind(**fields: Any) -> None:
    """Add fields to every line written from now on in this run (None leaves a field out)."""
    _bound.set({**(_bound.get() or {}), **{k: v for k, v in fields.items() if v is not None}})


def clear() -> None:
    _bound.set(None)


class _Context(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        for name in FIELDS:
            if not hasattr(record, name):
                setattr(record, name, (_bound.get() or {}).get(name))
        return True


def json_formatter() -> logging.Formatter:
    return JsonFormatter(
        "%(asctime)s %(levelname)s %(name)s %(message)s",
        rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
        timestamp=False,
    )


def configure(fmt: str | None = None, stream: Any = None) -> logging.Logger:
    """The "autodiag" logger: JSON lines to `stream` (stderr) when asked; otherwise left as it is."""
    fmt = fmt or os.environ.get("AUTODIAG_LOG_FORMAT", "text")
    log = logging.getLogger("autodiag")
    if fmt != "json":  # text: Streamlit's own logging setup writes the lines, as it always has
        return log
    for handler in [h for h in log.handlers if getattr(h, "_autodiag", False)]:
        log.removeHandler(handler)
    handler = logging.StreamHandler(stream or sys.stderr)
    handler._autodiag = True  # type: ignore[attr-defined]
    handler.addFilter(_Context())
    handler.setFormatter(json_formatter())
    log.setLevel(logging.INFO)
    log.propagate = False  # one line per event, not a second one through the root logger
    log.addHandler(handler)
    return log
