"""The shipped diagnostics: they load, score, and meet the content bar of the product."""

from __future__ import annotations

import re
from collections import Counter

import pytest

from diagnostic.core.answers import Answer
from diagnostic.core.loading import LoadedQuestionnaire
from diagnostic.core.profile import Profile
from diagnostic.core.recommendations import Situation, matches
from diagnostic.core.schema import MaturityQuestion
from diagnostic.core.scoring import score
from diagnostic.core.values import DONT_KNOW, question_max, question_min
from diagnostic.questionnaire_files import find_questionnaire, shipped_paths

DIMENSIONS = ["gov", "qual", "rh", "env", "eth", "terr", "eco"]
LEVELS = [("decouverte", "Découverte", "Discovering", 0, None), ("engage", "Engagé", "Committed", 25, None),
          ("structure", "Structuré", "Structured", 45, 30), ("maitrise", "Maîtrisé", "Managed", 65, 45),
          ("exemplaire", "Exemplaire", "Exemplary", 85, 65)]  # fmt: skip



def test_both_diagnostics_are_shipped() -> None:
    assert {p.stem for p in shipped_paths()} >= {"rse-performance-globale", "rse-flash"}


@pytest.mark.parametrize("name", ["rse-performance-globale", "rse-flash"])
def test_dimensions_levels_and_cap(name) -> None:
    q = find_questionnaire(name)
    assert [d.id for d in q.dimensions] == DIMENSIONS
    got = [(lv.id, lv.label.fr, lv.label.en, lv.min_overall, lv.min_dimension) for lv in q.model.results.levels]
    assert got == LEVELS
    assert q.model.results.critical_cap == "engage"
    assert q.model.default_locale == "fr"


def test_full_size(full) -> None:
    core = [q for q in full.questions.values() if q.module is None]
    assert len(core) >= 85
    for dimension in full.dimensions:
        assert 8 <= sum(1 for q in dimension.questions if q.module is None) <= 20, dimension.id


def test_flash_size(flash) -> None:
    assert 18 <= len(flash.questions) <= 25
    assert all(dimension.questions for dimension in flash.dimensions)


@pytest.mark.parametrize("name", ["rse-performance-globale", "rse-flash"])
def test_every_scored_question_has_two_recommendations_and_levels(name) -> None:
    q = find_questionnaire(name)
    for question in q.questions.values():
        if question_max(question, q.options(question)) is None:
            continue
        assert len(question.recommendations) >= 2, question.id
        if isinstance(question, MaturityQuestion):
            assert question.levels is not None, question.id
        # a first step for the lowest answer, so a manager at 0 is never left without advice
        lowest = question_min(question, q.options(question)) or 0.0
        maximum = question_max(question, q.options(question)) or 0.0
        situation = Situation(profile=Profile(), answers={}, applicable=dict.fromkeys(q.questions, True))
        assert any(matches(q, question, r, DONT_KNOW, lowest, maximum, situation) for r in question.recommendations), question.id
        assert question.text.fr.strip() and question.text.en.strip()
        assert question.help is not None, question.id


@pytest.mark.parametrize("name", ["rse-performance-globale", "rse-flash"])
def test_no_two_questions_or_recommendations_share_a_text(name) -> None:
    q = find_questionnaire(name)
    for lang in ("fr", "en"):
        questions = Counter(x.text.get(lang).strip().lower() for x in q.questions.values())
        recs = Counter(r.text.get(lang).strip().lower() for x in q.questions.values() for r in x.recommendations)
        assert [t for t, n in questions.items() if n > 1] == []
        assert [t for t, n in recs.items() if n > 1] == []


def _issues(q: LoadedQuestionnaire) -> set[str]:
    refs = set()
    for dimension in q.dimensions:
        refs.update(dimension.references.iso26000)
        for question in dimension.questions:
            refs.update(question.references.iso26000)
            for rec in question.recommendations:
                refs.update(rec.references.iso26000)
    return refs


def test_iso26000_coverage(full) -> None:
    refs = _issues(full)
    for core in ["6.2", "6.3", "6.4", "6.5", "6.6", "6.7", "6.8"]:
        assert any(r == core or r.startswith(core + ".") for r in refs), core
    issues = {r for r in refs if re.fullmatch(r"6\.[3-8]\.\d+", r)}
    issues |= {"6.2"} if any(r.startswith("6.2") for r in refs) else set()
    assert len(issues) >= 30, sorted(issues)


def test_vsme_basic_disclosures_are_mapped(full) -> None:
    codes = {c for question in full.questions.values() for c in question.references.vsme}
    codes |= {c for d in full.dimensions for c in d.references.vsme}
    assert codes >= {f"B{i}" for i in range(1, 12)}


def test_legal_basics_are_critical(full) -> None:
    critical = [q for q in full.questions.values() if q.critical is not None]
    assert len(critical) >= 4
    assert any("duerp" in q.id for q in critical)


def test_applicability_where_it_matters(full) -> None:
    small = Profile(headcount_band="1-10", production_site=False, tertiary_area_1000m2=False)
    large = Profile(headcount_band="50-249", production_site=True, tertiary_area_1000m2=True)
    small_applies = {k for k, r in score(full, small, {}).questions.items() if r.applies}
    large_applies = {k for k, r in score(full, large, {}).questions.items() if r.applies}
    assert small_applies < large_applies
    hidden_for_small = large_applies - small_applies
    assert any("cse" in qid for qid in hidden_for_small)
    assert any(qid.startswith("env.") for qid in hidden_for_small)  # production-site questions


@pytest.mark.parametrize("name", ["rse-performance-globale", "rse-flash"])
@pytest.mark.parametrize("level", [0, 2, 4])
def test_every_question_scored_at_a_level(name, level) -> None:
    q = find_questionnaire(name)
    profile = Profile(headcount_band="50-249", production_site=True, tertiary_area_1000m2=True, sites=2)
    answers = {}
    for question in q.questions.values():
        options = q.options(question)
        if isinstance(question, MaturityQuestion):
            answers[question.id] = Answer(level)
        elif options:
            ranked = sorted(options, key=lambda o: o.score)
            if question.type == "multiple":
                best = [o.id for o in options if not o.exclusive and o.score > 0]
                answers[question.id] = Answer([ranked[0].id] if level == 0 else best)
            else:
                answers[question.id] = Answer((ranked[0] if level == 0 else ranked[-1]).id)
        elif question.type == "yes_no":
            best = "yes" if question.scores.yes >= question.scores.no else "no"
            worst = "no" if best == "yes" else "yes"
            answers[question.id] = Answer(worst if level == 0 else best)
    result = score(q, profile, answers)
    assert result.overall is not None and 0 <= result.overall <= 100
    if level == 0:
        assert result.overall < 25 and result.level.id == "decouverte"
        assert len(result.recommendations) >= len(result.questions) // 2
    if level == 4 and name == "rse-performance-globale":
        assert result.critical_unmet == []
