"""The evidence-backed score (README "The evidence-backed score"): hand-computed cases and properties."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from diagnostic.core.answers import Answer, parse_answers
from diagnostic.core.evidence_score import backed_result, evidence_backed, lacking_evidence
from diagnostic.core.loading import LoadedQuestionnaire, QuestionnaireError, parse_questionnaire
from diagnostic.core.profile import Profile
from diagnostic.core.schema import Questionnaire
from diagnostic.core.scoring import Result, score
from tests.conftest import LEVELS, ROOT, build, maturity, text

RULE = {"from_value": 2, "otherwise": 1}


def backed(questionnaire: LoadedQuestionnaire, answers: dict[str, Any], evidenced: Iterable[str] = ()) -> Result:
    result = evidence_backed(questionnaire, Profile(), parse_answers(questionnaire, answers), frozenset(evidenced))
    assert result is not None
    return result


def declared(questionnaire: LoadedQuestionnaire, answers: dict[str, Any]) -> Result:
    return score(questionnaire, Profile(), parse_answers(questionnaire, answers))


@pytest.fixture(scope="module")
def two() -> LoadedQuestionnaire:
    return build(
        [
            {"id": "a", "questions": [maturity("a.1"), maturity("a.2", weight=2)]},
            {"id": "b", "questions": [maturity("b.1", allow_na=True), maturity("b.2")]},
        ],
        evidence_rule=RULE,
    )


def test_unproven_answers_of_2_or_more_count_as_1(two) -> None:
    answers = {"a.1": 3, "a.2": 2, "b.1": 4, "b.2": 1}
    # declared: a = 100 × (3 + 2×2) / (4 + 2×4) = 58.33; b = 100 × (4 + 1) / 8 = 62.5; overall 60.42
    # backed, evidence on a.2 only: a.1 3 -> 1, a.2 stays 2, b.1 4 -> 1, b.2 1 is below 2 (unchanged)
    #   a = 100 × (1 + 4) / 12 = 41.67; b = 100 × (1 + 1) / 8 = 25; overall 33.33
    before = declared(two, answers)
    after = backed(two, answers, {"a.2"})
    assert before.dimension("a").score == pytest.approx(700 / 12)
    assert before.overall == pytest.approx((700 / 12 + 62.5) / 2)
    assert after.dimension("a").score == pytest.approx(500 / 12)
    assert after.dimension("b").score == pytest.approx(25)
    assert after.overall == pytest.approx((500 / 12 + 25) / 2)
    # levels follow from the same rules: Structuré declared (60.4 ≥ 45, both ≥ 30), Engagé backed
    assert before.level.id == "structure"
    assert after.level.id == "engage"
    assert after.coverage == before.coverage == 1
    assert lacking_evidence(two, before, frozenset({"a.2"})) == ["a.1", "b.1"]


def test_every_answer_proven_gives_the_declared_score(two) -> None:
    answers = {"a.1": 3, "a.2": 2, "b.1": 4, "b.2": 1}
    after = backed(two, answers, {"a.1", "a.2", "b.1", "b.2"})
    before = declared(two, answers)
    assert after.overall == before.overall
    assert [d.score for d in after.dimensions] == [d.score for d in before.dimensions]
    assert after.level == before.level


def test_low_answers_na_and_dont_know_are_unchanged(two) -> None:
    # nothing at 2 or more: 0, 1, don't know (0), N/A -> the same score with or without evidence
    answers = {"a.1": 0, "a.2": 1, "b.1": "na", "b.2": "dont_know"}
    after = backed(two, answers)
    assert after.overall == declared(two, answers).overall
    assert after.dimension("a").score == pytest.approx(100 * 2 / 12)
    assert after.dimension("b").score == pytest.approx(0)
    assert after.questions["b.1"].na and not after.questions["b.1"].counted
    assert after.dimension("b").dont_know == 1


def test_an_unproven_critical_answer_caps_the_level() -> None:
    q = build(
        [
            {
                "id": "a",
                "questions": [maturity("a.duerp", critical={"min": 2, "reason": text("law")}), maturity("a.2")],
            },
        ],
        critical_cap="engage",
        evidence_rule=RULE,
    )
    answers = {"a.duerp": 4, "a.2": 4}
    # declared: 100, Exemplaire. Without evidence on a.duerp: (1 + 4) / 8 = 62.5 -> Structuré by
    # score, and the critical answer now counts 1 < 2: capped at Engagé.
    after = backed(q, answers, {"a.2"})
    assert declared(q, answers).level.id == "exemplaire"
    assert after.overall == pytest.approx(62.5)
    assert after.level_by_score.id == "structure"
    assert after.critical_unmet == ["a.duerp"]
    assert after.capped_by_critical and after.level.id == "engage"
    proven = backed(q, answers, {"a.duerp"})  # a.2 unproven: (4 + 1) / 8, no cap
    assert proven.overall == pytest.approx(62.5) and proven.level.id == "structure" and not proven.critical_unmet


def test_other_types_are_read_on_the_0_to_4_scale() -> None:
    q = build(
        [
            {
                "id": "a",
                "questions": [
                    {"id": "a.yes", "type": "yes_no", "text": text("a.yes"), "scores": {"yes": 2, "no": 0}},
                    {
                        "id": "a.pick",
                        "type": "single",
                        "text": text("a.pick"),
                        "options": [
                            {"id": "low", "label": text("low"), "score": 0},
                            {"id": "mid", "label": text("mid"), "score": 5},
                            {"id": "top", "label": text("top"), "score": 10},
                        ],
                    },
                    maturity("a.m"),
                ],
            }
        ],
        evidence_rule={"from_value": 3, "otherwise": 1, "types": ["yes_no", "single"]},
    )
    # yes = 2 of 2 = 4 on the scale ≥ 3: counts 1/4 of 2 = 0.5; "mid" = 5 of 10 = 2 < 3: unchanged;
    # the maturity question is not in types: 4 stays 4. (0.5 + 5 + 4) / (2 + 10 + 4) = 59.375%
    after = backed(q, {"a.yes": "yes", "a.pick": "mid", "a.m": 4})
    assert after.questions["a.yes"].value == pytest.approx(0.5)
    assert after.overall == pytest.approx(100 * 9.5 / 16)
    # "top" = 10 of 10 = 4 ≥ 3: counts 1/4 of 10 = 2.5
    assert backed(q, {"a.yes": "no", "a.pick": "top", "a.m": 4}).questions["a.pick"].value == pytest.approx(2.5)


def test_which_questions_apply_stays_as_declared() -> None:
    # a.follow applies when a.open ≥ 2. Without evidence a.open counts 1, but the follow-up the
    # company was asked and answered still counts: (1 + 0) / 8 = 12.5, not 1 / 4 = 25, which would
    # put the evidence-backed score above the declared (2 + 0) / 8 = 25... and then some.
    q = build(
        [
            {
                "id": "a",
                "questions": [maturity("a.open"), maturity("a.follow", applies_when={"answer": "a.open", "min": 2})],
            }
        ],
        evidence_rule=RULE,
    )
    answers = {"a.open": 2, "a.follow": 0}
    after = backed(q, answers)
    assert after.questions["a.follow"].applies and after.questions["a.follow"].counted
    assert after.overall == pytest.approx(12.5)
    assert declared(q, answers).overall == pytest.approx(25)


def test_the_pooled_overall_uses_the_backed_values() -> None:
    q = build(
        [
            {"id": "a", "weight": 3, "questions": [maturity("a.1")]},
            {"id": "b", "questions": [maturity("b.1"), maturity("b.2")]},
        ],
        overall="pooled",
        evidence_rule=RULE,
    )
    # pooled: (a.1 4 -> 1) + b.1 4 (proven) + b.2 0 = 5 of 12
    after = backed(q, {"a.1": 4, "b.1": 4, "b.2": 0}, {"b.1"})
    assert after.overall == pytest.approx(100 * 5 / 12)


def test_no_rule_no_evidence_backed_score(mini) -> None:
    answers = parse_answers(mini, {"rh.formation": 3})
    assert evidence_backed(mini, Profile(), answers, frozenset()) is None
    assert backed_result(mini, score(mini, Profile(), answers), frozenset()) is None
    assert lacking_evidence(mini, score(mini, Profile(), answers), frozenset()) == []


@pytest.mark.parametrize(
    ("rule", "says"),
    [
        ({"from_value": 2, "otherwise": 2}, "otherwise (2) must be below from_value (2)"),
        ({"from_value": 1, "otherwise": 3}, "otherwise (3) must be below from_value (1)"),
        ({"from_value": 0, "otherwise": 0}, "from_value (line 15): must be greater than 0 (got 0)"),
        ({"from_value": 5, "otherwise": 1}, "from_value (line 15): must be at most 4 (got 5)"),
        (
            {"from_value": 2, "otherwise": 1, "types": ["text"]},
            "types[0] (line 18): must be 'maturity', 'yes_no', 'single', 'multiple' or 'number' (got 'text')",
        ),
        ({"from_value": 2, "otherwise": 1, "types": ["maturity", "maturity"]}, "listed twice"),
        ({"from_value": 2, "otherwise": 1, "types": []}, "types (line 17): must not be empty"),
        ({"from_value": 2, "otherwise": 1, "level": 3}, "level (line 16): unknown field 'level'"),
    ],
)
def test_a_wrong_rule_is_refused_when_the_file_loads(rule, says) -> None:
    with pytest.raises(QuestionnaireError) as raised:
        build([{"id": "a", "questions": [maturity("a.1")]}], evidence_rule=rule)
    assert "results.evidence_rule" in str(raised.value) and says in str(raised.value)


def test_the_readme_worked_example() -> None:
    """README "The evidence-backed score": the mini questionnaire with the shipped rule, no evidence."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    text = (ROOT / "tests" / "fixtures" / "mini.yaml").read_text(encoding="utf-8")
    text = text.replace("results:\n", "results:\n  evidence_rule: {from_value: 2, otherwise: 1, types: [maturity]}\n")
    q = parse_questionnaire(text, "mini")
    answers = {
        "rh.duerp": "no",
        "rh.formation": 3,
        "env.energie": "dont_know",
        "env.flotte": "yes",
        "env.eco-conduite": "parfois",
    }
    parsed = parse_answers(q, answers)
    result = evidence_backed(q, Profile(headcount_band="1-10"), parsed, frozenset())
    assert result is not None
    rh, env = result.dimension("rh").score, result.dimension("env").score
    assert f"100 × (1 × 0 + 2 × 1) ÷ 12 = **{rh:.1f}**" in readme
    assert f"Environnement stays **{env:.0f}**" in readme
    assert f"(2 × 16.7 + 1 × 25) ÷ 3 =\n**{result.overall:.1f}** → level **{result.level.label.fr}**" in readme
    proven = evidence_backed(q, Profile(headcount_band="1-10"), parsed, frozenset({"rh.formation"}))
    assert proven is not None and f"it is the declared {proven.overall:.1f} again" in readme


