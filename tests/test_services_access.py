"""Every refusal of authorisation, service by service, on the in-memory fakes (tests/fakes.py).

Two workspaces, A and B, each with its owner, companies, assessments, answers and actions. What an
actor may not see behaves exactly as an id that does not exist; what an actor sees but may not
change is refused (NotAllowed) and writes nothing; rights are read afresh at each call.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from diagnostic.core.loading import LoadedQuestionnaire
from diagnostic.core.profile import Profile
from diagnostic.core.recommendations import RankedRecommendation
from diagnostic.core.roles import NotAllowed, NotFound, Permission, Role, roles_for
from diagnostic.exports.assessment_json import to_json
from diagnostic.services import actions, answers, assessments, companies, demo, reports, transfer, workspaces
from diagnostic.services.context import Actor, Context
from diagnostic.services.workspaces import InvitationRefused, token_hash
from diagnostic.storage.records import ActionRecord, AssessmentRecord
from tests.conftest import outcome
from tests.fakes import FakeUnitOfWork, Store

ISSUER = "https://id.example.org"
MISSING = 999_999  # an id never given
# The answers are given on the full diagnostic, which has multiple choices (the flash has none).
FULL = "rse-performance-globale"
MATURITY = "gov.engagement-direction"  # maturity 0..4, asked of every company
MULTI = "rh.temps-travail-pratiques"  # multiple choice, asked from 1 employee (a1: 11-19; a2, b1: headcount not given)


def signed_in(uow: FakeUnitOfWork, subject: str, email: str = "", name: str = "") -> Actor:
    return workspaces.signed_in_actor(uow, ISSUER, subject, email or f"{subject}@example.org", name or subject.title())


@dataclass
class World:
    """Workspace A (owner Alice: companies a1, a2) and workspace B (owner Bob: company b1)."""

    uow: FakeUnitOfWork
    a: int
    b: int
    alice: Actor
    bob: Actor
    a1: int
    a2: int
    b1: int
    qa1: AssessmentRecord
    qa2: AssessmentRecord
    qb1: AssessmentRecord
    action_a1: ActionRecord
    action_a2: ActionRecord
    action_b1: ActionRecord
    invitation_b: int  # pending, in B
    questionnaire: LoadedQuestionnaire
    recommendation: RankedRecommendation
    plan: Any  # an import plan (the export of qa1)
    extra: dict[str, Actor] = field(default_factory=dict)

    @property
    def store(self) -> Store:
        return self.uow.store

    def ctx(self, actor: Actor, lang: str = "fr") -> Context:
        return Context(self.uow, actor, lang)

    def member(
        self, role: Role, subject: str, company_ids: tuple[int, ...] = (), workspace: int | None = None
    ) -> Actor:
        """A new user, invited by the owner into A (or `workspace`) with that role, who accepts."""
        workspace = workspace or self.a
        owner = self.alice if workspace == self.a else self.bob
        email = f"{subject}@example.org"
        issued = workspaces.invite(self.ctx(owner), workspace, role, company_ids, email=email)
        actor = signed_in(self.uow, subject, email)
        workspaces.accept_invitation(self.ctx(actor), issued.token, email, True)
        return actor


def _fill(ctx: Context, company_id: int, value: int) -> tuple[AssessmentRecord, ActionRecord, LoadedQuestionnaire, Any]:
    assessment = assessments.start_assessment(ctx, company_id, FULL, respondent="Rémi", label="2025")
    evaluation = assessments.evaluate(ctx, assessment.id)
    assert evaluation is not None
    q = evaluation.questionnaire
    answers.record_answer(ctx, q, assessment.id, MATURITY, value, answered_by="Rémi")
    answers.record_answer(ctx, q, assessment.id, MULTI, ["charge"], answered_by="Rémi")
    answers.record_comment(ctx, assessment.id, "rh.duerp", "à revoir")
    evaluation = assessments.evaluate(ctx, assessment.id)
    assert evaluation is not None
    recommendation = evaluation.result.recommendations[0]
    action = actions.add_from_recommendation(ctx, assessment.id, recommendation)
    return assessment, action, q, recommendation


_PLAN: list[Any] = []


def build_world() -> World:
    uow = FakeUnitOfWork()
    operator = workspaces.operator_context(uow)
    ws_a, invitation_a = workspaces.create_workspace(
        operator, "Cabinet A", "consultancy", owner_email="alice@example.org"
    )
    ws_b, invitation_b = workspaces.create_workspace(operator, "Entreprise B", "company")
    alice = signed_in(uow, "alice")
    bob = signed_in(uow, "bob")
    workspaces.accept_invitation(Context(uow, alice), invitation_a.token, "alice@example.org", True)
    workspaces.accept_invitation(Context(uow, bob), invitation_b.token, "bob@example.org", True)
    ctx_a, ctx_b = Context(uow, alice), Context(uow, bob)
    a1 = companies.save_company(ctx_a, None, "Atelier Alpha", Profile(headcount_band="11-19"), workspace_id=ws_a.id)
    a2 = companies.save_company(ctx_a, None, "Boulangerie Bêta", Profile(), workspace_id=ws_a.id)
    b1 = companies.save_company(ctx_b, None, "Conserverie Gamma", Profile(), workspace_id=ws_b.id)
    qa1, action_a1, q, recommendation = _fill(ctx_a, a1.id, 1)
    qa2, action_a2, _, _ = _fill(ctx_a, a2.id, 2)
    qb1, action_b1, _, _ = _fill(ctx_b, b1.id, 1)
    pending = workspaces.invite(ctx_b, ws_b.id, Role.VIEWER)
    if not _PLAN:  # every world is the same: its export, parsed once
        document = reports.export_document(ctx_a, qa1.id)
        assert document is not None
        _PLAN.append(transfer.prepare_import(ctx_a, to_json(document))[0])
    plan = _PLAN[0]
    return World(
        uow, ws_a.id, ws_b.id, alice, bob, a1.id, a2.id, b1.id, qa1, qa2, qb1, action_a1, action_a2, action_b1,
        pending.invitation.id, q, recommendation, plan,
    )  # fmt: skip


@pytest.fixture
def world() -> World:
    return build_world()


def actor_of(world: World, role: str) -> Actor:
    """Alice (owner of A) or a new member of A with that role (a company manager: of a1)."""
    if role == "owner":
        return world.alice
    return world.member(Role(role), role.replace("_", ""), (world.a1,) if role == "company_manager" else ())


def contents(store: Store) -> dict[str, Any]:
    """Everything stored but the id counters (a refused write may have used an id, like a sequence).

    The records are frozen and replaced, never changed in place: copying the dicts is enough."""
    return {k: dict(v) for k, v in vars(store).items() if k != "counters"}


def workspace_rows(world: World, workspace_id: int) -> dict[str, Any]:
    """Every row that belongs to the workspace, to check that nothing of it changed."""
    s = world.store
    company_ids = {c.id for c in s.companies.values() if c.workspace_id == workspace_id}
    assessment_ids = {a.id for a in s.assessments.values() if a.company_id in company_ids}
    return {
        "companies": {k: v for k, v in s.companies.items() if k in company_ids},
        "assessments": {k: v for k, v in s.assessments.items() if k in assessment_ids},
        "answers": {k: v for k, v in s.answers.items() if v.assessment_id in assessment_ids},
        "actions": {k: v for k, v in s.actions.items() if v.assessment_id in assessment_ids},
        "memberships": {k: v for k, v in s.memberships.items() if v.workspace_id == workspace_id},
        "invitations": {k: v for k, v in s.invitations.items() if v.workspace_id == workspace_id},
        "audit": {k: v for k, v in s.audit.items() if v.workspace_id == workspace_id},
    }



# --- another workspace's ids behave as ids that do not exist ------------------------------------------


@dataclass(frozen=True)
class Ids:
    workspace: int
    company: int
    assessment: AssessmentRecord
    action: ActionRecord
    invitation: int
    user: int


def foreign_ids(w: World) -> Ids:
    assert w.bob.user_id is not None
    return Ids(w.b, w.b1, w.qb1, w.action_b1, w.invitation_b, w.bob.user_id)


def missing_ids(w: World) -> Ids:
    return Ids(
        MISSING, MISSING, replace(w.qb1, id=MISSING, company_id=MISSING), replace(w.action_b1, id=MISSING, assessment_id=MISSING),
        MISSING, MISSING,
    )  # fmt: skip


Case = Callable[[World, Context, Ids], Any]


def chosen(ctx: Context, workspace_id: int) -> Context:
    return Context(ctx.uow, ctx.actor, ctx.lang, workspace_id)


# cases on a company, its assessments, answers and actions (what a company manager may also miss)
COMPANY_CASES: dict[str, Case] = {
    "get_company": lambda w, c, i: companies.get_company(c, i.company),
    "may": lambda w, c, i: [companies.may(c, p, i.company) for p in Permission],
    "update_company": lambda w, c, i: companies.save_company(c, i.company, "Nouveau nom", Profile()),
    "company_erasure": lambda w, c, i: companies.company_erasure(c, i.company),
    "delete_company": lambda w, c, i: companies.delete_company(c, i.company),
    "list_assessments": lambda w, c, i: assessments.list_assessments(c, i.company),
    "get_assessment": lambda w, c, i: assessments.get_assessment(c, i.assessment.id),
    "stamp": lambda w, c, i: assessments.stamp(c, i.assessment.id),
    "start_assessment": lambda w, c, i: assessments.start_assessment(c, i.company, "rse-flash"),
    "update_assessment": lambda w, c, i: assessments.update_assessment(c, i.assessment.id, label="x"),
    "set_status": lambda w, c, i: assessments.set_status(c, i.assessment.id, True),
    "set_targets": lambda w, c, i: assessments.set_targets(c, i.assessment.id, {"gov": 50}),
    "previous_assessment": lambda w, c, i: assessments.previous_assessment(c, i.assessment),
    "evaluate": lambda w, c, i: assessments.evaluate(c, i.assessment.id),
    "assessment_erasure": lambda w, c, i: assessments.assessment_erasure(c, i.assessment.id),
    "delete_assessment": lambda w, c, i: assessments.delete_assessment(c, i.assessment.id),
    "record_answer": lambda w, c, i: answers.record_answer(c, w.questionnaire, i.assessment.id, MATURITY, 4),
    "record_answer_shown": lambda w, c, i: answers.record_answer(
        c, w.questionnaire, i.assessment.id, MULTI, ["deconnexion"], shown=["charge"]
    ),
    "record_comment": lambda w, c, i: answers.record_comment(c, i.assessment.id, "rh.duerp", "vu", shown="à revoir"),
    "load_answers": lambda w, c, i: answers.load_answers(c, i.assessment.id),
    "list_actions": lambda w, c, i: actions.list_actions(c, i.assessment.id),
    "add_from_recommendation": lambda w, c, i: actions.add_from_recommendation(c, i.assessment.id, w.recommendation),
    "apply_action_edits": lambda w, c, i: actions.apply_action_edits(
        c,
        i.assessment.id,
        [i.action],
        {"edited_rows": {0: {"title": "x"}}, "added_rows": [{"title": "y"}], "deleted_rows": [0]},
    ),
    "apply_action_form": lambda w, c, i: actions.apply_action_form(c, i.assessment.id, i.action, {"title": "x"}),
    # a foreign action id on a row of one's own plan
    "edit_action_in_own_plan": lambda w, c, i: actions.apply_action_edits(
        c, w.qa1.id, [i.action], {"edited_rows": {0: {"title": "x", "status": "done"}}}
    ),
    "delete_action_in_own_plan": lambda w, c, i: actions.apply_action_edits(
        c, w.qa1.id, [i.action], {"deleted_rows": [0]}
    ),
    "report_data": lambda w, c, i: reports.report_data(c, i.assessment.id),
    "export_document": lambda w, c, i: reports.export_document(c, i.assessment.id),
    "log_download": lambda w, c, i: reports.log_download(c, i.assessment.id, "pdf"),
    "export_company": lambda w, c, i: transfer.export_company(c, i.company),
    "apply_import_into": lambda w, c, i: transfer.apply_import(c, w.plan, i.company),
}

WORKSPACE_CASES: dict[str, Case] = {
    "create_company_in": lambda w, c, i: companies.save_company(
        c, None, "Nouvelle", Profile(), workspace_id=i.workspace
    ),
    # the workspace chosen on screen (Context.workspace_id)
    "create_company_in_chosen": lambda w, c, i: companies.save_company(
        chosen(c, i.workspace), None, "Nouvelle", Profile()
    ),
    "import_new_in_chosen": lambda w, c, i: transfer.apply_import(chosen(c, i.workspace), w.plan, None),
    "open_demo_in_chosen": lambda w, c, i: demo.open_demo(chosen(c, i.workspace)),
    "apply_import_new_in": lambda w, c, i: transfer.apply_import(c, w.plan, None, workspace_id=i.workspace),
    "invite": lambda w, c, i: workspaces.invite(c, i.workspace, Role.VIEWER),
    "invite_manager_of": lambda w, c, i: workspaces.invite(c, w.a, Role.COMPANY_MANAGER, (i.company,)),
    "invitations": lambda w, c, i: workspaces.invitations(c, i.workspace),
    "revoke_invitation": lambda w, c, i: workspaces.revoke_invitation(c, i.workspace, i.invitation),
    "revoke_invitation_in_own": lambda w, c, i: workspaces.revoke_invitation(c, w.a, i.invitation),
    "members": lambda w, c, i: workspaces.members(c, i.workspace),
    "remove_member": lambda w, c, i: workspaces.remove_member(c, i.workspace, i.user),
    "remove_member_from_own": lambda w, c, i: workspaces.remove_member(c, w.a, i.user),
    "audit_log": lambda w, c, i: workspaces.audit_log(c, i.workspace),
    "find_workspace": lambda w, c, i: workspaces.find_workspace(c, str(i.workspace)),
}

ROLES_OF_A = ["owner", "admin", "consultant", "company_manager", "viewer"]


@pytest.mark.parametrize("role", ROLES_OF_A)
@pytest.mark.parametrize("case", sorted({**COMPANY_CASES, **WORKSPACE_CASES}))
def test_another_workspaces_id_is_an_id_that_does_not_exist(world: World, role: str, case: str) -> None:
    call = {**COMPANY_CASES, **WORKSPACE_CASES}[case]
    ctx = world.ctx(actor_of(world, role))
    before = workspace_rows(world, world.b)
    foreign = outcome(lambda: call(world, ctx, foreign_ids(world)))
    missing = outcome(lambda: call(world, ctx, missing_ids(world)))
    assert foreign == missing
    assert workspace_rows(world, world.b) == before  # nothing of B changed, not even its audit log


def test_the_outcomes_of_foreign_ids_are_the_not_found_ones(world: World) -> None:
    """Not only equal: each is what "not found" looks like for that use case."""
    ctx = world.ctx(world.alice)
    ids = foreign_ids(world)
    nothing = {
        "get_company": None, "company_erasure": None, "delete_company": None, "list_assessments": [],
        "get_assessment": None, "stamp": None, "previous_assessment": None, "evaluate": None,
        "assessment_erasure": None, "delete_assessment": None, "load_answers": {}, "list_actions": [],
        "report_data": None, "export_document": None, "log_download": None, "may": [False] * len(Permission),
        "edit_action_in_own_plan": ["plan.gone"], "delete_action_in_own_plan": [],
    }  # fmt: skip
    for case, expected in nothing.items():
        assert outcome(lambda c=case: COMPANY_CASES[c](world, ctx, ids)) == ("returned", expected), case
    gone = {"record_answer", "record_answer_shown", "record_comment"}  # the answer's assessment is not there
    for case in gone:
        assert outcome(lambda c=case: COMPANY_CASES[c](world, ctx, ids))[1] == "Gone", case
    for case in set(COMPANY_CASES) - set(nothing) - gone:
        assert outcome(lambda c=case: COMPANY_CASES[c](world, ctx, ids))[1] == "NotFound", case
    for case in WORKSPACE_CASES:
        assert outcome(lambda c=case: WORKSPACE_CASES[c](world, ctx, ids))[1] == "NotFound", case


def test_a_workspace_name_of_another_workspace_is_not_found(world: World) -> None:
    ctx = world.ctx(world.alice)
    for name in ("Entreprise B", "entreprise b", "Nulle part"):
        with pytest.raises(NotFound):
            workspaces.find_workspace(ctx, name)
    assert workspaces.find_workspace(ctx, "cabinet a").id == world.a


def test_an_import_does_not_match_another_workspaces_company(world: World) -> None:
    """prepare_import offers the companies of that name: never one the actor cannot see."""
    document = reports.export_document(world.ctx(world.bob), world.qb1.id)
    assert document is not None
    _, matches = transfer.prepare_import(world.ctx(world.alice), to_json(document))
    assert matches == []
    _, matches = transfer.prepare_import(world.ctx(world.bob), to_json(document))
    assert [c.id for c in matches] == [world.b1]


def test_the_demo_of_another_workspace_is_neither_opened_nor_reset(world: World) -> None:
    demo_b, _ = demo.open_demo(world.ctx(world.bob))
    assert [c.id for c in demo.demo_companies(world.ctx(world.alice))] == []
    demo_a, _ = demo.open_demo(world.ctx(world.alice))
    assert demo_a.id != demo_b.id and demo_a.workspace_id == world.a
    before = workspace_rows(world, world.b)
    again, _ = demo.reset_demo(world.ctx(world.alice))
    assert again.id not in (demo_a.id, demo_b.id)
    assert workspace_rows(world, world.b) == before
    assert [c.id for c in demo.demo_companies(world.ctx(world.bob))] == [demo_b.id]


def test_resetting_the_demo_deletes_no_other_workspaces_demo(world: World) -> None:
    """Alice, owner of A and consultant in B, resets the demo of A: B's team keeps theirs."""
    demo_b, _ = demo.open_demo(world.ctx(world.bob))
    issued = workspaces.invite(world.ctx(world.bob), world.b, Role.CONSULTANT)
    workspaces.accept_invitation(world.ctx(world.alice), issued.token, "alice@example.org", True)
    mine, _ = demo.reset_demo(chosen(world.ctx(world.alice), world.a))
    assert mine.workspace_id == world.a
    assert companies.get_company(world.ctx(world.bob), demo_b.id) is not None


