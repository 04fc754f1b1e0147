"""The Regards croisés and Consensus pages, each page's `main(ctx)` run with AppTest on a real database.

The respondents answer through the services as their links would (participation, respondents);
the expected figures are worked out by hand below. As in tests/test_pages_unit.py, the script
registers a stand-in navigation (the page under test and the page files it links to), and a symbolic
link `app_pages` in AppTest's folder points at the real one.

The world, on the flash questionnaire (k = 3, comment_k = 3):
  direction (named, 1 respondent "Dominique"), staff (anonymous, 3), managers (anonymous, 2: under k).
  gov.demarche-rse (maturity):     direction 4; staff 1, 1, 2 → mean 4/3 = 1.33; gap 1.33 − 4 = −2.67
                                   → a blind spot of "2,7"; pre-fill: mean of the group means
                                   (4 + 4/3) / 2 = 2.67 → 3; spread "1,3 – 4,0"
  gov.tableau-de-bord (maturity):  direction 0; staff 2, 2, 3 → 2.33; gap +2.33 → a hidden strength "2,3"
  eco.innovation (maturity):       direction 2; staff 0, 1, 4 → 1.67 (gap −0.33: none); answers span
                                   4 levels → split views "4,0"
  gov.parties-prenantes (maturity): direction 2; staff 2, 2, 3 → 2.33: no divergence
  managers answer 0 everywhere: under k, they change nothing (no figure, no gap, no pre-fill).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from diagnostic.core.profile import Profile
from diagnostic.core.roles import Role
from diagnostic.i18n import t as translate
from diagnostic.services import answers, assessments, companies, participation, respondents, workspaces
from diagnostic.services.context import Actor, Context
from tests.conftest import fresh_engine, local_context, page_script
from ui import state
from ui.text import authored_label

ROOT = Path(__file__).resolve().parent.parent
ISSUER = "https://id.example.org"
DEMARCHE, TABLEAU, INNOVATION, PARTIES = "gov.demarche-rse", "gov.tableau-de-bord", "eco.innovation", "gov.parties-prenantes"
DIRECTION = {DEMARCHE: 4, TABLEAU: 0, INNOVATION: 2, PARTIES: 2}
STAFF = [
    {DEMARCHE: 1, TABLEAU: 2, INNOVATION: 0, PARTIES: 2},
    {DEMARCHE: 1, TABLEAU: 2, INNOVATION: 1, PARTIES: 2},
    {DEMARCHE: 2, TABLEAU: 3, INNOVATION: 4, PARTIES: 3},
]
MANAGERS = [{DEMARCHE: 0, TABLEAU: 0, INNOVATION: 0, PARTIES: 0}] * 2
COMMENTS = {"direction": "La charte est signée.", "staff": "Personne ne connaît la charte.", "managers": "Commentaire caché."}


def t(key: str, **values: object) -> str:
    return translate(key, "fr", **values)


# --- the script: one page's main(ctx), with a stand-in navigation for its links ----------------------


pytestmark = pytest.mark.usefixtures("page_files_beside_the_script")


@pytest.fixture(autouse=True)
def _local_mode(monkeypatch) -> None:
    monkeypatch.delenv("AUTODIAG_MODE", raising=False)


def run_page(page: str, ctx: Context, company_id: int, assessment_id: int, **session: object) -> AppTest:
    at = AppTest.from_function(page_script, args=(page, ctx, ("company", "participants")), default_timeout=30)
    at.session_state["lang"] = ctx.lang
    at.session_state[state.CONTEXT] = ctx
    at.session_state["company_id"] = company_id
    at.session_state["assessment_id"] = assessment_id
    at.session_state["dim"] = None
    for key, value in session.items():
        at.session_state[key] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def texts(at: AppTest) -> str:
    parts: list[str] = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "info", "warning", "error", "success"):
        parts += [str(e.value) for e in getattr(at, kind)]
    return "\n".join(parts)


def figures(at: AppTest) -> list[dict]:
    return [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]


def no_unexpected_error(at: AppTest) -> None:
    assert not at.exception
    assert t("error.unexpected") not in texts(at) and t("error.database") not in texts(at)


# --- the world ----------------------------------------------------------------------------------------


@dataclass
class World:
    ctx: Context
    company_id: int
    assessment_id: int
    groups: dict[str, int]  # group key -> id


def respond(world: World, group: str, given: list[dict[str, int]], comment: str = "", name: str = "") -> None:
    """Respondents of one group answer through a link and send their answers."""
    owner = world.ctx
    respondent = Context(owner.uow, Actor(user_id=None))
    group_id = world.groups[group]
    for index, values in enumerate(given):
        if name:
            issued = participation.create_link(owner, world.assessment_id, group_id, name=f"{name} {index}")
        elif index == 0:
            issued = participation.create_link(owner, world.assessment_id, group_id, max_uses=len(given))
        key = respondents.enter(respondent, issued.token).key
        for question_id, value in values.items():
            respondents.answer(respondent, key, question_id, value)
        if comment:
            respondents.comment(respondent, key, DEMARCHE, f"{comment} ({index + 1})" if len(given) > 1 else comment)
        respondents.complete(respondent, key)


@pytest.fixture
def bare(tmp_path) -> Iterator[World]:
    """A company and an assessment not opened to groups."""
    engine = fresh_engine(f"sqlite:///{tmp_path / 'crossed.db'}")
    ctx = local_context(engine)
    company = companies.save_company(ctx, None, "Atelier <Lefèvre>", Profile(headcount_band="11-19"))
    assessment = assessments.start_assessment(ctx, company.id, "rse-flash")
    yield World(ctx, company.id, assessment.id, {})
    engine.dispose()


@pytest.fixture
def world(bare: World) -> World:
    opened = participation.open_participation(bare.ctx, bare.assessment_id, k=3, comment_k=3)
    bare.groups.update({g.group.key: g.group.id for g in opened.groups})
    respond(bare, "direction", [DIRECTION], COMMENTS["direction"], name="Dominique")
    respond(bare, "staff", STAFF, COMMENTS["staff"])
    respond(bare, "managers", MANAGERS, COMMENTS["managers"])
    return bare


def question_text(world: World, question_id: str) -> str:
    found = participation.crossed_views(world.ctx, world.assessment_id)
    assert found is not None
    return found.questionnaire.questions[question_id].text.get("fr")


# --- Regards croisés -------------------------------------------------------------------------------------


@pytest.mark.parametrize("page", ["crossed", "consensus"])
def test_not_opened_to_groups_says_so_and_links_to_participants(bare, page) -> None:
    at = run_page(page, bare.ctx, bare.company_id, bare.assessment_id)
    no_unexpected_error(at)
    assert t("crossed.not_open") in texts(at)
    assert [p.proto.label for p in at.page_link] == [t("crossed.go_participants")]
    assert not figures(at)


def test_crossed_views_show_the_groups_above_the_threshold_only(world) -> None:
    at = run_page("crossed", world.ctx, world.company_id, world.assessment_id)
    no_unexpected_error(at)
    shown = texts(at)
    assert t("crossed.title") in shown
    direction = f"**Direction** · {t('crossed.named')} · {t('crossed.respondents', count=1)}"
    staff = f"**Collaborateurs** · {t('crossed.anonymous')} · {t('crossed.respondents', count=3)}"
    managers = f"**Encadrement** · {t('crossed.anonymous')} · {t('crossed.respondents', count=2)}"
    assert direction in shown and staff in shown
    assert f"{managers} · *{t('crossed.not_enough', k=3)}*" in shown
    assert direction + " · *" not in shown and staff + " · *" not in shown

    radar, dimensions, questions = figures(at)
    assert [trace["name"] for trace in radar["data"]] == ["Direction", "Collaborateurs"]  # no target set
    for figure in (dimensions, questions):  # the heat maps: one column per shown group, none for managers
        assert figure["layout"]["xaxis"]["ticktext"] == ["Direction", "Collaborateurs"]
    assert questions["layout"]["yaxis"]["ticktext"] == ["Q1", "Q2", "Q3"]
    # gov (the first dimension; weights demarche 2, parties-prenantes 1, tableau-de-bord 1.5, maximum 18):
    # direction (2·4 + 1·2 + 1.5·0) / 18 = 55.6 → "56"; staff's consolidated levels 1, 2, 2 (the means
    # 4/3, 7/3, 7/3 rounded): (2·1 + 1·2 + 1.5·2) / 18 = 38.9 → "39"
    assert dimensions["data"][0]["text"][0] == ["56", "39"]
    # the first question's cells are the group means on the level scale
    assert questions["data"][0]["text"][0] == ["4,0", "1,3"]
    assert "Encadrement" not in json.dumps(figures(at))


def test_divergences_ranked_with_their_sizes_in_french(world) -> None:
    at = run_page("crossed", world.ctx, world.company_id, world.assessment_id)
    table = at.table[0].value
    rows = [tuple(row) for row in table.itertuples(index=False)]
    demarche, tableau, innovation = (authored_label(question_text(world, q)) for q in (DEMARCHE, TABLEAU, INNOVATION))
    assert rows == [
        (innovation, "Collaborateurs", t("crossed.kind.spread"), "4,0"),  # 4 − 0
        (demarche, "Collaborateurs", t("crossed.kind.blind_spot"), "2,7"),  # |4/3 − 4| = 2.67
        (tableau, "Collaborateurs", t("crossed.kind.hidden_strength"), "2,3"),  # 7/3 − 0 = 2.33
    ]
    shown = texts(at)
    assert t("crossed.blind_spots") in shown and t("crossed.hidden_strengths") in shown
    assert "- " + t("crossed.item", count=2.7, question=demarche, group="Collaborateurs", size="2,7") in shown
    assert "- " + t("crossed.item", count=2.3, question=tableau, group="Collaborateurs", size="2,3") in shown
    assert "écart de 2,7 niveaux" in shown


def test_comments_without_attribution_and_only_above_comment_k(world) -> None:
    at = run_page("crossed", world.ctx, world.company_id, world.assessment_id)
    shown = texts(at)
    assert COMMENTS["direction"].replace(".", "\\.") in shown
    for index in (1, 2, 3):
        assert f"Personne ne connaît la charte\\. \\({index}\\)" in shown
    assert "Commentaire cach" not in shown  # managers: 2 respondents, under comment_k
    assert "Dominique" not in shown  # nobody's name next to what they wrote


def test_the_dimension_choice_shows_that_dimensions_questions(world) -> None:
    at = run_page("crossed", world.ctx, world.company_id, world.assessment_id)
    at.selectbox(key=f"crossed-dim-{world.assessment_id}").set_value("eco").run()
    no_unexpected_error(at)
    stats = at.dataframe[0].value
    innovation = stats[stats.iloc[:, 0].str.contains(question_text(world, INNOVATION)[:20], regex=False)]
    staff = innovation[innovation.iloc[:, 1] == "Collaborateurs"].iloc[0].tolist()
    assert staff[2:6] == [3, "1,7", "1,0", "0,0 – 4,0"]  # 3 answers, mean 5/3, median 1, 0 to 4


# --- Consensus -----------------------------------------------------------------------------------------


def form_button(at: AppTest, form: str):
    found = [b for b in at.button if b.proto.form_id == form]
    assert len(found) == 1, [b.proto.form_id for b in at.button]
    return found[0]


def test_accepting_the_proposals_writes_the_official_answers(world) -> None:
    at = run_page("consensus", world.ctx, world.company_id, world.assessment_id)
    no_unexpected_error(at)
    assert t("consensus.summary", agreed=0, proposed=4) in texts(at)
    # the spread of the group means, French decimals: staff 4/3, direction 4
    assert t("consensus.spread", low="1,3", high="4,0") in texts(at)
    accept = next(b for b in at.button if b.label == t("consensus.accept_all"))
    accept.click().run()
    no_unexpected_error(at)
    assert t("consensus.accepted", count=4) in texts(at)
    official = answers.load_answers(world.ctx, world.assessment_id)
    # (4 + 4/3)/2 = 2.67 → 3; (0 + 7/3)/2 = 1.17 → 1; (2 + 5/3)/2 = 1.83 → 2; (2 + 7/3)/2 = 2.17 → 2
    assert {q: official[q].value for q in official} == {DEMARCHE: 3, TABLEAU: 1, INNOVATION: 2, PARTIES: 2}
    assert t("consensus.summary", agreed=4, proposed=4) in texts(at)
    assert next(b for b in at.button if b.label == t("consensus.accept_all")).disabled  # nothing left


def test_another_value_needs_a_reason(world) -> None:
    at = run_page("consensus", world.ctx, world.company_id, world.assessment_id)
    form = f"consensus-{world.assessment_id}-{DEMARCHE}"
    value = at.selectbox(key=f"consensus-v-{world.assessment_id}-{DEMARCHE}")
    assert value.value == 3  # pre-set to the proposal
    value.set_value(1)
    form_button(at, form).click().run()
    no_unexpected_error(at)
    assert t("consensus.reason_needed") in [e.value for e in at.error]
    assert answers.load_answers(world.ctx, world.assessment_id) == {}  # nothing written

    at.text_input(key=f"consensus-r-{world.assessment_id}-{DEMARCHE}").input("Constat partagé en réunion")
    form_button(at, form).click().run()
    no_unexpected_error(at)
    assert answers.load_answers(world.ctx, world.assessment_id)[DEMARCHE].value == 1
    shown = texts(at)
    assert t("consensus.saved") in shown
    assert t("consensus.agreed_reason", reason="Constat partagé en réunion") in shown
    assert t("consensus.summary", agreed=1, proposed=4) in shown


def test_a_viewer_sees_the_consensus_and_cannot_validate(world) -> None:
    owner = world.ctx
    company = companies.get_company(owner, world.company_id)
    assert company is not None
    issued = workspaces.invite(owner, company.workspace_id, Role.VIEWER, email="vera@example.org")
    vera = workspaces.signed_in_actor(owner.uow, ISSUER, "vera", "vera@example.org", "Vera")
    viewer = Context(owner.uow, vera, "fr", workspace_id=company.workspace_id)
    workspaces.accept_invitation(viewer, issued.token, "vera@example.org", True)

    at = run_page("consensus", viewer, world.company_id, world.assessment_id)
    no_unexpected_error(at)
    assert t("access.read_only") in texts(at)
    views = participation.crossed_views(owner, world.assessment_id)
    assert views is not None
    level_3 = authored_label(views.questionnaire.model.maturity_scale[3].label.fr)
    assert t("consensus.proposal", value=f"3 — {level_3}") in texts(at)
    assert at.button and all(b.disabled for b in at.button)
    assert all(s.disabled for s in at.selectbox if s.key != f"consensus-dim-{world.assessment_id}")
    crossed = run_page("crossed", viewer, world.company_id, world.assessment_id)  # reading stays open
    assert len(figures(crossed)) == 3
    assert answers.load_answers(owner, world.assessment_id) == {}