def test_the_shipped_questionnaires_carry_the_rule(full, flash) -> None:
    for questionnaire in (full, flash):
        rule = questionnaire.model.results.evidence_rule
        assert rule is not None and (rule.from_value, rule.otherwise, rule.types) == (2, 1, ["maturity"])


# --- properties -------------------------------------------------------------------------------

weights = st.sampled_from([0.5, 1.0, 2.0, 3.0])


@st.composite
def cases(draw: st.DrawFn) -> tuple[LoadedQuestionnaire, dict[str, Answer], list[str]]:
    """A questionnaire of maturity and yes/no questions (some critical, some opened by an earlier
    answer's level), a rule, and answers."""
    dimensions: list[dict[str, Any]] = []
    openers: list[str] = []  # earlier maturity questions, which a later question's condition may name
    for d in range(draw(st.integers(min_value=1, max_value=3))):
        questions = []
        for n in range(draw(st.integers(min_value=1, max_value=4))):
            qid = f"d{d}.q{n}"
            question: dict[str, Any] = maturity(qid, weight=draw(weights), allow_na=True)
            if draw(st.booleans()):
                question = {"id": qid, "type": "yes_no", "text": text(qid), "weight": draw(weights)}
            if draw(st.integers(0, 4)) == 0:
                question["critical"] = {"min": draw(st.sampled_from([1, 2, 4])), "reason": text("law")}
            if openers and draw(st.booleans()):
                question["applies_when"] = {"answer": draw(st.sampled_from(openers)), "min": draw(st.integers(1, 3))}
            if question["type"] == "maturity":
                openers.append(qid)
            questions.append(question)
        dimensions.append({"id": f"d{d}", "title": text(f"d{d}"), "weight": draw(weights), "questions": questions})
    from_value = draw(st.sampled_from([1, 2, 3, 4, 2.5]))
    otherwise = draw(st.sampled_from([v for v in (0, 0.5, 1, 2, 3) if v < from_value]))
    types = draw(st.sampled_from([["maturity"], ["yes_no"], ["maturity", "yes_no"]]))
    data = {
        "schema_version": 1,
        "id": "prop",
        "version": "1",
        "title": text("prop"),
        "dimensions": dimensions,
        "results": {
            "levels": LEVELS,
            "critical_cap": "engage",
            "overall": draw(st.sampled_from(["dimensions", "pooled"])),
            "evidence_rule": {"from_value": from_value, "otherwise": otherwise, "types": types},
        },
    }
    questionnaire = LoadedQuestionnaire(model=Questionnaire.model_validate(data), source="<prop>", content_hash="")
    answers: dict[str, Answer] = {}
    for qid, question in questionnaire.questions.items():
        choices: list[Any] = (
            [None, "dont_know", 0, 1, 2, 3, 4, "na"]
            if question.type == "maturity"
            else [None, "dont_know", "yes", "no"]
        )
        value = draw(st.sampled_from(choices))
        if value is not None:
            answers[qid] = Answer(value)
    return questionnaire, answers, list(questionnaire.questions)


