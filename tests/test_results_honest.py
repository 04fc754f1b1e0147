"""Honest results: a partly answered assessment is said to be provisional, a dimension without a
score is "not filled in" (never 0), no dimension is both a strength and a weakness, and unanswered
legal basics are named — in diagnostic/core/reading.py, on the Results page and in the PDF report."""

from __future__ import annotations

import io
import json
import re
import statistics
from dataclasses import replace
from datetime import datetime
from typing import Any
from urllib.parse import parse_qs

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from diagnostic.core.answers import parse_answers
from diagnostic.core.loading import LoadedQuestionnaire
from diagnostic.core.profile import Profile
from diagnostic.core.reading import (
    NOT_CONCERNED,
    NOT_FILLED,
    SCORED,
    cyclic_runs,
    dimension_state,
    is_provisional,
    read,
    shown,
    strengths_and_weaknesses,
)
from diagnostic.core.scoring import DimensionResult, score
from diagnostic.exports.pdf import build_pdf
from diagnostic.exports.radar import CURRENT, DPI, WIDTH_PX, _draw, radar_png
from diagnostic.exports.report_data import CompanyInfo, ReportData
from diagnostic.i18n import format_percent, format_score, t
from diagnostic.services import assessments, companies, demo
from diagnostic.services.answers import record_answer
from diagnostic.services.questionnaires import shipped_questionnaire
from tests.conftest import run
from tests.test_pages import app, texts
from tests.test_scoring_properties import cases, load
from ui.text import plain

SMALL_COMPANY = Profile(headcount_band="1-10")  # the DUERP applies from the first employee
# About a tenth of the flash questionnaire (2.0.0) for SMALL_COMPANY: of its 24 questions, 23 are scored
# (env.dechets-collecte is not) and 22 apply to 1-10 employees (rh.cse applies from 11): 2 of 22 = 9.1 %.
#   gov.demarche-rse 3 of 4 → gov 75 ; qual.satisfaction-clients "enquete-ponctuelle" 2 of 4 → qual 50
FLASH_ANSWERS = {"gov.demarche-rse": 3, "qual.satisfaction-clients": "enquete-ponctuelle"}
FLASH_APPLICABLE = 22
# The critical questions of the flash that apply to SMALL_COMPANY, in file order: 7 of its 8 (not rh.cse);
# env.tri-flux applies while env.dechets-collecte is not answered "public-petit".
FLASH_CRITICAL = [
    "qual.rgpd-registre",
    "rh.registre-personnel",
    "rh.complementaire-sante",
    "rh.duerp",
    "env.tri-flux",
    "env.tri-biodechets",
    "eth.delais-paiement",
]



def full_answers(questionnaire: LoadedQuestionnaire) -> dict[str, Any]:
    """About 10 % of the full questionnaire: its first eight maturity questions (all in gov)."""
    ids = [q.id for q in questionnaire.questions.values() if q.type == "maturity"][:8]
    return {qid: 3 for qid in ids}


def dim(score_: float | None, applicable: int, answered: int) -> DimensionResult:
    return DimensionResult(
        id="d", weight=1, score=score_, coverage=answered / applicable if applicable else None,
        applicable=applicable, answered=answered, counted=answered if score_ is not None else 0,
        dont_know=0, low_confidence=False,
    )  # fmt: skip


# --- diagnostic/core/reading.py, by hand ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("coverage", "threshold", "provisional"),
    [(0.1, 0.8, True), (0.79, 0.8, True), (0.8, 0.8, False), (1.0, 0.8, False), (None, 0.8, True), (0.0, 0.0, False)],
)
def test_provisional_below_the_threshold_only(coverage, threshold, provisional) -> None:
    assert is_provisional(coverage, threshold) is provisional


