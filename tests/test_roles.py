"""The pure access rules of diagnostic/core/roles.py: a hand-checked table, then properties.

The table below is written out by hand from the issue (who may do what), not recomputed from
ALLOWED: a change of ALLOWED that nobody meant fails here.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from diagnostic.core.roles import (
    ALLOWED,
    COMPANY_PERMISSIONS,
    Grant,
    Grants,
    NotAllowed,
    NotFound,
    Permission,
    Role,
    Scope,
    allowed,
    may_grant,
)

P = Permission

# role             view  edit  create_company  delete  manage_members  read_audit  review  vote  moderate
TABLE = """
owner              yes   yes   yes             yes     yes             yes         yes     yes   yes
admin              yes   yes   yes             yes     yes             yes         yes     yes   yes
consultant         yes   yes   yes             yes     no              no          no      no    no
company_manager    yes   yes   no              no      no              no          no      no    no
viewer             yes   no    no              no      no              no          no      no    no
reviewer           yes   no    no              no      no              no          yes     no    no
committee          yes   no    no              no      no              no          no      yes   no
"""
COLUMNS = (P.VIEW, P.EDIT, P.CREATE_COMPANY, P.DELETE, P.MANAGE_MEMBERS, P.READ_AUDIT, P.REVIEW, P.VOTE, P.MODERATE)


def _expected() -> dict[tuple[Role, Permission], bool]:
    cells: dict[tuple[Role, Permission], bool] = {}
    for line in TABLE.strip().splitlines():
        role, *marks = line.split()
        assert len(marks) == len(COLUMNS)
        for permission, mark in zip(COLUMNS, marks, strict=True):
            cells[Role(role), permission] = {"yes": True, "no": False}[mark]
    return cells


EXPECTED = _expected()

# granter \ invited  owner admin consultant company_manager viewer reviewer committee
GRANTING = """
owner               yes   yes   yes        yes             yes    yes      yes
admin               no    yes   yes        yes             yes    yes      yes
consultant          no    no    no         no              no     no       no
company_manager     no    no    no         no              no     no       no
viewer              no    no    no         no              no     no       no
reviewer            no    no    no         no              no     no       no
committee           no    no    no         no              no     no       no
"""
ROLES = (Role.OWNER, Role.ADMIN, Role.CONSULTANT, Role.COMPANY_MANAGER, Role.VIEWER, Role.REVIEWER, Role.COMMITTEE)


def _granting() -> dict[tuple[Role, Role], bool]:
    cells = {}
    for line in GRANTING.strip().splitlines():
        granter, *marks = line.split()
        for role, mark in zip(ROLES, marks, strict=True):
            cells[Role(granter), role] = mark == "yes"
    return cells


GRANTABLE = _granting()


def test_the_table_covers_every_role_and_permission() -> None:
    assert set(EXPECTED) == {(r, p) for r in Role for p in Permission}
    assert set(GRANTABLE) == {(g, r) for g in Role for r in Role}
    assert set(ALLOWED) == set(Role)


@pytest.mark.parametrize(("role", "permission"), sorted(EXPECTED, key=str))
def test_role_permission_table(role: Role, permission: Permission) -> None:
    assert allowed(role, permission) is EXPECTED[role, permission]
    assert (permission in ALLOWED[role]) is EXPECTED[role, permission]
    # held in workspace 7, on company 70 named for a company manager
    grants = Grants.of([Grant(7, role, frozenset({70}) if role is Role.COMPANY_MANAGER else frozenset())])
    assert grants.may(permission, 7, 70) is EXPECTED[role, permission]
    assert grants.may(permission, 8, 80) is False  # never in a workspace without a grant


@pytest.mark.parametrize(("granter", "role"), sorted(GRANTABLE, key=str))
def test_who_may_grant_which_role(granter: Role, role: Role) -> None:
    assert may_grant(granter, role) is GRANTABLE[granter, role]


def test_company_permissions_are_view_edit_delete() -> None:
    assert COMPANY_PERMISSIONS == {P.VIEW, P.EDIT, P.DELETE}


def test_a_company_manager_reaches_only_the_named_companies() -> None:
    grants = Grants.of([Grant(1, Role.COMPANY_MANAGER, frozenset({10, 11}))])
    assert grants.scope(P.VIEW) == Scope(frozenset(), frozenset({10, 11}))
    assert grants.scope(P.EDIT) == Scope(frozenset(), frozenset({10, 11}))
    assert grants.scope(P.DELETE).empty
    assert grants.scope(P.CREATE_COMPANY).empty
    assert grants.may(P.VIEW, 1, 10) and not grants.may(P.VIEW, 1, 12)
    assert not grants.may(P.VIEW, 1)  # a company permission without the company: no
    assert not grants.may(P.EDIT, 1, None)


def test_scope_reaches_and_empty() -> None:
    scope = Scope(frozenset({1}), frozenset({20}))
    assert scope.reaches(1, None) and scope.reaches(1, 5) and scope.reaches(2, 20)
    assert not scope.reaches(2, None) and not scope.reaches(2, 21)
    assert Scope().empty and not scope.empty and not Scope(companies=frozenset({3})).empty


def test_grants_of_sorts_by_workspace_and_tells_the_role() -> None:
    grants = Grants.of([Grant(3, Role.VIEWER), Grant(1, Role.ADMIN)])
    assert grants.workspaces() == [1, 3]
    assert grants.role_in(1) is Role.ADMIN and grants.role_in(3) is Role.VIEWER and grants.role_in(2) is None
    assert Grants().scope(P.VIEW).empty


def test_errors_carry_their_codes() -> None:
    assert NotFound("company 3").code == "access.not_found"
    refused = NotAllowed(P.EDIT)
    assert refused.code == "access.not_allowed" and refused.params == {"permission": "edit"}
    assert isinstance(NotFound(), LookupError) and isinstance(refused, PermissionError)


# --- properties -----------------------------------------------------------------------------------
# A world: workspaces 1..5, each with companies w*10 .. w*10+3. A company manager names companies of
# its own workspace (what invite() checks). An actor holds at most one grant per workspace (the
# memberships table's unique constraint).

WORKSPACES = range(1, 6)
COMPANIES = {w: [w * 10 + i for i in range(4)] for w in WORKSPACES}
WORKSPACE_OF = {c: w for w, cs in COMPANIES.items() for c in cs}


@st.composite
def grant_in(draw, workspace_id: int) -> Grant:
    role = draw(st.sampled_from(list(Role)))
    named: frozenset[int] = frozenset()
    if role is Role.COMPANY_MANAGER:
        named = frozenset(draw(st.sets(st.sampled_from(COMPANIES[workspace_id]), min_size=1)))
    return Grant(workspace_id, role, named)


@st.composite
def grants_strategy(draw, exclude: frozenset[int] = frozenset()) -> Grants:
    chosen = draw(st.sets(st.sampled_from([w for w in WORKSPACES if w not in exclude])))
    return Grants.of([draw(grant_in(w)) for w in sorted(chosen)])


permissions = st.sampled_from(list(Permission))
companies = st.sampled_from(sorted(WORKSPACE_OF))


@settings(max_examples=150, deadline=None)
@given(grants_strategy(), permissions)
def test_scope_never_reaches_a_workspace_without_a_grant(grants: Grants, permission: Permission) -> None:
    scope = grants.scope(permission)
    held = set(grants.workspaces())
    assert scope.workspaces <= held
    for company, workspace in WORKSPACE_OF.items():
        if workspace not in held:
            assert not scope.reaches(workspace, company)
            assert not scope.reaches(workspace, None)
            assert not grants.may(permission, workspace, company)


@settings(max_examples=150, deadline=None)
@given(grants_strategy(), st.sampled_from([P.VIEW, P.EDIT]))
def test_a_company_managers_scope_holds_only_the_named_companies(grants: Grants, permission: Permission) -> None:
    scope = grants.scope(permission)
    managed = [g for g in grants.grants if g.role is Role.COMPANY_MANAGER]
    named = frozenset().union(*(g.company_ids for g in managed)) if managed else frozenset()
    assert scope.companies == named
    for g in managed:
        assert g.workspace_id not in scope.workspaces  # never the whole workspace
        for company in COMPANIES[g.workspace_id]:
            assert scope.reaches(g.workspace_id, company) is (company in g.company_ids)


@settings(max_examples=200, deadline=None)
@given(grants_strategy(), permissions, companies)
def test_may_is_reaching_the_scope(grants: Grants, permission: Permission, company: int) -> None:
    workspace = WORKSPACE_OF[company]
    assert grants.may(permission, workspace, company) is grants.scope(permission).reaches(workspace, company)


@settings(max_examples=150, deadline=None)
@given(st.data(), permissions)
def test_adding_a_grant_never_removes_reach(data, permission: Permission) -> None:
    before = data.draw(grants_strategy(exclude=frozenset({5})))
    after = Grants.of([*before.grants, data.draw(grant_in(5))])
    small, large = before.scope(permission), after.scope(permission)
    assert small.workspaces <= large.workspaces and small.companies <= large.companies
    for company, workspace in WORKSPACE_OF.items():
        if before.may(permission, workspace, company):
            assert after.may(permission, workspace, company)
        if small.reaches(workspace, company):
            assert large.reaches(workspace, company)


@settings(max_examples=100, deadline=None)
@given(grants_strategy(), companies)
def test_a_viewer_never_changes_anything(grants: Grants, company: int) -> None:
    workspace = WORKSPACE_OF[company]
    viewer = Grants.of([g if g.workspace_id != workspace else Grant(workspace, Role.VIEWER) for g in grants.grants])
    if workspace not in viewer.workspaces():
        viewer = Grants.of([*viewer.grants, Grant(workspace, Role.VIEWER)])
    assert viewer.may(P.VIEW, workspace, company)
    for permission in (P.EDIT, P.DELETE, P.MANAGE_MEMBERS, P.READ_AUDIT, P.CREATE_COMPANY):
        assert not viewer.may(permission, workspace, company)
        assert not viewer.may(permission, workspace)
        assert not viewer.scope(permission).reaches(workspace, company)


@settings(max_examples=100, deadline=None)
@given(st.sampled_from(list(Role)), st.sampled_from(list(Role)))
def test_only_owners_and_admins_grant_and_an_admin_never_grants_owner(granter: Role, role: Role) -> None:
    if may_grant(granter, role):
        assert granter in (Role.OWNER, Role.ADMIN)
        assert not (granter is Role.ADMIN and role is Role.OWNER)
        assert allowed(granter, P.MANAGE_MEMBERS)  # whoever grants may manage members
