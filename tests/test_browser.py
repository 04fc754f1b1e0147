"""The main journey in a real browser: Debian's Chromium driven by Playwright (DESIGN.md §5)."""

from __future__ import annotations

import re
import shutil

import pytest

from diagnostic.services import actions, answers, assessments, companies, questionnaires
from diagnostic.storage.database import make_engine
from tests.conftest import local_context
from tests.e2e import ROOT, Server, browser, click_and_wait, wait_idle

pytestmark = pytest.mark.browser

if not shutil.which("chromium"):
    pytest.skip("Chromium is not installed (.ci/run installs it)", allow_module_level=True)


CHECKED = "[data-testid=stMain] [data-testid=stRadio] input[type=radio]:checked"


def wait_checked(page, count: int) -> None:
    """The page shows `count` checked answers (widgets appear a moment after the run ends)."""
    page.wait_for_function(f"document.querySelectorAll('{CHECKED}').length >= {count}", timeout=30_000)
    assert page.locator(CHECKED).count() == count


def goto(page, url: str) -> None:
    page.goto(url)
    wait_idle(page, settle=0.5)


def test_company_diagnostic_reload_results_plan_restart(tmp_path) -> None:
    db_url = f"sqlite:///{tmp_path / 'e2e.db'}"
    server = Server(ROOT / "serve.py", db_url, log=tmp_path / "server.log")
    server.start()
    try:
        with browser() as page:
            # 1. create a company
            goto(page, f"{server.url}/entreprise")
            page.get_by_role("textbox", name="Nom de l’entreprise").fill("Scierie Moreau")
            page.get_by_role("textbox", name="Code NAF (secteur)").fill("16.10A")
            click_and_wait(page, page.get_by_role("button", name="Créer l’entreprise"))
            page.get_by_text("Entreprise « Scierie Moreau » créée.").wait_for()

            # 2. start the full diagnostic
            click_and_wait(page, page.get_by_role("button", name="Diagnostic complet, environ 50 minutes"))
            page.get_by_role("heading", name="Diagnostic").wait_for()
            engine = make_engine(db_url)
            ctx = local_context(engine)
            company = companies.list_companies(ctx)[0]
            assessment = assessments.list_assessments(ctx, company.id)[0]
            questionnaire = questionnaires.questionnaire_of(ctx.uow, assessment)
            first = questionnaire.dimensions[0]

            # 3. answer the whole first dimension, one click per question, as a manager would
            main = page.locator(".st-key-questions")
            radios = main.locator("[data-testid=stRadio]")
            pills = main.locator("[data-testid=stButtonGroup]")
            answered_radios = 0
            # the count is read again after each click: an answer may open questions below it (the
            # status question opens the social and solidarity economy module)
            while answered_radios < radios.count():
                options = radios.nth(answered_radios).locator("label")
                click_and_wait(page, options.nth(min(2, options.count() - 1)))
                answered_radios += 1
            for index in range(pills.count()):
                click_and_wait(page, pills.nth(index).locator("button").nth(1))
            saved = answers.load_answers(ctx, assessment.id)
            result = assessments.evaluate(ctx, assessment.id).result
            expected = {q.id for q in first.questions if result.questions[q.id].applies}
            assert set(saved) == expected, "every question of the first dimension is saved"
            assert answered_radios + pills.count() == len(expected)
            scored = sum(1 for q in first.questions if q.scored and result.questions[q.id].applies)

            # 4. reload: every answer is found again, checked in the page
            page.reload()
            wait_idle(page, settle=0.5)
            page.get_by_text(f"{scored} / {scored} questions").first.wait_for()
            wait_checked(page, answered_radios)

            # 5. results show the radar
            goto(page, f"{server.url}/resultats?c={company.id}&a={assessment.id}")
            page.locator("[data-testid=stPlotlyChart]").first.wait_for()
            page.locator(".js-plotly-plot .scatterlayer").first.wait_for()
            overall = assessments.evaluate(ctx, assessment.id).result.overall
            page.get_by_text(re.compile(rf"^{overall:.0f}/100$")).first.wait_for()

            # 6. add an action from the plan
            goto(page, f"{server.url}/plan?c={company.id}&a={assessment.id}")
            click_and_wait(page, page.get_by_role("button", name="Ajouter").first)
            plan = actions.list_actions(ctx, assessment.id)
            assert len(plan) == 1 and plan[0].recommendation_id

        # 7. restart the server: everything is still there
        server.stop()
        server.start()
        with browser() as page:
            goto(page, f"{server.url}/diagnostic?c={company.id}&a={assessment.id}")
            page.get_by_text(f"{scored} / {scored} questions").first.wait_for()
            wait_checked(page, answered_radios)
            goto(page, f"{server.url}/plan?c={company.id}&a={assessment.id}")
            page.get_by_role("button", name="Dans le plan").first.wait_for()
            assert page.get_by_role("button", name="Dans le plan").count() == 1
            goto(page, f"{server.url}/resultats?c={company.id}&a={assessment.id}")
            page.locator("[data-testid=stPlotlyChart]").first.wait_for()
            page.get_by_text(re.compile(rf"^{overall:.0f}/100$")).first.wait_for()
        engine.dispose()
    finally:
        server.stop()


def test_demo_downloads_and_json_import(tmp_path) -> None:
    db_url = f"sqlite:///{tmp_path / 'e2e2.db'}"
    server = Server(ROOT / "serve.py", db_url, log=tmp_path / "server.log")
    server.start()
    try:
        with browser() as page:
            goto(page, server.url)
            click_and_wait(page, page.get_by_role("button", name="Essayer avec un exemple"))
            page.locator("[data-testid=stPlotlyChart]").first.wait_for()
            with page.expect_download() as pdf_download:
                page.get_by_role("button", name="Rapport PDF").click()
            pdf_path = tmp_path / "report.pdf"
            pdf_download.value.save_as(pdf_path)
            assert pdf_path.read_bytes().startswith(b"%PDF")
            # the click reruns the page (a failed build would be said there): let it settle first
            # a download does not rerun the page (ui/exports.py): the next one follows at once
            with page.expect_download() as json_download:
                page.get_by_role("button", name="Fichier JSON (sauvegarde, transfert)").click()
            json_path = tmp_path / "export.json"
            json_download.value.save_as(json_path)

            engine = make_engine(db_url)
            ctx = local_context(engine)
            before = len(companies.list_companies(ctx))
            # a damaged file is refused with a French message, and nothing is written
            broken = tmp_path / "broken.json"
            broken.write_bytes(json_path.read_bytes()[:500])
            goto(page, f"{server.url}/entreprise")
            page.get_by_text("Importer un diagnostic (fichier JSON)").click()
            page.locator("input[type=file]").set_input_files(str(broken))
            page.get_by_text("Fichier refusé").first.wait_for()
            assert len(companies.list_companies(ctx)) == before

            # the real file imports into a new company
            page.locator("input[type=file]").set_input_files(str(json_path))
            page.get_by_text("Une entreprise du même nom existe déjà").wait_for()
            page.get_by_text("Créer une nouvelle entreprise").click()
            click_and_wait(page, page.get_by_role("button", name="Importer", exact=True))
            page.get_by_text("Diagnostic importé.").wait_for()
            assert len(companies.list_companies(ctx)) == before + 1
            engine.dispose()
    finally:
        server.stop()
