"""Accounts and workspaces: who is acting, invitations, members, the audit log.

An identity is the provider's issuer + subject, never the e-mail alone. A new user who signs in
holds nothing until an invitation is accepted: a first login never becomes an admin. Invitation
tokens are 32 random bytes (URL-safe text), shown once; only their SHA-256 is stored.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from diagnostic.core.answers import text_problem
from diagnostic.core.roles import NotAllowed, NotFound, Permission, Role, kept_role, may_grant, roles_for
from diagnostic.services import access
from diagnostic.services.context import LOCAL_ISSUER, LOCAL_SUBJECT, OPERATOR, Actor, Context
from diagnostic.services.tokens import new_token, token_hash
from diagnostic.storage.records import AuditRecord, InvitationRecord, MembershipRecord, WorkspaceRecord
from diagnostic.storage.uow import UnitOfWork

DEFAULT_WORKSPACE = "Espace local"
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
KINDS = ("consultancy", "network", "company")
INVITATION_DAYS = 7
MAX_INVITATION_DAYS = 90


class WorkspaceNameTaken(ValueError):
    code = "workspace.name_taken"

    def __init__(self, name: str):
        super().__init__(name)
        self.params: dict[str, object] = {"name": name}


class LastOwner(NotAllowed):
    """The last owner of a workspace stays: someone must be able to manage it."""

    code = "workspace.cannot_remove"


class InvitationRefused(Exception):
    """An invitation link that cannot be used; `code` says why, in the catalogue's words."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code
        self.params: dict[str, object] = {}


# --- who is acting ----------------------------------------------------------------------------


def local_actor(uow: UnitOfWork) -> Actor:
    """The implicit owner of local mode; the default workspace is created if the database has none."""

    def work(u: UnitOfWork) -> Actor:
        user = u.users.sign_in(LOCAL_ISSUER, LOCAL_SUBJECT)
        if not u.workspaces.memberships_of(user.id) and not u.workspaces.list():
            workspace = u.workspaces.add(DEFAULT_WORKSPACE, "consultancy")
            u.workspaces.put_member(workspace.id, user.id, Role.OWNER)
        return Actor(user.id, label="local", local=True)

    return uow.run(work)


def signed_in_actor(uow: UnitOfWork, issuer: str, subject: str, email: str = "", name: str = "") -> Actor:
    """The user of an OpenID Connect identity (created at the first sign-in, with no access)."""
    if not issuer or not subject or issuer == LOCAL_ISSUER:
        raise NotAllowed("identity")
    user = uow.run(lambda u: u.users.sign_in(issuer, subject, email.strip(), name.strip()))
    return Actor(user.id, label=user.label)


def my_workspaces(ctx: Context) -> list[tuple[WorkspaceRecord, str]]:
    """The actor's workspaces with the actor's role in each."""
    with ctx.uow:
        held = access.grants(ctx)
        return [(w, str(held.role_in(w.id))) for w in ctx.uow.workspaces.list(held.workspaces())]


# --- workspaces and invitations ---------------------------------------------------------------


@dataclass(frozen=True)
class IssuedInvitation:
    invitation: InvitationRecord
    token: str  # shown once, never stored


def clean_workspace_name(name: str) -> str:
    """The name as stored, or ValueError: 1 to 200 printable characters on one line, not only digits
    (a number names a workspace by its id)."""
    name = unicodedata.normalize("NFC", name).strip()
    if not name or len(name) > 200 or name.isdigit() or text_problem(name, single_line=True):
        raise ValueError("workspace name: 1 to 200 printable characters on one line, not only digits")
    return name