def test_a_demo_seen_read_only_elsewhere_does_not_block_ones_own(world: World) -> None:
    """Alice, owner of A and viewer in B where Bob opened the demo: she gets a demo she can work on."""
    demo.open_demo(world.ctx(world.bob))
    issued = workspaces.invite(world.ctx(world.bob), world.b, Role.VIEWER)
    workspaces.accept_invitation(world.ctx(world.alice), issued.token, "alice@example.org", True)
    ctx = chosen(world.ctx(world.alice), world.a)
    reset, _ = demo.reset_demo(ctx)  # NotAllowed today: it tries to delete B's demo
    opened, _ = demo.open_demo(ctx)
    assert reset.workspace_id == opened.workspace_id == world.a


def test_a_workspaces_audit_log_holds_nothing_of_another(world: World) -> None:
    log_b = workspaces.audit_log(world.ctx(world.bob), world.b)
    assert {e.workspace_id for e in log_b} == {world.b}
    assert all("Alice" != e.actor for e in log_b)
    targets_a = {
        f"company:{world.a1}",
        f"company:{world.a2}",
        f"assessment:{world.qa1.id}",
        f"assessment:{world.qa2.id}",
    }
    assert not targets_a & {e.target for e in log_b}


# --- a viewer reads, and every write is refused and writes nothing ---------------------------------------


