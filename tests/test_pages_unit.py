"""Each page's `main(ctx)` alone, with `AppTest.from_function` on the in-memory fakes (tests/fakes.py).

No database and no app.py: the test builds the context (who acts, in which workspace, on which fake
unit of work) and hands it to the script as an argument; `AppTest.from_function` runs in this process,
so `args` are passed as objects (nothing is pickled). The session keys a page reads (`lang`,
`company_id`, `assessment_id`, `dim`, and `ui.state.CONTEXT` for a page file opened by a link) are set
before the first run.

A page alone cannot draw `st.page_link("app_pages/….py")` nor follow `st.switch_page`: Streamlit looks
the file up among the pages registered by `st.navigation` (StreamlitPageNotFoundError otherwise). So the
script registers a stand-in navigation: the page under test (`main(ctx)`, by default) and the other
page files, hidden; a link to `app_pages/x.py` is resolved against the script's directory, where a
symbolic link `app_pages` points at the real folder. app.py (sidebar, sign-in, composition) never runs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from diagnostic.core.answers import Answer
from diagnostic.core.profile import Profile
from diagnostic.core.roles import Role
from diagnostic.core.scoring import score
from diagnostic.i18n import format_score
from diagnostic.i18n import t as translate
from diagnostic.services import actions, answers, assessments, companies, workspaces
from diagnostic.services.context import Actor, Context
from diagnostic.services.questionnaires import shipped_questionnaire
from tests.conftest import page_script
from tests.fakes import FakeUnitOfWork, fake_context
from ui import state

ROOT = Path(__file__).resolve().parent.parent
ISSUER = "https://id.example.org"
MISSING = 999_999  # an id never given
FLASH = shipped_questionnaire("rse-flash")[0]


def t(key: str, **values: object) -> str:
    return translate(key, "fr", **values)


# --- the script: one page's main(ctx), with a stand-in navigation for its links ----------------------


PAGE_FILES = ("home", "company", "diagnostic", "results", "plan", "followup", "workspace")
pytestmark = pytest.mark.usefixtures("page_files_beside_the_script")


@pytest.fixture(autouse=True)
def _local_mode(monkeypatch) -> None:
    monkeypatch.delenv("AUTODIAG_MODE", raising=False)


def run_page(page: str, ctx: Context, **session: object) -> AppTest:
    at = AppTest.from_function(page_script, args=(page, ctx, PAGE_FILES), default_timeout=30)
    at.session_state["lang"] = ctx.lang
    at.session_state[state.CONTEXT] = ctx  # for a page file opened by st.switch_page (main(state.context()))
    for key in ("company_id", "assessment_id", "dim"):
        at.session_state[key] = session.pop(key, None)
    for key, value in session.items():
        at.session_state[key] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def texts(at: AppTest) -> list[str]:
    """What the page says, in order of kind: titles, headers, texts, messages, captions."""
    parts: list[str] = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "info", "warning", "error", "success"):
        parts += [str(e.value) for e in getattr(at, kind)]
    return parts


def rendered(at: AppTest) -> list[object]:
    """Everything a person sees: the texts, the links, buttons, choices and metrics with their state."""
    parts: list[object] = list(texts(at))
    parts += [("link", p.proto.label) for p in at.page_link]
    parts += [("button", b.label, b.disabled) for b in at.button]
    parts += [("select", s.label, tuple(s.options), s.disabled) for s in at.selectbox]
    parts += [("radio", r.label, r.disabled) for r in at.radio]
    parts += [("text", w.label, w.disabled) for w in at.text_input]
    parts += [("metric", m.label, m.value) for m in at.metric]
    parts += [("expander", e.label) for e in at.expander]
    return parts


def labels(at: AppTest) -> list[str]:
    return [b.label for b in at.button]


def button(at: AppTest, label: str):
    found = [b for b in at.button if b.label == label]
    assert len(found) == 1, (label, labels(at))
    return found[0]


# --- the world: two workspaces on one fake store (as tests/test_services_access.py builds it) -------


def signed_in(uow: FakeUnitOfWork, subject: str) -> Actor:
    return workspaces.signed_in_actor(uow, ISSUER, subject, f"{subject}@example.org", subject.title())


@dataclass
class World:
    """Workspace A (owner Alice: companies a1 with assessment qa1, a2) and B (owner Bob: b1 with qb1)."""

    uow: FakeUnitOfWork
    a: int
    b: int
    alice: Actor
    bob: Actor
    a1: int
    a2: int
    b1: int
    qa1: int
    qb1: int

    def ctx(self, actor: Actor, workspace: int | None = None) -> Context:
        """The context app.py would hand over: the actor working in `workspace` (default A)."""
        return Context(self.uow, actor, "fr", workspace_id=workspace or self.a)

    def member(
        self, role: Role, subject: str, company_ids: tuple[int, ...] = (), workspace: int | None = None
    ) -> Actor:
        """A new user invited by the workspace's owner with that role, who accepts."""
        workspace = workspace or self.a
        owner = self.alice if workspace == self.a else self.bob
        email = f"{subject}@example.org"
        issued = workspaces.invite(self.ctx(owner, workspace), workspace, role, company_ids, email=email)
        actor = signed_in(self.uow, subject)
        workspaces.accept_invitation(self.ctx(actor, workspace), issued.token, email, True)
        return actor

    def answer(self, actor: Actor, assessment_id: int, given: dict[str, object]) -> None:
        for question_id, value in given.items():
            answers.record_answer(self.ctx(actor), FLASH, assessment_id, question_id, value, answered_by="Rémi")

    def answers_of(self, assessment_id: int) -> dict[str, object]:
        return {
            a.record.question_id: a.record.value
            for a in self.uow.store.answers.values()
            if a.assessment_id == assessment_id
        }


