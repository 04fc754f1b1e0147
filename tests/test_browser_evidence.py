"""Evidence in a real browser (Debian's Chromium driven by Playwright), local mode: on the Preuves page a
manager uploads a PDF to an answer, a renamed program is refused in words and nothing is stored, the
local owner (a coach) marks the PDF verified, the download gives back the same bytes, a reload keeps
it all, and the Diagnostic page says which answer has evidence.
"""

from __future__ import annotations

import io
import shutil
import time
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


def until(read: Any, what: str, timeout: float = WAIT / 1000) -> Any:
    """What `read` returns once it is something, read again every 0.1 s for at most `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while (found := read()) is None:
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what}: nothing after {timeout} s")
        time.sleep(0.1)
    return found


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


def test_vsme_data_entered_and_exported_then_label_readiness(world) -> None:
    """The VSME module switched on, two figures typed as a French user writes them, the emissions taken
    from the computation, the export downloaded and read back; then the label readiness page."""
    import openpyxl

    from diagnostic.services import vsme

    page, ctx, a = world["page"], world["ctx"], world["assessment"]
    page.goto(f"{world['url']}/vsme?{world['place']}", timeout=WAIT)
    wait_idle(page, settle=0.3)
    page.get_by_role("heading", name=t("vsmepage.title")).first.wait_for(timeout=WAIT)
    click_and_wait(page, page.locator(MAIN).get_by_text(t("vsmepage.enable")))
    page.locator(MAIN).get_by_role("tab", name=t("vsmepage.section.B1")).wait_for(timeout=WAIT)
    assert vsme.state(ctx, a).enabled

    page.locator(MAIN).get_by_role("tab", name=t("vsmepage.section.B3")).click(timeout=WAIT)
    field = page.locator(MAIN).get_by_role("textbox", name="Électricité achetée d'origine non renouvelable (MWh)", exact=True)
    field.fill("1 234,5", timeout=WAIT)
    field.press("Enter", timeout=WAIT)  # a text field is saved when it is left or Enter is pressed
    stored = until(lambda: vsme.state(ctx, a).values.get("b3.electricity_non_renewable_mwh"), "the figure saved")
    assert stored == 1234.5
    wait_idle(page, settle=0.3)
    page.locator(MAIN).get_by_text(t("vsmepage.emissions_title")).click(timeout=WAIT)
    use = page.locator(MAIN).get_by_role("button", name=t("vsmepage.emissions_use"))
    use.wait_for(state="visible", timeout=WAIT)
    wait_idle(page, settle=0.5)  # the expander has opened and nothing runs: the button takes the click
    click_and_wait(page, use)
    assert vsme.state(ctx, a).values.get("b3.scope2_location_tco2e") == 64.194  # 1 234.5 MWh × 52 kg
    whole_page_shots(page, SHOTS, "vsme")

    with page.expect_download(timeout=WAIT) as waiting:
        page.locator(MAIN).get_by_role("button", name=t("vsmepage.export")).click(timeout=WAIT)
    assert waiting.value.suggested_filename == "VSME-Atelier des Preuves.xlsx"
    workbook = openpyxl.load_workbook(io.BytesIO(Path(waiting.value.path()).read_bytes()), read_only=True)
    ((sheet, ref),) = list(workbook.defined_names["GrossLocationBasedScope2GreenhouseGasEmissions"].destinations)
    assert workbook[sheet][ref.replace("$", "")].value == 64.194

    page.goto(f"{world['url']}/preparation-labels?{world['place']}", timeout=WAIT)
    wait_idle(page, settle=0.3)
    page.get_by_role("heading", name=t("readiness.title")).first.wait_for(timeout=WAIT)
    text = page.locator(MAIN).inner_text(timeout=WAIT)
    for name in ("AFNOR", "EcoVadis", "B Corp"):
        assert name in text
    assert "vous obtiendr" not in text.lower()
    whole_page_shots(page, SHOTS, "readiness")