def writes(w: World, c: Context) -> dict[str, Callable[[], Any]]:
    """Every write of A's data, for an actor of A."""
    assert w.alice.user_id is not None
    return {
        "update_company": lambda: companies.save_company(c, w.a1, "Autre nom", Profile()),
        "create_company": lambda: companies.save_company(c, None, "Nouvelle", Profile()),
        "create_company_in_a": lambda: companies.save_company(c, None, "Nouvelle", Profile(), workspace_id=w.a),
        "delete_company": lambda: companies.delete_company(c, w.a1),
        "start_assessment": lambda: assessments.start_assessment(c, w.a1, "rse-flash"),
        "update_assessment": lambda: assessments.update_assessment(c, w.qa1.id, label="x"),
        "set_status": lambda: assessments.set_status(c, w.qa1.id, True),
        "set_targets": lambda: assessments.set_targets(c, w.qa1.id, {"gov": 80}),
        "delete_assessment": lambda: assessments.delete_assessment(c, w.qa1.id),
        "record_answer": lambda: answers.record_answer(c, w.questionnaire, w.qa1.id, MATURITY, 4),
        "clear_answer": lambda: answers.record_answer(c, w.questionnaire, w.qa1.id, MATURITY, None),
        "record_comment": lambda: answers.record_comment(c, w.qa1.id, "rh.duerp", "non"),
        "add_from_recommendation": lambda: actions.add_from_recommendation(c, w.qa1.id, w.recommendation),
        "edit_action": lambda: actions.apply_action_edits(
            c, w.qa1.id, [w.action_a1], {"edited_rows": {0: {"title": "x"}}}
        ),
        "add_action": lambda: actions.apply_action_edits(c, w.qa1.id, [w.action_a1], {"added_rows": [{"title": "y"}]}),
        "delete_action": lambda: actions.apply_action_edits(c, w.qa1.id, [w.action_a1], {"deleted_rows": [0]}),
        "action_form": lambda: actions.apply_action_form(c, w.qa1.id, w.action_a1, {"owner": "Zoé"}),
        "import_into": lambda: transfer.apply_import(c, w.plan, w.a1),
        "import_new": lambda: transfer.apply_import(c, w.plan, None),
        "import_new_in_a": lambda: transfer.apply_import(c, w.plan, None, workspace_id=w.a),
        "reset_demo": lambda: demo.reset_demo(c),
        "open_demo": lambda: demo.open_demo(c),  # there is none: it would create one
        "invite": lambda: workspaces.invite(c, w.a, Role.VIEWER),
        "invitations": lambda: workspaces.invitations(c, w.a),
        "revoke_invitation": lambda: workspaces.revoke_invitation(c, w.a, 1),
        "remove_member": lambda: workspaces.remove_member(c, w.a, w.alice.user_id),  # type: ignore[arg-type]
        "audit_log": lambda: workspaces.audit_log(c, w.a),
        "create_workspace": lambda: workspaces.create_workspace(c, "Mon espace"),
    }