def build_world() -> World:
    uow = FakeUnitOfWork()
    operator = workspaces.operator_context(uow)
    ws_a, invitation_a = workspaces.create_workspace(
        operator, "Cabinet A", "consultancy", owner_email="alice@example.org"
    )
    ws_b, invitation_b = workspaces.create_workspace(operator, "Entreprise B", "company")
    alice, bob = signed_in(uow, "alice"), signed_in(uow, "bob")
    workspaces.accept_invitation(Context(uow, alice), invitation_a.token, "alice@example.org", True)
    workspaces.accept_invitation(Context(uow, bob), invitation_b.token, "bob@example.org", True)
    ctx_a, ctx_b = Context(uow, alice, workspace_id=ws_a.id), Context(uow, bob, workspace_id=ws_b.id)
    a1 = companies.save_company(ctx_a, None, "Atelier Alpha", Profile(headcount_band="11-19"), workspace_id=ws_a.id)
    a2 = companies.save_company(ctx_a, None, "Boulangerie Bêta", Profile(), workspace_id=ws_a.id)
    b1 = companies.save_company(ctx_b, None, "Conserverie Gamma", Profile(), workspace_id=ws_b.id)
    qa1 = assessments.start_assessment(ctx_a, a1.id, "rse-flash", respondent="Rémi", label="2025")
    qb1 = assessments.start_assessment(ctx_b, b1.id, "rse-flash", respondent="Rémi", label="2025")
    world = World(uow, ws_a.id, ws_b.id, alice, bob, a1.id, a2.id, b1.id, qa1.id, qb1.id)
    world.answer(bob, qb1.id, {"gov.demarche-rse": 3, "rh.duerp": "actions"})
    return world


@pytest.fixture
def world() -> World:
    return build_world()


