"""Real-browser timings: an answer on the Diagnostic page against the framework's floor.

Both pages run in their own `streamlit run` server and are driven by Debian's Chromium. For each,
the same number of answer clicks; we measure in the browser the time from the click to the end of
the rerun it triggers (the server's `script_finished` for that run, seen by the run watcher of
tests/e2e.py), and on the server the CPU time spent per answer (from /proc). Every wait is bounded:
a click whose run never ends fails the benchmark with a message instead of hanging it.
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote_plus

from diagnostic.core.conditions import applicability
from diagnostic.core.profile import Profile
from diagnostic.services import answers, assessments, companies, demo, workspaces
from diagnostic.services.context import Context
from diagnostic.services.questionnaires import questionnaire_of
from diagnostic.storage.database import make_engine, migrate
from diagnostic.storage.uow import SqlUnitOfWork
from tests.e2e import ROOT, Server, browser, click_and_measure, new_page, wait_for, wait_idle, wait_selector

CLICKS = 30
CLICK_TIMEOUT = 30.0  # seconds for one click's rerun, even on a busy machine
TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime + stime


class _Clicker:
    """Answer clicks round the radios of one page, alternating options so that each click changes an answer."""

    def __init__(self, page, server: Server):
        self.page, self.server = page, server
        self.radios = page.get_by_test_id("stMain").locator("[data-testid=stRadio]")  # the questions' radios
        self.count = self.radios.count()
        self.done = 0
        self.times: list[float] = []
        self.statuses: list[int] = []
        self.cpu = 0.0

    def click(self, measure: bool = True) -> None:
        radio = self.radios.nth(self.done % self.count)
        option = 2 + (self.done // self.count) % 2
        before = cpu_seconds(self.server.process.pid)  # type: ignore[union-attr]
        measured = click_and_measure(self.page, radio.locator("label").nth(option), timeout=CLICK_TIMEOUT)
        self.statuses += measured["statuses"]
        if measure:
            self.times.append(measured["ms"])
            self.cpu += cpu_seconds(self.server.process.pid) - before  # type: ignore[union-attr]
        self.done += 1


def run(clicks: int = CLICKS) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as folder:
        db_url = f"sqlite:///{folder}/bench.db"
        engine = make_engine(db_url)
        migrate(engine)
        uow = SqlUnitOfWork(engine)
        ctx = Context(uow, workspaces.local_actor(uow), "fr")  # the local owner, as the app in local mode
        profile = Profile(headcount_band="50-249", production_site=True, tertiary_area_1000m2=True, sites=2)
        company = companies.save_company(ctx, None, "Bench", profile)
        assessment = assessments.start_assessment(ctx, company.id, "rse-performance-globale")
        questionnaire = questionnaire_of(uow, assessment)
        # the widest dimension, opened through the URL of the tab
        widest = max(questionnaire.dimensions, key=lambda d: len(d.questions))
        shown = len(widest.questions)

        os.environ["BENCH_QUESTIONS"] = str(shown)
        results: dict[str, Any] = {"questions_on_page": shown, "clicks": clicks}
        floor = Server(ROOT / "benchmarks" / "floor_app.py", db_url)
        app = Server(ROOT / "serve.py", db_url)
        floor.start()
        app.start()
        try:
            with browser(1280, 1600) as page:
                floor_page = new_page(page, 1280, 1600)
                floor_page.goto(floor.url)
                wait_idle(floor_page, settle=0)
                page.goto(f"{app.url}/diagnostic?c={company.id}&a={assessment.id}")
                wait_idle(page, settle=0)
                page.goto(f"{app.url}/diagnostic?c={company.id}&a={assessment.id}&dim={quote_plus(widest.title.fr)}")
                wait_idle(page, settle=0)
                applies = applicability(questionnaire, profile, {})
                shown_radios = sum(
                    1 for q in widest.questions if applies[q.id] and q.type in ("maturity", "single", "yes_no")
                )
                # widgets appear a moment after the run ends: wait for all of them before counting
                radios = "document.querySelectorAll('[data-testid=stMain] [data-testid=stRadio]').length"
                wait_for(
                    page,
                    f"() => {radios} == {shown_radios}",
                    f"the {shown_radios} radios of the widest dimension drawn",
                )
                wait_for(floor_page, f"() => {radios} == {shown}", f"the {shown} radios of the floor page drawn")
                floor_clicks, app_clicks = _Clicker(floor_page, floor), _Clicker(page, app)
                for _ in range(3):  # warm-up
                    floor_clicks.click(measure=False)
                    app_clicks.click(measure=False)
                # interleaved, so that whatever else the machine does weighs on both alike
                for _ in range(clicks):
                    floor_clicks.click()
                    app_clicks.click()
                floor_ms, app_ms = floor_clicks.times, app_clicks.times
                floor_cpu, app_cpu = floor_clicks.cpu / clicks, app_clicks.cpu / clicks
                saved = len(answers.load_answers(ctx, assessment.id))
                # the instrument checked against the page: the floor script counts its own runs
                floor_runs = floor_page.evaluate("() => window.__stRuns.finished")
                wait_for(
                    floor_page,
                    f"() => document.querySelector('.st-key-bench-runs')?.innerText.trim() === '{floor_runs}'",
                    f"the floor page's own run counter at {floor_runs}, the runs its watcher saw finish",
                )
                app_fragment_runs = sum(1 for s in app_clicks.statuses if s == 3)
                app_cut_short = sum(1 for s in app_clicks.statuses if s == 2)

                # Results page: from navigation to the radar drawn
                results_ms = []
                demo_company, demo_assessment = demo.create_demo(ctx)
                for _ in range(5):
                    start = time.perf_counter()
                    page.goto(f"{app.url}/resultats?c={demo_company.id}&a={demo_assessment.id}")
                    wait_selector(page, ".js-plotly-plot .scatterlayer", "the radar of the results page drawn")
                    wait_idle(page, settle=0)
                    results_ms.append(1000 * (time.perf_counter() - start))
        finally:
            app.stop()
            floor.stop()
        engine.dispose()

    results.update(
        {
            "answers_saved": saved,
            "floor_runs_counted": floor_runs,
            "app_clicks_fragment_runs": app_fragment_runs,
            "app_clicks_cut_short": app_cut_short,
            "answer_ms_median": statistics.median(app_ms),
            "floor_ms_median": statistics.median(floor_ms),
            "answer_vs_floor_ratio": statistics.median(app_ms) / statistics.median(floor_ms),
            "answer_server_cpu_ms": 1000 * app_cpu,
            "floor_server_cpu_ms": 1000 * floor_cpu,
            "cpu_vs_floor_ratio": app_cpu / floor_cpu if floor_cpu else None,
            "results_page_ms_median": statistics.median(results_ms[1:]),
        }
    )
    return results


if __name__ == "__main__":
    for key, value in run().items():
        print(f"{key:26} {value:.3f}" if isinstance(value, float) else f"{key:26} {value}")
