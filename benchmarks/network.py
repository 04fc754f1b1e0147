"""A network of 500 member companies × 3 completed assessments of the full questionnaire.

A temporary SQLite database is seeded in bulk (SQLAlchemy's bulk insert, not thousands of service
calls): 500 companies in one company workspace, 3 completed assessments each (2024, 2025, 2026)
answering every scored question at random (fixed seed), 5 plan actions from recommendations on each
latest one, and the 500 companies members of one network, 9 in 10 sharing their results. Then:

- read_model_cold_s: the read model computed for the 1 500 assessments at once (the first time);
- dashboard_ms_median: `networks.dashboard(ctx, network)` warm (nothing to score), median of 5;
- benchmark_ms_median: `networks.benchmark_for(ctx, company)` of one sharing member, warm, median of 5;
- dashboard_page_ms_median: the network page (app_pages/network.py) run by AppTest, a rerun, warm, median of 5.

Target: the dashboard and the benchmark under 1 s warm.

python -m benchmarks.network   (the lead registers it as a `make bench` step)
"""

from __future__ import annotations

import random
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import insert

from benchmarks.portfolio import _median_ms, _page_ms
from diagnostic.core.answers import check_value
from diagnostic.core.roles import Role
from diagnostic.questionnaire_files import find_questionnaire
from diagnostic.services import networks, summaries, workspaces
from diagnostic.services.context import Context
from diagnostic.storage.database import make_engine, migrate
from diagnostic.storage.models import Action, AnswerRow, Assessment, Company, NetworkMember
from diagnostic.storage.uow import SqlUnitOfWork

MEMBERS = 500
PER_COMPANY = 3
ACTIONS = 5
SHARING = 0.9
SEED = 20_260_612
TARGET_MS = 1000.0


def seed(engine: Any) -> tuple[Context, int]:
    """The database filled in bulk: the local owner's context (owner of the companies' workspace and
    of the network) and the network's id."""
    from benchmarks.participation import _random_value  # the same valid random answers

    uow = SqlUnitOfWork(engine)
    ctx = Context(uow, workspaces.local_actor(uow), "fr")
    ((companies_workspace, _),) = workspaces.my_workspaces(ctx)
    full = find_questionnaire("rse-performance-globale")
    scored = [qid for qid, q in full.questions.items() if q.scored]
    recommendations = [r.id for q in full.questions.values() for r in getattr(q, "recommendations", [])]
    rng = random.Random(SEED)
    sectors = ["16.23Z", "25.62A", "62.01Z", "47.11B", "10.71C"]
    bands = ["1-10", "11-19", "20-49", "50-249"]

    def work(u: Any) -> int:
        network = u.workspaces.add("Réseau de mesure", "network")
        assert ctx.actor.user_id is not None
        u.workspaces.put_member(network.id, ctx.actor.user_id, Role.OWNER.value)
        u.snapshots.save(full, full.text)
        company_rows, assessment_rows, answer_rows, action_rows, member_rows = [], [], [], [], []
        for n in range(1, MEMBERS + 1):
            company_rows.append(
                {"id": n, "workspace_id": companies_workspace.id, "name": f"Membre {n:03d}", "sector": rng.choice(sectors),
                 "headcount_band": rng.choice(bands), "notes": ""}
            )  # fmt: skip
            member_rows.append({"network_id": network.id, "company_id": n, "joined_on": date(2024, 1, 1), "shares": rng.random() < SHARING})
            for year in range(PER_COMPANY):
                assessment_id = (n - 1) * PER_COMPANY + year + 1
                moment = datetime(2024 + year, 1 + n % 12, 1 + n % 27, tzinfo=UTC)
                assessment_rows.append(
                    {"id": assessment_id, "company_id": n, "questionnaire_id": full.id, "questionnaire_version": full.version,
                     "content_hash": full.content_hash, "label": str(2024 + year), "status": "completed", "targets": {},
                     "created_at": moment, "updated_at": moment, "completed_at": moment}
                )  # fmt: skip
                answer_rows += [
                    {"assessment_id": assessment_id, "question_id": qid, "value": check_value(full, qid, _random_value(full, qid, rng)),
                     "comment": "", "answered_by": ""}
                    for qid in scored
                ]  # fmt: skip
            action_rows += [
                {"assessment_id": n * PER_COMPANY, "title": f"Action {k}", "recommendation_id": rng.choice(recommendations),
                 "owner": "", "notes": "", "position": k, "status": "todo"}
                for k in range(ACTIONS)
            ]  # fmt: skip
        session = u.networks.s
        for model, rows in (
            (Company, company_rows), (Assessment, assessment_rows), (AnswerRow, answer_rows), (Action, action_rows),
            (NetworkMember, member_rows),
        ):  # fmt: skip
            for start in range(0, len(rows), 5000):
                session.execute(insert(model), rows[start : start + 5000])
        return int(network.id)

    return ctx, uow.run(work)


def _dashboard_page(ctx: object) -> None:  # its source runs alone in AppTest (no annotation it cannot resolve)
    import dataclasses

    import streamlit as st

    from app_pages import network as page

    st.session_state["lang"] = "fr"
    page.main(dataclasses.replace(ctx))  # type: ignore[type-var]


def run() -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as folder:
        engine = make_engine(f"sqlite:///{Path(folder) / 'network.db'}")
        migrate(engine)
        try:
            start = time.perf_counter()
            ctx, network = seed(engine)
            seeded = time.perf_counter() - start
            with ctx.uow:
                ids = [i for (i,) in ctx.uow.networks.s.execute(Assessment.__table__.select().with_only_columns(Assessment.id))]
            start = time.perf_counter()
            summaries.current(ctx.uow, ids)
            cold = time.perf_counter() - start
            board = networks.dashboard(ctx, network)
            member = next(m for m in board.members if m.shares)
            figures = {
                "members": len(board.members),
                "sharing": board.sharing,
                "assessments": len(ids),
                "seed_s": seeded,
                "read_model_cold_s": cold,
                "dashboard_ms_median": _median_ms(lambda: networks.dashboard(ctx, network)),
                "benchmark_ms_median": _median_ms(lambda: networks.benchmark_for(ctx, member.company.member.company_id)),
                "benchmark_contributors": board.benchmark.contributors,
            }
            ctx.workspace_id = network
            figures["dashboard_page_ms_median"] = _page_ms(_dashboard_page, ctx)  # the whole page, AppTest rerun
        finally:
            engine.dispose()
    figures["target_ms"] = TARGET_MS
    figures["within_target"] = all(
        figures[k] < TARGET_MS for k in ("dashboard_ms_median", "benchmark_ms_median", "dashboard_page_ms_median")
    )
    return figures


if __name__ == "__main__":
    import json

    print(json.dumps(run(), indent=2))
