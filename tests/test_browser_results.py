"""Provisional results in a real browser: said plainly, and one click leads back to the questions."""

from __future__ import annotations

import shutil

import pytest

from diagnostic.core.profile import Profile
from diagnostic.services import answers, assessments, companies, questionnaires
from diagnostic.storage.database import make_engine, migrate
from tests.conftest import local_context
from tests.e2e import ROOT, browser, running, wait_idle

pytestmark = pytest.mark.browser

if not shutil.which("chromium"):
    pytest.skip("Chromium is not installed (.ci/run installs it)", allow_module_level=True)


@pytest.mark.parametrize("width", [1280, 390])
def test_a_partly_answered_assessment_shows_a_provisional_result_and_leads_back(tmp_path, width) -> None:
    db_url = f"sqlite:///{tmp_path / 'results.db'}"
    engine = make_engine(db_url)
    migrate(engine)
    ctx = local_context(engine)
    profile = Profile(headcount_band="20-49", sector="16.23Z", sites=1)
    company = companies.save_company(ctx, None, "Atelier Test", profile)
    assessment = assessments.start_assessment(ctx, company.id, "rse-flash")
    questionnaire = questionnaires.questionnaire_of(ctx.uow, assessment)
    for question_id in ("gov.demarche-rse", "gov.parties-prenantes", "gov.tableau-de-bord"):
        answers.record_answer(ctx, questionnaire, assessment.id, question_id, 3)
    answers.record_answer(ctx, questionnaire, assessment.id, "qual.satisfaction-clients", "indicateur-suivi")
    try:
        with running(ROOT / "serve.py", db_url, log=tmp_path / "server.log") as server, browser(width=width, height=900) as page:
            page.goto(f"{server.url}/resultats?c={company.id}&a={assessment.id}", timeout=30_000)
            wait_idle(page, settle=0.5)
            banner = page.locator(".st-key-provisional")
            banner.wait_for(timeout=30_000)
            text = banner.inner_text()
            # 24 questions, the waste-collection filter not scored: 23 apply to 20-49 people; 4 answered
            assert "Résultat provisoire" in text and "19 sur 23" in text, text
            # drawn a moment after the banner: waited for, not checked at once
            page.get_by_text("Score provisoire").first.wait_for(timeout=30_000)
            page.get_by_text("non renseignée").first.wait_for(timeout=30_000)  # unanswered dimensions are not 0
            page.get_by_role("link", name="Reprendre le questionnaire").click()
            page.wait_for_url("**/diagnostic?**dim=qual**", timeout=30_000)
            wait_idle(page, settle=0.5)
            # the dimension of the first unanswered question is open: its second question unanswered
            page.get_by_text(questionnaire.questions["qual.rgpd-registre"].text.get("fr")).first.wait_for(timeout=30_000)
    finally:
        engine.dispose()