# Hand-built answers to the flash questionnaire 2.0.0 (weights: gov.demarche-rse 2, gov.parties-prenantes 1;
# maturity 0..4; qual.satisfaction-clients "informelle" scores 1 of its best 4; rh.duerp, weight 2, "participatif"
# scores 4 of 4):
#   gov  = (2·2 + 1·4) / (2·4 + 1·4) = 8/12 → 66.67 ; qual = 1/4 → 25 ; rh = 2·4 / (2·4) → 100 ; the rest unanswered
#   overall = mean of the scored dimensions (weight 1 each) = (66.67 + 25 + 100) / 3 = 63.89 → "64"
#   level: Engagé (≥ 25); not Structuré (≥ 45 but needs every dimension ≥ 30: qual is 25) → "2 · Engagé";
#   no critical question is unmet (rh.duerp 4 ≥ its minimum 2): no cap
#   coverage: Atelier Alpha has 11-19 employees, so every scored question applies: 24 questions less
#   env.dechets-collecte (not scored) = 23, rh.cse (from 11) included; 4/23 = 17.4 % → "17 %" < 80 %: provisional.
RESULTS_ANSWERS = {
    "gov.demarche-rse": 2,
    "gov.parties-prenantes": 4,
    "qual.satisfaction-clients": "informelle",
    "rh.duerp": "participatif",
}


# --- Accueil ------------------------------------------------------------------------------------------


def test_home_owner_may_start_and_try_the_example_a_viewer_may_not(world) -> None:
    owner = run_page("home", world.ctx(world.alice))
    assert t("home.start") in labels(owner) and t("home.demo") in labels(owner)

    viewer = run_page("home", world.ctx(world.member(Role.VIEWER, "vera")))
    assert t("home.title") in texts(viewer)
    assert t("home.start") not in labels(viewer) and t("home.demo") not in labels(viewer)


def test_home_start_follows_its_switch_page_to_the_company_page(world) -> None:
    at = run_page("home", world.ctx(world.alice))
    button(at, t("home.start")).click().run()
    assert not at.exception
    assert t("company.title") in texts(at)  # app_pages/company.py, run as a page file on state.context()


# --- Entreprise ---------------------------------------------------------------------------------------


def test_company_owner_without_company_sees_the_creation_form_and_creates_one() -> None:
    ctx = fake_context()  # the local owner, alone in "Espace local", no company
    at = run_page("company", ctx)
    assert t("company.form_new") in texts(at)
    assert [s.options for s in at.selectbox if s.label == t("company.select")] == [[t("company.new")]]
    create = button(at, t("company.create"))
    assert not create.disabled
    at.text_input(key="company-name--1").input("Menuiserie Delta")
    create.click().run()
    assert not at.exception
    assert [c.name for c in ctx.uow.store.companies.values()] == ["Menuiserie Delta"]
    assert t("company.created", name="Menuiserie Delta") in texts(at)


def test_company_viewer_of_a_workspace_without_company_is_told_so(world) -> None:
    operator = workspaces.operator_context(world.uow)
    empty, invitation = workspaces.create_workspace(operator, "Espace vide", "company")
    carol = signed_in(world.uow, "carol")
    workspaces.accept_invitation(world.ctx(carol), invitation.token, "carol@example.org", True)
    issued = workspaces.invite(world.ctx(carol, empty.id), empty.id, Role.VIEWER)
    viewer = signed_in(world.uow, "vera")
    workspaces.accept_invitation(world.ctx(viewer, empty.id), issued.token, "vera@example.org", True)

    at = run_page("company", world.ctx(viewer, empty.id))
    assert t("company.none_visible") in texts(at)
    assert not at.selectbox and not at.button and not at.text_input


def test_company_viewer_sees_no_delete_import_nor_next_step_and_cannot_save(world) -> None:
    owner = run_page("company", world.ctx(world.alice), company_id=world.a1)
    viewer = run_page("company", world.ctx(world.member(Role.VIEWER, "vera")), company_id=world.a1)
    starts = lambda at: [b for b in at.button if (b.key or "").startswith(f"start-{world.a1}-")]  # noqa: E731
    expanders = lambda at: [e.label for e in at.expander]  # noqa: E731

    # the owner has them all: the checks below are not vacuous
    assert starts(owner) and t("company.delete_company") in labels(owner)
    assert t("company.delete_assessment") in labels(owner) and t("import.title") in expanders(owner)
    assert not button(owner, t("company.save")).disabled

    assert not starts(viewer)
    assert t("company.next_step") not in texts(viewer) and t("company.new_assessment") not in texts(viewer)
    assert t("company.delete_company") not in labels(viewer) and t("company.delete_assessment") not in labels(viewer)
    assert t("import.title") not in expanders(viewer) and t("company.danger_zone") not in expanders(viewer)
    assert button(viewer, t("company.save")).disabled
    assert t("company.new") not in at_options(viewer)  # may not create either
    assert t("company.open") in labels(viewer)  # reading stays open


