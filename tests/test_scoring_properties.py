"""Property-based tests of the scoring rules (hypothesis)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from diagnostic.core.answers import Answer
from diagnostic.core.loading import LoadedQuestionnaire
from diagnostic.core.profile import Profile
from diagnostic.core.schema import Questionnaire
from diagnostic.core.scoring import score
from tests.conftest import LEVELS, text

weights = st.floats(min_value=0.1, max_value=5, allow_nan=False, allow_infinity=False)
answer_values = st.one_of(st.integers(min_value=0, max_value=4), st.sampled_from(["na", "dont_know"]), st.none())


@st.composite
def questionnaires(draw: st.DrawFn) -> dict[str, Any]:
    dimensions = []
    for d in range(draw(st.integers(min_value=1, max_value=4))):
        questions = [
            {"id": f"d{d}.q{q}", "type": "maturity", "text": text(f"d{d}.q{q}"), "weight": draw(weights), "allow_na": True}
            for q in range(draw(st.integers(min_value=1, max_value=5)))
        ]
        dimensions.append({"id": f"d{d}", "title": text(f"d{d}"), "weight": draw(weights), "questions": questions})
    return {
        "schema_version": 1,
        "id": "prop",
        "version": "1",
        "title": text("prop"),
        "dimensions": dimensions,
        "results": {"levels": LEVELS},
    }


def load(data: dict[str, Any]) -> LoadedQuestionnaire:
    return LoadedQuestionnaire(model=Questionnaire.model_validate(data), source="<prop>", content_hash="")


@st.composite
def cases(draw: st.DrawFn) -> tuple[dict[str, Any], dict[str, Answer]]:
    data = draw(questionnaires())
    answers = {}
    for dimension in data["dimensions"]:
        for question in dimension["questions"]:
            value = draw(answer_values)
            if value is not None:
                answers[question["id"]] = Answer(value)
    return data, answers


@settings(max_examples=200, deadline=None)
@given(cases())
def test_scores_stay_between_0_and_100(case) -> None:
    data, answers = case
    result = score(load(data), Profile(), answers)
    for dimension in result.dimensions:
        assert dimension.score is None or 0 <= dimension.score <= 100
        assert dimension.coverage is None or 0 <= dimension.coverage <= 1
    assert result.overall is None or 0 <= result.overall <= 100
    assert (result.overall is None) == all(d.score is None for d in result.dimensions)


@settings(max_examples=200, deadline=None)
@given(cases(), st.data())
def test_raising_one_answer_never_lowers_its_dimension(case, data) -> None:
    questionnaire_data, answers = case
    questionnaire = load(questionnaire_data)
    raisable = [qid for qid, a in answers.items() if isinstance(a.value, int) and a.value < 4]
    if not raisable:
        return
    qid = data.draw(st.sampled_from(raisable))
    before = score(questionnaire, Profile(), answers)
    higher = {**answers, qid: Answer(answers[qid].value + data.draw(st.integers(1, 4 - answers[qid].value)))}
    after = score(questionnaire, Profile(), higher)
    dimension = questionnaire.dimension_of[qid].id
    assert after.dimension(dimension).score >= before.dimension(dimension).score - 1e-9
    assert after.overall >= before.overall - 1e-9


@settings(max_examples=150, deadline=None)
@given(cases(), st.floats(min_value=0.01, max_value=100, allow_nan=False))
def test_multiplying_every_weight_changes_nothing(case, factor) -> None:
    data, answers = case
    scaled = {
        **data,
        "dimensions": [
            {
                **d,
                "weight": d["weight"] * factor,
                "questions": [{**q, "weight": q["weight"] * factor} for q in d["questions"]],
            }
            for d in data["dimensions"]
        ],
    }
    before = score(load(data), Profile(), answers)
    after = score(load(scaled), Profile(), answers)
    for b, a in zip(before.dimensions, after.dimensions, strict=True):
        assert (b.score is None and a.score is None) or a.score == pytest.approx(b.score)
    assert (before.overall is None and after.overall is None) or after.overall == pytest.approx(before.overall)
    assert before.level == after.level


@settings(max_examples=150, deadline=None)
@given(cases(), st.data())
def test_na_leaves_the_other_contributions_unchanged(case, data) -> None:
    questionnaire_data, answers = case
    questionnaire = load(questionnaire_data)
    qid = data.draw(st.sampled_from(list(questionnaire.questions)))
    before = score(questionnaire, Profile(), answers)
    after = score(questionnaire, Profile(), {**answers, qid: Answer("na")})
    assert not after.questions[qid].counted
    for other, row in before.questions.items():
        if other != qid:
            assert after.questions[other] == row
    # the dimension's score is exactly the weighted mean of the other counted questions
    dimension = questionnaire.dimension_of[qid].id
    rows = [r for r in after.questions.values() if r.dimension == dimension and r.counted]
    expected = 100 * sum(r.weight * r.value for r in rows) / sum(r.weight * r.max for r in rows) if rows else None
    got = after.dimension(dimension).score
    assert (got is None and expected is None) or got == pytest.approx(expected)
