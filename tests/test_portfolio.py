"""The consultant's portfolio and the comparison of companies (diagnostic/services/portfolio.py) on
SQLite and PostgreSQL: what each role sees, the rows' values worked by hand, lateness, the follow-up
date and who may set it, a warm portfolio that scores nothing in a fixed number of queries, compare.

One database per module and engine; each test makes a workspace of its own in it.
"""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import event

from diagnostic.core.loading import LoadedQuestionnaire
from diagnostic.core.profile import Profile
from diagnostic.core.roles import NotAllowed, NotFound, Permission, Role
from diagnostic.i18n import error_text
from diagnostic.services import access, answers, assessments, companies, portfolio, summaries, workspaces
from diagnostic.services.context import Context
from diagnostic.services.portfolio import ComparisonRefused
from diagnostic.storage.uow import SqlUnitOfWork, UnitOfWork
from tests.conftest import outcome

TODAY = date(2026, 5, 20)
ISSUER = "https://id.example.org"
_unique = itertools.count(1)


@pytest.fixture
def owner(module_engine) -> Context:
    """The owner of a new workspace of the module's database."""
    uow = SqlUnitOfWork(module_engine)
    workspace, issued = workspaces.create_workspace(workspaces.operator_context(uow), f"Cabinet {next(_unique)}")
    ctx = signed_in(uow, f"owner{next(_unique)}")
    workspaces.accept_invitation(ctx, issued.token, "", email_verified=True)
    ctx.workspace_id = workspace.id
    return ctx


def signed_in(uow: UnitOfWork, subject: str) -> Context:
    return Context(uow, workspaces.signed_in_actor(uow, ISSUER, subject, f"{subject}@example.org", subject.title()))


def member(owner: Context, role: Role, company_ids: tuple[int, ...] = ()) -> Context:
    """Someone invited into the owner's workspace with that role, who accepted (no workspace chosen)."""
    assert owner.workspace_id is not None
    subject = f"{role.value}{next(_unique)}"
    issued = workspaces.invite(owner, owner.workspace_id, role, company_ids, email=f"{subject}@example.org")
    ctx = signed_in(owner.uow.fresh(), subject)
    workspaces.accept_invitation(ctx, issued.token, f"{subject}@example.org", email_verified=True)
    return ctx


def company(ctx: Context, name: str, band: str = "1-10") -> int:
    return companies.save_company(ctx, None, name, Profile(headcount_band=band, sector="16.23Z")).id  # type: ignore[arg-type]


def mini_assessment(
    ctx: Context,
    mini: LoadedQuestionnaire,
    company_id: int,
    given: dict[str, object],
    created_at: datetime | None = None,
    label: str = "",
) -> int:
    def work(uow: UnitOfWork) -> int:
        uow.snapshots.save(mini, mini.text)
        return uow.assessments.add(
            access.scope(ctx, Permission.EDIT), company_id, mini, label=label, created_at=created_at
        ).id

    assessment_id = ctx.uow.run(work)
    for question_id, value in given.items():
        answers.record_answer(ctx, mini, assessment_id, question_id, value)
    return assessment_id


def add_actions(ctx: Context, assessment_id: int, *actions: tuple[str, date | None]) -> None:
    def work(uow: UnitOfWork) -> None:
        for status, due in actions:
            uow.actions.add(
                access.scope(ctx, Permission.EDIT), assessment_id, f"{status} {due}", status=status, due_date=due
            )

    ctx.uow.run(work)


GIVEN = {"rh.duerp": "no", "rh.formation": 2, "env.energie": 3, "env.flotte": "no"}


