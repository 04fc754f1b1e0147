"""Companies: list, read, create, change, delete (with what deleting erases)."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from diagnostic.core import limits
from diagnostic.core.answers import mixed_script_problem, text_problem
from diagnostic.core.errors import InputRefused
from diagnostic.core.profile import Profile
from diagnostic.core.roles import NotAllowed, NotFound, Permission
from diagnostic.services import access
from diagnostic.services.context import Context
from diagnostic.storage.records import AssessmentRecord, CompanyRecord
from diagnostic.storage.uow import UnitOfWork


def list_companies(ctx: Context) -> list[CompanyRecord]:
    """Every company the actor may see, by name."""
    with ctx.uow:
        return ctx.uow.companies.list(access.scope(ctx))


def get_company(ctx: Context, company_id: int | None) -> CompanyRecord | None:
    """The company, or None when it does not exist or is out of the actor's reach (told the same)."""
    if company_id is None:
        return None
    with ctx.uow:
        try:
            return access.company(ctx, company_id)
        except NotFound:
            return None


def may(ctx: Context, permission: Permission, company_id: int | None = None) -> bool:
    """Whether the actor may do `permission` on the company (or, without one, in the workspace chosen
    on screen — in any of the actor's workspaces when none is chosen)."""
    with ctx.uow:
        held = access.grants(ctx)
        if company_id is None and permission is Permission.CREATE_COMPANY:  # not in a network's workspace
            try:
                access.workspace(ctx, ctx.workspace_id, permission)
            except (NotAllowed, NotFound):
                return False
            return True
        if company_id is None:
            if ctx.workspace_id is not None:
                return held.may(permission, ctx.workspace_id)
            return any(held.may(permission, w) for w in held.workspaces())
        found = ctx.uow.companies.get(held.scope(Permission.VIEW), company_id)
        return found is not None and held.may(permission, found.workspace_id, found.id)


def find_by_name(ctx: Context, name: str, permission: Permission = Permission.VIEW) -> list[CompanyRecord]:
    """The companies of that name among those the actor may `permission`."""
    with ctx.uow:
        return ctx.uow.companies.find_by_name(access.scope(ctx, permission), name)


def clean_company_fields(name: str, notes: str) -> tuple[str, str]:
    """The name and notes of a company as they will be stored, or InputRefused saying why not.

    The same rules as a company read from an imported file: no blank or look-alike name, nothing a
    database cannot store, no text over its maximum.
    """
    name = unicodedata.normalize("NFC", name).strip()
    if not name:
        raise InputRefused("company.name_required")
    if len(name) > limits.COMPANY_NAME:
        raise InputRefused("company.too_long", f"{len(name)} > {limits.COMPANY_NAME}")
    problem = text_problem(name, single_line=True) or mixed_script_problem(name)
    if problem:
        raise InputRefused("company.name_invalid", problem)
    if len(notes) > limits.COMPANY_NOTES:
        raise InputRefused("company.too_long", f"{len(notes)} > {limits.COMPANY_NOTES}")
    problem = text_problem(notes)
    if problem:
        raise InputRefused("company.notes_invalid", problem)
    return name, notes


def save_company(
    ctx: Context, company_id: int | None, name: str, profile: Profile, notes: str = "", workspace_id: int | None = None
) -> CompanyRecord:
    """Create (company_id None, in `workspace_id` or the actor's workspace) or update a company."""
    name, notes = clean_company_fields(name, notes)

    def work(uow: UnitOfWork) -> CompanyRecord:
        if company_id is None:
            workspace = access.workspace(ctx, workspace_id or ctx.workspace_id, Permission.CREATE_COMPANY)
            created = uow.companies.add(workspace, name, profile, notes)
            access.audit(ctx, workspace, "company.create", f"company:{created.id}", created.name)
            return created
        current = access.company(ctx, company_id, Permission.EDIT)
        saved = uow.companies.update(access.scope(ctx, Permission.EDIT), company_id, name, profile, notes)
        access.audit(ctx, current.workspace_id, "company.update", f"company:{company_id}", saved.name)
        return saved

    return ctx.uow.run(work)


@dataclass(frozen=True)
class Erasure:
    """What deleting a company or an assessment erases, for the confirmation and the message after."""

    company: str  # the company's name
    assessments: int
    answers: int  # answer rows (a comment alone counts as one)
    actions: int


def erasure_of(ctx: Context, company: CompanyRecord, assessments: list[AssessmentRecord]) -> Erasure:
    seen = access.scope(ctx)
    return Erasure(
        company=company.name,
        assessments=len(assessments),
        answers=sum(len(ctx.uow.answers.load(seen, a.id)) for a in assessments),
        actions=sum(len(ctx.uow.actions.list(seen, a.id)) for a in assessments),
    )


def company_erasure(ctx: Context, company_id: int) -> Erasure | None:
    """What deleting the company would erase; None when it does not exist (any more) for the actor."""
    with ctx.uow:
        try:
            company = access.company(ctx, company_id)
        except NotFound:
            return None
        return erasure_of(ctx, company, ctx.uow.assessments.list(access.scope(ctx), company_id))


def delete_company(ctx: Context, company_id: int) -> Erasure | None:
    """Erase a company and everything of it: assessments, answers, comments, actions (one transaction).

    Returns what was erased (counted just before), None when the company no longer exists.
    Questionnaire snapshots stay: they hold a questionnaire's text, shared, nothing of the company.
    """

    def work(uow: UnitOfWork) -> Erasure | None:
        try:
            company = access.company(ctx, company_id, Permission.DELETE)
        except NotFound:
            return None
        erased = uow.assessments.list(access.scope(ctx), company_id)
        erasure = erasure_of(ctx, company, erased)
        uow.companies.delete(access.scope(ctx, Permission.DELETE), company_id)
        # the log keeps that it was erased, never what: the company's name goes from its earlier lines
        uow.audit.forget(company.workspace_id, [f"company:{company_id}", *(f"assessment:{a.id}" for a in erased)])
        access.audit(
            ctx, company.workspace_id, "company.delete", f"company:{company_id}",
            f"{erasure.assessments} diagnostics, {erasure.answers} réponses, {erasure.actions} actions",
        )  # fmt: skip
        return erasure

    return ctx.uow.run(work)
