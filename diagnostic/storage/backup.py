"""Backing up and restoring the whole database, with the tools made for it: SQLite's online backup
(a consistent copy while the app runs) and PostgreSQL's pg_dump / pg_restore (custom format).

A backup is written to a temporary file beside the target, then renamed: a failed backup never leaves
a half-written file under the name asked for. A restore checks the file first (its kind matches the
database, it holds an Autodiag database) and replaces everything in one go (SQLite's backup API;
pg_restore in a single transaction), then brings the schema to the current migration.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import tempfile
from pathlib import Path

from sqlalchemy.engine import URL, make_url

from diagnostic.core.errors import DomainError
from diagnostic.storage.database import make_engine, migrate

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_MAGIC = b"PGDMP"  # pg_dump's custom format
TOOL_TIMEOUT = float(os.environ.get("AUTODIAG_BACKUP_TIMEOUT", "3600"))


class BackupFailed(DomainError):
    """A backup or a restore that could not be done; nothing was changed (code: the reason's key)."""

    code = "backup.failed"


def _sqlite_path(url: str) -> Path:
    return Path(url.split("///", 1)[-1])


def _pg(url: str) -> tuple[str, dict[str, str]]:
    """The libpq address (without its password) and the environment carrying the password: a password
    in a command line is visible to every user of the machine."""
    parsed = make_url(url)
    env = {**os.environ}
    if parsed.password:
        env["PGPASSWORD"] = str(parsed.password)
    bare = URL.create("postgresql", parsed.username, None, parsed.host, parsed.port, parsed.database, parsed.query)
    return bare.render_as_string(hide_password=False), env


def _tool(*command: str, env: dict[str, str] | None = None) -> None:
    if shutil.which(command[0]) is None:
        raise BackupFailed(code="backup.tool_missing", params={"tool": command[0]})
    try:
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=TOOL_TIMEOUT, check=False)
    except subprocess.TimeoutExpired:
        raise BackupFailed(code="backup.tool_failed", params={"tool": command[0], "details": "timeout"}) from None
    if done.returncode != 0:
        details = (done.stderr or done.stdout).strip().splitlines()
        raise BackupFailed(code="backup.tool_failed", params={"tool": command[0], "details": details[-1] if details else done.returncode})


def backup(url: str, target: Path) -> int:
    """Write a backup of the database at `url` to `target`; returns its size in bytes."""
    target = Path(target)
    if not target.parent.is_dir():
        raise BackupFailed(code="backup.no_folder", params={"path": str(target.parent)})
    handle, temporary = tempfile.mkstemp(prefix=".backup-", dir=target.parent)
    os.close(handle)
    try:
        if url.startswith("sqlite"):
            source = _sqlite_path(url)
            if not source.is_file():
                raise BackupFailed(code="backup.no_database", params={"path": str(source)})
            with sqlite3.connect(source) as live, sqlite3.connect(temporary) as copy:
                live.backup(copy)  # a consistent copy, even while the app writes
            copy.close()
            live.close()
        else:
            address, env = _pg(url)
            _tool("pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--file={temporary}", address, env=env)
        os.replace(temporary, target)
    finally:
        Path(temporary).unlink(missing_ok=True)
    return target.stat().st_size


def _checked(url: str, source: Path) -> None:
    """Refuse a file that is not a backup of this kind of database, or not of an Autodiag database."""
    if not source.is_file():
        raise BackupFailed(code="backup.no_file", params={"path": str(source)})
    with source.open("rb") as file:
        start = file.read(16)
    sqlite = url.startswith("sqlite")
    if sqlite and not start.startswith(SQLITE_MAGIC) or not sqlite and not start.startswith(PG_MAGIC):
        raise BackupFailed(code="backup.wrong_kind", params={"path": str(source), "kind": "SQLite" if sqlite else "PostgreSQL"})
    if sqlite:
        try:
            with sqlite3.connect(f"file:{source}?mode=ro", uri=True) as copy:
                copy.execute("SELECT version_num FROM alembic_version").fetchone()
            copy.close()
        except sqlite3.DatabaseError:
            raise BackupFailed(code="backup.not_autodiag", params={"path": str(source)}) from None
    else:
        listing = subprocess.run(["pg_restore", "--list", str(source)], capture_output=True, text=True, timeout=TOOL_TIMEOUT, check=False)
        if listing.returncode != 0 or " alembic_version" not in listing.stdout:
            raise BackupFailed(code="backup.not_autodiag", params={"path": str(source)})


def restore(url: str, source: Path) -> None:
    """Replace the whole database at `url` with the backup `source`, then migrate it to the current
    schema (a backup made by an older version is brought up to date)."""
    source = Path(source)
    _checked(url, source)
    if url.startswith("sqlite"):
        live_path = _sqlite_path(url)
        live_path.parent.mkdir(parents=True, exist_ok=True)
        with sqlite3.connect(f"file:{source}?mode=ro", uri=True) as copy, sqlite3.connect(live_path) as live:
            copy.backup(live)  # page by page, in one go for the readers
        copy.close()
        live.close()
    else:
        address, env = _pg(url)
        _tool("pg_restore", "--clean", "--if-exists", "--no-owner", "--no-privileges", "--single-transaction", f"--dbname={address}", str(source), env=env)
    engine = make_engine(url)
    try:
        migrate(engine)
    finally:
        engine.dispose()