@pytest.fixture
def scorings(monkeypatch) -> list[int]:
    calls: list[int] = []
    real = summaries.score

    def counted(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(summaries, "score", counted)
    return calls


@pytest.fixture
def three(owner, mini) -> dict[str, int]:
    """Atelier Bois: an older assessment and a later one (created later, made first), six actions;
    Béton: no assessment, a follow-up date; Cuivre: an unanswered assessment."""
    ids = {
        "bois": company(owner, "Atelier Bois"),
        "beton": company(owner, "Béton Normand"),
        "cuivre": company(owner, "Cuivre & Co"),
    }
    ids["latest"] = mini_assessment(
        owner, mini, ids["bois"], GIVEN, created_at=datetime(2026, 3, 1, tzinfo=UTC), label="2026"
    )
    ids["older"] = mini_assessment(
        owner, mini, ids["bois"], {"rh.formation": 4}, created_at=datetime(2025, 3, 1, tzinfo=UTC)
    )
    add_actions(
        owner, ids["latest"],
        ("done", TODAY - timedelta(days=3)),  # done: never late
        ("todo", TODAY - timedelta(days=1)),  # late
        ("in_progress", TODAY - timedelta(days=30)),  # late
        ("dropped", TODAY - timedelta(days=2)),  # dropped: never late
        ("todo", TODAY),  # due today: not late yet
        ("todo", None),  # no date: never late
    )  # fmt: skip
    add_actions(owner, ids["older"], ("todo", TODAY - timedelta(days=100)))  # an older plan does not count
    portfolio.set_next_follow_up(owner, ids["beton"], TODAY + timedelta(days=2))
    ids["cuivre_a"] = mini_assessment(owner, mini, ids["cuivre"], {})
    return ids


def test_the_rows_hold_each_company_with_its_latest_assessment(owner, three):
    rows = portfolio.portfolio(owner, today=TODAY)
    assert [r.name for r in rows] == ["Atelier Bois", "Béton Normand", "Cuivre & Co"]
    bois, beton, cuivre = rows
    # the latest assessment is the one created last (2026), although it was made first
    assert (bois.assessment_id, bois.assessment_label, bois.status) == (three["latest"], "2026", "in_progress")
    assert bois.overall == pytest.approx((2 * 100 * 4 / 12 + 75) / 3)  # worked in tests/test_summaries.py
    assert (bois.level, bois.level_rank, bois.level_label, bois.coverage) == ("engage", 2, "Engagé", 1.0)
    assert (bois.actions_done, bois.actions_total, bois.actions_late) == (1, 6, 2)
    assert bois.sector == "16.23Z" and bois.next_follow_up is None
    assert beton.assessment_id is None and beton.status is None and beton.overall is None
    assert (beton.actions_total, beton.next_follow_up) == (0, TODAY + timedelta(days=2))
    assert cuivre.assessment_id == three["cuivre_a"] and cuivre.overall is None and cuivre.coverage == 0.0
    assert cuivre.actions_total == 0


def test_the_last_activity_is_the_latest_change_of_company_or_assessment(owner, mini, three):
    before = {r.company_id: r.last_activity for r in portfolio.portfolio(owner, today=TODAY)}
    answers.record_answer(owner, mini, three["latest"], "rh.duerp", "yes")
    after = {r.company_id: r.last_activity for r in portfolio.portfolio(owner, today=TODAY)}
    assert after[three["bois"]] > before[three["bois"]]
    assert after[three["cuivre"]] == before[three["cuivre"]]
    stamp = assessments.stamp(owner, three["latest"])
    assert after[three["bois"]] == stamp


def test_owner_consultant_and_viewer_see_every_company_a_company_manager_its_own(owner, three):
    everyone = ["Atelier Bois", "Béton Normand", "Cuivre & Co"]
    for role in (Role.CONSULTANT, Role.VIEWER, Role.ADMIN):
        assert [r.name for r in portfolio.portfolio(member(owner, role), today=TODAY)] == everyone, role
    manager = member(owner, Role.COMPANY_MANAGER, (three["bois"], three["cuivre"]))
    assert [r.name for r in portfolio.portfolio(manager, today=TODAY)] == ["Atelier Bois", "Cuivre & Co"]
    assert [r.name for r in portfolio.portfolio(manager, owner.workspace_id, today=TODAY)] == [
        "Atelier Bois",
        "Cuivre & Co",
    ]


def test_another_workspace_is_not_found(owner, module_engine, three):
    stranger = owner_of_new_workspace(module_engine)
    assert portfolio.portfolio(stranger, today=TODAY) == []  # its own, empty workspace
    missing = outcome(lambda: portfolio.portfolio(stranger, 999_999))
    assert outcome(lambda: portfolio.portfolio(stranger, owner.workspace_id)) == missing
    assert missing[:2] == ("raised", "NotFound")
    assert portfolio.comparable(stranger) == []


def owner_of_new_workspace(engine) -> Context:
    uow = SqlUnitOfWork(engine)
    workspace, issued = workspaces.create_workspace(workspaces.operator_context(uow), f"Autre {next(_unique)}")
    ctx = signed_in(uow, f"autre{next(_unique)}")
    workspaces.accept_invitation(ctx, issued.token, "", email_verified=True)
    ctx.workspace_id = workspace.id
    return ctx


def test_the_follow_up_date_is_set_audited_and_cleared(owner, three, scorings):
    portfolio.portfolio(owner, today=TODAY)  # warm
    scorings.clear()
    day = TODAY + timedelta(days=10)
    saved = portfolio.set_next_follow_up(owner, three["bois"], day)
    assert saved.next_follow_up == day
    assert companies.get_company(owner, three["bois"]).next_follow_up == day
    rows = {r.company_id: r for r in portfolio.portfolio(owner, today=TODAY)}
    assert rows[three["bois"]].next_follow_up == day
    assert scorings == [], "planning a meeting changes no result: nothing is scored again"
    log = workspaces.audit_log(owner, owner.workspace_id)
    assert any(
        e.action == "company.follow_up" and e.target == f"company:{three['bois']}" and e.detail == day.isoformat()
        for e in log
    )
    assert portfolio.set_next_follow_up(owner, three["bois"], None).next_follow_up is None


def test_who_may_set_the_follow_up(owner, module_engine, three):
    day = TODAY + timedelta(days=1)
    with pytest.raises(NotAllowed):
        portfolio.set_next_follow_up(member(owner, Role.VIEWER), three["bois"], day)
    manager = member(owner, Role.COMPANY_MANAGER, (three["bois"],))
    assert portfolio.set_next_follow_up(manager, three["bois"], day).next_follow_up == day
    missing = outcome(lambda: portfolio.set_next_follow_up(manager, 999_999, day))
    assert missing[:2] == ("raised", "NotFound")
    assert outcome(lambda: portfolio.set_next_follow_up(manager, three["beton"], day)) == missing
    stranger = owner_of_new_workspace(module_engine)
    assert outcome(lambda: portfolio.set_next_follow_up(stranger, three["beton"], day)) == missing
    assert portfolio.set_next_follow_up(member(owner, Role.CONSULTANT), three["beton"], None).next_follow_up is None


def test_a_warm_portfolio_scores_nothing_and_a_change_rescores_one(owner, mini, three, scorings):
    portfolio.portfolio(owner, today=TODAY)
    first = len(scorings)
    assert first <= 2  # the two latest assessments, unless an earlier read stored them
    portfolio.portfolio(owner, today=TODAY)
    assert len(scorings) == first
    answers.record_answer(owner, mini, three["cuivre_a"], "rh.formation", 3)
    rows = {r.company_id: r for r in portfolio.portfolio(owner, today=TODAY)}
    assert len(scorings) == first + 1
    assert rows[three["cuivre"]].overall == pytest.approx(75.0)


def test_the_number_of_queries_does_not_grow_with_the_companies(owner, mini, module_engine):
    def queries() -> int:
        portfolio.portfolio(owner, today=TODAY)  # warm the read model
        count = [0]

        def seen(*_: object) -> None:
            count[0] += 1

        event.listen(module_engine, "before_cursor_execute", seen)
        try:
            portfolio.portfolio(owner, today=TODAY)
        finally:
            event.remove(module_engine, "before_cursor_execute", seen)
        return count[0]

    for n in range(2):
        mini_assessment(owner, mini, company(owner, f"Petite {n}"), GIVEN)
    few = queries()
    for n in range(6):
        assessment_id = mini_assessment(owner, mini, company(owner, f"Grande {n}"), {"rh.formation": n % 5})
        add_actions(owner, assessment_id, ("todo", TODAY - timedelta(days=1)))
    assert queries() == few <= 12


# --- compare ------------------------------------------------------------------------------------------


def test_compare_ranks_the_questions_where_they_differ_most(owner, mini, three):
    other = mini_assessment(owner, mini, three["beton"], {"rh.duerp": "yes", "rh.formation": 2, "env.energie": "na"})
    found = portfolio.compare(owner, [three["latest"], other, three["latest"]])
    assert [e.assessment.id for e in found.evaluations] == [three["latest"], other]
    assert found.dimensions == ["rh", "env"]
    # DUERP: no (0) against yes (1): spread 1; training 2/4 both: 0; energy counted for one only
    assert [(s.question, s.spread) for s in found.differing] == [("rh.duerp", 1.0), ("rh.formation", 0.0)]
    assert found.differing[0].values == {three["latest"]: 0.0, other: 1.0}


def test_compare_takes_two_to_six_assessments_in_reach(owner, mini, module_engine, three):
    with pytest.raises(ComparisonRefused) as refused:
        portfolio.compare(owner, [three["latest"], three["latest"]])
    assert refused.value.code == "compare.count" and refused.value.params == {"min": 2, "max": 6}
    assert error_text(refused.value, "fr") == "Comparez de 2 à 6 diagnostics d’entreprises différentes."
    seven = [mini_assessment(owner, mini, three["beton"], {}) for _ in range(7)]
    with pytest.raises(ComparisonRefused):
        portfolio.compare(owner, seven)
    assert len(portfolio.compare(owner, seven[:6]).evaluations) == 6
    stranger = owner_of_new_workspace(module_engine)
    theirs = mini_assessment(stranger, mini, company(stranger, "Ailleurs"), {})
    with pytest.raises(NotFound):
        portfolio.compare(owner, [three["latest"], theirs])
    manager = member(owner, Role.COMPANY_MANAGER, (three["bois"],))
    with pytest.raises(NotFound):
        portfolio.compare(manager, [three["latest"], three["cuivre_a"]])


def test_comparable_lists_the_companies_with_an_assessment(owner, three):
    assert [(c.name, a.id) for c, a in portfolio.comparable(owner)] == [
        ("Atelier Bois", three["latest"]),
        ("Cuivre & Co", three["cuivre_a"]),
    ]


STATUSES = ("todo", "in_progress", "done", "dropped")


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    plan=st.lists(
        st.tuples(st.sampled_from(STATUSES), st.one_of(st.none(), st.integers(-40, 40))), max_size=8
    )
)
def test_the_portfolios_late_count_is_core_is_late(owner, mini, plan) -> None:
    """The late count read in SQL is exactly core.portfolio.is_late applied to each action."""
    from diagnostic.core.portfolio import is_late

    today = date(2026, 6, 15)
    company_id = company(owner, f"Plan {next(_unique)}")
    assessment_id = mini_assessment(owner, mini, company_id, {})
    add_actions(owner, assessment_id, *[(status, today + timedelta(days=d) if d is not None else None) for status, d in plan])
    (row,) = [r for r in portfolio.portfolio(owner, today=today) if r.company_id == company_id]
    assert row.actions_late == sum(is_late(today + timedelta(days=d) if d is not None else None, s, today) for s, d in plan)
    assert (row.actions_done, row.actions_total) == (sum(s == "done" for s, _ in plan), len(plan))
