"""Report data for the PDF, the workbook and the JSON file; downloads are logged in the audit."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from diagnostic.core.roles import NotFound
from diagnostic.exports.report_data import ActionRow, CompanyInfo, CrossedGroup, CrossedViews, ReportData
from diagnostic.labels import group_name
from diagnostic.services import access, aid, participation
from diagnostic.services.actions import list_actions
from diagnostic.services.assessments import evaluate, previous_assessment
from diagnostic.services.context import Context
from diagnostic.services.evidence import evidence_status
from diagnostic.services.evidence_scores import evidence_score
from diagnostic.services.networks import benchmark_for
from diagnostic.services.readiness import readiness_reports
from diagnostic.storage.records import ActionRecord


def action_row(action: ActionRecord) -> ActionRow:
    return ActionRow(
        title=action.title,
        owner=action.owner,
        due_date=action.due_date,
        status=action.status,
        notes=action.notes,
        recommendation_id=action.recommendation_id,
        question_id=action.question_id,
    )


def crossed(ctx: Context, assessment_id: int, *, need_shown: bool = True) -> CrossedViews | None:
    """The groups' views for the reports; None unless the assessment is opened to groups and (with
    `need_shown`) at least one group is shown.

    Only what the consolidation lets through: the shown groups' aggregates and results; of a hidden
    group, its name and mode only. A group that was never invited (no link) and has no respondent
    took no part: it is left out."""
    views = participation.crossed_views(ctx, assessment_id)
    if views is None:
        return None
    consolidation = views.consolidation
    if need_shown and not consolidation.shown:
        return None
    progress = participation.participation(ctx, assessment_id)
    invited = {g.group.id for g in progress.groups if g.links} if progress is not None else set()
    groups = []
    for view in consolidation.groups:
        hidden = CrossedGroup(
            id=view.id, key=view.key, label=view.label, name=group_name(view.key, view.label, ctx.lang),
            anonymous=view.anonymous, shown=False,
        )  # fmt: skip
        if view.shown:
            groups.append(
                replace(hidden, shown=True, respondents=view.respondents, result=view.result, questions=dict(view.questions))
            )
        elif view.id in invited:
            groups.append(hidden)
    return CrossedViews(
        k=consolidation.k, comment_k=consolidation.comment_k, groups=groups, divergences=list(consolidation.divergences)
    )


def report_data(ctx: Context, assessment_id: int) -> ReportData | None:
    """Everything a report shows, in the context's language; None when out of reach."""
    evaluation = evaluate(ctx, assessment_id)
    if evaluation is None:
        return None
    previous = previous_assessment(ctx, evaluation.assessment)
    previous_eval = evaluate(ctx, previous.id) if previous else None
    respondents = sorted({r.answered_by for r in evaluation.records.values() if r.answered_by})
    if evaluation.assessment.respondent and evaluation.assessment.respondent not in respondents:
        respondents.insert(0, evaluation.assessment.respondent)
    company = evaluation.company
    backed = evidence_score(ctx, evaluation)
    return ReportData(
        lang=ctx.lang,
        questionnaire=evaluation.questionnaire,
        company=CompanyInfo(
            name=company.name,
            sector=company.profile.sector,
            headcount_band=company.profile.headcount_band,
            sites=company.profile.sites,
            notes=company.notes,
        ),
        profile=company.profile,
        answers=evaluation.answers,
        result=evaluation.result,
        assessed_on=evaluation.assessment.updated_at,
        respondents=respondents,
        targets=evaluation.assessment.targets,
        previous=previous_eval.result if previous_eval else None,
        previous_on=previous_eval.assessment.updated_at if previous_eval else None,
        actions=[action_row(a) for a in list_actions(ctx, assessment_id)],
        crossed=crossed(ctx, assessment_id),
        benchmarks=[b for b in benchmark_for(ctx, company.id) if not b.figures.empty],
        evidence_result=backed.result if backed else None,
        evidence_status=evidence_status(ctx, assessment_id),
        aid=aid.for_actions(company.profile, evaluation.questionnaire, list_actions(ctx, assessment_id), ctx.lang),
        readiness=readiness_reports(evaluation.questionnaire, company.profile, evaluation.answers, evaluation.result),
    )


def export_document(ctx: Context, assessment_id: int) -> dict[str, Any] | None:
    """The assessment as the JSON document of docs/formats.md; None when out of reach."""
    from diagnostic.exports.assessment_json import FileAssessment, build_document, participation_part
    from diagnostic.services import vsme

    evaluation = evaluate(ctx, assessment_id)
    if evaluation is None:
        return None
    a = evaluation.assessment
    company = evaluation.company
    groups = crossed(ctx, assessment_id, need_shown=False)
    part = participation_part(groups, participation.named_answers(ctx, assessment_id)) if groups is not None else None
    return build_document(
        evaluation.questionnaire,
        CompanyInfo(name=company.name, notes=company.notes),
        company.profile,
        evaluation.answers,
        evaluation.comments,
        a.targets,
        [action_row(x) for x in list_actions(ctx, assessment_id)],
        FileAssessment(label=a.label, status=a.status, respondent=a.respondent, created_at=a.created_at, completed_at=a.completed_at),  # type: ignore[arg-type]
        part,
        vsme.file_part(ctx, assessment_id),
    )


def log_download(ctx: Context, assessment_id: int, kind: str) -> None:
    """A report left the application: one audit line (pdf, xlsx, json)."""

    def work(_: object) -> None:
        try:
            _, company = access.assessment(ctx, assessment_id)
        except NotFound:
            return
        access.audit(ctx, company.workspace_id, "report.export", f"assessment:{assessment_id}", kind)

    ctx.uow.run(work)