def create_workspace(
    ctx: Context, name: str, kind: str = "consultancy", owner_email: str = "", days: int = INVITATION_DAYS
) -> tuple[WorkspaceRecord, IssuedInvitation]:
    """A new workspace and the one-time link that makes its owner, in one transaction (the command
    line's operator only). The owner is whoever signs in with that link: `owner_email`, when given,
    must also be the e-mail the provider gives for them. A name already used is refused."""
    if not ctx.actor.operator:
        raise NotAllowed("create_workspace")
    name = clean_workspace_name(name)
    if kind not in KINDS:
        raise ValueError(f"workspace kind: one of {', '.join(KINDS)}")

    def work(uow: UnitOfWork) -> tuple[WorkspaceRecord, IssuedInvitation]:
        if uow.workspaces.find(name):
            raise WorkspaceNameTaken(name)
        workspace = uow.workspaces.add(name, kind)
        access.forget_grants(ctx)  # the operator now holds one more workspace
        access.audit(ctx, workspace.id, "workspace.create", f"workspace:{workspace.id}", name)
        return workspace, invite(ctx, workspace.id, Role.OWNER, email=owner_email, days=days)

    return ctx.uow.run(work)


def invite(
    ctx: Context, workspace_id: int, role: Role | str, company_ids: tuple[int, ...] = (), email: str = "",
    days: int = INVITATION_DAYS,
) -> IssuedInvitation:  # fmt: skip
    """A one-time invitation into the workspace with that role (owners and admins only)."""
    role = Role(role)
    company_ids = tuple(sorted(set(company_ids)))
    email = email.strip().lower()
    if email and (len(email) > 320 or not EMAIL.fullmatch(email)):
        raise ValueError("e-mail: one address, name@domain")
    if not 1 <= days <= MAX_INVITATION_DAYS:
        raise ValueError(f"expiry: 1 to {MAX_INVITATION_DAYS} days")
    if role is Role.COMPANY_MANAGER and not company_ids:
        raise ValueError("a company manager is invited for named companies")
    if role is not Role.COMPANY_MANAGER and company_ids:
        raise ValueError("only a company manager is limited to named companies")
    token = new_token()

    def work(uow: UnitOfWork) -> InvitationRecord:
        access.workspace(ctx, workspace_id, Permission.MANAGE_MEMBERS)
        held = access.grants(ctx)
        granter = held.role_in(workspace_id)
        if granter is None or not may_grant(granter, role):
            raise NotAllowed(Permission.MANAGE_MEMBERS)
        space = uow.workspaces.get(workspace_id)
        if space is None or role not in roles_for(space.kind):
            raise ValueError(f"no {role.value} in a workspace of kind {space.kind if space else '?'}")
        for company_id in company_ids:
            found = uow.companies.get(held.scope(Permission.VIEW), company_id)
            if found is None or found.workspace_id != workspace_id:
                raise NotFound(f"company {company_id}")
        expires = datetime.now(UTC) + timedelta(days=days)
        issued = uow.workspaces.add_invitation(
            workspace_id, token_hash(token), role.value, tuple(sorted(company_ids)), email.strip().lower(), ctx.actor.label, expires
        )
        access.audit(ctx, workspace_id, "invitation.create", f"invitation:{issued.id}", role.value)
        return issued

    return IssuedInvitation(ctx.uow.run(work), token)


def accept_invitation(ctx: Context, token: str, email: str = "", email_verified: bool | None = None) -> WorkspaceRecord:
    """Use an invitation for the signed-in actor: the membership is created (or its role changed).

    Refused (InvitationRefused with a reason) when unknown, used, revoked, expired, or meant for
    another e-mail; nothing is written then.
    """
    if ctx.actor.user_id is None or ctx.actor.local:
        raise InvitationRefused("invite.sign_in_first")

    def work(uow: UnitOfWork) -> WorkspaceRecord:
        found = uow.workspaces.invitation_by_hash(token_hash(token.strip()))
        if found is None:
            raise InvitationRefused("invite.unknown")
        state = found.state(datetime.now(UTC))
        if state != "pending":
            raise InvitationRefused(f"invite.{state}")
        if found.email and (found.email != email.strip().lower() or email_verified is False):
            raise InvitationRefused("invite.other_email")
        assert ctx.actor.user_id is not None
        current = access.grants(ctx).role_in(found.workspace_id)
        role = kept_role(current, Role(found.role))
        uow.workspaces.put_member(found.workspace_id, ctx.actor.user_id, role.value, found.company_ids if role == found.role else ())
        uow.workspaces.mark_invitation(found.id, used_by=ctx.actor.user_id)
        access.forget_grants(ctx)
        access.audit(ctx, found.workspace_id, "invitation.accept", f"invitation:{found.id}", found.role)
        workspace = uow.workspaces.get(found.workspace_id)
        assert workspace is not None
        return workspace

    return ctx.uow.run(work)