def test_a_viewer_reads_everything_of_the_workspace(world: World) -> None:
    viewer = world.ctx(world.member(Role.VIEWER, "victor"))
    assert [c.id for c in companies.list_companies(viewer)] == [world.a1, world.a2]
    assert companies.get_company(viewer, world.a1) is not None
    assert companies.may(viewer, Permission.VIEW, world.a1) and not companies.may(viewer, Permission.EDIT, world.a1)
    assert not companies.may(viewer, Permission.CREATE_COMPANY)
    evaluation = assessments.evaluate(viewer, world.qa1.id)
    assert evaluation is not None and evaluation.answers[MATURITY].value == 1
    assert reports.report_data(viewer, world.qa1.id) is not None
    assert reports.export_document(viewer, world.qa1.id) is not None
    assert set(answers.load_answers(viewer, world.qa1.id)) == {MATURITY, MULTI, "rh.duerp"}
    assert [a.id for a in actions.list_actions(viewer, world.qa1.id)] == [world.action_a1.id]
    assert len(transfer.export_company(viewer, world.a1)["assessments"]) == 1
    assert {m.user_label for m in workspaces.members(viewer, world.a)} == {"Alice", "Victor"}
    assert [(w.id, role) for w, role in workspaces.my_workspaces(viewer)] == [(world.a, "viewer")]


