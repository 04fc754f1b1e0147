"""Who may do what: roles, permissions and the scope of an actor's memberships (pure rules).

A role is held in a workspace. A company manager holds it for the companies named in the
membership only. What an actor may not even see behaves as if it did not exist (the services
say "not found"); what an actor sees but may not change is refused ("not allowed").
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    OWNER = "owner"
    ADMIN = "admin"
    CONSULTANT = "consultant"
    COMPANY_MANAGER = "company_manager"
    VIEWER = "viewer"
    REVIEWER = "reviewer"  # a network's label reviewer
    COMMITTEE = "committee"  # a member of a network's label committee


class Permission(StrEnum):
    VIEW = "view"  # read a company, its assessments, results, plan; download its reports
    EDIT = "edit"  # answer, change the plan, the profile, targets; start an assessment; import into it
    CREATE_COMPANY = "create_company"  # a new company in the workspace (also by import)
    DELETE = "delete"  # delete a company or an assessment
    MANAGE_MEMBERS = "manage_members"  # invite, revoke, remove members
    READ_AUDIT = "read_audit"  # read and export the workspace's audit log
    # a network's own work (its members' companies stay in their own workspaces)
    REVIEW = "review"  # review a label application
    VOTE = "vote"  # vote on a label application and record the committee's decision
    MODERATE = "moderate"  # publish or reject the members' good practices; manage members and groups


ALLOWED: dict[Role, frozenset[Permission]] = {
    Role.OWNER: frozenset(Permission),
    Role.ADMIN: frozenset(Permission),
    Role.CONSULTANT: frozenset({Permission.VIEW, Permission.EDIT, Permission.CREATE_COMPANY, Permission.DELETE}),
    Role.COMPANY_MANAGER: frozenset({Permission.VIEW, Permission.EDIT}),
    Role.VIEWER: frozenset({Permission.VIEW}),
    Role.REVIEWER: frozenset({Permission.VIEW, Permission.REVIEW}),
    Role.COMMITTEE: frozenset({Permission.VIEW, Permission.VOTE}),
}

# Permissions that concern one company (a company manager has them on the named companies only);
# the others concern the workspace as a whole.
COMPANY_PERMISSIONS = frozenset({Permission.VIEW, Permission.EDIT, Permission.DELETE})


RANK = {
    Role.VIEWER: 0, Role.COMPANY_MANAGER: 1, Role.REVIEWER: 1, Role.COMMITTEE: 1, Role.CONSULTANT: 2, Role.ADMIN: 3, Role.OWNER: 4,
}  # fmt: skip


# The roles that make sense in a workspace of each kind: a network has reviewers and a committee,
# and no company of its own to consult on or manage.
NETWORK_ROLES = (Role.OWNER, Role.ADMIN, Role.REVIEWER, Role.COMMITTEE, Role.VIEWER)
OTHER_ROLES = (Role.OWNER, Role.ADMIN, Role.CONSULTANT, Role.COMPANY_MANAGER, Role.VIEWER)


def roles_for(kind: str) -> tuple[Role, ...]:
    """The roles that make sense in a workspace of that kind (consultancy | network | company)."""
    return NETWORK_ROLES if kind == "network" else OTHER_ROLES


def kept_role(current: Role | None, invited: Role) -> Role:
    """The role after accepting an invitation: an invitation never lowers a member's role (so a last
    owner cannot lose the workspace by opening a weaker link)."""
    if current is None or RANK[invited] > RANK[current]:
        return invited
    return current


def allowed(role: Role, permission: Permission) -> bool:
    return permission in ALLOWED[role]


def may_grant(granter: Role, role: Role) -> bool:
    """An owner may invite any role; an admin any role but owner; nobody else invites."""
    if granter is Role.OWNER:
        return True
    return granter is Role.ADMIN and role is not Role.OWNER


@dataclass(frozen=True)
class Grant:
    """One membership as the rules need it."""

    workspace_id: int
    role: Role
    company_ids: frozenset[int] = frozenset()  # company manager: the companies named


@dataclass(frozen=True)
class Scope:
    """What a query may reach: every company of `workspaces`, plus the single `companies`."""

    workspaces: frozenset[int] = frozenset()
    companies: frozenset[int] = frozenset()

    def reaches(self, workspace_id: int, company_id: int | None) -> bool:
        return workspace_id in self.workspaces or (company_id is not None and company_id in self.companies)

    @property
    def empty(self) -> bool:
        return not self.workspaces and not self.companies


@dataclass(frozen=True)
class Grants:
    """Everything an actor holds, read fresh at each use case (a removed member loses access at once)."""

    grants: tuple[Grant, ...] = ()

    @classmethod
    def of(cls, grants: Iterable[Grant]) -> Grants:
        return cls(tuple(sorted(grants, key=lambda g: g.workspace_id)))

    def role_in(self, workspace_id: int) -> Role | None:
        return next((g.role for g in self.grants if g.workspace_id == workspace_id), None)

    def workspaces(self) -> list[int]:
        return [g.workspace_id for g in self.grants]

    def scope(self, permission: Permission) -> Scope:
        """Where `permission` holds: the companies the actor may act on that way."""
        whole: set[int] = set()
        named: set[int] = set()
        for g in self.grants:
            if not allowed(g.role, permission):
                continue
            if g.role is Role.COMPANY_MANAGER and permission in COMPANY_PERMISSIONS:
                named |= g.company_ids
            else:
                whole.add(g.workspace_id)
        return Scope(frozenset(whole), frozenset(named))

    def may(self, permission: Permission, workspace_id: int, company_id: int | None = None) -> bool:
        """May the actor do `permission` in this workspace (on this company, when one is concerned)?"""
        grant = next((g for g in self.grants if g.workspace_id == workspace_id), None)
        if grant is None or not allowed(grant.role, permission):
            return False
        if grant.role is Role.COMPANY_MANAGER and permission in COMPANY_PERMISSIONS:
            return company_id is not None and company_id in grant.company_ids
        return True


class NotFound(LookupError):
    """What does not exist, or exists outside the actor's reach: the two are told the same way."""

    code = "access.not_found"

    def __init__(self, what: str = ""):
        super().__init__(what)
        self.params: dict[str, object] = {}


class NotAllowed(PermissionError):
    """Seen but not to be changed by this actor (a viewer editing, a consultant inviting)."""

    code = "access.not_allowed"

    def __init__(self, permission: Permission | str = ""):
        super().__init__(str(permission))
        self.params: dict[str, object] = {"permission": str(permission)}