def invitations(ctx: Context, workspace_id: int) -> list[InvitationRecord]:
    with ctx.uow:
        access.workspace(ctx, workspace_id, Permission.MANAGE_MEMBERS)
        return ctx.uow.workspaces.invitations(workspace_id)


def revoke_invitation(ctx: Context, workspace_id: int, invitation_id: int) -> None:
    def work(uow: UnitOfWork) -> None:
        access.workspace(ctx, workspace_id, Permission.MANAGE_MEMBERS)
        found = next((i for i in uow.workspaces.invitations(workspace_id) if i.id == invitation_id), None)
        if found is None:
            raise NotFound(f"invitation {invitation_id}")
        state = found.state(datetime.now(UTC))
        if state != "pending":  # a used link stays "used", a revoked one keeps its date
            raise InvitationRefused(f"invite.{state}")
        uow.workspaces.mark_invitation(invitation_id, revoked=True)
        access.audit(ctx, workspace_id, "invitation.revoke", f"invitation:{invitation_id}")

    ctx.uow.run(work)


def members(ctx: Context, workspace_id: int) -> list[MembershipRecord]:
    with ctx.uow:
        access.workspace(ctx, workspace_id, Permission.VIEW)
        return ctx.uow.workspaces.members(workspace_id)


def remove_member(ctx: Context, workspace_id: int, user_id: int) -> None:
    """Take a member out of the workspace; they lose access at their next click. The last owner stays."""

    def work(uow: UnitOfWork) -> None:
        access.workspace(ctx, workspace_id, Permission.MANAGE_MEMBERS)
        current = uow.workspaces.members(workspace_id)
        target = next((m for m in current if m.user_id == user_id), None)
        if target is None:
            raise NotFound(f"member {user_id}")
        if target.role == Role.OWNER:
            if access.grants(ctx).role_in(workspace_id) is not Role.OWNER:
                raise NotAllowed(Permission.MANAGE_MEMBERS)
            if sum(m.role == Role.OWNER for m in current) == 1:
                raise LastOwner("last_owner")
        uow.workspaces.remove_member(workspace_id, user_id)
        access.forget_grants(ctx)
        access.audit(ctx, workspace_id, "member.remove", f"user:{user_id}", target.user_label)

    ctx.uow.run(work)


def audit_log(ctx: Context, workspace_id: int, limit: int = 1000) -> list[AuditRecord]:
    """The workspace's audit log, newest first (owners and admins)."""
    with ctx.uow:
        access.workspace(ctx, workspace_id, Permission.READ_AUDIT)
        return ctx.uow.audit.list(workspace_id, limit)


def find_workspace(ctx: Context, name_or_id: str) -> WorkspaceRecord:
    """A workspace by id or exact name, among those the actor belongs to (the operator: all)."""
    with ctx.uow:
        held = access.grants(ctx).workspaces()
        found = [w for w in ctx.uow.workspaces.find(name_or_id) if w.id in held]
    if len(found) != 1:
        raise NotFound(f"workspace {name_or_id}")
    return found[0]


def operator_context(uow: UnitOfWork, lang: str = "fr") -> Context:
    return Context(uow, OPERATOR, lang)
