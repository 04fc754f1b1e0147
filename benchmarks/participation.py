"""The participative diagnostic's figures: the consolidation of many responses, and many respondents
answering at the same time on one server.

(a) `consolidate` (diagnostic/core/consolidation.py) on the full questionnaire: 200 completed
    respondents in the five groups (40 each; the default modes: direction and consultant named, the
    others anonymous), each answering the same 80 scored questions with random valid answers (fixed
    seed; a few "don't know" and "N/A" where allowed). The shipped questionnaire asks few questions
    of every group; here every respondent answers all 80, the heaviest case (the consolidation does
    not read the audiences). Median of 7 runs.
(b) One `streamlit run serve.py` and one Chromium: first one respondent alone, then 30 at once, each
    in a browser context of their own, opening their own link (named links for the direction, group
    links for the managers and the staff) and clicking 5 answers with a pause of 0.3 to 0.8 s after
    each answer is drawn, as a person reads. A click's time runs, in the browser, from the click to
    the end of the run it triggered (the run watcher of tests/e2e.py). Every wait is bounded. The
    browser shares the machine with the server: on a small machine the crowd's 30 pages weigh on the
    times too, which a person's own browser would not.

python -m benchmarks --only participation   (or: python -m benchmarks.participation)
"""

from __future__ import annotations

import asyncio
import os
import random
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from diagnostic.core.answers import check_value
from diagnostic.core.audience import GROUPS
from diagnostic.core.consolidation import GroupInput, Response, consolidate
from diagnostic.core.loading import LoadedQuestionnaire
from diagnostic.core.profile import Profile
from diagnostic.core.schema import MaturityQuestion, MultipleQuestion, NumberQuestion, SingleQuestion, YesNoQuestion
from diagnostic.questionnaire_files import find_questionnaire
from diagnostic.services import assessments, companies, participation, workspaces
from diagnostic.services.context import Context
from diagnostic.storage.database import make_engine, migrate
from diagnostic.storage.uow import SqlUnitOfWork
from tests.e2e import _SETTLED, CHROMIUM, CHROMIUM_FLAGS, IDLE, ROOT, RUN_WATCH, Server

QUESTIONS = 80
RESPONDENTS = 200
RUNS = 7
SEED = 20_260_101

CROWD = 30
CLICKS = 5
SOLO = 2  # respondents answering alone, one after the other, before the crowd
OPENING = 3  # pages loading at once while the crowd arrives
PAUSE = (0.3, 0.8)  # seconds a person takes between two answers
WAIT = 30.0  # seconds: the bound of every wait in the browser
RADIOS = "document.querySelectorAll('[data-testid=stMain] [data-testid=stRadio]').length"
TICKS = os.sysconf("SC_CLK_TCK")
CORES = os.cpu_count() or 1
PROFILE = Profile(headcount_band="50-249", sector="16.23Z", sites=2, production_site=True)


# --- (a) the consolidation ------------------------------------------------------------------------


def _random_value(questionnaire: LoadedQuestionnaire, question_id: str, rng: random.Random) -> Any:
    question = questionnaire.questions[question_id]
    special = rng.random()
    if special < 0.04 and question.allow_dont_know:
        return "dont_know"
    if special < 0.06 and question.allow_na:
        return "na"
    if isinstance(question, MaturityQuestion):
        return rng.randint(0, 4)
    if isinstance(question, YesNoQuestion):
        return rng.choice(["yes", "no"])
    if isinstance(question, SingleQuestion):
        return rng.choice(questionnaire.options(question)).id
    if isinstance(question, MultipleQuestion):
        options = [o for o in questionnaire.options(question) if not o.exclusive]
        picked = rng.sample(options, rng.randint(1, min(3, len(options))))
        return [o.id for o in options if o in picked]
    if isinstance(question, NumberQuestion):
        low = int(question.minimum) if question.minimum is not None else 0
        high = int(question.maximum) if question.maximum is not None else low + 500
        return rng.randint(low, high)
    raise ValueError(f"{question_id}: not a scored type")


def consolidation_inputs(questionnaire: LoadedQuestionnaire) -> list[GroupInput]:
    """200 respondents in the five groups, each answering the first 80 scored questions; fixed seed."""
    rng = random.Random(SEED)
    scored = [qid for qid, q in questionnaire.questions.items() if q.scored][:QUESTIONS]
    assert len(scored) == QUESTIONS, f"the questionnaire has {len(scored)} scored questions, not {QUESTIONS}"
    groups = []
    per_group = RESPONDENTS // len(GROUPS)
    for number, key in enumerate(GROUPS, start=1):
        responses = [
            Response({qid: check_value(questionnaire, qid, _random_value(questionnaire, qid, rng)) for qid in scored})
            for _ in range(per_group)
        ]
        anonymous = participation.ANONYMOUS_BY_DEFAULT[key]
        groups.append(GroupInput(id=number, key=key, label="", anonymous=anonymous, responses=responses))
    return groups


