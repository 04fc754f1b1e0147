"""The content bar of the shipped questionnaires (second edition): sector modules, legal basics with
their sources, calibrated effort and impact, the flash aligned with the full version, French."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from diagnostic.core.answers import Answer
from diagnostic.core.conditions import open_modules
from diagnostic.core.loading import LoadedQuestionnaire
from diagnostic.core.profile import Profile
from diagnostic.core.recommendations import is_quick_win
from diagnostic.core.schema import AnyQuestion, MaturityQuestion, Text
from diagnostic.core.values import question_max
from diagnostic.questionnaire_files import find_questionnaire

ROOT = Path(__file__).resolve().parent.parent
MODULES = ["industrie", "agroalimentaire", "construction", "services-numerique", "ess"]



def both() -> list[str]:
    return ["rse-performance-globale", "rse-flash"]


def question_texts(q: LoadedQuestionnaire, question: AnyQuestion) -> Iterator[Text]:
    yield question.text
    if question.help:
        yield question.help
    if isinstance(question, MaturityQuestion) and question.levels:
        yield from question.levels.values()
    for option in q.options(question):
        yield option.label
        if option.description:
            yield option.description
    if question.critical:
        yield question.critical.reason
    for rec in question.recommendations:
        yield rec.text


def all_texts(q: LoadedQuestionnaire) -> Iterator[tuple[str, Text]]:
    yield "title", q.model.title
    if q.model.description:
        yield "description", q.model.description
    for level in q.model.results.levels:
        yield level.id, level.label
        if level.description:
            yield level.id, level.description
    for module in q.model.modules:
        yield module.id, module.title
        if module.description:
            yield module.id, module.description
    for dimension in q.dimensions:
        yield dimension.id, dimension.title
        if dimension.description:
            yield dimension.id, dimension.description
        for question in dimension.questions:
            for text in question_texts(q, question):
                yield question.id, text


# --- sector modules ----------------------------------------------------------------------------


def test_the_five_sector_modules_are_shipped(full) -> None:
    assert [m.id for m in full.model.modules] == MODULES
    sizes = Counter(question.module for question in full.questions.values() if question.module)
    for module in MODULES:
        assert 8 <= sizes[module] <= 15, (module, sizes[module])


def test_module_questions_are_scored_in_their_dimension_with_advice(full) -> None:
    for question in full.questions.values():
        if question.module is None:
            continue
        assert question.id.split(".")[0] == full.dimension_of[question.id].id
        if question_max(question, full.options(question)) is not None:
            assert len(question.recommendations) >= 2, question.id
            assert question.help is not None, question.id


@pytest.mark.parametrize(
    ("sector", "module"),
    [("16.23Z", "industrie"), ("20.14Z", "industrie"), ("10.71C", "agroalimentaire"), ("43.21A", "construction"),
     ("41.20A", "construction"), ("62.01Z", "services-numerique")],
)  # fmt: skip
def test_a_company_sees_its_sectors_module(full, sector, module) -> None:
    opened = open_modules(full, Profile(headcount_band="20-49", sector=sector), {})
    assert module in opened
    assert "ess" not in opened


def test_no_module_without_a_sector(full) -> None:
    assert open_modules(full, Profile(headcount_band="20-49"), {}) == []


def test_the_ess_module_opens_from_the_status_question(full) -> None:
    status = full.questions["gov.statut-ess"]
    assert status.scored is False
    options = [o.id for o in full.options(status)]
    outside = options[0]
    assert open_modules(full, Profile(sector="25.62A"), {"gov.statut-ess": Answer(outside)}) == ["industrie"]
    for inside in options[1:]:
        assert open_modules(full, Profile(sector="25.62A"), {"gov.statut-ess": Answer(inside)}) == ["industrie", "ess"], inside


# --- recommendations: effort and impact calibrated ------------------------------------------------


@pytest.mark.parametrize("name", both())
def test_effort_and_impact_discriminate(name) -> None:
    q = find_questionnaire(name)
    recs = [r for question in q.questions.values() for r in question.recommendations]
    quick = sum(1 for r in recs if is_quick_win(r.effort, r.impact)) / len(recs)
    assert 0.15 <= quick <= 0.25, f"quick wins {quick:.0%}"
    for value, count in Counter(r.impact for r in recs).items():
        assert count / len(recs) <= 0.5, f"impact {value} on {count / len(recs):.0%}"
    assert {r.effort for r in recs} == {1, 2, 3} and {r.impact for r in recs} == {1, 2, 3}


# --- one question per practice -------------------------------------------------------------------


def test_practices_scored_twice_are_gone(full) -> None:
    for gone in ("qual.eco-conception", "eco.rse-decisions", "gov.implication-salaries"):
        assert gone not in full.questions
    for kept in ("env.ecoconception", "gov.decisions-rse", "rh.participation", "eco.partage-valeur"):
        assert kept in full.questions


def test_iso26000_civil_and_political_rights_are_covered(full) -> None:
    refs = {r for question in full.questions.values() for r in question.references.iso26000}
    assert "6.3.8" in refs


# --- legal basics and their sources ----------------------------------------------------------------

DATED = re.compile(r"vérifié le 20\d\d-\d\d-\d\d")


@pytest.mark.parametrize("name", both())
def test_every_critical_question_cites_a_dated_legal_source(name) -> None:
    q = find_questionnaire(name)
    for question in q.questions.values():
        if question.critical is not None:
            assert any(DATED.search(ref) for ref in question.references.law), question.id


def test_content_sources_list_every_critical_question() -> None:
    sources = (ROOT / "docs" / "content-sources.md").read_text(encoding="utf-8")
    for name in both():
        for question in find_questionnaire(name).questions.values():
            if question.critical is not None:
                assert f"`{question.id}`" in sources, (name, question.id)


# --- the flash, aligned with the full version ---------------------------------------------------


def test_flash_questions_shared_with_the_full_version_are_the_same(full, flash) -> None:
    shared = [qid for qid in flash.questions if qid in full.questions]
    assert len(shared) >= 10
    for qid in shared:
        a, b = flash.questions[qid], full.questions[qid]
        assert a.type == b.type and a.text == b.text, qid
        assert [(o.id, o.score) for o in flash.options(a)] == [(o.id, o.score) for o in full.options(b)], qid
        assert getattr(a, "levels", None) == getattr(b, "levels", None), qid
        assert a.critical == b.critical and a.applies_when == b.applies_when, qid
        assert a.weight == b.weight and a.allow_na == b.allow_na and a.allow_dont_know == b.allow_dont_know, qid


def test_the_flash_caps_on_the_main_legal_basics(flash) -> None:
    critical = [q.id for q in flash.questions.values() if q.critical is not None]
    assert len(critical) >= 5, critical


# --- French -----------------------------------------------------------------------------------------

URL = re.compile(r"(https?|mailto):\S+")
PLAIN_SPACE_BEFORE = re.compile(r" [:;?!]")
NO_SPACE_BEFORE = re.compile(r"[^\s\u00a0\u202f][;?!]|[^\s\u00a0\u202f\d]:(?=\s)")
ANGLICISMS = re.compile(r"\b(check-?lists?|managers?|reporting|feedbacks?|process)\b", re.IGNORECASE)
PROPER_NAMES = re.compile(r"Global Reporting Initiative|Greenhouse Gas Protocol|GHG Protocol")
ACRONYMS = ["GRI", "SBTi", "ACT", "GHG Protocol", "ZNIEFF", "CCAS"]


@pytest.mark.parametrize("name", both())
def test_french_punctuation_has_its_non_breaking_space(name) -> None:
    bad = []
    for where, text in all_texts(find_questionnaire(name)):
        french = URL.sub("", text.fr)
        for pattern in (PLAIN_SPACE_BEFORE, NO_SPACE_BEFORE):
            bad += [(where, french[max(0, m.start() - 20) : m.end()]) for m in pattern.finditer(french)]
    assert bad == []


@pytest.mark.parametrize("name", both())
def test_no_anglicisms_in_french(name) -> None:
    texts = all_texts(find_questionnaire(name))
    bad = [(where, m.group(0)) for where, text in texts for m in ANGLICISMS.finditer(PROPER_NAMES.sub("", text.fr))]
    assert bad == []


@pytest.mark.parametrize("name", both())
def test_acronyms_are_explained_where_they_are_used(name) -> None:
    q = find_questionnaire(name)
    for question in q.questions.values():
        french = " ".join(text.fr for text in question_texts(q, question))
        for acronym in ACRONYMS:
            if re.search(rf"\b{re.escape(acronym)}\b", french):
                explained = re.search(rf"\b{re.escape(acronym)}\b\s*\(|\(\s*{re.escape(acronym)}\b", french)
                assert explained, (question.id, acronym)
