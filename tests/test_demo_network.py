"""The demo network, made in one click: nine members, eight sharing, a group held back by its weakest
member, one label application waiting for review, the good-practice library — and only for the local
owner (or the operator), since it makes two workspaces."""

from __future__ import annotations

import pytest

from diagnostic.core.roles import NotAllowed
from diagnostic.services import demo_network, labels, networks, practices, workspaces
from diagnostic.services.context import Actor, Context
from tests.conftest import local_context


@pytest.fixture(scope="module")
def made(module_engine):
    ctx = local_context(module_engine)
    return ctx, demo_network.open_demo_network(ctx)


def test_the_demo_network_has_its_members_group_application_and_practices(made) -> None:
    ctx, network_id = made
    board = networks.dashboard(ctx, network_id)
    assert board.network.kind == "network" and board.network.label_id == demo_network.LABEL_ID
    assert len(board.members) == len(demo_network.MEMBERS) == 9
    assert board.sharing == 8  # the recyclerie keeps its results to itself
    assert board.benchmark.contributors == 8  # at least 5: the benchmark is shown
    (group,) = board.groups
    weakest = {m.company.name for m in group.members if m.company.member.id in group.level.weakest}
    assert weakest == {"Rénov’Habitat BTP"}  # the group's level is its weakest member's
    (application,) = labels.applications(ctx, network_id)
    assert application.status == "submitted"
    library = practices.library(ctx, network_id)
    assert len(library) == len(practices.demo_practices())
    assert 1 <= len(practices.queue(ctx, network_id)) < len(library)  # some wait for moderation


def test_opening_it_again_gives_the_same_network(made) -> None:
    ctx, network_id = made
    assert demo_network.open_demo_network(ctx) == network_id
    names = [w.name for w, _ in workspaces.my_workspaces(ctx)]
    assert names.count(demo_network.NETWORK_NAME["fr"]) == 1


def test_a_signed_in_member_cannot_make_it(made) -> None:
    ctx, _ = made
    someone = Context(ctx.uow, Actor(user_id=ctx.actor.user_id, label="x"), "fr")  # same person, not local mode
    with pytest.raises(NotAllowed):
        demo_network.open_demo_network(someone)
    assert not demo_network.may_open(someone)


def test_a_failure_while_making_it_leaves_nothing(module_engine, monkeypatch) -> None:
    """Made in one transaction: a demo found by its name is always whole."""
    ctx = local_context(module_engine, lang="en")
    before = {w.id for w, _ in workspaces.my_workspaces(ctx)}

    def broken(*args, **kwargs):
        raise RuntimeError("the label step fails")

    monkeypatch.setattr(labels, "apply", broken)
    with pytest.raises(RuntimeError):
        demo_network.create_demo_network(ctx)
    assert {w.id for w, _ in workspaces.my_workspaces(ctx)} == before
