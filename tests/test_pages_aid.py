"""Public aid on screen, with AppTest on the in-memory fakes: the folded "Aides publiques mobilisables"
block inside the recommendation card it funds (and in no other), the regional scheme following the
company's region, and the region picked on the company page."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from diagnostic.core.profile import Profile
from diagnostic.i18n import t as translate
from diagnostic.services import assessments, companies
from diagnostic.services.answers import record_answer
from diagnostic.services.context import Context
from tests.conftest import drawn, page_script
from tests.fakes import fake_context
from ui import state

pytestmark = pytest.mark.usefixtures("page_files_beside_the_script")
PAGE_FILES = ("home", "company", "diagnostic", "results", "plan", "followup")


def t(key: str, **values: object) -> str:
    return translate(key, "fr", **values)


@pytest.fixture(autouse=True)
def _local_mode(monkeypatch) -> None:
    monkeypatch.delenv("AUTODIAG_MODE", raising=False)


def run_page(page: str, ctx: Context, **session: object) -> AppTest:
    at = AppTest.from_function(page_script, args=(page, ctx, PAGE_FILES), default_timeout=30)
    at.session_state["lang"] = ctx.lang
    at.session_state[state.CONTEXT] = ctx
    for key in ("company_id", "assessment_id"):
        at.session_state[key] = session.get(key)
    return drawn(at.run())


def walk(node: Any) -> Iterator[Any]:
    yield node
    for child in getattr(node, "children", {}).values():
        yield from walk(child)


def cards(at: AppTest) -> dict[str, list[str]]:
    """Each recommendation card of the plan, by its recommendation id (its "add" button's key): the
    labels of the folded blocks inside it."""
    found = {}
    for node in walk(at._tree):
        if getattr(node, "type", None) != "flex_container":
            continue
        keys = [
            str(n.key) for n in walk(node) if getattr(n, "type", None) == "button" and str(n.key).startswith("add-")
        ]
        if len(keys) == 1 and not any(  # the innermost container holding the whole card (text and button)
            getattr(n, "type", None) == "flex_container" and any(str(getattr(b, "key", "")) == keys[0] for b in walk(n))
            and any(getattr(m, "type", None) == "markdown" for m in walk(n)) for n in walk(node) if n is not node
        ):  # fmt: skip
            found[keys[0].removeprefix("add-")] = [
                str(n.label) for n in walk(node) if getattr(n, "type", None) == "expander"
            ]
    return found


def company_with_gaps(region: str | None) -> tuple[Context, int, int]:
    ctx = fake_context()
    company = companies.save_company(ctx, None, "Atelier Durand", Profile(headcount_band="20-49", region=region))  # type: ignore[arg-type]
    started = assessments.start_assessment(ctx, company.id, "rse-flash")
    evaluation = assessments.evaluate(ctx, started.id)
    assert evaluation is not None
    record_answer(
        ctx, evaluation.questionnaire, started.id, "env.bilan-carbone", "aucun"
    )  # funded: Diag Décarbon'Action
    record_answer(ctx, evaluation.questionnaire, started.id, "qual.satisfaction-clients", "aucune")  # no scheme
    return ctx, company.id, started.id


def unescape(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)


def test_the_schemes_are_drawn_inside_the_card_they_fund_and_in_no_other() -> None:
    ctx, company_id, assessment_id = company_with_gaps(region=None)
    at = run_page("plan", ctx, company_id=company_id, assessment_id=assessment_id)
    title = t("aid.hints_title")
    shown = cards(at)
    assert {"env.bilan-carbone.r1", "env.bilan-carbone.r2", "qual.satisfaction-clients.r1"} <= set(shown), shown
    # Diag Décarbon'Action funds the question; two regional schemes fund the whole dimension, and the
    # company has not given its region: they are shown, with the region "to check"
    for rec in ("env.bilan-carbone.r1", "env.bilan-carbone.r2"):
        assert f":material/euro: {title} (3)" in shown[rec], shown[rec]
    assert not any(title in label for label in shown["qual.satisfaction-clients.r1"])
    said = unescape("\n".join(str(e.value) for e in at.markdown) + "\n".join(str(e.value) for e in at.caption))
    assert "[Diag Décarbon'Action](https://diag.bpifrance.fr/diag-decarbon-action)" in said
    assert t("aid.checked", date="12 juin 2026") in said
    assert t("aid.intro") in said
    assert t("aid.to_check", facts=t("aid.fact_region")) in said
    names = re.findall(r"\*\*\[([^\]]+)\]\(https://", said)
    assert names[:3] == [
        "Diag Décarbon'Action",
        "CAP Transition Écologique (Région Centre-Val de Loire)",
        "PASS Transitions (Région Bretagne)",
    ]


def test_a_regional_scheme_follows_the_company_region() -> None:
    ctx, company_id, assessment_id = company_with_gaps(region="28")
    evaluation = assessments.evaluate(ctx, assessment_id)
    assert evaluation is not None
    record_answer(ctx, evaluation.questionnaire, assessment_id, "env.energie-suivi", 0)
    at = run_page("plan", ctx, company_id=company_id, assessment_id=assessment_id)
    said = unescape("\n".join(str(e.value) for e in at.markdown))
    assert "Visite Énergie CCI / CMA" in said  # offered in Normandie
    companies.save_company(ctx, company_id, "Atelier Durand", Profile(headcount_band="20-49", region="94"))
    at = run_page("plan", ctx, company_id=company_id, assessment_id=assessment_id)
    assert "Visite Énergie CCI / CMA" not in unescape("\n".join(str(e.value) for e in at.markdown))  # not in Corsica
    assert "Diag Décarbon'Action" in unescape("\n".join(str(e.value) for e in at.markdown))  # national


def test_the_company_page_picks_the_region_and_stores_it() -> None:
    ctx = fake_context()
    company = companies.save_company(ctx, None, "Atelier Durand", Profile(headcount_band="20-49"))
    at = run_page("company", ctx, company_id=company.id)
    region = next(s for s in at.selectbox if s.label == t("company.region"))
    assert region.value is None and region.format_func(None) == t("company.region_none")
    assert region.format_func("28") == "Normandie" and len(region.options) == 19
    region.set_value("28")
    next(b for b in at.button if b.label == t("company.save")).click().run()
    drawn(at)
    assert companies.get_company(ctx, company.id).profile.region == "28"