def test_every_write_of_a_viewer_is_refused_and_writes_nothing(world: World) -> None:
    viewer = world.ctx(world.member(Role.VIEWER, "victor"))
    before = contents(world.store)
    for name, call in writes(world, viewer).items():
        with pytest.raises(NotAllowed):
            call()
        assert contents(world.store) == before, name
    assert contents(world.store) == before


def test_a_company_manager_acts_on_the_named_companies_only(world: World) -> None:
    manager = world.ctx(world.member(Role.COMPANY_MANAGER, "marie", (world.a1,)))
    assert [c.id for c in companies.list_companies(manager)] == [world.a1]
    # on a1: read and edit
    assert companies.save_company(manager, world.a1, "Atelier Alpha 2", Profile()).name == "Atelier Alpha 2"
    assert answers.record_answer(manager, world.questionnaire, world.qa1.id, MATURITY, 3) == 3
    started = assessments.start_assessment(manager, world.a1, "rse-flash")
    assert started.company_id == world.a1
    assert actions.add_from_recommendation(manager, world.qa1.id, world.recommendation).assessment_id == world.qa1.id
    assert transfer.apply_import(manager, world.plan, world.a1).company_id == world.a1
    # but neither delete nor create, nor manage the workspace
    before = contents(world.store)
    for call in (
        lambda: companies.delete_company(manager, world.a1),
        lambda: assessments.delete_assessment(manager, world.qa1.id),
        lambda: companies.save_company(manager, None, "Nouvelle", Profile()),
        lambda: companies.save_company(manager, None, "Nouvelle", Profile(), workspace_id=world.a),
        lambda: transfer.apply_import(manager, world.plan, None),
        lambda: demo.open_demo(manager),
        lambda: workspaces.invite(manager, world.a, Role.VIEWER),
        lambda: workspaces.invite(manager, world.a, Role.COMPANY_MANAGER, (world.a1,)),
        lambda: workspaces.invitations(manager, world.a),
        lambda: workspaces.audit_log(manager, world.a),
        lambda: workspaces.remove_member(manager, world.a, world.alice.user_id),  # type: ignore[arg-type]
    ):
        with pytest.raises(NotAllowed):
            call()
    assert contents(world.store) == before
    assert not companies.may(manager, Permission.CREATE_COMPANY)
    assert companies.may(manager, Permission.EDIT, world.a1) and not companies.may(manager, Permission.DELETE, world.a1)


@pytest.mark.parametrize("case", sorted(COMPANY_CASES))
def test_a_company_managers_other_companies_are_ids_that_do_not_exist(world: World, case: str) -> None:
    manager = world.ctx(world.member(Role.COMPANY_MANAGER, "marie", (world.a1,)))
    other = Ids(world.a, world.a2, world.qa2, world.action_a2, MISSING, MISSING)
    before = contents(world.store)["companies"][world.a2], workspace_rows(world, world.a)["answers"]
    seen = outcome(lambda: COMPANY_CASES[case](world, manager, other))
    absent = outcome(lambda: COMPANY_CASES[case](world, manager, missing_ids(world)))
    assert seen == absent
    assert (contents(world.store)["companies"][world.a2], workspace_rows(world, world.a)["answers"]) == before


def test_a_consultant_works_on_companies_but_neither_invites_nor_reads_the_audit(world: World) -> None:
    consultant = world.ctx(world.member(Role.CONSULTANT, "carl"))
    created = companies.save_company(consultant, None, "Client Delta", Profile())
    assert created.workspace_id == world.a
    assessment = assessments.start_assessment(consultant, created.id, "rse-flash")
    assert companies.delete_company(consultant, created.id) == companies.Erasure("Client Delta", 1, 0, 0)
    assert assessments.get_assessment(consultant, assessment.id) is None
    before = contents(world.store)
    for call in (
        lambda: workspaces.invite(consultant, world.a, Role.VIEWER),
        lambda: workspaces.invite(consultant, world.a, Role.CONSULTANT),
        lambda: workspaces.invitations(consultant, world.a),
        lambda: workspaces.revoke_invitation(consultant, world.a, 1),
        lambda: workspaces.remove_member(consultant, world.a, world.alice.user_id),  # type: ignore[arg-type]
        lambda: workspaces.audit_log(consultant, world.a),
    ):
        with pytest.raises(NotAllowed):
            call()
    assert contents(world.store) == before


def test_an_admin_invites_any_role_but_owner_and_cannot_remove_an_owner(world: World) -> None:
    admin = world.ctx(world.member(Role.ADMIN, "ada"))
    for role in (Role.ADMIN, Role.CONSULTANT, Role.VIEWER):
        assert workspaces.invite(admin, world.a, role).invitation.role == role.value
    assert workspaces.invite(admin, world.a, Role.COMPANY_MANAGER, (world.a2,)).invitation.company_ids == (world.a2,)
    before = contents(world.store)
    with pytest.raises(NotAllowed):
        workspaces.invite(admin, world.a, Role.OWNER)
    with pytest.raises(NotAllowed):
        workspaces.remove_member(admin, world.a, world.alice.user_id)  # type: ignore[arg-type]
    assert contents(world.store) == before
    assert workspaces.audit_log(admin, world.a)  # an admin reads the audit log
    carl = world.member(Role.CONSULTANT, "carl")
    workspaces.remove_member(admin, world.a, carl.user_id)  # type: ignore[arg-type]
    assert companies.list_companies(world.ctx(carl)) == []


