"""The evidence-backed score where people read it: the Results page (AppTest), the report data, the PDF
and the workbook, on one hand-computed case of the shipped flash questionnaire.

The case: four answers, evidence on one.
  gov (weight 1): demarche-rse (×2) 3 with evidence, parties-prenantes (×1) 4, tableau-de-bord (×1.5) 1
  env (weight 1): energie-suivi (×1.5) 2; nothing else counted anywhere.
Declared: gov = (2·3 + 4 + 1.5·1) / (4 · 4.5) = 11.5/18 = 63.9; env = 2/4 = 50; overall 56.9 -> Structuré.
Evidence-backed (a level of 2 or more counts 1 without evidence): parties-prenantes 4 -> 1 and
energie-suivi 2 -> 1, so gov = (6 + 1 + 1.5)/18 = 47.2; env = 25; overall 36.1 -> Engagé; two answers lack evidence.
"""

from __future__ import annotations

import io
import re
from dataclasses import replace

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from streamlit.testing.v1 import AppTest

from diagnostic.core.profile import Profile
from diagnostic.evidence_words import lacking_sentence, rule_sentence
from diagnostic.exports.excel import build_workbook
from diagnostic.exports.pdf import build_pdf
from diagnostic.i18n import t as translate
from diagnostic.services import answers, assessments, companies, evidence
from diagnostic.services.context import Context
from diagnostic.services.evidence_scores import evidence_score
from diagnostic.services.questionnaires import questionnaire_of
from diagnostic.services.reports import report_data
from tests.conftest import drawn, page_script, said

ANSWERS = {"gov.demarche-rse": 3, "gov.parties-prenantes": 4, "gov.tableau-de-bord": 1, "env.energie-suivi": 2}
DECLARED = (11.5 / 18 * 100 + 50) / 2
BACKED_GOV = 8.5 / 18 * 100
BACKED = (BACKED_GOV + 25) / 2


def t(key: str, **values: object) -> str:
    return translate(key, "fr", **values)


def the_case(ctx: Context) -> tuple[int, int, int]:
    """(company id, assessment id, the evidence's id)."""
    company = companies.save_company(ctx, None, "Atelier Preuves", Profile(headcount_band="1-10"))
    assessment = assessments.start_assessment(ctx, company.id, "rse-flash", respondent="Rémi")
    questionnaire = questionnaire_of(ctx.uow, assessment)
    for question_id, value in ANSWERS.items():
        answers.record_answer(ctx, questionnaire, assessment.id, question_id, value)
    kept = evidence.attach_link(ctx, assessment.id, "gov.demarche-rse", "https://exemple.fr/charte-rse", "La charte")
    return company.id, assessment.id, kept.id


def test_the_service_computes_the_case_by_hand(ctx) -> None:
    _, assessment_id, _ = the_case(ctx)
    evaluation = assessments.evaluate(ctx, assessment_id)
    assert evaluation is not None and evaluation.result.overall == pytest.approx(DECLARED)
    backed = evidence_score(ctx, evaluation)
    assert backed is not None and (backed.rule.from_value, backed.rule.otherwise) == (2, 1)
    assert backed.result.overall == pytest.approx(BACKED)
    assert backed.result.dimension("gov").score == pytest.approx(BACKED_GOV)
    assert backed.result.dimension("env").score == pytest.approx(25)
    assert backed.lacking == ["gov.parties-prenantes", "env.energie-suivi"]
    assert (evaluation.result.level.id, backed.result.level.id) == ("structure", "engage")


def test_the_results_page_shows_both_scores(db, page_files_beside_the_script) -> None:
    company_id, assessment_id, _ = the_case(db)
    at = AppTest.from_function(page_script, args=("results", db, ("diagnostic", "company")), default_timeout=30)
    at.session_state["lang"] = "fr"
    at.session_state["company_id"], at.session_state["assessment_id"] = company_id, assessment_id
    drawn(at.run())
    metrics = {m.label: m for m in at.metric}
    assert metrics[t("results.overall_provisional")].value == "57/100"  # 56.9, few questions answered
    backed = metrics[t("evscore.title")]
    assert backed.value == "36/100"
    questionnaire = questionnaire_of(db.uow, assessments.get_assessment(db, assessment_id))
    rule = questionnaire.model.results.evidence_rule
    assert rule is not None and backed.help == rule_sentence(rule, "fr")
    assert f"{lacking_sentence(2, 'fr')} {t('evscore.level', level='Engagé')}" in said(at)
    table = at.dataframe[0].value
    rows = dict(zip(table[t("results.col_dimension")], table[t("evscore.col_score")], strict=True))
    declared = dict(zip(table[t("results.col_dimension")], table[t("results.col_score")], strict=True))
    titles = {d.id: d.title.get("fr") for d in questionnaire.dimensions}
    assert (declared[titles["gov"]], rows[titles["gov"]]) == ("64", "47")
    assert (declared[titles["env"]], rows[titles["env"]]) == ("50", "25")
    assert rows[titles["eco"]] == t("results.not_filled")  # no answer: said in words, never a 0