@pytest.mark.parametrize(
    ("scores", "strengths", "weaknesses"),
    [
        ([], [], []),
        ([("a", 50)], [], []),  # one scored dimension: neither
        ([("a", 80), ("b", 20)], ["a"], ["b"]),
        ([("a", 60), ("b", 60)], [], []),  # a tie: nothing stands out
        ([("a", 50.4), ("b", 49.6)], [], []),  # both shown as 50
        ([("a", 70), ("b", 50), ("c", 50)], ["a"], []),  # median 50: the two at 50 are neither
        ([("a", 10), ("b", 90), ("c", 40), ("d", 70)], ["b", "d"], ["a", "c"]),  # top half, bottom half
        # seven dimensions: three above the median, three below, the median itself neither
        ([(k, v) for k, v in zip("abcdefg", [10, 20, 30, 40, 50, 60, 70], strict=True)], ["g", "f", "e"], ["a", "b", "c"]),
        # more than three above the median: the best three
        ([(k, v) for k, v in zip("abcdefghi", [1, 2, 3, 4, 5, 6, 7, 8, 9], strict=True)], ["i", "h", "g"], ["a", "b", "c"]),
    ],
)
def test_strengths_and_weaknesses_by_hand(scores, strengths, weaknesses) -> None:
    assert strengths_and_weaknesses(scores) == (strengths, weaknesses)


@pytest.mark.parametrize(
    ("present", "runs"),
    [
        ([], []),
        ([False, False], []),
        ([True, True, True], [[0, 1, 2]]),
        ([True, True, False, True], [[3, 0, 1]]),  # a run across the end continues at the start
        ([False, True, False, True], [[1], [3]]),
        ([True, False, True, True], [[2, 3, 0]]),
    ],
)
def test_cyclic_runs(present, runs) -> None:
    assert cyclic_runs(present) == runs


def test_dimension_states() -> None:
    assert dimension_state(dim(50.0, 3, 1)) == SCORED
    assert dimension_state(dim(None, 3, 0)) == NOT_FILLED
    assert dimension_state(dim(None, 3, 1)) == NOT_FILLED  # one N/A, two unanswered: could still get a score
    assert dimension_state(dim(None, 3, 3)) == NOT_CONCERNED  # every answer N/A
    assert dimension_state(dim(None, 0, 0)) == NOT_CONCERNED  # nothing applies


def test_reading_of_the_readme_example_is_confirmed(mini) -> None:
    """The README's worked example answers every applicable question: nothing provisional."""
    answers = {"rh.duerp": "no", "rh.formation": 3, "env.energie": "dont_know", "env.flotte": "yes", "env.eco-conduite": "parfois"}
    reading = read(mini, run(mini, answers, SMALL_COMPANY))
    assert not reading.provisional and reading.unanswered == 0 and reading.first_unanswered is None
    assert reading.applicable == 4  # rh.duerp, rh.formation, env.energie, env.eco-conduite (rh.cse does not apply)
    assert (reading.strengths, reading.weaknesses) == (["rh"], ["env"])  # 50 against 25
    assert reading.critical_unmet == ["rh.duerp"] and not reading.legal_all_clear


def test_reading_of_a_tenth_of_the_flash_questionnaire(flash) -> None:
    result = score(flash, SMALL_COMPANY, parse_answers(flash, FLASH_ANSWERS))
    reading = read(flash, result)
    assert result.coverage == pytest.approx(2 / 22) and reading.threshold == 0.8 and reading.provisional
    assert (reading.applicable, reading.unanswered) == (FLASH_APPLICABLE, 20)  # 22 - 2
    assert (reading.first_unanswered_dimension, reading.first_unanswered) == ("gov", "gov.parties-prenantes")
    assert (reading.strengths, reading.weaknesses) == (["gov"], ["qual"])  # 75 against 50
    assert reading.not_filled == ["rh", "env", "eth", "terr", "eco"]
    assert reading.critical_unanswered == FLASH_CRITICAL and not reading.legal_all_clear
    assert not reading.critical_unmet


# --- diagnostic/core/reading.py, properties ---------------------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(cases(), st.floats(min_value=0, max_value=1, allow_nan=False))
def test_reading_properties(case, threshold) -> None:
    data, answers = case
    data = {**data, "results": {**data["results"], "low_coverage": threshold}}
    questionnaire = load(data)
    result = score(questionnaire, Profile(), answers)
    reading = read(questionnaire, result)
    # provisional exactly when the coverage is below the threshold
    assert reading.provisional == (result.coverage is None or result.coverage < threshold)
    # never both a strength and a weakness; only scored dimensions; a strength shows more than a weakness
    assert not set(reading.strengths) & set(reading.weaknesses)
    scores = {d.id: d.score for d in result.dimensions}
    ranked = reading.strengths + reading.weaknesses
    assert all(scores[d] is not None for d in ranked)
    assert not set(ranked) & set(reading.not_filled)
    if reading.strengths and reading.weaknesses:
        assert min(shown(scores[d]) for d in reading.strengths) > max(shown(scores[d]) for d in reading.weaknesses)
    if sum(s is not None for s in scores.values()) < 2:
        assert not ranked
    # what is left to answer
    unanswered = [q for q, row in result.questions.items() if row.applies and row.max is not None and not row.answered]
    assert reading.unanswered == len(unanswered)
    assert reading.first_unanswered == (unanswered[0] if unanswered else None)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.sampled_from("abcdefgh"), st.floats(min_value=0, max_value=100)), unique_by=lambda p: p[0]))