def test_the_last_owner_cannot_be_removed(world: World) -> None:
    ctx = world.ctx(world.alice)
    with pytest.raises(NotAllowed) as refused:
        workspaces.remove_member(ctx, world.a, world.alice.user_id)  # type: ignore[arg-type]
    assert refused.value.params == {"permission": "last_owner"}
    assert [m.role for m in workspaces.members(ctx, world.a)] == ["owner"]
    # with a second owner, either may leave; the one who stays is then the last
    olga = world.member(Role.OWNER, "olga")
    workspaces.remove_member(world.ctx(olga), world.a, world.alice.user_id)  # type: ignore[arg-type]
    assert companies.list_companies(ctx) == []
    with pytest.raises(NotAllowed):
        workspaces.remove_member(world.ctx(olga), world.a, olga.user_id)  # type: ignore[arg-type]


def test_the_last_owner_cannot_be_demoted_by_accepting_an_invitation(world: World) -> None:
    """An admin may invite any role but owner; if the last owner accepts that link (or an owner a
    weaker one), put_member replaces the role: the workspace is left without an owner."""
    admin = world.ctx(world.member(Role.ADMIN, "ada"))
    issued = workspaces.invite(admin, world.a, Role.VIEWER)
    workspaces.accept_invitation(world.ctx(world.alice), issued.token, "alice@example.org", True)
    roles = [m.role for m in workspaces.members(admin, world.a)]
    assert "owner" in roles


def test_a_removed_member_loses_access_on_the_very_next_call(world: World) -> None:
    carl = world.member(Role.CONSULTANT, "carl")
    ctx = world.ctx(carl)  # the same context (session) before and after
    assert [c.id for c in companies.list_companies(ctx)] == [world.a1, world.a2]
    assert answers.record_answer(ctx, world.questionnaire, world.qa1.id, MATURITY, 2) == 2
    workspaces.remove_member(world.ctx(world.alice), world.a, carl.user_id)  # type: ignore[arg-type]
    assert companies.list_companies(ctx) == []
    assert companies.get_company(ctx, world.a1) is None
    assert assessments.evaluate(ctx, world.qa1.id) is None
    assert workspaces.my_workspaces(ctx) == []
    before = contents(world.store)
    assert outcome(
        lambda: answers.record_answer(ctx, world.questionnaire, world.qa1.id, MATURITY, 4)
    ) == outcome(lambda: answers.record_answer(ctx, world.questionnaire, MISSING, MATURITY, 4))
    with pytest.raises(NotFound):
        companies.save_company(ctx, None, "Nouvelle", Profile())
    with pytest.raises(NotFound):
        companies.save_company(ctx, world.a1, "Autre", Profile())
    assert contents(world.store) == before
    assert [e.action for e in workspaces.audit_log(world.ctx(world.alice), world.a)][0] == "member.remove"


def test_a_first_login_holds_nothing_and_creates_nothing(world: World) -> None:
    newbie = world.ctx(signed_in(world.uow, "newbie"))
    assert workspaces.my_workspaces(newbie) == []
    assert companies.list_companies(newbie) == []
    for company_id in (world.a1, world.a2, world.b1):
        assert companies.get_company(newbie, company_id) is None
    assert not companies.may(newbie, Permission.CREATE_COMPANY)
    before = contents(world.store)
    for call in (
        lambda: companies.save_company(newbie, None, "À moi", Profile()),
        lambda: companies.save_company(newbie, None, "À moi", Profile(), workspace_id=world.a),
        lambda: transfer.apply_import(newbie, world.plan, None),
        lambda: demo.open_demo(newbie),
        lambda: workspaces.invite(newbie, world.a, Role.ADMIN),
        lambda: workspaces.find_workspace(newbie, str(world.a)),
        lambda: workspaces.audit_log(newbie, world.a),
    ):
        with pytest.raises(NotFound):
            call()
    with pytest.raises(NotAllowed):
        workspaces.create_workspace(newbie, "Mon espace")
    assert contents(world.store) == before


def test_a_first_login_on_an_empty_database_is_not_made_an_admin() -> None:
    uow = FakeUnitOfWork()
    first = signed_in(uow, "first")
    ctx = Context(uow, first)
    assert workspaces.my_workspaces(ctx) == []
    assert uow.store.workspaces == {} and uow.store.memberships == {}
    with pytest.raises(NotFound):
        companies.save_company(ctx, None, "Première", Profile())
    with pytest.raises(NotFound):
        demo.open_demo(ctx)
    assert uow.store.companies == {} and uow.store.workspaces == {}
    # signing in again changes nothing; nobody may sign in as the local owner
    assert signed_in(uow, "first").user_id == first.user_id
    assert uow.store.memberships == {}
    for issuer, subject in (("local", "owner"), ("", "x"), (ISSUER, "")):
        with pytest.raises(NotAllowed):
            workspaces.signed_in_actor(uow, issuer, subject)


def test_only_the_operator_creates_workspaces(world: World) -> None:
    with pytest.raises(NotAllowed):
        workspaces.create_workspace(world.ctx(world.alice), "Autre")
    local = Context(world.uow, workspaces.local_actor(world.uow))
    assert local.actor.local and workspaces.my_workspaces(local) == []  # workspaces exist: no default one for it
    with pytest.raises(NotAllowed):
        workspaces.create_workspace(local, "Autre")


# --- invitations ----------------------------------------------------------------------------------


def test_an_invitation_token_is_32_random_bytes_and_only_its_sha256_is_stored(world: World) -> None:
    issued = [workspaces.invite(world.ctx(world.alice), world.a, Role.VIEWER) for _ in range(3)]
    tokens = [i.token for i in issued]
    assert len(set(tokens)) == 3
    for token in tokens:
        assert re.fullmatch(r"[A-Za-z0-9_-]{43,}", token)
        assert token_hash(token) in world.store.invitation_hashes.values()
        assert token not in repr(world.store)
    hashes = list(world.store.invitation_hashes.values())
    assert all(re.fullmatch(r"[0-9a-f]{64}", h) for h in hashes)


