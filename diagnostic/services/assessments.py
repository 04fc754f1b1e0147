"""Assessments: start, read with their questionnaire and results, complete, set targets, delete."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from diagnostic.core.answers import Answer
from diagnostic.core.loading import LoadedQuestionnaire
from diagnostic.core.roles import NotFound, Permission
from diagnostic.core.scoring import Result, score
from diagnostic.services import access
from diagnostic.services.companies import Erasure, erasure_of
from diagnostic.services.context import Context
from diagnostic.services.questionnaires import questionnaire_of, shipped_questionnaire
from diagnostic.storage.records import AnswerRecord, AssessmentRecord, CompanyRecord
from diagnostic.storage.uow import UnitOfWork


def list_assessments(ctx: Context, company_id: int) -> list[AssessmentRecord]:
    """The company's assessments, oldest first ([] when the company is out of reach)."""
    with ctx.uow:
        return ctx.uow.assessments.list(access.scope(ctx), company_id)


def get_assessment(ctx: Context, assessment_id: int | None) -> AssessmentRecord | None:
    if assessment_id is None:
        return None
    with ctx.uow:
        return ctx.uow.assessments.get(access.scope(ctx), assessment_id)


def stamp(ctx: Context, assessment_id: int) -> datetime | None:
    """When anything of the assessment last changed: what the page's watcher polls."""
    with ctx.uow:
        return ctx.uow.assessments.stamp(access.scope(ctx), assessment_id)


def start_assessment(
    ctx: Context, company_id: int, questionnaire_id: str, respondent: str = "", label: str = ""
) -> AssessmentRecord:
    loaded, text = shipped_questionnaire(questionnaire_id)

    def work(uow: UnitOfWork) -> AssessmentRecord:
        company = access.company(ctx, company_id, Permission.EDIT)
        uow.snapshots.save(loaded, text)
        created = uow.assessments.add(access.scope(ctx, Permission.EDIT), company_id, loaded, label=label, respondent=respondent)
        access.audit(ctx, company.workspace_id, "assessment.create", f"assessment:{created.id}", loaded.id)
        return created

    return ctx.uow.run(work)


def update_assessment(ctx: Context, assessment_id: int, **fields: Any) -> AssessmentRecord:
    """Change the status, targets, label or respondent of an assessment the actor may edit."""

    def work(uow: UnitOfWork) -> AssessmentRecord:
        _, company = access.assessment(ctx, assessment_id, Permission.EDIT)
        saved = uow.assessments.update(access.scope(ctx, Permission.EDIT), assessment_id, **fields)
        access.audit(ctx, company.workspace_id, "assessment.update", f"assessment:{assessment_id}", ", ".join(sorted(fields)))
        return saved

    return ctx.uow.run(work)


def set_status(ctx: Context, assessment_id: int, completed: bool) -> AssessmentRecord:
    return update_assessment(ctx, assessment_id, status="completed" if completed else "in_progress")


def set_targets(ctx: Context, assessment_id: int, targets: dict[str, float]) -> AssessmentRecord:
    return update_assessment(ctx, assessment_id, targets={k: float(v) for k, v in targets.items()})


def previous_assessment(ctx: Context, assessment: AssessmentRecord) -> AssessmentRecord | None:
    """The latest earlier assessment of the same company (any questionnaire: dimensions are shared)."""
    earlier = [
        a
        for a in list_assessments(ctx, assessment.company_id)
        if (a.created_at, a.id) < (assessment.created_at, assessment.id)
    ]
    return earlier[-1] if earlier else None


@dataclass(frozen=True)
class Evaluation:
    """An assessment with everything the pages show about it."""

    assessment: AssessmentRecord
    company: CompanyRecord
    questionnaire: LoadedQuestionnaire
    answers: dict[str, Answer]
    comments: dict[str, str]
    result: Result
    records: dict[str, AnswerRecord]

    @property
    def applies(self) -> dict[str, bool]:
        return {qid: row.applies for qid, row in self.result.questions.items()}


def split_answers(records: dict[str, AnswerRecord]) -> tuple[dict[str, Answer], dict[str, str]]:
    answers: dict[str, Answer] = {}
    comments: dict[str, str] = {}
    for qid, record in records.items():
        if record.comment:
            comments[qid] = record.comment
        if record.value is not None:
            answers[qid] = Answer(record.value, record.comment or None)
    return answers, comments


def evaluate(ctx: Context, assessment_id: int | None) -> Evaluation | None:
    """The assessment, its company, questionnaire, answers and result; None when out of reach."""
    if assessment_id is None:
        return None
    with ctx.uow:
        try:
            assessment, company = access.assessment(ctx, assessment_id)
        except NotFound:
            return None
        records = ctx.uow.answers.load(access.scope(ctx), assessment_id)
        questionnaire = questionnaire_of(ctx.uow, assessment)
    answers, comments = split_answers(records)
    # answers to questions that no longer exist (an edited snapshot) are ignored, not fatal
    answers = {k: v for k, v in answers.items() if k in questionnaire.questions}
    result = score(questionnaire, company.profile, answers)
    return Evaluation(assessment, company, questionnaire, answers, comments, result, records)


def assessment_erasure(ctx: Context, assessment_id: int) -> Erasure | None:
    """What deleting the assessment would erase; None when it does not exist (any more)."""
    with ctx.uow:
        try:
            assessment, company = access.assessment(ctx, assessment_id)
        except NotFound:
            return None
        return erasure_of(ctx, company, [assessment])


def delete_assessment(ctx: Context, assessment_id: int) -> Erasure | None:
    """Erase one assessment with its answers, comments and actions; None when it no longer exists."""

    def work(uow: UnitOfWork) -> Erasure | None:
        try:
            assessment, company = access.assessment(ctx, assessment_id, Permission.DELETE)
        except NotFound:
            return None
        erasure = erasure_of(ctx, company, [assessment])
        uow.assessments.delete(access.scope(ctx, Permission.DELETE), assessment_id)
        access.audit(ctx, company.workspace_id, "assessment.delete", f"assessment:{assessment_id}", f"company:{company.id}")
        return erasure

    return ctx.uow.run(work)
