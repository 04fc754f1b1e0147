"""The Préparation aux labels page (app_pages/readiness.py) with AppTest, the service behind it, and
the PDF section (read back with pypdf; look at it with `pdftoppm -r 60 -png`).

An assessment of the flash diagnostic, a company of 20 to 49 employees: some conditions met, some
missing, some not assessed (questions the flash diagnostic does not ask)."""

from __future__ import annotations

import io
import re
from dataclasses import replace

import pytest
from pypdf import PdfReader
from streamlit.testing.v1 import AppTest

from benchmarks.sample_report import sample_report_data
from diagnostic.core.profile import Profile
from diagnostic.core.readiness import MET, MISSING
from diagnostic.exports.pdf import build_pdf, readiness_section
from diagnostic.i18n import t as translate
from diagnostic.questionnaire_files import find_questionnaire
from diagnostic.readiness_text import summary_text
from diagnostic.services import answers, assessments, companies, readiness, reports, workspaces
from diagnostic.services.context import Context
from tests.conftest import drawn, page_script

FLASH = "rse-flash"


def t(key: str, **values: object) -> str:
    return translate(key, "fr", **values)


@pytest.fixture
def assessed(db: Context) -> tuple[int, int]:
    """A company of 20-49 employees; its flash diagnostic: legal basics met but no carbon measure, no
    purchasing policy, a partial steering."""
    company = companies.save_company(db, None, "Atelier Labels", Profile(headcount_band="20-49", sector="25.62A"))
    assessment = assessments.start_assessment(db, company.id, FLASH)
    q = find_questionnaire(FLASH)
    given = {
        "gov.demarche-rse": 2, "gov.parties-prenantes": 3, "gov.tableau-de-bord": 1,
        "rh.registre-personnel": "a-jour", "rh.complementaire-sante": "conforme", "rh.duerp": "actions", "rh.cse": "elu-regulier",
        "env.bilan-carbone": "aucun", "eth.cadeaux-invitations": 3, "eth.politique-achats": 0, "eth.delais-paiement": "toujours",
    }  # fmt: skip
    for qid, value in given.items():
        answers.record_answer(db, q, assessment.id, qid, value)
    return company.id, assessment.id


def page(ctx: Context, ids: tuple[int, int], lang: str = "fr") -> AppTest:
    at = AppTest.from_function(
        page_script, args=("readiness", ctx, ("company", "diagnostic", "plan")), default_timeout=30
    )
    at.session_state["lang"] = lang
    at.session_state["company_id"], at.session_state["assessment_id"] = ids
    return drawn(at.run())


def drawn_text(at: AppTest) -> str:
    return "\n".join(
        str(e.value)
        for kind in ("title", "subheader", "markdown", "caption", "info", "warning", "success")
        for e in getattr(at, kind)
    )


def test_the_page_shows_each_framework_missing_first_with_its_disclaimer_and_sources(
    db, assessed, page_files_beside_the_script
) -> None:
    at = page(db, assessed)
    assert at.title[0].value == t("readiness.title")
    assert [tab.label for tab in at.tabs] == [
        "Label Engagé RSE \\(AFNOR Certification\\)",
        "Certification B Corp \\(standards B Lab 2025\\)",
        "Notation EcoVadis \\(médailles\\)",
    ]
    shown = drawn_text(at)
    found = readiness.readiness(db, assessed[1])
    assert found is not None
    for report in found:
        assert (
            summary_text(report, "fr").replace("(", "\\(").replace(")", "\\)") in shown
            or summary_text(report, "fr") in shown
        )
    # the disclaimers are drawn, visible (not folded)
    assert len(at.warning) == 3 and "ne donne pas le label" in at.warning[0].value
    afnor = found[0]
    missing = [c.condition.text.fr for c in afnor.with_status(MISSING)]
    assert "Un tableau de bord d’indicateurs est déployé et suivi (niveau 3 « Déployé & mesuré » au moins)" in missing
    tab = at.tabs[0]
    texts = [m.value for m in tab.markdown]
    first_missing = next(i for i, v in enumerate(texts) if t("readiness.missing_title") in v)
    met_title = t("readiness.met_title", count=afnor.count(MET))
    assert [e.label for e in tab.expander][0] == met_title  # the met ones, folded, after the missing ones
    assert any("tableau de bord" in v for v in texts[first_missing:])
    # what to do: the diagnostic's own recommendation for the question, and a link to the plan
    assert any(t("readiness.suggestion") in v.replace("\\", "") for v in texts)
    assert any(link.label == t("readiness.see_plan") for link in at.get("page_link"))
    # the sources as links, with the date they were checked
    assert "https://lanignan.com/services/etudes/evaluation/labellisation/engage-rse" in shown
    assert t("readiness.sources", date="1 décembre 2026") in shown
    assert not re.search(r"obtiendr|vous aurez le label", shown, re.IGNORECASE)


def test_in_english(db, assessed, page_files_beside_the_script) -> None:
    at = page(db, assessed, "en")
    assert at.title[0].value == "Label readiness"
    assert "does not grant the label" in at.warning[0].value


def test_out_of_reach_is_not_found(db, assessed, page_files_beside_the_script) -> None:
    stranger = Context(
        db.uow, workspaces.signed_in_actor(db.uow, "https://id.example.org", "x", "x@example.org", "X"), "fr"
    )
    assert readiness.readiness(stranger, assessed[1]) is None  # another workspace's assessment: as if it did not exist
    assert readiness.readiness(db, 999_999) is None
    at = page(stranger, assessed)
    assert [i.value for i in at.info] == [t("empty.no_company")]
    assert not at.tabs
    gone = page(db, (assessed[0], 999_999))
    assert [i.value for i in gone.info] == [t("empty.no_assessment")]


def test_the_report_data_carries_the_readiness(db, assessed) -> None:
    data = reports.report_data(db, assessed[1])
    assert data is not None and [r.framework.id for r in data.readiness] == ["afnor-engage-rse", "b-corp", "ecovadis"]


def _pages(pdf: bytes) -> list[str]:
    return [re.sub(r"\s+", " ", p.extract_text() or "") for p in PdfReader(io.BytesIO(pdf)).pages]


def test_the_pdf_section_reads_back_and_promises_nothing() -> None:
    data = sample_report_data("fr")
    reports_ = readiness.readiness_reports(data.questionnaire, data.profile, data.answers, data.result)
    assert readiness_section(data, lambda key, **v: translate(key, "fr", **v)) == []  # nothing without reports
    with_readiness = replace(data, readiness=reports_)
    pages = _pages(build_pdf(with_readiness))
    start = next(i for i, p in enumerate(pages) if t("readiness.pdf_title") in p)
    section = " ".join(pages[start : start + 2])
    for report in reports_:
        assert report.framework.name.fr in section
        assert summary_text(report, "fr") in section
        for check in report.with_status(MISSING):
            assert check.condition.text.fr[:40] in section
    assert "aucune médaille ne peut donc être prédite ici" in section
    assert "lanignan.com" in section and "Sources vérifiées le 1er décembre 2026" in section
    assert not re.search(r"obtiendr|vous aurez le label", section, re.IGNORECASE)
    # about one page: the section takes at most two pages of the report
    assert not any(t("readiness.pdf_title") in p for p in pages[start + 1 :]) and t("pdf.action_plan") not in " ".join(
        pages[start : start + 2]
    )