def _accept(world: World, subject: str, token: str, email: str = "", verified: bool | None = True) -> Any:
    actor = signed_in(world.uow, subject, email or f"{subject}@example.org")
    return workspaces.accept_invitation(world.ctx(actor), token, email or f"{subject}@example.org", verified)


def _refused(world: World, code: str, call: Callable[[], Any]) -> None:
    before = contents(world.store)
    with pytest.raises(InvitationRefused) as refused:
        call()
    assert refused.value.code == code
    assert contents(world.store)["memberships"] == before["memberships"]
    assert contents(world.store)["invitations"] == before["invitations"]


def test_an_invitation_is_used_once(world: World) -> None:
    issued = workspaces.invite(world.ctx(world.alice), world.a, Role.CONSULTANT)
    assert _accept(world, "carl", issued.token).id == world.a
    used = world.store.invitations[issued.invitation.id]
    assert used.used_by is not None and used.used_at is not None
    _refused(world, "invite.used", lambda: _accept(world, "mallory", issued.token))
    _refused(world, "invite.used", lambda: _accept(world, "carl", issued.token))
    assert [
        s
        for i in workspaces.invitations(world.ctx(world.alice), world.a)
        if (s := i.state(datetime.now(UTC))) == "used"
    ]


def test_an_expired_invitation_is_refused(world: World) -> None:
    issued = workspaces.invite(world.ctx(world.alice), world.a, Role.VIEWER, days=1)
    stored = world.store.invitations[issued.invitation.id]
    assert timedelta(hours=23) < stored.expires_at - datetime.now(UTC) <= timedelta(days=1)
    world.store.invitations[stored.id] = replace(stored, expires_at=datetime.now(UTC) - timedelta(seconds=1))
    _refused(world, "invite.expired", lambda: _accept(world, "late", issued.token))


def test_a_revoked_invitation_is_refused(world: World) -> None:
    ctx = world.ctx(world.alice)
    issued = workspaces.invite(ctx, world.a, Role.ADMIN)
    workspaces.revoke_invitation(ctx, world.a, issued.invitation.id)
    _refused(world, "invite.revoked", lambda: _accept(world, "eve", issued.token))
    with pytest.raises(NotFound):
        workspaces.revoke_invitation(ctx, world.a, MISSING)


def test_an_unknown_token_is_refused(world: World) -> None:
    issued = workspaces.invite(world.ctx(world.alice), world.a, Role.VIEWER)
    for token in ("", "x", issued.token[:-1], issued.token + "A", token_hash(issued.token)):
        _refused(world, "invite.unknown", lambda t=token: _accept(world, "guess", t))


def test_an_invitation_for_an_email_refuses_another_and_an_unverified_one(world: World) -> None:
    issued = workspaces.invite(world.ctx(world.alice), world.a, Role.CONSULTANT, email="Carl@Example.org")
    assert world.store.invitations[issued.invitation.id].email == "carl@example.org"
    _refused(world, "invite.other_email", lambda: _accept(world, "mallory", issued.token, "mallory@example.org"))
    _refused(world, "invite.other_email", lambda: _accept(world, "mallory", issued.token, ""))
    _refused(world, "invite.other_email", lambda: _accept(world, "carl", issued.token, "carl@example.org", False))
    assert _accept(world, "carl", issued.token, " CARL@example.org ", True).id == world.a


def test_the_local_actor_and_the_operator_cannot_accept(world: World) -> None:
    issued = workspaces.invite(world.ctx(world.alice), world.a, Role.VIEWER)
    local = Context(world.uow, Actor(world.alice.user_id, "local", local=True))
    for ctx in (local, workspaces.operator_context(world.uow), Context(world.uow, Actor(None))):
        _refused(world, "invite.sign_in_first", lambda c=ctx: workspaces.accept_invitation(c, issued.token, "", True))
    assert _accept(world, "vera", issued.token).id == world.a  # still pending


def test_invitations_are_checked_when_issued(world: World) -> None:
    ctx = world.ctx(world.alice)
    before = contents(world.store)
    for kwargs in (
        {"role": Role.VIEWER, "days": 0},
        {"role": Role.VIEWER, "days": 91},
        {"role": Role.COMPANY_MANAGER},  # for no company
        {"role": Role.CONSULTANT, "company_ids": (world.a1,)},
    ):
        with pytest.raises(ValueError):
            workspaces.invite(ctx, world.a, **kwargs)
    with pytest.raises(ValueError):
        workspaces.invite(ctx, world.a, "superuser")
    assert contents(world.store) == before
    issued = workspaces.invite(ctx, world.a, Role.COMPANY_MANAGER, (world.a2, world.a1), days=90)
    assert issued.invitation.company_ids == tuple(sorted((world.a1, world.a2)))


def test_an_invitation_gives_its_role_and_companies(world: World) -> None:
    marie = world.member(Role.COMPANY_MANAGER, "marie", (world.a2,))
    assert [c.id for c in companies.list_companies(world.ctx(marie))] == [world.a2]
    # a second invitation for another company adds it
    issued = workspaces.invite(world.ctx(world.alice), world.a, Role.COMPANY_MANAGER, (world.a1,))
    workspaces.accept_invitation(world.ctx(marie), issued.token, "marie@example.org", True)
    assert [c.id for c in companies.list_companies(world.ctx(marie))] == [world.a1, world.a2]
    member = next(m for m in workspaces.members(world.ctx(world.alice), world.a) if m.user_id == marie.user_id)
    assert (member.role, member.company_ids, member.user_label) == ("company_manager", (world.a1, world.a2), "Marie")


# --- the audit log ----------------------------------------------------------------------------------


