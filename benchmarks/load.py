"""make bench-load: many people answering at once, on one server with SQLite, one server with
PostgreSQL, and two servers behind HAProxy (deploy/cluster.sh), at 10, 25, 50 and 100 users.

Each simulated user is a Chromium context of its own that opens a respondent group link of one
assessment (the questionnaire a person fills in) and clicks 5 answers with a pause of 0.3 to 0.8 s
after each answer is drawn, as a person reads. A click's time runs, in the browser, from the click to
the end of the run it triggered (the run watcher of tests/e2e.py). Every wait is bounded; a click
that times out is counted as an error, not a time.

Reported per setup and level: p50, p95 and max click-to-rerun time, errors, the app servers' CPU
seconds per answer, their resident memory per session (growth while the users' pages are open ÷
users), and the first level whose p95 passes 500 ms. The browser shares the machine with the servers:
on a small machine the crowd's pages weigh on the times too (their CPU share is reported).

python -m benchmarks.load  [AUTODIAG_LOAD_LEVELS="10 25"  AUTODIAG_LOAD_SETUPS="sqlite-1 postgresql-2"]
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine
from sqlalchemy import text as sql_text
from sqlalchemy.engine import make_url

from benchmarks.participation import _answer, _open, _percentile, _stat
from diagnostic.core.profile import Profile
from diagnostic.services import assessments, companies, participation, workspaces
from diagnostic.services.context import Context
from diagnostic.storage.database import make_engine, migrate
from diagnostic.storage.uow import SqlUnitOfWork
from tests.e2e import CHROMIUM, CHROMIUM_FLAGS, ROOT, Server, free_port

LEVELS = tuple(int(n) for n in os.environ.get("AUTODIAG_LOAD_LEVELS", "10 25 50 100").split())
SETUPS = tuple(os.environ.get("AUTODIAG_LOAD_SETUPS", "sqlite-1 postgresql-1 postgresql-2").split())
PG_URL = os.environ.get("AUTODIAG_BENCH_DATABASE_URL", "postgresql+psycopg://autodiag:autodiag@127.0.0.1:5432/autodiag_bench")
CLICKS = 5
OPENING = 3  # pages loading at once while the users arrive (opening is not measured)
SLOW_MS = 500.0
SEED = 20_261_201
TICKS = os.sysconf("SC_CLK_TCK")
PAGE_BYTES = os.sysconf("SC_PAGE_SIZE")
RESULTS = Path(__file__).with_name("results")


def _fresh_pg() -> str:
    base = make_url(PG_URL)
    admin = create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sql_text(f'DROP DATABASE IF EXISTS "{base.database}" WITH (FORCE)'))
        connection.execute(sql_text(f'CREATE DATABASE "{base.database}"'))
    admin.dispose()
    return PG_URL


def _link(db_url: str) -> str:
    """A migrated database with one assessment opened to its staff by one group link: its token."""
    engine = make_engine(db_url)
    migrate(engine)
    uow = SqlUnitOfWork(engine)
    ctx = Context(uow, workspaces.local_actor(uow), "fr")
    company = companies.save_company(ctx, None, "Bench Charge", Profile(headcount_band="50-249", sector="16.23Z"))
    assessment = assessments.start_assessment(ctx, company.id, "rse-performance-globale")
    opened = participation.open_participation(ctx, assessment.id, k=3, comment_k=3)
    staff = next(g.group.id for g in opened.groups if g.group.key == "staff")
    token = participation.create_link(ctx, assessment.id, staff).token
    engine.dispose()
    return token


def _cpu(pids: list[int]) -> float:
    total = 0.0
    for pid in pids:
        fields = _stat(pid)
        total += (int(fields[11]) + int(fields[12])) / TICKS
    return total


def _rss(pids: list[int]) -> float:
    return sum(int(_stat(pid)[21]) * PAGE_BYTES for pid in pids)


@contextmanager
def _servers(setup: str, folder: Path) -> Iterator[tuple[str, list[int], str]]:
    """(the address users open, the app servers' pids, the database URL) for a setup."""
    kind, count = setup.split("-")
    db_url = f"sqlite:///{folder / 'load.db'}" if kind == "sqlite" else _fresh_pg()
    token = _link(db_url)
    if count == "1":
        server = Server(ROOT / "serve.py", db_url, log=folder / "server.log")
        server.start()
        try:
            assert server.process is not None
            yield f"{server.url}/?repondre={token}", [server.process.pid], db_url
        finally:
            server.stop()
        return
    ports, proxy = [free_port(), free_port()], free_port()
    env = {
        **os.environ, "DATABASE_URL": db_url, "AUTODIAG_CLUSTER_RUN": str(folder / "cluster"), "AUTODIAG_PROXY_PORT": str(proxy),
        "AUTODIAG_APP_PORTS": " ".join(map(str, ports)), "PYTHON": str(ROOT / ".venv" / "bin" / "python"), "AUTODIAG_LOG_FORMAT": "text",
    }  # fmt: skip
    script = str(ROOT / "deploy" / "cluster.sh")
    started = subprocess.run([script, "start"], env=env, capture_output=True, text=True, timeout=180)
    try:
        if started.returncode != 0:
            raise RuntimeError(f"the cluster did not start: {started.stderr[-2000:]}")
        pids = [int((folder / "cluster" / f"app-{port}.pid").read_text()) for port in ports]
        yield f"http://127.0.0.1:{proxy}/?repondre={token}", pids, db_url
    finally:
        subprocess.run([script, "stop"], env=env, capture_output=True, text=True, timeout=60)


async def _level(address: str, pids: list[int], users: int) -> dict[str, Any]:
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS, timeout=60_000)
        try:
            rss_before = _rss(pids)
            gate = asyncio.Semaphore(OPENING)
            pages = await asyncio.gather(*(_open(browser, address, gate) for _ in range(users)))
            rss_open = _rss(pids)
            errors = 0

            async def person(page: Any, seed: int) -> list[float]:
                nonlocal errors
                mine = random.Random(seed)
                await asyncio.sleep(mine.uniform(0, 0.8))
                try:
                    return await _answer(page, mine, CLICKS)
                except (TimeoutError, RuntimeError):
                    errors += 1
                    return []

            cpu_before, start = _cpu(pids), time.perf_counter()
            times = await asyncio.gather(*(person(page, SEED + n) for n, page in enumerate(pages)))
            wall, cpu = time.perf_counter() - start, _cpu(pids) - cpu_before
        finally:
            await browser.close()
    clicks = sorted(ms for mine in times for ms in mine)
    return {
        "users": users,
        "clicks": len(clicks),
        "errors": errors,
        "p50_ms": _percentile(clicks, 50) if clicks else None,
        "p95_ms": _percentile(clicks, 95) if clicks else None,
        "max_ms": clicks[-1] if clicks else None,
        "server_cpu_ms_per_answer": 1000 * cpu / max(len(clicks), 1),
        "server_cpu_share": cpu / wall / (os.cpu_count() or 1),
        "memory_mb_per_session": (rss_open - rss_before) / users / 1e6,
    }


def run() -> dict[str, Any]:
    figures: dict[str, Any] = {"date": date.today().isoformat(), "cores": os.cpu_count(), "setups": {}}
    for setup in SETUPS:
        rows = []
        for users in LEVELS:
            with tempfile.TemporaryDirectory() as folder, _servers(setup, Path(folder)) as (address, pids, _):
                row = asyncio.run(_level(address, pids, users))
            rows.append(row)
            print(json.dumps({"setup": setup, **row}), flush=True)
        slow = next((r["users"] for r in rows if r["p95_ms"] is None or r["p95_ms"] > SLOW_MS), None)
        figures["setups"][setup] = {"levels": rows, "first_level_with_p95_over_500_ms": slow}
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"load-{figures['date']}.json").write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    return figures


if __name__ == "__main__":
    found = run()
    for setup, data in found["setups"].items():
        print(f"{setup}: p95 first over 500 ms at {data['first_level_with_p95_over_500_ms'] or 'none of'} users")
