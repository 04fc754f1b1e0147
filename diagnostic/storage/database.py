"""Engine creation and migrations: SQLite under data/ by default, PostgreSQL via DATABASE_URL."""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, create_engine, event

ROOT = Path(__file__).resolve().parent.parent.parent
MIGRATIONS = Path(__file__).resolve().parent / "migrations"
DEFAULT_SQLITE = ROOT / "data" / "autodiag.db"

_lock = threading.Lock()
_engines: dict[str, Engine] = {}


# How long one SQLite statement waits for another writer's lock; the repository retries on top.
BUSY_TIMEOUT_MS = int(os.environ.get("AUTODIAG_SQLITE_BUSY_MS", "5000"))


def database_url() -> str:
    return os.environ.get("DATABASE_URL") or f"sqlite:///{DEFAULT_SQLITE}"


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:  # the driver's connection
    # The driver would start a transaction only at the first write, so a read-then-write (the
    # compare-and-set of an answer) could read outside it and overwrite a concurrent write.
    # SQLAlchemy's documented recipe: let SQLAlchemy emit BEGIN itself (see _sqlite_begin).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")  # readers do not block the writer
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")  # wait for a lock rather than fail at once
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _sqlite_begin(connection: Connection) -> None:
    # A real snapshot from the first read: a write after someone else's commit then fails
    # ("database is locked"), and the repository retries it against the new state.
    connection.exec_driver_sql("BEGIN")


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": BUSY_TIMEOUT_MS / 1000})
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    # A stopped server must fail a request within seconds, not hang it.
    return create_engine(url, pool_pre_ping=True, connect_args={"connect_timeout": 5})


def migrate(engine: Engine) -> None:
    """Bring the schema to the latest Alembic revision."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    sqlite = engine.dialect.name == "sqlite"
    with engine.connect() as connection:
        if sqlite:  # a table rebuilt by a migration must not cascade its deletion (outside a transaction)
            connection.connection.driver_connection.execute("PRAGMA foreign_keys=OFF")  # type: ignore[union-attr]
        try:
            with connection.begin():
                config.attributes["connection"] = connection
                command.upgrade(config, "head")
                if sqlite:
                    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                    if broken:
                        raise RuntimeError(f"migration left broken references: {broken[:5]}")
        finally:
            if sqlite:
                connection.connection.driver_connection.execute("PRAGMA foreign_keys=ON")  # type: ignore[union-attr]


def get_engine(url: str | None = None) -> Engine:
    """One migrated engine per URL and process."""
    url = url or database_url()
    with _lock:
        if url not in _engines:
            engine = make_engine(url)
            migrate(engine)
            _engines[url] = engine
        return _engines[url]