def at_options(at: AppTest) -> list[str]:
    return [option for s in at.selectbox if s.label == t("company.select") for option in s.options]


def test_company_manager_chooses_among_the_companies_of_the_membership_only(world) -> None:
    manager = world.member(Role.COMPANY_MANAGER, "marc", (world.a1,))
    at = run_page("company", world.ctx(manager))
    assert at_options(at) == ["Atelier Alpha"]  # not "Boulangerie Bêta" (A), nor B's company
    assert at.session_state["company_id"] == world.a1
    owner = run_page("company", world.ctx(world.alice))
    assert at_options(owner) == [t("company.new"), "Atelier Alpha", "Boulangerie Bêta"]


# --- Diagnostic ---------------------------------------------------------------------------------------


def test_diagnostic_shows_the_first_dimension(world) -> None:
    at = run_page("diagnostic", world.ctx(world.alice), company_id=world.a1, assessment_id=world.qa1)
    first = FLASH.dimensions[0]
    expected = [f"{n}. {q.text.fr}" for n, q in enumerate(first.questions, start=1)]
    assert [r.label for r in at.radio] == expected
    assert not any(r.disabled for r in at.radio)
    assert t("access.read_only") not in texts(at)
    assert [p.proto.label for p in at.page_link] == [t("diag.see_results")]


def test_diagnostic_viewer_cannot_change_any_answer(world) -> None:
    world.answer(world.alice, world.qa1, {"gov.demarche-rse": 2})
    before = world.answers_of(world.qa1)
    viewer = world.member(Role.VIEWER, "vera")
    at = run_page("diagnostic", world.ctx(viewer), company_id=world.a1, assessment_id=world.qa1)
    assert t("access.read_only") in [i.value for i in at.info]
    assert len(at.radio) == len(FLASH.dimensions[0].questions)
    assert all(r.disabled for r in at.radio)
    assert at.text_input and all(w.disabled for w in at.text_input)  # the comments
    assert at.radio(key=f"q-{world.qa1}-gov.demarche-rse").value == 2  # shown, not changeable
    assert button(at, t("diag.finish")).disabled
    assert world.answers_of(world.qa1) == before


def test_diagnostic_owner_answer_is_saved_in_the_store(world) -> None:
    at = run_page("diagnostic", world.ctx(world.alice), company_id=world.a1, assessment_id=world.qa1)
    assert world.answers_of(world.qa1) == {}
    at.radio(key=f"q-{world.qa1}-gov.parties-prenantes").set_value(3).run()
    assert not at.exception
    assert world.answers_of(world.qa1) == {"gov.parties-prenantes": 3}
    stored = next(a.record for a in world.uow.store.answers.values() if a.assessment_id == world.qa1)
    assert stored.answered_by == "Alice"  # a signed-in actor answers under their own name
    # 23 applicable: the 24 questions less env.dechets-collecte (not scored); 11-19 employees, rh.cse applies
    assert t("diag.progress", answered=1, applicable=23) in [p.proto.text for p in at.get("progress")]


# --- Résultats ----------------------------------------------------------------------------------------


def test_results_score_and_level_of_a_hand_built_answer_set(world) -> None:
    world.answer(world.alice, world.qa1, RESULTS_ANSWERS)
    company = world.uow.store.companies[world.a1]
    expected = score(FLASH, company.profile, {k: Answer(v) for k, v in RESULTS_ANSWERS.items()})
    assert expected.overall == pytest.approx((8 / 12 * 100 + 25 + 100) / 3)  # the hand computation above
    assert expected.level is not None and expected.level.label.fr == "Engagé" and expected.level_rank == 2

    at = run_page("results", world.ctx(world.alice), company_id=world.a1, assessment_id=world.qa1)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics[t("results.overall_provisional")] == f"{format_score(expected.overall)}/100" == "64/100"
    assert metrics[t("results.level_provisional")] == "2 · Engagé"
    assert metrics[t("results.coverage")] == "17\u00a0%"  # 4/23 = 17.4 %
    # the provisional result links to the first unanswered dimension (a page link with its place)
    assert t("results.first_unanswered") in [p.proto.label for p in at.page_link]
    assert not button(at, t("results.targets_save")).disabled