def consolidation_figures(runs: int = RUNS) -> dict[str, Any]:
    questionnaire = find_questionnaire("rse-performance-globale")
    groups = consolidation_inputs(questionnaire)
    consolidate(questionnaire, PROFILE, groups, k=5, comment_k=8)  # warm-up (caches, imports)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        found = consolidate(questionnaire, PROFILE, groups, k=5, comment_k=8)
        times.append(time.perf_counter() - start)
    assert all(view.shown for view in found.groups), "every group of 40 is shown"
    return {
        "consolidation_respondents": sum(len(g.responses) for g in groups),
        "consolidation_questions": QUESTIONS,
        "consolidation_ms_median": 1000 * statistics.median(times),
        "consolidation_ms_max": 1000 * max(times),
    }


# --- (b) respondents at once on one server -----------------------------------------------------------


def _links(db_url: str) -> tuple[list[str], list[str]]:
    """A migrated database with one opened assessment: (the crowd's link tokens, the solo ones)."""
    engine = make_engine(db_url)
    migrate(engine)
    uow = SqlUnitOfWork(engine)
    ctx = Context(uow, workspaces.local_actor(uow), "fr")
    company = companies.save_company(ctx, None, "Bench Participation", PROFILE)
    assessment = assessments.start_assessment(ctx, company.id, "rse-performance-globale")
    opened = participation.open_participation(ctx, assessment.id, k=3, comment_k=3)
    ids = {g.group.key: g.group.id for g in opened.groups}

    def named(number: int) -> str:
        return participation.create_link(ctx, assessment.id, ids["direction"], name=f"Personne {number}").token

    managers = participation.create_link(ctx, assessment.id, ids["managers"]).token
    staff = participation.create_link(ctx, assessment.id, ids["staff"]).token
    crowd = [named(n) for n in range(5)] + [managers] * 10 + [staff] * (CROWD - 15)
    solo = [named(100 + n) for n in range(SOLO)]
    engine.dispose()
    return crowd, solo


async def _wait(page: Any, expression: str, what: str, arg: Any = None) -> Any:
    from playwright.async_api import TimeoutError as PlaywrightTimeout

    try:
        handle = await page.wait_for_function(expression, arg=arg, polling=20, timeout=WAIT * 1000)
    except PlaywrightTimeout:
        state = await page.evaluate("() => window.__stRuns && window.__stRuns.log.slice(-12)")
        raise TimeoutError(f"{what}: still not the case {WAIT:.0f} s later on {page.url}; watcher: {state}") from None
    return await handle.json_value()


async def _open(browser: Any, url: str, gate: asyncio.Semaphore | None = None) -> Any:
    """A page of a context of its own on the respondent's link, its questions drawn (`gate`: how
    many pages load at once; opening is not measured, and 30 at once overwhelm a small machine)."""
    async with gate or asyncio.Semaphore(1):
        context = await browser.new_context(viewport={"width": 1280, "height": 1000})
        context.set_default_timeout(WAIT * 1000)
        await context.add_init_script(RUN_WATCH)
        page = await context.new_page()
        await page.goto(url, timeout=WAIT * 1000, wait_until="domcontentloaded")
        await _wait(page, _SETTLED, "the respondent's page loaded", arg=[0])
        await _wait(page, f"() => {RADIOS} > 0", "the questions' radios drawn")
    return page


