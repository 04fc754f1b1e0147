"""Evidence in a real browser (Debian's Chromium driven by Playwright), local mode: on the Preuves page a
manager uploads a PDF to an answer, a renamed program is refused in words and nothing is stored, the
local owner (a coach) marks the PDF verified, the download gives back the same bytes, a reload keeps
it all, and the Diagnostic page says which answer has evidence.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from diagnostic.core.profile import Profile
from diagnostic.i18n import t as translate
from diagnostic.services import answers, assessments, companies, evidence
from diagnostic.services.questionnaires import questionnaire_of
from diagnostic.storage.database import make_engine, migrate
from tests.conftest import local_context, row_counts
from tests.e2e import ROOT, browser, click_and_wait, running, wait_for, wait_idle, whole_page_shots
from tests.test_evidence import pdf_bytes

pytestmark = pytest.mark.browser

if not shutil.which("chromium"):
    pytest.skip("Chromium is not installed (.ci/run installs it)", allow_module_level=True)

MAIN = "[data-testid=stMain]"
WAIT = 30_000  # ms: every wait of this file is bounded
SHOTS = Path("/tmp/shots-issue13")
Q1 = "gov.demarche-rse"


def t(key: str, **values: object) -> str:
    return translate(key, "fr", **values)


@pytest.fixture(scope="module")
def world(tmp_path_factory) -> Iterator[dict[str, Any]]:
    folder = tmp_path_factory.mktemp("evidence")
    db_url = f"sqlite:///{folder / 'evidence.db'}"
    engine = make_engine(db_url)
    migrate(engine)
    ctx = local_context(engine)
    company = companies.save_company(ctx, None, "Atelier des Preuves", Profile(headcount_band="1-10"))
    assessment = assessments.start_assessment(ctx, company.id, "rse-flash", respondent="Rémi")
    questionnaire = questionnaire_of(ctx.uow, assessment)
    answers.record_answer(ctx, questionnaire, assessment.id, Q1, 3)
    answers.record_answer(ctx, questionnaire, assessment.id, "env.energie-suivi", 1)
    (folder / "DUERP 2026.pdf").write_bytes(pdf_bytes())
    shutil.copy("/bin/ls", folder / "rapport.pdf")  # a program under a document's name
    try:
        with running(ROOT / "serve.py", db_url, log=folder / "server.log") as server, browser(1280, 1200) as page:
            yield {"url": server.url, "ctx": ctx, "page": page, "engine": engine, "folder": folder,
                   "place": f"c={company.id}&a={assessment.id}", "assessment": assessment.id}  # fmt: skip
    finally:
        engine.dispose()


def upload(page, path: Path) -> None:
    page.locator(f"{MAIN} [data-testid=stFileUploaderDropzoneInput]").first.set_input_files(str(path), timeout=WAIT)
    page.locator(f"{MAIN} [data-testid=stFileUploader]").get_by_text(path.name).first.wait_for(timeout=WAIT)
    click_and_wait(page, page.locator(MAIN).get_by_role("button", name=t("evidence.submit_file")))


def test_upload_refuse_verify_download_reload(world) -> None:
    page, ctx, a = world["page"], world["ctx"], world["assessment"]
    page.goto(f"{world['url']}/preuves?{world['place']}", timeout=WAIT)
    wait_idle(page, settle=0.3)
    page.get_by_role("heading", name=t("evidence.title")).first.wait_for(timeout=WAIT)

    before = row_counts(world["engine"])
    upload(page, world["folder"] / "rapport.pdf")
    page.locator(MAIN).get_by_text(t("evidence.file_program")).wait_for(timeout=WAIT)
    assert row_counts(world["engine"]) == before, "a refused file leaves nothing in the database"

    page.locator(MAIN).get_by_label(t("evidence.description")).first.fill("Le DUERP signé", timeout=WAIT)
    upload(page, world["folder"] / "DUERP 2026.pdf")
    page.locator(MAIN).get_by_text(t("evidence.added")).wait_for(timeout=WAIT)
    (record,) = evidence.list_evidence(ctx, a)[Q1]
    assert (record.file_name, record.description, record.size) == ("DUERP 2026.pdf", "Le DUERP signé", len(pdf_bytes()))
    whole_page_shots(page, SHOTS, "evidence-attached")

    click_and_wait(page, page.locator(MAIN).get_by_role("button", name=t("evidence.verify")))
    wait_for(page, f"() => document.body.innerText.includes({t('evidence.verified_done')!r})", "the verification")
    assert evidence.evidence_status(ctx, a) == {Q1: "verified"}

    with page.expect_download(timeout=WAIT) as waiting:
        page.locator(MAIN).get_by_role("button", name=t("evidence.download")).click(timeout=WAIT)
    got = waiting.value
    assert got.suggested_filename == "DUERP 2026.pdf"
    assert Path(got.path()).read_bytes() == pdf_bytes()

    page.reload(timeout=WAIT)
    wait_idle(page, settle=0.3)
    page.locator(MAIN).get_by_text("Le DUERP signé").wait_for(timeout=WAIT)
    page.locator(MAIN).get_by_text(t("evidence.verified_on", date="1er décembre")[:10]).first.wait_for(timeout=WAIT)

    page.goto(f"{world['url']}/diagnostic?{world['place']}", timeout=WAIT)
    wait_idle(page, settle=0.3)
    page.locator(MAIN).get_by_text(t("evidence.on_question", count=1, status=t("evidence.status.verified"))).wait_for(timeout=WAIT)
