"""The consultant's portfolio with 500 companies × 3 assessments of the full questionnaire.

A temporary SQLite database is seeded in bulk (rows written with SQLAlchemy's bulk insert, not 1 500
service calls): 500 companies, 3 assessments each (2024, 2025, 2026) answering every scored question
at random (fixed seed), 5 actions on each latest assessment (some late). Then:

- read_model_cold_s: the read model computed for all 1 500 assessments at once (the first time);
- portfolio_service_ms_median: `portfolio.portfolio(ctx)` warm (nothing to score), median of 5;
- floor_list_ms_median: `companies.list_companies(ctx)`, one query of the same 500 companies, in the
  same run: the floor the service is compared with (portfolio_vs_floor_ratio);
- portfolio_page_ms_median: the Portfolio page run by AppTest (a rerun, warm), median of 5;
- floor_page_ms_median: a page that only writes a title, run the same way: AppTest's own cost.

Target: the service and the page under 1 s warm. With TEST_DATABASE_URL set, the service is measured
on that PostgreSQL database too (its tables are dropped and made again, as the tests do).

python -m benchmarks --only portfolio   (or: python -m benchmarks.portfolio)
"""

from __future__ import annotations

import os
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import insert, select, text

from diagnostic.core.answers import check_value
from diagnostic.questionnaire_files import find_questionnaire
from diagnostic.services import companies, portfolio, summaries, workspaces
from diagnostic.services.context import Context
from diagnostic.storage.database import make_engine, migrate
from diagnostic.storage.models import Action, AnswerRow, Assessment, Base, Company
from diagnostic.storage.uow import SqlUnitOfWork

COMPANIES = 500
PER_COMPANY = 3
ACTIONS = 5
RUNS = 5
SEED = 20_260_512
TODAY = date.today()


def _answers(questionnaire: Any, rng: random.Random) -> dict[str, Any]:
    from benchmarks.participation import _random_value  # the same valid random answers

    scored = [qid for qid, q in questionnaire.questions.items() if q.scored]
    return {qid: check_value(questionnaire, qid, _random_value(questionnaire, qid, rng)) for qid in scored}


def seed(engine: Any) -> Context:
    """The database filled in bulk; the local owner's context on it."""
    uow = SqlUnitOfWork(engine)
    ctx = Context(uow, workspaces.local_actor(uow), "fr")
    ((workspace, _),) = workspaces.my_workspaces(ctx)
    ctx.workspace_id = workspace.id
    full = find_questionnaire("rse-performance-globale")
    rng = random.Random(SEED)
    sectors = ["16.23Z", "25.62A", "62.01Z", "47.11B", "10.71C"]
    bands = ["1-10", "11-19", "20-49", "50-249"]
    company_rows, assessment_rows, answer_rows, action_rows = [], [], [], []
    for n in range(1, COMPANIES + 1):
        company_rows.append(
            {"id": n, "workspace_id": workspace.id, "name": f"Entreprise {n:03d}", "sector": rng.choice(sectors),
             "headcount_band": rng.choice(bands), "notes": "",
             "next_follow_up": TODAY + timedelta(days=rng.randint(-20, 60)) if n % 3 else None}
        )  # fmt: skip
        for year in range(PER_COMPANY):
            assessment_id = (n - 1) * PER_COMPANY + year + 1
            created = datetime(2024 + year, 3, 1 + n % 27, tzinfo=UTC)
            assessment_rows.append(
                {"id": assessment_id, "company_id": n, "questionnaire_id": full.id, "questionnaire_version": full.version,
                 "content_hash": full.content_hash, "label": str(2024 + year), "status": "completed" if year < 2 else "in_progress",
                 "targets": {}, "created_at": created, "updated_at": created}
            )  # fmt: skip
            answer_rows += [
                {"assessment_id": assessment_id, "question_id": qid, "value": value, "comment": "", "answered_by": ""}
                for qid, value in _answers(full, rng).items()
            ]
        latest = n * PER_COMPANY
        action_rows += [
            {"assessment_id": latest, "title": f"Action {k}", "owner": "", "notes": "", "position": k,
             "status": rng.choice(["todo", "in_progress", "done", "dropped"]), "due_date": TODAY + timedelta(days=rng.randint(-30, 30))}
            for k in range(ACTIONS)
        ]  # fmt: skip

    def work(u: Any) -> None:
        u.snapshots.save(full, full.text)
        session = u.summaries.s
        for model, rows in (
            (Company, company_rows),
            (Assessment, assessment_rows),
            (AnswerRow, answer_rows),
            (Action, action_rows),
        ):
            for start in range(0, len(rows), 5000):
                session.execute(insert(model), rows[start : start + 5000])

    uow.run(work)
    return ctx


def _median_ms(function: Callable[[], object], runs: int = RUNS) -> float:
    function()  # warm
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return 1000 * statistics.median(times)


def _portfolio_page(ctx: object) -> None:  # its source runs alone in AppTest (no annotation it cannot resolve)
    import dataclasses

    import streamlit as st

    from app_pages import portfolio as page

    st.session_state["lang"] = "fr"
    page.main(dataclasses.replace(ctx))  # type: ignore[type-var]


def _floor_page() -> None:  # its source runs alone in AppTest
    import streamlit as st

    st.title("Portefeuille")


def _page_ms(script: Callable[..., None], *args: object) -> float:
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_function(script, args=args, default_timeout=60)

    def rerun() -> None:
        at.run()
        if at.exception:
            raise RuntimeError(f"the page failed: {[e.value for e in at.exception]}")

    return _median_ms(rerun)


def service_figures(engine: Any, prefix: str = "") -> tuple[dict[str, Any], Context]:
    ctx = seed(engine)
    with ctx.uow:
        ids = list(ctx.uow.summaries.s.scalars(select(Assessment.id)))
    start = time.perf_counter()
    ctx.uow.run(lambda uow: summaries.current(uow, ids))
    cold = time.perf_counter() - start
    rows = portfolio.portfolio(ctx)
    assert len(rows) == COMPANIES and all(r.overall is not None for r in rows), "every company has a scored assessment"
    service = _median_ms(lambda: portfolio.portfolio(ctx))
    floor = _median_ms(lambda: companies.list_companies(ctx))
    return {
        f"{prefix}companies": COMPANIES,
        f"{prefix}assessments": len(ids),
        f"{prefix}read_model_cold_s": cold,
        f"{prefix}portfolio_service_ms_median": service,
        f"{prefix}floor_list_ms_median": floor,
        f"{prefix}portfolio_vs_floor_ratio": service / floor,
    }, ctx


def run() -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as folder:
        engine = make_engine(f"sqlite:///{folder}/portfolio.db")
        migrate(engine)
        try:
            figures, ctx = service_figures(engine)
            page = _page_ms(_portfolio_page, ctx)
            floor = _page_ms(_floor_page)
            figures |= {
                "portfolio_page_ms_median": page,
                "floor_page_ms_median": floor,
                "page_vs_floor_ratio": page / floor,
            }
        finally:
            engine.dispose()
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        engine = make_engine(url)
        try:
            with engine.begin() as connection:
                Base.metadata.drop_all(connection)
                connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
            migrate(engine)
            figures |= service_figures(engine, "pg_")[0]
        finally:
            engine.dispose()
    return figures


if __name__ == "__main__":
    for key, value in run().items():
        print(f"{key:34} {value:.3f}" if isinstance(value, float) else f"{key:34} {value}")