def test_strengths_and_weaknesses_never_overlap(scores) -> None:
    strengths, weaknesses = strengths_and_weaknesses(scores)
    assert not set(strengths) & set(weaknesses)
    assert len(strengths) <= 3 and len(weaknesses) <= 3
    assert len(strengths) <= len(scores) // 2 and len(weaknesses) <= len(scores) // 2


# --- the Results page ---------------------------------------------------------------------------------


def partly_answered(db, questionnaire_id: str, answers: dict[str, Any]):
    company = companies.save_company(db, None, "Atelier Martin", SMALL_COMPANY)
    assessment = assessments.start_assessment(db, company.id, questionnaire_id)
    questionnaire, _ = shipped_questionnaire(questionnaire_id)
    for qid, value in answers.items():
        assert record_answer(db, questionnaire, assessment.id, qid, value) == value
    return company, assessment


def links(at) -> dict[str, dict[str, list[str]]]:
    return {e.proto.label: parse_qs(e.proto.query_string) for e in at.get("page_link")}


def listed_dimensions(at) -> list[str]:
    """The dimensions listed as strengths or weaknesses ("- **title** — 75/100")."""
    return [m.group(1) for e in at.markdown if (m := re.match(r"- \*\*(.+)\*\* — \d+/100$", e.value))]


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_results_page_of_a_tenth_of_the_flash_questionnaire(db, flash, lang) -> None:
    company, assessment = partly_answered(db, "rse-flash", FLASH_ANSWERS)
    at = app("results", company_id=company.id, assessment_id=assessment.id, lang=lang)
    assert not at.exception
    shown_text = texts(at)
    # provisional: a banner with the count, the metric labels, a link to the first unanswered question
    banner = t(
        "results.provisional", lang, unanswered=20, applicable=FLASH_APPLICABLE,
        coverage=format_percent(2 / 22, lang), threshold=80,
    )  # fmt: skip
    assert banner in [w.value for w in at.warning]
    metrics = {m.label: m.value for m in at.metric}
    assert metrics[t("results.overall_provisional", lang)].endswith("/100")
    assert t("results.level_provisional", lang) in metrics and t("results.level", lang) not in metrics
    # the level's description speaks of every dimension: not shown for a provisional result
    description = next(lv for lv in flash.model.results.levels if lv.id == "structure").description.get(lang)
    assert description not in shown_text
    titles = {d.id: d.title.get(lang) for d in flash.dimensions}
    to_first = links(at)[t("results.first_unanswered", lang)]
    assert to_first["dim"] == ["gov"] and to_first["a"] == [str(assessment.id)]
    # a dimension without a score is "not filled in", in the table and on the radar, never 0
    table = at.dataframe[0].value
    scores = dict(zip(table[t("results.col_dimension", lang)], table[t("results.col_score", lang)], strict=True))
    assert scores[titles["rh"]] == t("results.not_filled", lang)
    assert scores[titles["gov"]] == "75" and scores[titles["qual"]] == "50"
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    current = next(trace for trace in spec["data"] if trace.get("name") == t("results.current", lang))
    assert current["r"] == [75.0, 50.0, None, None, None, None, None, 75.0]
    assert all(f"({t('results.not_filled', lang)})" in label for label in current["theta"][2:7])
    # no dimension listed twice; the dimensions not filled in are in neither list
    listed = listed_dimensions(at)
    assert sorted(listed) == sorted({plain(titles["gov"]), plain(titles["qual"])})
    # the seven legal basics are named as not answered, the DUERP among them, and nothing says that no
    # legal basic is unmet; the link opens the dimension of the first one (qual.rgpd-registre)
    head = t("results.critical_unanswered_many", lang, count=len(FLASH_CRITICAL))
    warning = next(w.value for w in at.warning if head in w.value)
    assert "DUERP" in warning
    assert t("results.no_critical", lang) not in shown_text
    assert links(at)[t("results.answer_critical", lang)]["dim"] == ["qual"]


