"""The assessments' read model (diagnostic/services/summaries.py) on SQLite and PostgreSQL: values equal
the scoring engine's, a valid summary is reused without scoring, a changed answer or company profile
makes it stale."""

from __future__ import annotations

import itertools

import pytest
from sqlalchemy import select

from diagnostic.core.loading import LoadedQuestionnaire
from diagnostic.core.profile import Profile
from diagnostic.core.roles import Permission
from diagnostic.services import access, answers, assessments, companies, summaries
from diagnostic.services.context import Context
from diagnostic.storage.models import AssessmentSummary
from diagnostic.storage.summaries import SummaryRecord
from diagnostic.storage.uow import UnitOfWork
from tests.conftest import local_context

_unique = itertools.count(1)


@pytest.fixture
def owner(module_engine) -> Context:
    return local_context(module_engine)


def mini_assessment(
    ctx: Context, mini: LoadedQuestionnaire, given: dict[str, object], band: str = "1-10"
) -> tuple[int, int]:
    """A new company of that headcount band and an assessment of the mini questionnaire, answered."""
    company = companies.save_company(ctx, None, f"Mini {next(_unique)}", Profile(headcount_band=band))  # type: ignore[arg-type]

    def work(uow: UnitOfWork) -> int:
        uow.snapshots.save(mini, mini.text)
        return uow.assessments.add(access.scope(ctx, Permission.EDIT), company.id, mini).id

    assessment_id = ctx.uow.run(work)
    for question_id, value in given.items():
        answers.record_answer(ctx, mini, assessment_id, question_id, value)
    return company.id, assessment_id


def read(ctx: Context, ids: list[int]) -> dict[int, SummaryRecord]:
    return ctx.uow.run(lambda uow: summaries.current(uow, ids))


@pytest.fixture
def scorings(monkeypatch) -> list[int]:
    """How many assessments the read model scored (its calls to the scoring engine)."""
    calls: list[int] = []
    real = summaries.score

    def counted(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(summaries, "score", counted)
    return calls


GIVEN = {"rh.duerp": "no", "rh.formation": 2, "env.energie": 3, "env.flotte": "no"}


def test_a_summary_holds_the_result_worked_by_hand(owner, mini):
    # 1–10 employees: the DUERP applies, the works council (11+) does not; no vehicles: no eco-driving.
    # people (weight 2): DUERP no 0/4 (w1), training 2/4 (w2) -> 100 × 4/12 = 33.33
    # environment (weight 1): energy 3/4 -> 75; overall (2 × 33.33 + 75) / 3 = 47.22
    # "structured" by score (≥ 45, every dimension ≥ 30), capped at "committed" by the unmet DUERP
    _, assessment_id = mini_assessment(owner, mini, GIVEN)
    summary = read(owner, [assessment_id])[assessment_id]
    assert summary.overall == pytest.approx((2 * 100 * 4 / 12 + 75) / 3)
    assert summary.dimensions == pytest.approx({"rh": 100 * 4 / 12, "env": 75.0})
    assert (summary.level, summary.level_rank) == ("engage", 2)
    assert summary.coverage == 1.0 and summary.answered == 3
    assert summary.critical_unmet == ["rh.duerp"]
    assert summary.weak_questions == ["rh.duerp"]  # training 2/4 is not below half


def test_a_summary_equals_the_evaluation_of_the_assessment(owner, mini):
    _, assessment_id = mini_assessment(
        owner, mini, {"rh.duerp": "yes", "rh.formation": 1, "env.energie": "na"}, band="11-19"
    )
    summary = read(owner, [assessment_id])[assessment_id]
    evaluation = assessments.evaluate(owner, assessment_id)
    assert evaluation is not None
    result = evaluation.result
    assert summary == summaries.summary_of(assessment_id, result)
    assert summary.overall == result.overall and summary.coverage == result.coverage
    assert summary.level == (result.level.id if result.level else None)
    assert summary.weak_questions == ["rh.formation"]  # 1/4; the unanswered works council is not counted
    assert summary.coverage == pytest.approx(3 / 4)  # DUERP, training, energy (N/A) of 4 applicable


def test_a_valid_summary_is_reused_without_scoring(owner, mini, scorings):
    _, first = mini_assessment(owner, mini, GIVEN)
    _, second = mini_assessment(owner, mini, {"rh.formation": 4})
    computed = read(owner, [first, second])
    assert len(scorings) == 2
    again = read(owner, [second, first, first])
    assert len(scorings) == 2, "a valid summary was scored again"
    assert again == computed
    with owner.uow:
        stored = owner.uow.summaries.s.scalars(
            select(AssessmentSummary.assessment_id).where(AssessmentSummary.assessment_id.in_([first, second]))
        )
        assert sorted(stored) == sorted([first, second])


def test_an_answer_change_makes_the_summary_stale(owner, mini, scorings):
    _, assessment_id = mini_assessment(owner, mini, GIVEN)
    before = read(owner, [assessment_id])[assessment_id]
    answers.record_answer(owner, mini, assessment_id, "rh.duerp", "yes")
    after = read(owner, [assessment_id])[assessment_id]
    assert len(scorings) == 2
    assert before.critical_unmet == ["rh.duerp"] and after.critical_unmet == []
    # people: (4 + 4) / 12 -> 66.67; overall (2 × 66.67 + 75) / 3 = 69.44: "managed"
    assert after.overall == pytest.approx((2 * 100 * 8 / 12 + 75) / 3)
    assert after.level == "maitrise"
    assert read(owner, [assessment_id])[assessment_id] == after and len(scorings) == 2


def test_a_company_profile_change_makes_the_summary_stale(owner, mini, scorings):
    company_id, assessment_id = mini_assessment(owner, mini, GIVEN)
    assert read(owner, [assessment_id])[assessment_id].coverage == 1.0
    company = companies.get_company(owner, company_id)
    assert company is not None
    companies.save_company(owner, company_id, company.name, Profile(headcount_band="11-19"))
    after = read(owner, [assessment_id])[assessment_id]
    assert len(scorings) == 2
    assert after.coverage == pytest.approx(3 / 4)  # the works council now applies, unanswered


def test_ids_that_do_not_exist_are_left_out(owner, mini):
    _, assessment_id = mini_assessment(owner, mini, {})
    found = read(owner, [assessment_id, 999_999])
    assert list(found) == [assessment_id]
    assert found[assessment_id].overall is None and found[assessment_id].level is None
    assert found[assessment_id].answered == 0
    assert read(owner, []) == {}
