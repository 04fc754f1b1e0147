"""Real-browser timings: an answer on the Diagnostic page against the framework's floor.

Both pages run in their own `streamlit run` server and are driven by Debian's Chromium. For each,
the same number of answer clicks; we measure in the browser the time from the click to the end of
the rerun it triggers, and on the server the CPU time spent per answer (from /proc).
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from diagnostic import services
from diagnostic.profile import Profile
from diagnostic.storage.database import make_engine, migrate
from diagnostic.storage.repository import Repository
from tests.e2e import IDLE, ROOT, Server, browser, click_and_wait, wait_idle

CLICKS = 20
TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime + stime


def _answer_clicks(page, server: Server, clicks: int) -> tuple[list[float], float]:
    """Click answers round the first radios; return per-click browser ms and server CPU s per click."""
    main = page.get_by_test_id("stMain")
    radios = main.locator("[data-testid=stRadio]")
    count = radios.count()
    # warm-up: one click per radio, not measured
    for index in range(min(count, 3)):
        click_and_wait(page, radios.nth(index).locator("label").nth(1))
    times = []
    start_cpu = cpu_seconds(server.process.pid)  # type: ignore[union-attr]
    for click in range(clicks):
        radio = radios.nth(click % count)
        option = 2 + (click // count) % 2  # alternate so each click changes the answer
        times.append(click_and_wait(page, radio.locator("label").nth(option)))
    cpu = (cpu_seconds(server.process.pid) - start_cpu) / clicks  # type: ignore[union-attr]
    return times, cpu


def run(clicks: int = CLICKS) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as folder:
        db_url = f"sqlite:///{folder}/bench.db"
        engine = make_engine(db_url)
        migrate(engine)
        repo = Repository(engine)
        profile = Profile(headcount_band="50-249", production_site=True, tertiary_area_1000m2=True, sites=2)
        company = repo.create_company("Bench", profile)
        assessment = services.start_assessment(repo, company.id, "rse-performance-globale")
        questionnaire = services.questionnaire_of(repo, assessment)
        # the widest dimension, opened through the URL of the tab
        widest = max(questionnaire.dimensions, key=lambda d: len(d.questions))
        shown = len(widest.questions)

        os.environ["BENCH_QUESTIONS"] = str(shown)
        results: dict[str, Any] = {"questions_on_page": shown, "clicks": clicks}
        with browser(1280, 1600) as page:
            floor = Server(ROOT / "benchmarks" / "floor_app.py", db_url)
            floor.start()
            try:
                page.goto(floor.url)
                wait_idle(page, settle=1.0)
                page.wait_for_selector("[data-testid=stMain] [data-testid=stRadio]")
                floor_ms, floor_cpu = _answer_clicks(page, floor, clicks)
            finally:
                floor.stop()

            app = Server(ROOT / "app.py", db_url)
            app.start()
            try:
                page.goto(f"{app.url}/diagnostic?c={company.id}&a={assessment.id}")
                wait_idle(page, settle=1.0)
                page.get_by_role("tab", name=widest.title.fr).click()
                wait_idle(page, settle=1.0)
                page.wait_for_selector("[data-testid=stMain] [data-testid=stRadio]")
                app_ms, app_cpu = _answer_clicks(page, app, clicks)
                saved = len(repo.load_answers(assessment.id))

                # Results page: from navigation to the radar drawn
                results_ms = []
                services.create_demo(repo, "fr")
                demo = repo.list_companies()[-1]
                demo_assessment = repo.list_assessments(demo.id)[-1]
                for _ in range(5):
                    start = time.perf_counter()
                    page.goto(f"{app.url}/resultats?c={demo.id}&a={demo_assessment.id}")
                    page.wait_for_selector(".js-plotly-plot .scatterlayer")
                    page.wait_for_selector(IDLE)
                    results_ms.append(1000 * (time.perf_counter() - start))
            finally:
                app.stop()
        engine.dispose()

    results.update(
        {
            "answers_saved": saved,
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