def test_every_change_export_import_and_invitation_is_in_the_audit_log(world: World) -> None:
    alice = world.ctx(world.alice)
    carl = world.member(Role.CONSULTANT, "carl")
    ctx = world.ctx(carl)
    start = max(world.store.audit)
    company = companies.save_company(ctx, None, "Client Epsilon", Profile())
    companies.save_company(ctx, company.id, "Client Epsilon SA", Profile())
    assessment = assessments.start_assessment(ctx, company.id, "rse-flash")
    assessments.set_status(ctx, assessment.id, True)
    actions.add_from_recommendation(ctx, world.qa1.id, world.recommendation)
    actions.apply_action_edits(ctx, world.qa1.id, [world.action_a1], {"edited_rows": {0: {"owner": "Carl"}}})
    reports.log_download(ctx, world.qa1.id, "xlsx")
    imported = transfer.apply_import(ctx, world.plan, None)
    transfer.export_company(ctx, company.id)
    assessments.delete_assessment(ctx, assessment.id)
    companies.delete_company(ctx, company.id)
    issued = workspaces.invite(alice, world.a, Role.VIEWER)
    workspaces.revoke_invitation(alice, world.a, issued.invitation.id)
    other = workspaces.invite(alice, world.a, Role.VIEWER)
    vera = signed_in(world.uow, "vera")
    workspaces.accept_invitation(world.ctx(vera), other.token, "vera@example.org", True)
    workspaces.remove_member(alice, world.a, vera.user_id)  # type: ignore[arg-type]

    log = [(e.actor, e.action, e.target) for e in reversed(workspaces.audit_log(alice, world.a)) if e.id > start]
    assert log == [
        ("Carl", "company.create", f"company:{company.id}"),
        ("Carl", "company.update", f"company:{company.id}"),
        ("Carl", "assessment.create", f"assessment:{assessment.id}"),
        ("Carl", "assessment.update", f"assessment:{assessment.id}"),
        ("Carl", "action.create", f"assessment:{world.qa1.id}"),
        ("Carl", "plan.update", f"assessment:{world.qa1.id}"),
        ("Carl", "report.export", f"assessment:{world.qa1.id}"),
        ("Carl", "company.create", f"company:{imported.company_id}"),
        ("Carl", "assessment.import", f"assessment:{imported.id}"),
        ("Carl", "company.export", f"company:{company.id}"),
        ("Carl", "assessment.delete", f"assessment:{assessment.id}"),
        ("Carl", "company.delete", f"company:{company.id}"),
        ("Alice", "invitation.create", f"invitation:{issued.invitation.id}"),
        ("Alice", "invitation.revoke", f"invitation:{issued.invitation.id}"),
        ("Alice", "invitation.create", f"invitation:{other.invitation.id}"),
        ("Vera", "invitation.accept", f"invitation:{other.invitation.id}"),
        ("Alice", "member.remove", f"user:{vera.user_id}"),
    ]
    deleted = next(e for e in workspaces.audit_log(alice, world.a) if e.action == "company.delete")
    assert deleted.detail == "0 diagnostics, 0 réponses, 0 actions"
    # the erased company's name is gone from every line about it: that it happened stays
    about = [e for e in workspaces.audit_log(alice, world.a) if e.target == f"company:{company.id}"]
    assert [e.action for e in about][-1] == "company.create" and all("Epsilon" not in e.detail for e in about)
    assert set(world.store.audit_users.values()) >= {carl.user_id, world.alice.user_id}
    creation = [e for e in workspaces.audit_log(alice, world.a) if e.action == "workspace.create"]
    assert [(e.actor, e.detail) for e in creation] == [("ligne de commande", "Cabinet A")]


@pytest.mark.parametrize("role", ROLES_OF_A)
def test_only_owners_and_admins_read_the_audit_log(world: World, role: str) -> None:
    ctx = world.ctx(actor_of(world, role))
    if role in ("owner", "admin"):
        assert {e.workspace_id for e in workspaces.audit_log(ctx, world.a)} == {world.a}
    else:
        with pytest.raises(NotAllowed):
            workspaces.audit_log(ctx, world.a)
    with pytest.raises(NotFound):
        workspaces.audit_log(ctx, world.b)


# --- property: an actor sees exactly the companies of the workspaces where a role is held ------------------


def small_world() -> tuple[FakeUnitOfWork, dict[int, list[int]]]:
    uow = FakeUnitOfWork()
    operator = workspaces.operator_context(uow)
    layout: dict[int, list[int]] = {}
    for n, size in enumerate((3, 2, 1)):
        workspace, _ = workspaces.create_workspace(operator, f"Espace {n}")
        layout[workspace.id] = [
            companies.save_company(operator, None, f"Entreprise {n}-{i}", Profile(), workspace_id=workspace.id).id
            for i in range(size)
        ]
    return uow, layout


@settings(max_examples=40, deadline=None)
@given(st.data())
def test_an_actor_sees_exactly_the_companies_of_their_roles(data) -> None:
    uow, layout = small_world()
    operator = workspaces.operator_context(uow)
    actor = signed_in(uow, "someone")
    expected: set[int] = set()
    for workspace, company_ids in layout.items():
        role = data.draw(st.sampled_from([None, *roles_for("consultancy")]), label=f"role in {workspace}")
        if role is None:
            continue
        named: tuple[int, ...] = ()
        if role is Role.COMPANY_MANAGER:
            named = tuple(data.draw(st.sets(st.sampled_from(company_ids), min_size=1), label="named"))
        issued = workspaces.invite(operator, workspace, role, named)
        workspaces.accept_invitation(Context(uow, actor), issued.token, "", None)
        expected |= set(named) if role is Role.COMPANY_MANAGER else set(company_ids)
    ctx = Context(uow, actor)
    seen = companies.list_companies(ctx)
    assert {c.id for c in seen} == expected
    assert [c.name.lower() for c in seen] == sorted(c.name.lower() for c in seen)
    for company_ids in layout.values():
        for company_id in company_ids:
            assert (companies.get_company(ctx, company_id) is not None) is (company_id in expected)
