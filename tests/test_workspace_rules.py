"""Workspace rules added after review: names, revocation, the last owner, e-mails, grants refreshed."""

from __future__ import annotations

import pytest

from diagnostic.core.roles import NotAllowed, Role
from diagnostic.i18n import error_text
from diagnostic.services import workspaces
from diagnostic.services.context import Context
from tests.fakes import FakeUnitOfWork, fake_context


def setup() -> tuple[FakeUnitOfWork, Context, Context, int]:
    """The operator, and Alice owner of "Cabinet A" through its owner link."""
    uow = FakeUnitOfWork()
    op = workspaces.operator_context(uow)
    workspace, issued = workspaces.create_workspace(op, "Cabinet A", owner_email="alice@example.org")
    alice = Context(uow, workspaces.signed_in_actor(uow, "https://idp.test", "alice", "alice@example.org", "Alice"))
    workspaces.accept_invitation(alice, issued.token, "alice@example.org", True)
    return uow, op, alice, workspace.id


def test_a_workspace_name_is_cleaned_and_unique() -> None:
    uow, op, _, _ = setup()
    with pytest.raises(workspaces.WorkspaceNameTaken):
        workspaces.create_workspace(op, "  cabinet a ")
    for bad in ("", "   ", "12", "A\x00B", "x" * 201, "deux\nlignes"):
        with pytest.raises(ValueError):
            workspaces.create_workspace(op, bad)
    created, _ = workspaces.create_workspace(op, "Cafe\u0301 B")  # decomposed é
    assert created.name == "Café B"
    assert [w.name for w, _ in workspaces.my_workspaces(op)] == ["Cabinet A", "Café B"]


def test_create_workspace_is_one_transaction_with_its_expiry() -> None:
    uow, op, _, _ = setup()
    workspace, issued = workspaces.create_workspace(op, "Réseau C", days=30)
    assert (issued.invitation.expires_at - issued.invitation.created_at).days in (29, 30)
    assert [i.id for i in workspaces.invitations(op, workspace.id)] == [issued.invitation.id]
    with pytest.raises(ValueError):
        workspaces.create_workspace(op, "Réseau D", days=0)
    assert [w.name for w, _ in workspaces.my_workspaces(op)] == ["Cabinet A", "Réseau C"]  # no "Réseau D"


def test_only_a_pending_invitation_is_revoked() -> None:
    _, _, alice, workspace = setup()
    used = workspaces.invitations(alice, workspace)[0]
    with pytest.raises(workspaces.InvitationRefused) as refused:
        workspaces.revoke_invitation(alice, workspace, used.id)
    assert refused.value.code == "invite.used"
    issued = workspaces.invite(alice, workspace, Role.VIEWER)
    workspaces.revoke_invitation(alice, workspace, issued.invitation.id)
    first = next(i for i in workspaces.invitations(alice, workspace) if i.id == issued.invitation.id).revoked_at
    with pytest.raises(workspaces.InvitationRefused):
        workspaces.revoke_invitation(alice, workspace, issued.invitation.id)
    assert next(i for i in workspaces.invitations(alice, workspace) if i.id == issued.invitation.id).revoked_at == first


def test_the_last_owner_is_refused_with_its_own_words() -> None:
    _, _, alice, workspace = setup()
    with pytest.raises(workspaces.LastOwner) as refused:
        workspaces.remove_member(alice, workspace, alice.actor.user_id)  # type: ignore[arg-type]
    assert isinstance(refused.value, NotAllowed)
    assert error_text(refused.value, "fr").startswith("Ce membre ne peut pas être retiré")


def test_an_invitation_checks_its_email_and_companies() -> None:
    _, _, alice, workspace = setup()
    for bad in ("pas-une-adresse", "a@b", "a b@c.fr", "a@b@c.fr"):
        with pytest.raises(ValueError):
            workspaces.invite(alice, workspace, Role.VIEWER, email=bad)
    issued = workspaces.invite(alice, workspace, Role.VIEWER, email=" Bob@Example.org ")
    assert issued.invitation.email == "bob@example.org"


def test_grants_are_read_again_after_a_change_in_the_same_transaction() -> None:
    uow, op, _, _ = setup()
    with uow:  # one transaction that reads the operator's grants, then creates a workspace and invites into it
        workspaces.my_workspaces(op)
        created, issued = workspaces.create_workspace(op, "Dans la même transaction")
        again = workspaces.invite(op, created.id, Role.ADMIN)
    assert issued.token != again.token


def test_fake_context_defaults_to_the_local_owner() -> None:
    ctx = fake_context()
    assert ctx.actor.local and [w.name for w, _ in workspaces.my_workspaces(ctx)] == ["Espace local"]