def test_results_targets_cannot_be_saved_by_a_viewer(world) -> None:
    world.answer(world.alice, world.qa1, RESULTS_ANSWERS)
    viewer = world.member(Role.VIEWER, "vera")
    at = run_page("results", world.ctx(viewer), company_id=world.a1, assessment_id=world.qa1)
    assert {m.label: m.value for m in at.metric}[t("results.overall_provisional")] == "64/100"
    assert button(at, t("results.targets_save")).disabled


# --- Plan d'action ------------------------------------------------------------------------------------


def test_plan_owner_adds_a_recommendation_to_the_plan(world) -> None:
    world.answer(world.alice, world.qa1, RESULTS_ANSWERS)
    at = run_page("plan", world.ctx(world.alice), company_id=world.a1, assessment_id=world.qa1)
    assert t("plan.add") == "Ajouter"  # the catalogue's label (not "Ajouter au plan")
    adds = [b for b in at.button if b.label == t("plan.add")]
    assert adds and not any(b.disabled for b in adds)
    chosen = adds[0]
    recommendation_id = chosen.key.removeprefix("add-")
    chosen.click().run()
    assert not at.exception
    stored = [a for a in world.uow.store.actions.values() if a.assessment_id == world.qa1]
    assert [a.recommendation_id for a in stored] == [recommendation_id]
    assert at.button(key=f"in-{recommendation_id}").label == t("plan.already")
    assert at.button(key=f"in-{recommendation_id}").disabled


def test_plan_viewer_buttons_are_disabled(world) -> None:
    world.answer(world.alice, world.qa1, RESULTS_ANSWERS)
    evaluation = assessments.evaluate(world.ctx(world.alice), world.qa1)
    assert evaluation is not None
    actions.add_from_recommendation(world.ctx(world.alice), world.qa1, evaluation.result.recommendations[0])
    before = dict(world.uow.store.actions)

    viewer = world.member(Role.VIEWER, "vera")
    at = run_page("plan", world.ctx(viewer), company_id=world.a1, assessment_id=world.qa1)
    for label in (t("plan.add"), t("plan.create"), t("plan.edit")):
        found = [b for b in at.button if b.label == label]
        assert found and all(b.disabled for b in found), label
    assert world.uow.store.actions == before


# --- Suivi --------------------------------------------------------------------------------------------


def test_followup_compares_two_assessments_with_hand_computed_deltas(world) -> None:
    ctx = world.ctx(world.alice)
    first = world.qa1
    world.answer(world.alice, first, {"gov.demarche-rse": 1, "qual.satisfaction-clients": "boucle-amelioration"})
    second = assessments.start_assessment(ctx, world.a1, "rse-flash", label="2026").id
    world.answer(
        world.alice, second,
        {"gov.demarche-rse": 3, "qual.satisfaction-clients": "enquete-ponctuelle", "env.energie-suivi": 2},
    )  # fmt: skip
    # one answered question per dimension: its score is value/4 · 100 (the best option of
    # qual.satisfaction-clients scores 4: "boucle-amelioration" 4, "enquete-ponctuelle" 2)
    #   gov 1/4 = 25 → 3/4 = 75: +50 ; qual 4/4 = 100 → 2/4 = 50: -50 ; env — → 2/4 = 50: "—" ;
    #   the others unanswered in both: "—"
    at = run_page("followup", ctx, company_id=world.a1, assessment_id=second)
    assert len(at.table) == 2  # the history, then the comparison
    table = at.table[1].value
    rows = {row[t("results.col_dimension")]: (row[t("followup.before")], row[t("followup.after")], row[t("followup.delta")])
            for row in table.to_dict("records")}  # fmt: skip
    titles = {d.id: d.title.fr for d in FLASH.dimensions}
    expected = {titles[d]: ("—", "—", "—") for d in titles}
    expected |= {
        titles["gov"]: ("25", "75", "+50"),
        titles["qual"]: ("100", "50", "-50"),
        titles["env"]: ("—", "50", "—"),
    }
    assert rows == expected