def at_most(low: float | None, high: float | None) -> bool:
    return (low is None and high is None) or (low is not None and high is not None and low <= high + 1e-9)


@settings(max_examples=120, deadline=None)
@given(cases(), st.data())
def test_the_backed_score_never_exceeds_the_declared(case, data) -> None:
    questionnaire, answers, ids = case
    evidenced = frozenset(data.draw(st.sets(st.sampled_from(ids))))
    before = score(questionnaire, Profile(), answers)
    after = backed_result(questionnaire, before, evidenced)
    assert after is not None
    assert at_most(after.overall, before.overall)
    for b, a in zip(before.dimensions, after.dimensions, strict=True):
        assert at_most(a.score, b.score) and a.coverage == b.coverage
    assert (after.level_rank or 0) <= (before.level_rank or 0)
    assert set(before.critical_unmet) <= set(after.critical_unmet)
    assert {q: r.applies for q, r in after.questions.items()} == {q: r.applies for q, r in before.questions.items()}
    assert after == evidence_backed(questionnaire, Profile(), answers, evidenced)


@settings(max_examples=80, deadline=None)
@given(cases())
def test_every_question_evidenced_changes_nothing(case) -> None:
    questionnaire, answers, ids = case
    before = score(questionnaire, Profile(), answers)
    after = backed_result(questionnaire, before, frozenset(ids))
    assert after is not None and lacking_evidence(questionnaire, before, frozenset(ids)) == []
    assert after.overall == before.overall and after.dimensions == before.dimensions
    assert after.level == before.level and after.capped_by_critical == before.capped_by_critical


