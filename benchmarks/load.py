"""make bench-load: many people answering at once, on one server with SQLite, one server with
PostgreSQL, and two servers behind HAProxy (deploy/cluster.sh).

Each simulated person speaks Streamlit's own WebSocket protocol (benchmarks/protocol.py): a Chromium
page per person would cost this machine more CPU than the servers under test. Each opens a respondent
group link of one assessment (the questionnaire a person fills in), then answers CLICKS times with a
pause of PAUSE seconds after each answer is drawn, as a person reads the next question and its five
levels. A click's time runs from the rerun request to the end of the run it triggered. One real
Chromium page answers among them at every level: its times say what a browser sees. Every wait is
bounded; a click that times out or fails is counted as an error, not a time. After each level the
database must hold an answer of every person who answered: the clicks were real.

Levels: 10, 25, 50 and 100 users in every setup, then more (150, 200, 300, 400) until p95 passes
500 ms. Reported per setup and level: p50, p95 and max click-to-rerun time, errors, answers per
second, the app servers' CPU seconds per answer and share of the machine, the simulated people's own
CPU share (the same machine), the resident memory per session (growth while the people's pages are
open ÷ people), and the first level whose p95 passes 500 ms.

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
from benchmarks.protocol import Person
from diagnostic.core.profile import Profile
from diagnostic.services import assessments, companies, participation, workspaces
from diagnostic.services.context import Context
from diagnostic.storage.database import make_engine, migrate
from diagnostic.storage.uow import SqlUnitOfWork
from tests.e2e import CHROMIUM, CHROMIUM_FLAGS, ROOT, Server, free_port

LEVELS = tuple(int(n) for n in os.environ.get("AUTODIAG_LOAD_LEVELS", "10 25 50 100 150 200 300 400").split())
ALWAYS = 100  # levels up to this one are measured in every setup; above, only until p95 passes SLOW_MS
SETUPS = tuple(os.environ.get("AUTODIAG_LOAD_SETUPS", "sqlite-1 postgresql-1 postgresql-2").split())
PG_URL = os.environ.get("AUTODIAG_BENCH_DATABASE_URL", "postgresql+psycopg://autodiag:autodiag@127.0.0.1:5432/autodiag_bench")
CLICKS = 6
PAUSE = (2.0, 8.0)  # seconds between two answers (decision 133)
WAIT = 30.0  # seconds: the bound of every wait for a run
ALONE_CLICKS, ALONE_WARM_UP = 40, 4  # one person alone: the CPU of an answer against the floor's
OPENING = 4  # people opening their link at once while the crowd arrives (opening is not measured)
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


async def _person(address: str, opened: asyncio.Semaphore) -> Person:
    """One simulated person with the link open (opening is not measured)."""
    person = Person(address, timeout=WAIT)
    async with opened:
        await person.open()
    return person


async def _answers(person: Person, seed: int) -> list[float]:
    mine = random.Random(seed)
    await asyncio.sleep(mine.uniform(0, PAUSE[1]))  # people do not start on the same second
    radios = person.radios()
    if not radios:
        raise RuntimeError("the respondent's page drew no question")
    times = []
    for done in range(CLICKS):
        # the first two options, in turn, round the radios shown: each click changes an answer
        radio = person.radios()[done % len(radios)]
        times.append(await person.answer(radio, (done // len(radios)) % 2))
        await asyncio.sleep(mine.uniform(*PAUSE))
    return times


async def _level(address: str, pids: list[int], users: int, db_url: str) -> dict[str, Any]:
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS, timeout=60_000)
        try:
            rss_before = _rss(pids)
            gate = asyncio.Semaphore(OPENING)
            opened = await asyncio.gather(*(_person(address, gate) for _ in range(users)), return_exceptions=True)
            people = [found for found in opened if isinstance(found, Person)]
            errors = [f"opening: {found}" for found in opened if isinstance(found, BaseException)]
            rss_open = _rss(pids)
            page = await _open(browser, address)  # one real browser among the crowd: what a browser sees

            async def watched(seed: int) -> list[float]:
                mine = random.Random(seed)
                await asyncio.sleep(mine.uniform(0, PAUSE[1]))
                return await _answer(page, mine, CLICKS, PAUSE)

            cpu_before, client_before, start = _cpu(pids), time.process_time(), time.perf_counter()
            results = await asyncio.gather(
                watched(SEED - 1), *(_answers(person, SEED + n) for n, person in enumerate(people)), return_exceptions=True
            )
            wall, cpu, client = time.perf_counter() - start, _cpu(pids) - cpu_before, time.process_time() - client_before
        finally:
            await browser.close()
    for person in people:
        await person.close()
    browser_ms = sorted(results[0]) if isinstance(results[0], list) else []
    errors += [f"answering: {found}" for found in results if isinstance(found, BaseException)]
    clicks = sorted(ms for found in results[1:] if isinstance(found, list) for ms in found)
    # each person is one respondent with answers: fewer means lost clicks, more means a person's clicks
    # went to several respondents (a client that does not follow the address the app sets)
    saved = _saved(db_url)
    answered = sum(1 for found in results if isinstance(found, list))
    if saved != answered and not errors:
        errors.append(f"{saved} respondents have an answer saved, {answered} people answered")
    answers = len(clicks) + len(browser_ms)
    return {
        "users": users,
        "clicks": len(clicks),
        "errors": len(errors),
        "first_errors": errors[:3],
        "p50_ms": _percentile(clicks, 50) if clicks else None,
        "p95_ms": _percentile(clicks, 95) if clicks else None,
        "max_ms": clicks[-1] if clicks else None,
        "browser_p50_ms": _percentile(browser_ms, 50) if browser_ms else None,
        "browser_max_ms": browser_ms[-1] if browser_ms else None,
        "answers_per_s": answers / wall,
        "server_cpu_ms_per_answer": 1000 * cpu / max(answers, 1),
        "server_cpu_share": cpu / wall / (os.cpu_count() or 1),
        "client_cpu_share": client / wall / (os.cpu_count() or 1),
        "memory_mb_per_session": (rss_open - rss_before) / max(len(people), 1) / 1e6,
    }


def _saved(db_url: str) -> int:
    """How many respondents have at least one answer saved: the proof that the clicks were real."""
    engine = create_engine(db_url)
    try:
        with engine.connect() as connection:
            return int(connection.execute(sql_text("SELECT COUNT(DISTINCT respondent_id) FROM respondent_answers")).scalar_one())
    finally:
        engine.dispose()


async def _alone(app: str, floor: str, app_pid: int, floor_pid: int) -> dict[str, Any]:
    mine, bare = Person(app, timeout=WAIT), Person(floor, timeout=WAIT)
    try:
        await mine.open()
        await bare.open()
        shown, floor_shown = len(mine.radios()), len(bare.radios())
        if shown != floor_shown:
            raise RuntimeError(f"the respondent's page shows {shown} radios, the floor page {floor_shown}")
        cpu = {app_pid: 0.0, floor_pid: 0.0}
        for done in range(ALONE_WARM_UP + ALONE_CLICKS):
            for person, pid in ((mine, app_pid), (bare, floor_pid)):  # interleaved: the machine weighs on both alike
                radio = person.radios()[done % shown]
                before = _cpu([pid])
                await person.answer(radio, (done // shown) % 2)
                if done >= ALONE_WARM_UP:
                    cpu[pid] += _cpu([pid]) - before
    finally:
        await mine.close()
        await bare.close()
    app_ms, floor_ms = 1000 * cpu[app_pid] / ALONE_CLICKS, 1000 * cpu[floor_pid] / ALONE_CLICKS
    return {
        "alone_answers": ALONE_CLICKS,
        "respondent_cpu_ms_per_answer": app_ms,
        "floor_cpu_ms_per_answer": floor_ms,
        "respondent_cpu_vs_floor_ratio": app_ms / floor_ms if floor_ms else None,
    }


def answer_cost() -> dict[str, Any]:
    """The server CPU of an answer on the respondent's page, alone on its server, against the floor
    page with the same widgets (benchmarks/floor_app.py, BENCH_FRAME=respondent), in the same run."""
    with tempfile.TemporaryDirectory() as folder:
        db_url = f"sqlite:///{folder}/alone.db"
        token = _link(db_url)
        app = Server(ROOT / "serve.py", db_url, log=Path(folder) / "app.log")
        floor = Server(ROOT / "benchmarks" / "floor_app.py", db_url, env={"BENCH_QUESTIONS": "1", "BENCH_FRAME": "respondent"})
        app.start()
        floor.start()
        try:
            assert app.process is not None and floor.process is not None
            return asyncio.run(_alone(f"{app.url}/?repondre={token}", f"{floor.url}/", app.process.pid, floor.process.pid))
        finally:
            app.stop()
            floor.stop()


def run() -> dict[str, Any]:
    figures: dict[str, Any] = {"date": date.today().isoformat(), "cores": os.cpu_count(), "setups": {}}
    figures["alone"] = answer_cost()
    print(json.dumps(figures["alone"]), flush=True)
    for setup in SETUPS:
        rows: list[dict[str, Any]] = []
        for users in LEVELS:
            if users > ALWAYS and any(r["p95_ms"] is None or r["p95_ms"] > SLOW_MS for r in rows):
                break
            with tempfile.TemporaryDirectory() as folder, _servers(setup, Path(folder)) as (address, pids, db_url):
                row = asyncio.run(_level(address, pids, users, db_url))
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
