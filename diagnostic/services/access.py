"""The one place where rights are checked: every use case asks here before it reads or writes.

What the actor may not see raises NotFound, exactly as a missing id does (no existence leak);
what the actor sees but may not do raises NotAllowed.
"""

from __future__ import annotations

from diagnostic.core.roles import Grant, Grants, NotAllowed, NotFound, Permission, Role, Scope
from diagnostic.services.context import Context
from diagnostic.storage.records import AssessmentRecord, CompanyRecord


def grants(ctx: Context) -> Grants:
    """What the actor holds now: read once per use case (per transaction), so that a removed member
    loses access at the next click."""
    uow = ctx.uow
    cached = uow.memo.get("grants")
    if isinstance(cached, Grants):
        return cached
    if ctx.actor.operator:
        held = Grants.of(Grant(w.id, Role.OWNER) for w in uow.workspaces.list())
    elif ctx.actor.user_id is None:
        held = Grants()
    else:
        memberships = uow.workspaces.memberships_of(ctx.actor.user_id)
        held = Grants.of(Grant(m.workspace_id, Role(m.role), frozenset(m.company_ids)) for m in memberships)
    uow.memo["grants"] = held
    return held


def forget_grants(ctx: Context) -> None:
    """After a membership or a workspace changed in this transaction: read the grants again."""
    ctx.uow.memo.pop("grants", None)


def scope(ctx: Context, permission: Permission = Permission.VIEW) -> Scope:
    return grants(ctx).scope(permission)


def company(ctx: Context, company_id: int, permission: Permission = Permission.VIEW) -> CompanyRecord:
    held = grants(ctx)
    found = ctx.uow.companies.get(held.scope(Permission.VIEW), company_id)
    if found is None:
        raise NotFound(f"company {company_id}")
    if not held.may(permission, found.workspace_id, found.id):
        raise NotAllowed(permission)
    return found


def assessment(
    ctx: Context, assessment_id: int, permission: Permission = Permission.VIEW
) -> tuple[AssessmentRecord, CompanyRecord]:
    held = grants(ctx)
    both = ctx.uow.assessments.with_company(held.scope(Permission.VIEW), assessment_id)
    if both is None:
        raise NotFound(f"assessment {assessment_id}")
    found, owner = both
    if not held.may(permission, owner.workspace_id, owner.id):
        raise NotAllowed(permission)
    return found, owner


def workspace(ctx: Context, workspace_id: int | None, permission: Permission) -> int:
    """The workspace the actor acts in (the only one, or the first where `permission` holds, when
    none is named); NotFound when the actor is not a member, NotAllowed without the permission."""
    held = grants(ctx)
    # A network's workspace holds no company: its members live in their own (docs/decisions.md, 106).
    networks = _networks(ctx, held) if permission is Permission.CREATE_COMPANY else set()
    if workspace_id is None:
        able = [w for w in held.workspaces() if held.may(permission, w) and w not in networks]
        if able:
            return able[0]
        if held.workspaces():
            raise NotAllowed(permission)
        raise NotFound("workspace")
    if held.role_in(workspace_id) is None:
        raise NotFound(f"workspace {workspace_id}")
    if not held.may(permission, workspace_id) or workspace_id in networks:
        raise NotAllowed(permission)
    return workspace_id


def _networks(ctx: Context, held: Grants) -> set[int]:
    return {w.id for w in ctx.uow.workspaces.list(held.workspaces()) if w.kind == "network"}


def audit(ctx: Context, workspace_id: int, action: str, target: str = "", detail: str = "") -> None:
    """One line of the workspace's audit log, in the use case's transaction."""
    ctx.uow.audit.add(workspace_id, ctx.actor.user_id, ctx.actor.label, action, target, detail[:2000])