# --- Espace et accès ----------------------------------------------------------------------------------


def test_workspace_owner_sees_members_and_audit_and_local_mode_has_no_invitations(world) -> None:
    world.member(Role.CONSULTANT, "colin")
    at = run_page("workspace", world.ctx(world.alice))
    headers = [h.value for h in at.header]
    assert headers == [t("workspace.members"), t("workspace.invitations"), t("workspace.audit")]
    members = [m.value for m in at.markdown]
    assert any(m.startswith("**Alice** · " + t("role.owner")) for m in members)
    assert any(m.startswith("**Colin** · " + t("role.consultant")) for m in members)
    assert t("workspace.local_no_invites") in [i.value for i in at.info]
    assert not at.get("form") and t("workspace.invite") not in labels(at)  # no invitation form in local mode
    audit = at.dataframe[0].value
    assert t("audit.action.invitation.accept") in set(audit[t("workspace.col_action")])


def test_workspace_owner_creates_an_invitation_link_in_shared_mode_shown_once(world, monkeypatch) -> None:
    monkeypatch.setenv("AUTODIAG_MODE", "shared")
    at = run_page("workspace", world.ctx(world.alice))
    assert t("workspace.local_no_invites") not in [i.value for i in at.info]
    before = set(world.uow.store.invitation_hashes.values())
    button(at, t("workspace.invite")).click().run()
    assert not at.exception
    assert t("workspace.link_once") in [s.value for s in at.success]
    links = [c.value for c in at.code]
    assert len(links) == 1
    found = re.fullmatch(r"http://localhost:8501/\?invite=([A-Za-z0-9_-]+)", links[0])
    assert found and len(found.group(1)) >= 43
    new = set(world.uow.store.invitation_hashes.values()) - before
    assert new == {workspaces.token_hash(found.group(1))}  # the store keeps its hash, not the token

    at.run()  # once: the next run does not show the link again
    assert not at.code and found.group(1) not in "\n".join(texts(at))


def test_workspace_consultant_sees_neither_invitations_nor_audit(world, monkeypatch) -> None:
    monkeypatch.setenv("AUTODIAG_MODE", "shared")
    consultant = world.member(Role.CONSULTANT, "colin")
    at = run_page("workspace", world.ctx(consultant))
    assert [h.value for h in at.header] == [t("workspace.members")]
    assert t("workspace.your_role", role=t("role.consultant")) in texts(at)
    assert not at.dataframe and t("workspace.invite") not in labels(at) and t("workspace.remove") not in labels(at)


# --- another workspace's ids are the same as ids that do not exist -----------------------------------


@pytest.mark.parametrize("page", ["home", "company", "diagnostic", "results", "plan", "followup"])
def test_another_workspaces_ids_render_as_missing_ids(world, page) -> None:
    ctx = world.ctx(world.alice)
    theirs = run_page(page, ctx, company_id=world.b1, assessment_id=world.qb1, dim="gov")
    missing = run_page(page, ctx, company_id=MISSING, assessment_id=MISSING + 1, dim="gov")
    assert rendered(theirs) == rendered(missing)
    assert "Conserverie Gamma" not in repr(rendered(theirs))
    for at in (theirs, missing):
        assert at.session_state["company_id"] is None and at.session_state["assessment_id"] is None
    if page in ("diagnostic", "results", "plan", "followup"):
        assert t("empty.no_company") in [i.value for i in theirs.info]


def test_another_workspace_on_the_workspace_page_renders_as_a_missing_one(world) -> None:
    theirs = run_page("workspace", world.ctx(world.alice, world.b))
    missing = run_page("workspace", world.ctx(world.alice, MISSING))
    assert rendered(theirs) == rendered(missing) == [t("access.not_found")]