def test_results_page_of_a_tenth_of_the_full_questionnaire(db, full) -> None:
    answers = full_answers(full)
    company, assessment = partly_answered(db, "rse-performance-globale", answers)
    at = app("results", company_id=company.id, assessment_id=assessment.id)
    result = assessments.evaluate(db, assessment.id).result
    reading = read(full, result)
    assert reading.provisional and reading.unanswered == reading.applicable - len(answers)
    assert any(f"**{reading.unanswered} sur {reading.applicable}**" in w.value for w in at.warning)
    # a single scored dimension is neither a strength nor a weakness
    assert listed_dimensions(at) == [] and t("results.none_stands_out", "fr") in [i.value for i in at.info]
    count = len(reading.critical_unanswered)
    assert count > 1 and "rh.duerp" in reading.critical_unanswered
    warning = next(w.value for w in at.warning if t("results.critical_unanswered_many", "fr", count=count) in w.value)
    assert "DUERP" in warning
    assert t("results.no_critical", "fr") not in texts(at)


def test_a_complete_assessment_is_not_provisional(db, full) -> None:
    company, assessment = demo.create_demo(db)
    at = app("results", company_id=company.id, assessment_id=assessment.id)
    metrics = {m.label: m.value for m in at.metric}
    result = assessments.evaluate(db, assessment.id).result
    assert metrics[t("results.overall", "fr")] == f"{format_score(result.overall)}/100"
    assert t("results.overall_provisional", "fr") not in metrics
    assert not any("Résultat provisoire" in w.value for w in at.warning)
    assert not links(at).get(t("results.first_unanswered", "fr"))
    # the demo answers every question: its seven dimensions are scored; the lists follow the rule on the
    # scores as shown: strictly above the median of the seven shown scores (the best three at most) and
    # strictly below it (the weakest three at most); a dimension tied at the median is in neither
    assert all(d.score is not None for d in result.dimensions) and len(result.dimensions) == 7
    as_shown = {d.id: round(d.score) for d in result.dimensions}
    middle = statistics.median(as_shown.values())
    above = sorted((d for d in as_shown if as_shown[d] > middle), key=lambda d: -as_shown[d])[:3]
    below = sorted((d for d in as_shown if as_shown[d] < middle), key=lambda d: as_shown[d])[:3]
    titles = {d.id: plain(d.title.fr) for d in full.dimensions}
    listed = listed_dimensions(at)
    assert listed == [titles[d] for d in above + below] and len(listed) == len(set(listed))
    assert above and below and len(listed) <= 6


# --- the PDF report -----------------------------------------------------------------------------------


def report(questionnaire: LoadedQuestionnaire, answers: dict[str, Any], lang: str) -> ReportData:
    parsed = parse_answers(questionnaire, answers)
    return ReportData(
        lang=lang, questionnaire=questionnaire, company=CompanyInfo(name="Atelier Martin"), profile=SMALL_COMPANY,
        answers=parsed, result=score(questionnaire, SMALL_COMPANY, parsed), assessed_on=datetime(2026, 11, 20),
    )  # fmt: skip


def pdf_text(pdf: bytes) -> list[str]:
    return [re.sub(r"\s+", " ", page.extract_text() or "") for page in PdfReader(io.BytesIO(pdf)).pages]


