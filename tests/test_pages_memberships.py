"""The member's "Réseaux" page (app_pages/memberships.py) with AppTest, run alone with the company
owner's or a reader's context: join with a code, share or not (give to get), the benchmark, leave;
and the Results page's benchmark overlay."""

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




def page(ctx: Context, world: World, company_id: int, name: str = "memberships", **session: object) -> AppTest:
    run_ctx = Context(ctx.uow, ctx.actor, "fr", workspace_id=world.companies)
    at = AppTest.from_function(page_script, args=(name, run_ctx, ("company", "diagnostic")), default_timeout=30)
    at.session_state["lang"] = "fr"
    at.session_state["company_id"] = company_id
    for key, value in session.items():
        at.session_state[key] = value
    return ok(at.run())


def button(at: AppTest, label: str):
    [found] = [b for b in at.button if b.label == label]
    return found


@pytest.fixture
def world(db, mini, page_files_beside_the_script) -> World:
    """A network whose five members share a completed assessment (rh = 0..4, env = 4)."""
    found = make_world(db.uow.engine, mini)
    for index in range(5):
        company = found.company(f"Membre {index}", sector="25.62A")
        found.completed(company, index, 4)
        found.member(company)
    return found


def test_join_with_a_code_share_see_the_benchmark_and_leave(world: World) -> None:
    company = world.company("Nouvelle", sector="16.23Z")
    world.completed(company, 2, 2)
    at = page(world.boss, world, company)
    assert t("membership.none") in [i.value for i in at.info]

    [code] = [w for w in at.text_input if w.label == t("membership.code")]
    code.set_value("pas-un-code")
    at = ok(button(at, t("membership.join_button")).click().run())
    assert [e.value for e in at.error] == [t("membership.code_invalid")]

    issued = networks.make_join_code(world.lead, world.network, "Nouvelle")
    [code] = [w for w in at.text_input if w.label == t("membership.code")]
    code.set_value(issued.token)
    at = ok(button(at, t("membership.join_button")).click().run())
    assert t("membership.joined_now", network=world.name) in [s.value for s in at.success]
    assert [h.value for h in at.header] == [world.name, t("membership.join")]  # the network's card, joining
    assert [s.value for s in at.subheader] == [t("practice.member_title", network=world.name)]  # under the card
    assert t("membership.give_to_get") in [i.value for i in at.info]  # not sharing: no benchmark
    [share] = at.toggle
    assert share.value is False and not share.disabled

    at = ok(share.set_value(True).run())
    assert networks.member_networks(world.boss, company)[0].member.shares
    assert t("membership.give_to_get") not in said(at)
    network, sector = [tb for tb in at.table if t("benchmark.col_q1") in tb.value.columns]
    rows = network.value.set_index(t("benchmark.col_dimension"))
    # rh of the six sharing members: 0, 25, 50, 50, 75, 100 -> Q1 31.25, median 50, Q3 68.75
    assert list(rows.loc["Capital humain"]) == ["31", "50", "69", 6]
    assert f"**{t('benchmark.sector_title', section='C')}**" in said(at)  # 16.23Z and 25.62A: section C, all six
    assert sector.value.equals(network.value)
    assert any(c.value.startswith("Partage modifié le") and "Boss" in c.value for c in at.caption)  # who and when

    at = ok(button(at, t("membership.leave_confirm")).click().run())
    assert t("membership.none") in [i.value for i in at.info]
    assert networks.member_networks(world.boss, company) == []


def test_a_reader_sees_the_networks_but_changes_nothing(world: World) -> None:
    company = world.company("Lue")
    world.member(company, shares=False)
    at = page(world.reader, world, company)
    [share] = at.toggle
    assert share.disabled and share.value is False
    assert t("membership.join") not in [h.value for h in at.header]
    assert t("membership.leave_confirm") not in [b.label for b in at.button]


def test_the_results_page_draws_the_benchmark_at_once_and_can_leave_it(world: World) -> None:
    company = world.company("Comparée")
    assessment = world.completed(company, 3, 3)
    world.member(company)
    at = page(world.boss, world, company, name="results", assessment_id=assessment)
    [choice] = [s for s in at.selectbox if s.label == t("benchmark.compare")]
    assert choice.value == f"n{world.network}"  # the first network's benchmark is drawn without asking
    caption = t("benchmark.caption", count=6, network=world.name)
    assert caption in [c.value for c in at.caption]
    at = ok(choice.select_index(0).run())
    assert caption not in [c.value for c in at.caption]
    at = ok(choice.set_value(f"n{world.network}").run())
    assert caption in [c.value for c in at.caption]
