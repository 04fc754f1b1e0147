"""The network's dashboard page (app_pages/network.py) with AppTest, run alone with a lead's or a
reviewer's context on the database DATABASE_URL names (the `db` fixture)."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from diagnostic.i18n import t as translate
from diagnostic.services import networks
from diagnostic.services.context import Context
from tests.conftest import drawn as ok
from tests.conftest import page_script, said
from tests.test_networks import World, make_world


def t(key: str, **values: object) -> str:
    return translate(key, "fr", **values)




def page(ctx: Context, workspace_id: int) -> AppTest:
    run_ctx = Context(ctx.uow, ctx.actor, "fr", workspace_id=workspace_id)
    at = AppTest.from_function(page_script, args=("network", run_ctx, ("company",)), default_timeout=30)
    at.session_state["lang"] = "fr"
    return ok(at.run())


def button(at: AppTest, label: str):
    [found] = [b for b in at.button if b.label == label]
    return found


@pytest.fixture
def world(db, mini, page_files_beside_the_script) -> World:
    """A network of six members: five share a completed assessment (rh = 0..4, env = 2), one does not."""
    found = make_world(db.uow.engine, mini)
    for index in range(6):
        company = found.company(f"Membre {index}", sector="25.62A")
        found.completed(company, index % 5, 2)
        found.member(company, shares=index < 5)
    return found


def test_the_lead_sees_the_dashboard_and_makes_a_join_code(world: World) -> None:
    at = page(world.lead, world.network)
    assert at.title[0].value == t("network.title", name=world.name)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics == {
        t("network.members_count"): "6",
        t("network.sharing_count"): "5",
        t("network.assessed_count"): "5",
    }
    headers = [h.value for h in at.header]
    for key in ("network.levels", "network.dimensions", "network.progress", "network.benchmark", "network.weaknesses",
                "network.members", "network.codes", "network.groups"):  # fmt: skip
        assert t(key) in headers, key
    [benchmark, *_] = [tb for tb in at.table if t("benchmark.col_q1") in tb.value.columns]
    rows = benchmark.value.set_index(t("benchmark.col_dimension"))
    # rh: 0, 25, 50, 75, 100 -> 25 / 50 / 75, five members
    assert list(rows.loc["Capital humain"]) == ["25", "50", "75", 5]
    members = at.dataframe[0].value
    assert len(members) == 6 and sorted(members[t("network.col_shares")]) == ["non"] + ["oui"] * 5
    assert "—" in list(members[t("network.col_overall")])  # the member that does not share: nothing

    [note] = [w for w in at.text_input if w.label == t("network.code_note")]
    note.set_value("Entreprise Omega")
    at = ok(button(at, t("network.code_make")).click().run())
    [code] = [c.value for c in at.code]
    assert t("network.code_once") in [s.value for s in at.success]
    omega = world.company("Omega")
    assert networks.join(world.boss, omega, code).network_id == world.network

    at = page(world.lead, world.network)  # the used code is listed, without the code itself
    assert any("Entreprise Omega" in m.value and t("network.code_state_used") in m.value for m in at.markdown)
    assert code not in said(at)


def test_the_lead_revokes_a_code_manages_groups_and_removes_a_member(world: World) -> None:
    issued = networks.make_join_code(world.lead, world.network, "À révoquer")
    at = page(world.lead, world.network)
    at = ok(button(at, t("network.code_revoke")).click().run())
    assert networks.join_codes(world.lead, world.network)[-1].revoked_at is not None

    [name] = [w for w in at.text_input if w.label == t("network.group_name")]
    name.set_value("Filière")
    at = ok(button(at, t("network.group_create")).click().run())
    assert t("network.group_empty") in said(at)
    [add] = [s for s in at.selectbox if s.label == t("network.group_add_which")]
    assert len(add.options) == 5  # the sharing members only
    ids = {m.company.name: m.id for m in networks.dashboard(world.lead, world.network).members}
    add.set_value(ids["Membre 1"])
    at = ok(button(at, t("network.group_add")).click().run())
    assert t("network.group_level", level="2 · Engagé") in said(at)  # Membre 1: rh 25, env 50, overall 33.3

    [remove] = [s for s in at.selectbox if s.label == t("network.remove_which")]
    remove.set_value(ids["Membre 5"])
    at = ok(button(at, t("network.remove")).click().run())  # not confirmed: nothing done
    assert t("network.remove_confirm") in said(at) and len(networks.dashboard(world.lead, world.network).members) == 6
    [remove] = [s for s in at.selectbox if s.label == t("network.remove_which")]
    remove.set_value(ids["Membre 5"])
    [sure] = [c for c in at.checkbox if c.label == t("network.remove_sure")]
    sure.check()
    ok(button(at, t("network.remove")).click().run())
    assert len(networks.dashboard(world.lead, world.network).members) == 5
    assert issued.token not in said(at)


def test_a_reviewer_sees_the_dashboard_without_the_leads_tools(world: World) -> None:
    at = page(world.reviewer, world.network)
    assert [m.value for m in at.metric][:2] == ["6", "5"]
    assert t("network.codes") not in [h.value for h in at.header]
    labels = {b.label for b in at.button}
    assert not labels & {t("network.code_make"), t("network.remove"), t("network.group_create")}


def test_another_workspace_is_no_network(world: World) -> None:
    at = page(world.boss, world.companies)
    assert t("network.not_a_network") in [i.value for i in at.info]
    at = page(world.boss, world.network)  # not a member of the network: the same words
    assert t("network.not_a_network") in [i.value for i in at.info]


def test_the_invitation_roles_follow_the_kind_of_workspace(world: World, monkeypatch) -> None:
    """Reviewers and committee members in a network; consultants and company managers elsewhere."""
    monkeypatch.setenv("AUTODIAG_MODE", "shared")

    def roles(ctx: Context, workspace_id: int) -> list[str]:
        run_ctx = Context(ctx.uow, ctx.actor, "fr", workspace_id=workspace_id)
        at = ok(AppTest.from_function(page_script, args=("workspace", run_ctx), default_timeout=30).run())
        [role] = [s for s in at.selectbox if s.label == t("workspace.role")]
        return list(role.options)

    named = lambda *keys: [t("role." + k) for k in keys]  # noqa: E731
    assert roles(world.lead, world.network) == named("owner", "admin", "reviewer", "committee", "viewer")
    assert roles(world.boss, world.companies) == named("owner", "admin", "consultant", "company_manager", "viewer")
