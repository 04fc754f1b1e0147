"""The PDF report, the Excel workbook and the radar image of a full, realistic assessment.

The PDF is read back with pypdf and the workbook with openpyxl: the tests check what a reader
would find in them, and that no user text can run as a spreadsheet formula.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import replace
from datetime import datetime

import pytest
from openpyxl import load_workbook
from openpyxl.chart import RadarChart
from pypdf import PdfReader

from benchmarks.sample_report import (
    COMPANY_NAME,
    FORMULA_OWNER,
    HYPERLINK_COMMENT,
    PLUS_TITLE,
    sample_report_data,
)
from diagnostic.core.scoring import score
from diagnostic.exports.excel import build_workbook, formula_like, safe_text
from diagnostic.exports.pdf import build_pdf, fmt_score, format_date
from diagnostic.exports.radar import radar_png
from diagnostic.exports.report_data import ReportData
from diagnostic.labels import answer_label, status_label

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
SHEETS = {
    "fr": ["Synthèse", "Réponses", "Plan d'action", "Méthode"],
    "en": ["Summary", "Answers", "Action plan", "Method"],
}


@pytest.fixture(scope="module")
def data_fr() -> ReportData:
    return sample_report_data("fr")


@pytest.fixture(scope="module")
def data_en() -> ReportData:
    return sample_report_data("en")


def pdf_pages(pdf: bytes) -> list[str]:
    """The text of each page, whitespace collapsed (line breaks inside a title become spaces)."""
    reader = PdfReader(io.BytesIO(pdf))
    return [re.sub(r"\s+", " ", page.extract_text() or "") for page in reader.pages]


@pytest.fixture(scope="module")
def pdf_fr(data_fr: ReportData) -> bytes:
    return build_pdf(data_fr)


@pytest.fixture(scope="module")
def pages_fr(pdf_fr: bytes) -> list[str]:
    return pdf_pages(pdf_fr)


@pytest.fixture(scope="module")
def xlsx_fr(data_fr: ReportData) -> bytes:
    return build_workbook(data_fr)


# --- sample data sanity: the report is built from what the tests think it is -------------------


def test_sample_data_covers_the_cases_the_exports_must_handle(data_fr: ReportData) -> None:
    result = data_fr.result
    applicable = [qid for qid, row in result.questions.items() if row.applies]
    assert set(applicable) <= set(data_fr.answers), "every applicable question is answered"
    assert any(not row.applies for row in result.questions.values()), "some question does not apply"
    assert result.capped_by_critical and result.critical_unmet
    assert any(d.low_confidence for d in result.dimensions)
    assert any(a.value == "na" for a in data_fr.answers.values())
    assert any(a.value == "dont_know" for a in data_fr.answers.values())
    assert any(a.comment == HYPERLINK_COMMENT for a in data_fr.answers.values())
    assert data_fr.previous is not None and set(data_fr.targets) == {d.id for d in data_fr.questionnaire.dimensions}


# --- PDF ----------------------------------------------------------------------------------------


def test_pdf_french_holds_titles_scores_level_and_page_numbers(
    data_fr: ReportData, pdf_fr: bytes, pages_fr: list[str]
) -> None:
    assert pdf_fr.startswith(b"%PDF")
    assert len(pages_fr) > 3
    text = " ".join(pages_fr)
    result = data_fr.result
    for dimension in data_fr.questionnaire.dimensions:
        assert dimension.title.fr in text, dimension.title.fr
    assert re.search(rf"{fmt_score(result.overall)}\s*/100", pages_fr[1]), "overall score on the summary page"
    # each dimension section opens with its number, title and score as the report rounds it
    for number, dimension in enumerate(data_fr.questionnaire.dimensions, start=1):
        shown = fmt_score(result.dimension(dimension.id).score)
        head = rf"{number} · {re.escape(dimension.title.fr)} Score {shown}\s*/100 Couverture"
        assert re.search(head, text), dimension.id
    assert re.search(rf"Score global {fmt_score(result.overall)}\s*/100", pages_fr[1])
    assert result.level is not None and result.level.label.fr in pages_fr[1]
    total = len(pages_fr)
    assert f"Page 1 / {total}" in pages_fr[0]
    assert all(f"Page {n} / {total}" in page for n, page in enumerate(pages_fr, start=1))


def test_pdf_french_cover_summary_and_typography(data_fr: ReportData, pages_fr: list[str]) -> None:
    cover, summary = pages_fr[0], pages_fr[1]
    assert COMPANY_NAME in cover
    assert format_date(data_fr.assessed_on, "fr") == "20 novembre 2026"
    assert "20 novembre 2026" in cover
    assert data_fr.questionnaire.content_hash[:8] in cover
    assert "Claire Dupont" in cover and "25.62A" in cover and "50 à 249 salariés" in cover
    assert "Synthèse" in summary and "Niveau plafonné" in summary
    # the critical questions that cap the level are named on the summary
    for qid in data_fr.result.critical_unmet:
        words = data_fr.questionnaire.questions[qid].text.fr.replace("\xa0", " ").split()[:6]
        assert " ".join(words) in summary
    text = " ".join(pages_fr)
    # French typography survives (glyphs exist in the embedded font and map back to text)
    for fragment in ("« RSE & qualité »", "l’œuvre du CODIR", "Cœur de métier", "1 200 €"):
        assert fragment in text, fragment
    # user text is not interpreted as markup
    assert "<b>balises</b>" in text and "<script>" in text


def test_pdf_leaves_out_questions_that_do_not_apply(data_fr: ReportData, pages_fr: list[str]) -> None:
    annex = next(i for i, page in enumerate(pages_fr) if "Annexe — Méthode" in page)
    body = " ".join(pages_fr[:annex])
    hidden = [qid for qid, row in data_fr.result.questions.items() if not row.applies]
    assert hidden
    for qid in hidden:
        start = " ".join(data_fr.questionnaire.questions[qid].text.fr.replace("\xa0", " ").split()[:6])
        assert start not in body, qid
    shown = [qid for qid, row in data_fr.result.questions.items() if row.applies]
    for qid in shown[:5]:
        start = " ".join(data_fr.questionnaire.questions[qid].text.fr.replace("\xa0", " ").split()[:4])
        assert start in body, qid


def test_pdf_action_plan_and_annex(data_fr: ReportData, pages_fr: list[str]) -> None:
    text = " ".join(pages_fr)
    assert "Plan d’action" in text
    for action in data_fr.actions:
        assert action.owner in text
        assert status_label(action.status, "fr") in text
    assert "31 janvier 2027" in text
    annex = " ".join(pages_fr[next(i for i, page in enumerate(pages_fr) if "Annexe — Méthode" in page) :])
    for level in data_fr.questionnaire.model.results.levels:
        assert level.label.fr in annex
    for step in data_fr.questionnaire.model.maturity_scale:
        assert step.label.fr in annex
    assert "Non concerné (N/A)" in annex and "Je ne sais pas" in annex and "Priorité =" in annex


def test_pdf_english(data_en: ReportData) -> None:
    pages = pdf_pages(build_pdf(data_en))
    text = " ".join(pages)
    for dimension in data_en.questionnaire.dimensions:
        assert dimension.title.en in text, dimension.title.en
    assert "Executive summary" in text and "Synthèse" not in text
    assert "Annex — Method" in text and "Action plan" in text
    assert "20 November 2026" in pages[0]
    assert data_en.result.level is not None and data_en.result.level.label.en in pages[1]
    assert f"Page 1 / {len(pages)}" in pages[0]


def test_pdf_without_previous_targets_or_actions(data_fr: ReportData) -> None:
    bare = replace(data_fr, previous=None, previous_on=None, targets={}, actions=[], respondents=[])
    pages = pdf_pages(build_pdf(bare))
    text = " ".join(pages)
    assert "Aucune action n’a encore été inscrite" in text
    assert "Précédent" not in text and "Cible" not in text


def test_pdf_with_a_dimension_without_score(data_fr: ReportData) -> None:
    q = data_fr.questionnaire
    answers = {qid: a for qid, a in data_fr.answers.items() if not qid.startswith("terr.")}
    result = score(q, data_fr.profile, answers)
    assert result.dimension("terr").score is None
    data = replace(data_fr, answers=answers, result=result)
    pages = pdf_pages(build_pdf(data))
    assert any("Aucune question comptée dans cette dimension" in page for page in pages)
    assert radar_png(data) != radar_png(data_fr)


# --- radar --------------------------------------------------------------------------------------


def test_radar_png(data_fr: ReportData) -> None:
    with_previous = radar_png(data_fr)
    without_previous = radar_png(replace(data_fr, previous=None, previous_on=None))
    assert with_previous.startswith(PNG_SIGNATURE) and without_previous.startswith(PNG_SIGNATURE)
    assert with_previous != without_previous
    assert radar_png(replace(data_fr, lang="en")) != with_previous


# --- Excel --------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["=1+1", "+33 6 12", "-2", "@SUM(A1)", "\tx", "\rx", COMPANY_NAME, HYPERLINK_COMMENT])
def test_formula_starts_are_recognised_and_kept_as_typed(value: str) -> None:
    assert formula_like(value)
    assert safe_text(value) == value.replace("\r", "\n")  # a line break is a line feed in a cell


@pytest.mark.parametrize("value", ["Claire", "RSE & qualité", "", " =1", "'déjà"])
def test_plain_text_is_not_formula_like(value: str) -> None:
    assert not formula_like(value)
    assert safe_text(value) == value


def test_safe_text_drops_characters_xml_cannot_hold() -> None:
    assert safe_text("a\x00b\x1fc") == "abc"
    assert safe_text("a\ud800b") == "a\ufffdb"  # a lone surrogate is not a character


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_workbook_sheet_names(lang: str, data_fr: ReportData) -> None:
    wb = load_workbook(io.BytesIO(build_workbook(replace(data_fr, lang=lang))))
    assert wb.sheetnames == SHEETS[lang]
    for ws in wb.worksheets:
        assert ws.freeze_panes is not None, ws.title


def test_workbook_answers_match_the_input(data_fr: ReportData, xlsx_fr: bytes) -> None:
    q = data_fr.questionnaire
    ws = load_workbook(io.BytesIO(xlsx_fr))["Réponses"]
    header = [c.value for c in ws[1]]
    assert header[:4] == ["Dimension", "ID question", "Question", "S'applique"]
    assert ws.freeze_panes == "C2"
    rows = {row[1]: row for row in ws.iter_rows(min_row=2, values_only=True)}
    assert list(rows) == list(q.questions), "one row per question, in questionnaire order"
    for qid, answer in data_fr.answers.items():
        row = rows[qid]
        assert row[5] == answer_label(q, qid, answer.value, "fr"), qid
        assert row[8] == (safe_text(answer.comment) if answer.comment else None), qid
        raw = ", ".join(answer.value) if isinstance(answer.value, list) else answer.value
        assert row[4] == raw, qid
        assert row[6] == ("Oui" if answer.value == "na" else None)
        assert row[7] == ("Oui" if answer.value == "dont_know" else None)
    for qid, result in data_fr.result.questions.items():
        assert rows[qid][3] == ("Oui" if result.applies else "Non"), qid
        assert rows[qid][0] == q.dimension_of[qid].title.fr


def test_workbook_summary_plan_and_chart(data_fr: ReportData, xlsx_fr: bytes) -> None:
    wb = load_workbook(io.BytesIO(xlsx_fr))
    ws = wb["Synthèse"]
    values = {row[0]: row[1] for row in ws.iter_rows(min_col=1, max_col=2, values_only=True) if row[0]}
    assert values["Entreprise"] == COMPANY_NAME
    assert ws["B3"].value == COMPANY_NAME and ws["B3"].quotePrefix and ws["B3"].data_type == "s"
    assert values["Score global (/100)"] == pytest.approx(data_fr.result.overall)
    assert values["Couverture"] == pytest.approx(data_fr.result.coverage)
    assert values["Niveau"] == "Engagé"
    header = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == "Dimension")
    for offset, dimension in enumerate(data_fr.questionnaire.dimensions, start=1):
        row = [c for c in ws[header + offset]][:6]
        assert row[0].value == dimension.title.fr
        assert row[1].value == pytest.approx(data_fr.result.dimension(dimension.id).score)
        assert row[1].number_format == "0" and row[2].number_format == "0%"
        assert row[3].value == data_fr.targets[dimension.id]
    charts = ws._charts
    assert len(charts) == 1 and isinstance(charts[0], RadarChart)
    assert len(charts[0].series) == 3  # current, target, previous
    with zipfile.ZipFile(io.BytesIO(xlsx_fr)) as archive:
        assert any(b"radarChart" in archive.read(n) for n in archive.namelist() if n.startswith("xl/charts/"))

    plan = wb["Plan d'action"]
    rows = list(plan.iter_rows(min_row=2))
    assert len(rows) == len(data_fr.actions)
    for row, action in zip(rows, data_fr.actions, strict=True):
        assert row[0].value == safe_text(action.title)
        assert row[1].value == safe_text(action.owner)
        assert row[2].is_date and isinstance(row[2].value, datetime) and row[2].value.date() == action.due_date
        assert row[3].value == status_label(action.status, "fr")
        assert row[5].value == action.recommendation_id
    assert wb["Méthode"].max_row > 15


def test_workbook_never_holds_a_formula(data_fr: ReportData, xlsx_fr: bytes) -> None:
    wb = load_workbook(io.BytesIO(xlsx_fr))
    strings = []
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    strings.append(cell.value)
    for dangerous in (COMPANY_NAME, HYPERLINK_COMMENT, FORMULA_OWNER, PLUS_TITLE, "-20 % de coût grâce à l’OPCO"):
        # shown as typed, no apostrophe added: the cell's quote prefix keeps it text
        assert dangerous in strings, dangerous
        assert "'" + dangerous not in strings, dangerous
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str):
                    assert cell.data_type == "s", (ws.title, cell.coordinate)
                    assert bool(cell.quotePrefix) == formula_like(cell.value), (ws.title, cell.coordinate)
    # and in the file itself: no formula element in any sheet
    with zipfile.ZipFile(io.BytesIO(xlsx_fr)) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/sheet"):
                assert b"<f>" not in archive.read(name) and b"<f " not in archive.read(name), name


def test_exports_of_an_assessment_not_started(data_fr: ReportData) -> None:
    """No answer at all: no score anywhere, nothing to recommend; both exports still build."""
    q = data_fr.questionnaire
    empty = replace(
        data_fr,
        answers={},
        result=score(q, data_fr.profile, {}),
        previous=None,
        previous_on=None,
        targets={},
        actions=[],
        company=replace(data_fr.company, name="Société « Test »\n& fils"),
    )
    pages = pdf_pages(build_pdf(empty))
    assert "Aucune recommandation ne découle des réponses données" in pages[1]
    assert "Société « Test » & fils" in pages[0]
    wb = load_workbook(io.BytesIO(build_workbook(empty)))
    assert wb["Plan d'action"]["A2"].value.startswith("Aucune action")
    assert all(row[4] is None for row in wb["Réponses"].iter_rows(min_row=2, values_only=True))
    assert radar_png(empty).startswith(PNG_SIGNATURE)


def test_pdf_and_workbook_say_which_sector_modules_were_opened(data_fr: ReportData, pages_fr: list[str], xlsx_fr: bytes) -> None:
    # the sample company's NAF code 25.62A (section C) opens the industry module; its generated answer to
    # the status question is an ESS status, which opens the social and solidarity economy module
    assert data_fr.answers["gov.statut-ess"].value != "hors-ess"
    assert data_fr.result.modules == ["industrie", "ess"]
    annex = " ".join(pages_fr)
    assert "Modules sectoriels" in annex and "Ouverts ici : Industrie, Économie sociale et solidaire" in annex
    method = load_workbook(io.BytesIO(xlsx_fr))["Méthode"]
    rules = [str(c.value) for row in method.iter_rows() for c in row if c.value]
    opened = "Modules sectoriels ouverts pour cette entreprise (code NAF ou statut) : Industrie, Économie sociale et solidaire."
    assert any(r.startswith(opened) for r in rules)
    # the default overall rule, and no weight-0 rule: every shipped dimension counts
    assert any(r.startswith("Score global = moyenne des scores des dimensions") for r in rules)
    assert not any("poids 0" in r for r in rules)


# --- the networks' anonymous benchmark (issue 12) ----------------------------------------------------


def test_pdf_benchmark_table_from_five_sharing_members(module_engine, mini) -> None:
    """Through the report service: a member sharing with a network of four sharing members gets no
    benchmark section; with a fifth, a table per dimension: the company, Q1, median, Q3 and N."""
    from diagnostic.services import reports
    from tests.test_networks import make_world

    world = make_world(module_engine, mini)
    ours = world.company("Notre entreprise")
    assessment = world.completed(ours, 2, 4)  # rh 50, env 100
    world.member(ours)
    for rh in (0, 1, 3):  # with ours: four sharing members
        other = world.company(f"Membre {rh}")
        world.completed(other, rh, 0)
        world.member(other)
    four = reports.report_data(world.boss, assessment)
    assert four is not None and four.benchmarks == []
    assert not any("Vous et vos réseaux" in page for page in pdf_pages(build_pdf(four)))

    fifth = world.company("Membre 4")
    world.completed(fifth, 4, 0)
    world.member(fifth)
    data = reports.report_data(world.boss, assessment)
    assert data is not None and [b.network for b in data.benchmarks] == [world.name]
    [page] = [p for p in pdf_pages(build_pdf(data)) if "Vous et vos réseaux" in p]
    assert f"Repères de « {world.name} »" in page and "Q1 Médiane Q3 Membres" in page
    # rh: 0, 25, 50, 75, 100 -> ours 50, Q1 25, median 50, Q3 75, 5 members; env: 0 ×4 and 100
    assert "Capital humain 50 25 50 75 5" in page and "Environnement 100 0 0 0 5" in page