@settings(max_examples=120, deadline=None)
@given(cases(), st.data())
def test_adding_evidence_never_lowers_the_backed_score(case, data) -> None:
    questionnaire, answers, ids = case
    some = frozenset(data.draw(st.sets(st.sampled_from(ids))))
    more = some | frozenset(data.draw(st.sets(st.sampled_from(ids))))
    before = score(questionnaire, Profile(), answers)
    fewer, larger = backed_result(questionnaire, before, some), backed_result(questionnaire, before, more)
    assert fewer is not None and larger is not None
    assert at_most(fewer.overall, larger.overall)
    for f, m in zip(fewer.dimensions, larger.dimensions, strict=True):
        assert at_most(f.score, m.score)
    assert (fewer.level_rank or 0) <= (larger.level_rank or 0)
    # what lacks evidence is what the rule lowers: fewer with more evidence
    assert set(lacking_evidence(questionnaire, before, more)) <= set(lacking_evidence(questionnaire, before, some))


@settings(max_examples=60, deadline=None)
@given(cases())
def test_without_a_rule_there_is_no_backed_score(case) -> None:
    questionnaire, answers, ids = case
    data = questionnaire.model.model_dump(by_alias=True, exclude_none=True)
    del data["results"]["evidence_rule"]
    plain = LoadedQuestionnaire(model=Questionnaire.model_validate(data), source="<prop>", content_hash="")
    assert evidence_backed(plain, Profile(), answers, frozenset(ids)) is None