def pdf_text(pdf: bytes) -> str:
    return " ".join(re.sub(r"\s+", " ", page.extract_text() or "") for page in PdfReader(io.BytesIO(pdf)).pages)


def test_the_report_data_the_pdf_and_the_workbook(ctx) -> None:
    _, assessment_id, evidence_id = the_case(ctx)
    evidence.set_verified(ctx, evidence_id, True)
    data = report_data(ctx, assessment_id)
    assert data is not None and data.evidence_result is not None
    assert data.evidence_result.overall == pytest.approx(BACKED)
    assert data.evidence_status == {"gov.demarche-rse": "verified"}
    rule = data.questionnaire.model.results.evidence_rule
    assert rule is not None

    text = pdf_text(build_pdf(data))
    assert f"{t('evscore.title')} 36/100" in text and f"{t('pdf.overall_provisional')} 57/100" in text
    sentence = " ".join([rule_sentence(rule, "fr"), lacking_sentence(2, "fr"), t("evscore.level", level="Engagé")])
    assert sentence in text

    book = load_workbook(io.BytesIO(build_workbook(data)))
    summary = book.worksheets[0]  # Synthèse
    facts = {row[0]: row[1] for row in summary.iter_rows(min_col=1, max_col=2, values_only=True) if row[0]}
    assert facts[t("evscore.title")] == pytest.approx(BACKED)
    assert facts[t("evscore.level_label")] == "Engagé"
    assert facts[t("evscore.lacking_label")] == 2
    assert facts[t("evscore.rule_label")] == rule_sentence(rule, "fr")
    header = next(
        r for r in range(1, summary.max_row + 1) if summary.cell(r, 1).value == t("xlsx.dim_header.dimension")
    )
    assert summary.cell(header, 7).value == t("evscore.col_score")
    by_dimension = {summary.cell(r, 1).value: summary.cell(r, 7).value for r in range(header + 1, header + 8)}
    titles = {d.id: d.title.get("fr") for d in data.questionnaire.dimensions}
    assert by_dimension[titles["gov"]] == pytest.approx(BACKED_GOV)
    assert by_dimension[titles["eco"]] is None

    sheet = book.worksheets[1]  # Réponses
    assert sheet.cell(1, 10).value == t("evscore.col_evidence")
    status = {row[1]: row[9] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert status["gov.demarche-rse"] == t("evidence.status.verified")
    assert status["gov.parties-prenantes"] == t("evidence.status.declared")
    assert status["eco.innovation"] is None  # not answered: no status


def test_in_english_and_without_a_rule(ctx) -> None:
    _, assessment_id, _ = the_case(replace(ctx, lang="en"))
    data = report_data(replace(ctx, lang="en"), assessment_id)
    assert data is not None and data.evidence_status == {"gov.demarche-rse": "attached"}
    book = load_workbook(io.BytesIO(build_workbook(data)))
    facts = {row[0]: row[1] for row in book.worksheets[0].iter_rows(min_col=1, max_col=2, values_only=True) if row[0]}
    assert facts["Evidence-backed score"] == pytest.approx(BACKED)
    assert facts["Evidence rule"].startswith("An answer at level 2 or above counts fully only with evidence")
    status = {row[1]: row[9] for row in book.worksheets[1].iter_rows(min_row=2, values_only=True)}
    assert status["gov.demarche-rse"] == "Evidence attached"
    # a questionnaire without a rule (an older snapshot): no evidence-backed score anywhere, the status stays
    plain = replace(data, evidence_result=None)
    assert "Evidence-backed" not in pdf_text(build_pdf(plain))
    facts = {
        row[0] for row in load_workbook(io.BytesIO(build_workbook(plain))).worksheets[0].iter_rows(values_only=True)
    }
    assert "Evidence-backed score" not in facts and "Evidence rule" not in facts
