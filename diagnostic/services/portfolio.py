"""The consultant's portfolio: every company of a workspace with its latest assessment, plan progress
and next follow-up, read from the read model (no scoring once it is warm); the follow-up date; and
the comparison of 2 to 6 companies' assessments."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date

from diagnostic.core.errors import DomainError
from diagnostic.core.portfolio import DIFFERING_LIMIT, PortfolioRow, Spread, differing
from diagnostic.core.roles import NotAllowed, NotFound, Permission, Role
from diagnostic.services import access, summaries
from diagnostic.services.assessments import Evaluation, evaluate
from diagnostic.services.context import Context
from diagnostic.services.questionnaires import questionnaire_of
from diagnostic.storage.records import AssessmentRecord, CompanyRecord
from diagnostic.storage.summaries import PlanCounts, PortfolioSource, SummaryRecord
from diagnostic.storage.uow import UnitOfWork

COMPARE_MIN, COMPARE_MAX = 2, 6


def _workspace(ctx: Context, workspace_id: int | None) -> int:
    """The workspace read: the one named, else the one chosen on screen, else the actor's first.
    A company manager views it too (the scope then holds its named companies only)."""
    wanted = workspace_id if workspace_id is not None else ctx.workspace_id
    try:
        return access.workspace(ctx, wanted, Permission.VIEW)
    except NotAllowed:
        held = access.grants(ctx)
        managed = [w for w in held.workspaces() if held.role_in(w) is Role.COMPANY_MANAGER]
        if wanted is None and managed:
            return managed[0]
        if wanted in managed:
            return wanted
        raise


def _row(
    source: PortfolioSource, summary: SummaryRecord | None, plan: PlanCounts | None, level_label: str | None
) -> PortfolioRow:
    company, assessment = source.company, source.assessment
    plan = plan or PlanCounts(0, 0, 0)
    base = PortfolioRow(
        company_id=company.id,
        name=company.name,
        sector=company.profile.sector,
        last_activity=max(source.updated_at, assessment.updated_at) if assessment else source.updated_at,
        next_follow_up=company.next_follow_up,
    )
    if assessment is None:
        return base
    return replace(
        base,
        assessment_id=assessment.id,
        assessment_label=assessment.label,
        questionnaire_id=assessment.questionnaire_id,
        assessment_created=assessment.created_at,
        status=assessment.status,
        overall=summary.overall if summary else None,
        level=summary.level if summary else None,
        level_rank=summary.level_rank if summary else None,
        level_label=level_label,
        coverage=summary.coverage if summary else None,
        actions_done=plan.done,
        actions_total=plan.total,
        actions_late=plan.late,
    )


def _level_labels(uow: UnitOfWork, sources: Iterable[PortfolioSource], lang: str) -> dict[tuple[str, str], str]:
    """(content hash, level id) -> the level's name, from each questionnaire used (a few, cached)."""
    labels: dict[tuple[str, str], str] = {}
    seen: set[str] = set()
    for source in sources:
        assessment = source.assessment
        if assessment is None or assessment.content_hash in seen:
            continue
        seen.add(assessment.content_hash)
        for level in questionnaire_of(uow, assessment).model.results.levels:
            labels[(assessment.content_hash, level.id)] = level.label.get(lang)
    return labels


def portfolio(ctx: Context, workspace_id: int | None = None, today: date | None = None) -> list[PortfolioRow]:
    """Every company of the workspace the actor may view (a company manager: its named companies), by
    name, with its latest assessment's status and result, plan progress, last activity and next
    follow-up. A handful of queries whatever the number of companies; scores come from the read model
    (summaries computed here the first time, and after a change, are stored)."""
    day = today or date.today()

    def work(uow: UnitOfWork) -> list[PortfolioRow]:
        workspace = _workspace(ctx, workspace_id)
        seen = access.scope(ctx)
        sources = uow.summaries.portfolio(seen, workspace)
        plans = uow.summaries.plan_counts(seen, workspace, day)
        found = summaries.current(uow, [s.assessment.id for s in sources if s.assessment])
        labels = _level_labels(uow, sources, ctx.lang)
        rows = []
        for source in sources:
            a = source.assessment
            summary = found.get(a.id) if a else None
            label = labels.get((a.content_hash, summary.level)) if a and summary and summary.level else None
            rows.append(_row(source, summary, plans.get(a.id) if a else None, label))
        return rows

    return ctx.uow.run(work)


def comparable(ctx: Context, workspace_id: int | None = None) -> list[tuple[CompanyRecord, AssessmentRecord]]:
    """The workspace's companies in reach that have an assessment, by name, with their latest one."""
    with ctx.uow:
        workspace = _workspace(ctx, workspace_id)
        sources = ctx.uow.summaries.portfolio(access.scope(ctx), workspace)
        return [(s.company, s.assessment) for s in sources if s.assessment is not None]


def set_next_follow_up(ctx: Context, company_id: int, day: date | None) -> CompanyRecord:
    """Set (or clear, with None) the date of the next follow-up meeting with the company (EDIT on it)."""

    def work(uow: UnitOfWork) -> CompanyRecord:
        company = access.company(ctx, company_id, Permission.EDIT)
        uow.summaries.set_follow_up(access.scope(ctx, Permission.EDIT), company_id, day)
        access.audit(
            ctx, company.workspace_id, "company.follow_up", f"company:{company_id}", day.isoformat() if day else ""
        )
        return access.company(ctx, company_id)

    return ctx.uow.run(work)


# --- comparing companies -----------------------------------------------------------------------------


class ComparisonRefused(DomainError):
    """Fewer than COMPARE_MIN or more than COMPARE_MAX distinct assessments to compare."""

    code = "compare.count"


@dataclass(frozen=True)
class Comparison:
    evaluations: list[Evaluation]  # in the order asked
    dimensions: list[str]  # the dimension ids of every assessment, in their questionnaires' order
    differing: list[Spread]  # the questions where they differ most, widest spread first


def normalised_scores(evaluation: Evaluation) -> dict[str, float]:
    """question id -> value / max of each counted question (0..1), so that scales compare."""
    return {
        r.id: r.value / r.max
        for r in evaluation.result.questions.values()
        if r.counted and r.value is not None and r.max
    }


def compare(ctx: Context, assessment_ids: Iterable[int], limit: int = DIFFERING_LIMIT) -> Comparison:
    """2 to 6 assessments side by side (VIEW on each; NotFound for any out of reach)."""
    ids = list(dict.fromkeys(assessment_ids))
    if not COMPARE_MIN <= len(ids) <= COMPARE_MAX:
        raise ComparisonRefused(
            f"{len(ids)} assessments", code="compare.count", params={"min": COMPARE_MIN, "max": COMPARE_MAX}
        )
    with ctx.uow:
        for assessment_id in ids:
            access.assessment(ctx, assessment_id)
    evaluations = []
    for assessment_id in ids:
        evaluation = evaluate(ctx, assessment_id)
        if evaluation is None:  # deleted meanwhile
            raise NotFound(f"assessment {assessment_id}")
        evaluations.append(evaluation)
    dimensions = list(dict.fromkeys(d.id for e in evaluations for d in e.questionnaire.dimensions))
    order = list(dict.fromkeys(q for e in evaluations for q in e.questionnaire.questions))
    spreads = differing({e.assessment.id: normalised_scores(e) for e in evaluations}, order, limit)
    return Comparison(evaluations, dimensions, spreads)
