"""Moving data in and out: a JSON file imported (all or nothing), a company exported whole (GDPR)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from diagnostic.core.loading import LoadedQuestionnaire, parse_questionnaire
from diagnostic.core.roles import NotFound, Permission
from diagnostic.services import access, vsme
from diagnostic.services.context import Context
from diagnostic.services.questionnaires import shipped_questionnaire, snapshot_text
from diagnostic.storage.records import AssessmentRecord, CompanyRecord
from diagnostic.storage.uow import UnitOfWork

if TYPE_CHECKING:  # imported where used, at run time
    from diagnostic.exports.assessment_json import ImportPlan


def questionnaire_for_import(ctx: Context, questionnaire_id: str, content_hash: str | None) -> tuple[LoadedQuestionnaire, str]:
    """The exact questionnaire of the file when this machine knows it, else the shipped one of that id."""
    from diagnostic.exports.assessment_json import ImportRefused

    if content_hash:
        text = snapshot_text(ctx.uow, content_hash)
        if text is not None:
            loaded = parse_questionnaire(text, questionnaire_id)
            if loaded.id == questionnaire_id:  # a hash copied from another questionnaire's file is not trusted
                return loaded, text
    try:
        return shipped_questionnaire(questionnaire_id)
    except KeyError:
        raise ImportRefused("import.unknown_questionnaire", questionnaire_id) from None


def prepare_import(ctx: Context, raw: bytes) -> tuple[ImportPlan, list[CompanyRecord]]:
    """Parse and check a whole file; nothing is written. Returns (plan, the actor's companies of that name).

    Any file that cannot be imported raises ImportRefused (message key + what and where), never
    another exception; the command line reads answers files with the same parse_file and plan_import.
    """
    from diagnostic.exports.assessment_json import parse_file, plan_import
    from diagnostic.services.companies import find_by_name

    document = parse_file(raw)
    questionnaire, _ = questionnaire_for_import(ctx, document.questionnaire, document.content_hash)
    plan = plan_import(document, questionnaire)
    vsme.plan_part(plan)
    assert document.company is not None
    # only companies the actor may import into are offered (in the workspace chosen on screen, if any)
    same = find_by_name(ctx, document.company.name, Permission.EDIT)
    return plan, [c for c in same if ctx.workspace_id in (None, c.workspace_id)]


def apply_import(ctx: Context, plan: ImportPlan, company_id: int | None, workspace_id: int | None = None) -> AssessmentRecord:
    """Write a checked import in one transaction: into `company_id` (which the actor must be able to
    edit: another workspace's company is not found), or a new company (company_id None) in the
    actor's workspace."""
    from diagnostic.exports.assessment_json import ImportRefused

    document = plan.document
    _, source_text = questionnaire_for_import(ctx, plan.questionnaire.id, plan.questionnaire.content_hash)
    meta = document.assessment

    def work(uow: UnitOfWork) -> AssessmentRecord:
        if company_id is None:
            workspace = access.workspace(ctx, workspace_id or ctx.workspace_id, Permission.CREATE_COMPANY)
            if document.company is None:  # an answers file names no company: prepare_import refuses it first
                raise ImportRefused("import.invalid", "company: required but missing")
            company = uow.companies.add(workspace, document.company.name, document.profile, document.company.notes)
            access.audit(ctx, workspace, "company.create", f"company:{company.id}", f"{company.name} (import)")
        else:
            company = access.company(ctx, company_id, Permission.EDIT)
        edit = access.scope(ctx, Permission.EDIT)
        uow.snapshots.save(plan.questionnaire, source_text)
        row = uow.assessments.add(
            edit, company.id, plan.questionnaire,
            label=meta.label if meta else "", respondent=meta.respondent if meta else "",
            status=meta.status if meta else "in_progress", targets=plan.targets,
            created_at=meta.created_at if meta else None, completed_at=meta.completed_at if meta else None,
        )  # fmt: skip
        uow.answers.replace(edit, row.id, plan.answers, answered_by=meta.respondent if meta else "")
        for position, action in enumerate(document.actions, start=1):
            uow.actions.add(edit, row.id, position=position, **action.model_dump())
        vsme.restore(uow, ctx, row.id, plan)
        access.audit(ctx, company.workspace_id, "assessment.import", f"assessment:{row.id}", plan.questionnaire.id)
        return uow.assessments.get(edit, row.id) or row

    return ctx.uow.run(work)


def export_company(ctx: Context, company_id: int) -> dict[str, Any]:
    """Everything stored about a company, for the right of access and portability (GDPR art. 15, 20):
    the company and each assessment as the JSON document of docs/formats.md. NotFound when out of reach."""
    from diagnostic.services.assessments import list_assessments
    from diagnostic.services.reports import export_document

    with ctx.uow:
        company: CompanyRecord = access.company(ctx, company_id)
    documents = [export_document(ctx, a.id) for a in list_assessments(ctx, company_id)]
    if any(d is None for d in documents):
        raise NotFound(f"company {company_id}")

    def log(_: UnitOfWork) -> None:
        access.audit(ctx, company.workspace_id, "company.export", f"company:{company_id}", f"{len(documents)} diagnostics")

    ctx.uow.run(log)
    return {
        "format": "autodiag-rse/company",
        "version": 1,
        "company": {
            "name": company.name,
            "notes": company.notes,
            "sector": company.profile.sector,
            "headcount_band": company.profile.headcount_band,
            "sites": company.profile.sites,
            "production_site": company.profile.production_site,
            "tertiary_area_1000m2": company.profile.tertiary_area_1000m2,
            "region": company.profile.region,
            "created_at": company.created_at.isoformat(),
        },
        "assessments": documents,
    }