async def _answer(page: Any, rng: random.Random, clicks: int, pause: tuple[float, float] = PAUSE) -> list[float]:
    """`clicks` answers round the radios shown, `pause` seconds apart; the ms of each click (from the
    click to its run's end)."""
    radios = page.get_by_test_id("stMain").locator("[data-testid=stRadio]")
    count = await radios.count()
    times = []
    for done in range(clicks):
        # the first two options (every radio has them), in turn: each click changes the answer
        option = radios.nth(done % count).locator("[role=radiogroup] label").nth((done // count) % 2)
        before = await page.evaluate(
            "() => { const r = window.__stRuns; r.armed = true; r.clickAt = null; return r.requests.length; }"
        )
        await option.click(timeout=WAIT * 1000)
        settled = await _wait(page, _SETTLED, f"the run of answer {done + 1} finished", arg=[before])
        if settled["clickAt"] is None:
            raise RuntimeError(f"{page.url}: the click was not seen by the run watcher")
        times.append(float(settled["doneAt"] - settled["clickAt"]))
        await asyncio.sleep(rng.uniform(*pause))
    return times


async def _respondents(server: Server, crowd: list[str], solo: list[str]) -> dict[str, Any]:
    from playwright.async_api import async_playwright

    rng = random.Random(SEED)
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS, timeout=WAIT * 1000)
        try:
            alone: list[float] = []
            alone_cpu = 0.0
            for token in solo:  # one after the other: nobody else on the server
                page = await _open(browser, f"{server.url}/?repondre={token}")
                cpu_before = _cpu_seconds(server)
                alone += await _answer(page, rng, CLICKS)
                alone_cpu += _cpu_seconds(server) - cpu_before
                await page.context.close()
            opening = time.perf_counter()
            gate = asyncio.Semaphore(OPENING)
            pages = await asyncio.gather(*(_open(browser, f"{server.url}/?repondre={token}", gate) for token in crowd))
            for page in pages:  # each page has drawn its questions: then everybody answers at once
                await _wait(page, f"document.querySelector('{IDLE}') !== null", "the page idle")

            async def person(page: Any, seed: int) -> list[float]:
                mine = random.Random(seed)
                await asyncio.sleep(mine.uniform(0, PAUSE[1]))  # people do not start on the same millisecond
                return await _answer(page, mine, CLICKS)

            cpu_before, browser_before = _cpu_seconds(server), _browser_cpu_seconds(server)
            start = time.perf_counter()
            opening = start - opening
            together = await asyncio.gather(*(person(page, SEED + n) for n, page in enumerate(pages)))
            wall = time.perf_counter() - start
            cpu = _cpu_seconds(server) - cpu_before
            browser_cpu = _browser_cpu_seconds(server) - browser_before
        finally:
            await browser.close()
    crowd_ms = sorted(ms for times in together for ms in times)
    alone_p50 = statistics.median(alone)
    crowd_p50 = statistics.median(crowd_ms)
    return {
        "crowd_respondents": len(crowd),
        "crowd_clicks": len(crowd_ms),
        "alone_clicks": len(alone),
        "answer_alone_ms_p50": alone_p50,
        "answer_alone_ms_p95": _percentile(sorted(alone), 95),
        "answer_crowd_ms_p50": crowd_p50,
        "answer_crowd_ms_p95": _percentile(crowd_ms, 95),
        "answer_crowd_ms_max": crowd_ms[-1],
        "crowd_vs_alone_p50_ratio": crowd_p50 / alone_p50,
        "crowd_opening_s": opening,
        "crowd_wall_s": wall,
        "alone_server_cpu_ms": 1000 * alone_cpu / len(alone),  # per answer
        "crowd_server_cpu_ms": 1000 * cpu / len(crowd_ms),  # per answer
        # what the crowd's pages cost the same machine meanwhile: the share of the times that is the browser's
        "crowd_server_cpu_share": cpu / wall / CORES,
        "crowd_browser_cpu_share": browser_cpu / wall / CORES,
    }


def _percentile(ordered: list[float], percent: float) -> float:
    """Nearest-rank percentile of sorted values."""
    rank = max(1, -(-len(ordered) * percent // 100))
    return ordered[int(rank) - 1]


def _stat(pid: int) -> list[str]:
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()


def _cpu_seconds(server: Server) -> float:
    assert server.process is not None
    fields = _stat(server.process.pid)
    return (int(fields[11]) + int(fields[12])) / TICKS


def _browser_cpu_seconds(server: Server) -> float:
    """CPU seconds of this process's other descendants (Playwright's driver and Chromium), the server excluded."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parents[int(entry.name)] = int(_stat(int(entry.name))[1])
            except (OSError, IndexError, ValueError):
                continue  # ended meanwhile
    assert server.process is not None
    mine, found = {os.getpid()}, True
    while found:
        found = False
        for pid, parent in parents.items():
            if parent in mine and pid not in mine and pid != server.process.pid:
                mine.add(pid)
                found = True
    total = 0.0
    for pid in mine - {os.getpid()}:
        try:
            fields = _stat(pid)
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / TICKS
    return total


def respondent_figures() -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as folder:
        db_url = f"sqlite:///{folder}/participation.db"
        crowd, solo = _links(db_url)
        server = Server(ROOT / "serve.py", db_url, log=Path(folder) / "server.log")
        server.start()
        try:
            return asyncio.run(_respondents(server, crowd, solo))
        finally:
            server.stop()


def run(browser: bool = True) -> dict[str, Any]:
    figures = consolidation_figures()
    if browser:
        figures |= respondent_figures()
    return figures


if __name__ == "__main__":
    for key, value in run().items():
        print(f"{key:34} {value:.3f}" if isinstance(value, float) else f"{key:34} {value}")
