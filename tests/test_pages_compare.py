"""The Compare page with AppTest (the page alone, handed the local owner's context): fewer than two
companies say so, two chosen show the overlaid radar, the table of dimension scores and the
questions where they differ most; another assessment of a company can be picked."""

from __future__ import annotations

import json

import pytest
from streamlit.testing.v1 import AppTest

from diagnostic.core.profile import Profile
from diagnostic.i18n import format_percent, format_score
from diagnostic.i18n import t as translate
from diagnostic.services import answers, assessments, companies
from diagnostic.services.context import Context
from diagnostic.services.questionnaires import shipped_questionnaire
from tests.conftest import page_script

pytestmark = pytest.mark.usefixtures("page_files_beside_the_script")
FLASH = "rse-flash"


def t(key: str, **values: object) -> str:
    return translate(key, "fr", **values)


def page(ctx: Context) -> AppTest:
    at = AppTest.from_function(page_script, args=("compare", ctx, ("company",)), default_timeout=30)
    at.session_state["lang"] = "fr"
    return ok(at.run())


def ok(at: AppTest) -> AppTest:
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.fixture
def three(db: Context) -> dict[str, object]:
    """Three companies with a flash diagnostic each: the first two maturity questions answered 0 and 4
    by Acier, 4 and 4 by Bois; Cuivre answers nothing. Bois also has an older diagnostic."""
    flash, _ = shipped_questionnaire(FLASH)
    first, second = [q.id for q in flash.questions.values() if q.type == "maturity"][:2]
    made: dict[str, object] = {"questions": (first, second), "flash": flash}
    for name, values in (("Acier", (0, 4)), ("Bois", (4, 4)), ("Cuivre", None)):
        company = companies.save_company(db, None, name, Profile(headcount_band="20-49"))
        if name == "Bois":
            made["bois_older"] = assessments.start_assessment(db, company.id, FLASH, label="Ancien").id
        assessment = assessments.start_assessment(db, company.id, FLASH, label="Actuel")
        for question_id, value in zip((first, second), values or (), strict=False):
            answers.record_answer(db, flash, assessment.id, question_id, value)
        made[name] = company.id
        made[f"{name}_a"] = assessment.id
    return made


def test_fewer_than_two_companies_chosen_says_so(db, three):
    at = page(db)
    assert t("compare.pick_two") in [i.value for i in at.info]
    at.multiselect(key="compare-companies").select(three["Acier"]).run()
    assert t("compare.pick_two") in [i.value for i in ok(at).info] and not at.get("plotly_chart")


def test_a_workspace_with_one_company_cannot_compare(db):
    companies.save_company(db, None, "Seule", Profile())
    at = page(db)
    assert t("compare.need_two") in [i.value for i in at.info] and not at.multiselect


def test_two_companies_side_by_side(db, three):
    at = page(db)
    assert at.multiselect(key="compare-companies").max_selections == 6
    at.multiselect(key="compare-companies").set_value([three["Acier"], three["Bois"]]).run()
    ok(at)
    [chart] = at.get("plotly_chart")
    traces = [trace["name"] for trace in json.loads(chart.proto.spec)["data"]]
    assert traces == ["Acier", "Bois"]
    [scores] = at.table  # the questions that differ are blocks, not a table (phones)
    frame = scores.value
    assert list(frame.columns) == [t("compare.dimension"), "Acier", "Bois"]
    evaluation = assessments.evaluate(db, three["Acier_a"])
    overall = frame[frame[t("compare.dimension")] == f"**{t('compare.overall')}**"].iloc[0]
    assert overall["Acier"] == f"**{format_score(evaluation.result.overall, 'fr')}**"
    coverage = frame[frame[t("compare.dimension")] == t("compare.coverage")].iloc[0]
    assert coverage["Acier"] == format_percent(evaluation.result.coverage, "fr")
    # the first question: 0 against 4, a spread of 100; the second: 4 and 4, no spread
    flash = three["flash"]
    first, second = three["questions"]
    spreads = [c.value for c in at.caption if c.value.startswith(t("compare.spread"))]
    assert spreads == [f"{t('compare.spread')} : 100", f"{t('compare.spread')} : 0"]
    said = [m.value for m in at.markdown]
    block = said.index(next(m for m in said if flash.questions[first].text.get("fr")[:15] in m.replace("\\", "")))
    answers = said[block + 1]  # the first block: its question, then each company's answer
    assert "- **Acier** : 0" in answers and "- **Bois** : 4" in answers


def test_another_assessment_of_a_company_can_be_compared(db, three):
    at = page(db)
    at.multiselect(key="compare-companies").set_value([three["Acier"], three["Bois"]]).run()
    picker = at.selectbox(key=f"compare-assessment-{three['Bois']}")
    assert picker.value == three["Bois_a"]  # the latest by default
    picker.set_value(three["bois_older"]).run()
    assert not [c for c in ok(at).caption if c.value.startswith(t("compare.spread"))]  # the older one is unanswered
    assert t("compare.no_differ") in [c.value for c in at.caption]