def test_pdf_of_a_tenth_of_the_flash_questionnaire(flash) -> None:
    data = report(flash, FLASH_ANSWERS, "fr")
    pdf = build_pdf(data)
    pages = pdf_text(pdf)
    summary = pages[1]
    assert "Résultat provisoire" in summary and "20 sur 22" in summary
    assert "Score global provisoire" in summary and "Niveau provisoire" in summary
    # the level's description (it speaks of every dimension) is left out of a provisional summary
    assert "toutes les dimensions" not in summary
    # the seven legal basics that apply, unanswered, are counted and the DUERP named
    assert "7 obligations légales ne sont pas encore renseignées" in summary and "(DUERP)" in summary
    # the six others answered at their minimum or above (rgpd 2 ≥ 2, registre 3 ≥ 3, complémentaire 3 ≥ 3,
    # tri 3 ≥ 3, biodéchets 3 ≥ 3, délais 3 ≥ 2): only the DUERP is left, said in the singular
    others = {
        "qual.rgpd-registre": 2, "rh.registre-personnel": "a-jour", "rh.complementaire-sante": "conforme",
        "env.tri-flux": "tous", "env.tri-biodechets": "tries", "eth.delais-paiement": "conforme",
    }  # fmt: skip
    one_left = report(flash, {**FLASH_ANSWERS, **others}, "fr")
    assert one_left.result.critical_unanswered == ["rh.duerp"] and not one_left.result.critical_unmet
    one_summary = pdf_text(build_pdf(one_left))[1]
    assert "1 obligation légale n’est pas encore renseignée" in one_summary and "(DUERP)" in one_summary
    # no dimension is both a strength and a weakness
    strengths = summary[summary.index("Points forts") : summary.index("Points à renforcer")]
    assert "Gouvernance" in strengths and "Qualité" not in strengths
    assert "Dimensions non renseignées" in summary and "Capital humain & conditions de travail" in summary
    # the dimension's own section says it in words, and marks the unanswered legal basic
    text = " ".join(pages)
    assert re.search(r"3 · Capital humain & conditions de travail Score Non renseignée Couverture 0", text)
    assert "Exigence légale — pas encore renseignée" in text
    # document metadata: title, author, subject, language
    reader = PdfReader(io.BytesIO(pdf))
    assert reader.metadata.title == "Rapport de diagnostic RSE — Atelier Martin"
    assert reader.metadata.author == "Autodiag RSE" and reader.metadata.subject == flash.model.title.fr
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "fr" and bool(root["/ViewerPreferences"]["/DisplayDocTitle"])


def test_pdf_in_english_of_a_tenth_of_the_full_questionnaire(full) -> None:
    data = report(full, full_answers(full), "en")
    pdf = build_pdf(data)
    summary = pdf_text(pdf)[1]
    reading = read(full, data.result)
    assert "Provisional result" in summary and f"{reading.unanswered} of {reading.applicable}" in summary
    assert "Provisional overall score" in summary and "Provisional level" in summary
    assert f"{len(reading.critical_unanswered)} legal basics are not answered yet" in summary
    assert "(DUERP)" in summary
    assert "No dimension stands out" in summary  # one scored dimension only
    assert PdfReader(io.BytesIO(pdf)).trailer["/Root"]["/Lang"] == "en"


def test_a_complete_report_is_not_provisional(flash) -> None:
    answers = {qid: demo._demo_value(flash, qid, 0) for qid in flash.questions}
    data = report(flash, {qid: value for qid, value in answers.items() if value is not None}, "fr")
    reading = read(flash, data.result)
    assert not reading.provisional and not reading.critical_unanswered
    summary = pdf_text(build_pdf(data))[1]
    assert "provisoire" not in summary and "Score global" in summary
    assert "obligation légale n’est pas encore renseignée" not in summary and "non renseignée" not in summary


def current_points(data: ReportData) -> list[tuple[float, float]]:
    """The points of the current series drawn on the PDF radar (its markers)."""
    figure = _draw(data, WIDTH_PX, DPI).figure
    points = []
    for line in figure.axes[0].get_lines():
        if line.get_color() == CURRENT and line.get_marker() == "o":
            points += [(round(x, 6), round(y, 6)) for x, y in line.get_xydata()]
    return points


def test_pdf_radar_draws_no_point_for_a_dimension_not_filled_in(flash) -> None:
    partial = report(flash, FLASH_ANSWERS, "fr")
    points = current_points(partial)
    assert len(points) == 2 and (0.0, 0.0) not in points  # gov at 75 and qual at 50 only: no 0 anywhere
    assert points[0] == (0.0, 0.75)  # gov, at the top
    # a dimension scored 0 is a point, at the centre: rh = (2·0 + 1·0) / (2·4 + 1·4) = 0
    zero = report(flash, {**FLASH_ANSWERS, "rh.duerp": "aucun", "rh.conditions-travail": 0}, "fr")
    assert zero.result.dimension("rh").score == 0
    assert (0.0, 0.0) in current_points(zero)
    assert radar_png(replace(partial, lang="en")) != radar_png(partial)  # the axis notes are translated
