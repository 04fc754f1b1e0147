"""Lowest and highest values computed from the scores, and "don't know" in recommendations."""

from __future__ import annotations

from typing import Any

import pytest

from diagnostic.core.schema import MultipleQuestion, NumberQuestion, Option, SingleQuestion, Text, YesNoQuestion
from diagnostic.core.values import answer_value, question_max, question_min, question_range
from tests.conftest import build, run, text

T = Text(fr="t", en="t")


def option(oid: str, score: float, exclusive: bool = False) -> Option:
    return Option(id=oid, label=T, score=score, exclusive=exclusive)


def multiple(options: list[Option], cap: float | None = None) -> tuple[MultipleQuestion, list[Option]]:
    return MultipleQuestion(id="q", type="multiple", text=T, options=options, max_score=cap), options


def test_reversed_yes_no_range() -> None:
    question = YesNoQuestion(id="q", type="yes_no", text=T, scores={"yes": 0, "no": 4})
    assert question_range(question, []) == (0, 4)


def test_single_choice_range_is_its_lowest_and_best_option() -> None:
    options = [option("a", 1), option("b", 3), option("c", 2)]
    assert question_range(SingleQuestion(id="q", type="single", text=T, options=options), options) == (1, 3)


def test_exclusive_option_is_not_added_to_the_maximum() -> None:
    # a 1 + b 2 can be ticked together (3); "none" (exclusive, 2.5) only alone: best = 3, not 5.5
    question, options = multiple([option("a", 1), option("b", 2), option("none", 2.5, exclusive=True)])
    assert question_max(question, options) == 3
    assert question_min(question, options) == 1  # one option at least: a alone


def test_an_exclusive_option_above_every_combination_is_the_maximum() -> None:
    question, options = multiple([option("a", 1), option("b", 1), option("all-of-it", 4, exclusive=True)])
    assert question_range(question, options) == (1, 4)


def test_the_cap_bounds_both_ends() -> None:
    question, options = multiple([option("a", 3), option("b", 2), option("c", 2), option("x", 5, exclusive=True)], cap=4)
    assert question_range(question, options) == (2, 4)  # 3 + 2 + 2 = 7 and 5 capped at 4; c alone = 2
    assert answer_value(question, options, ["a", "b"]) == 4


def test_number_range_is_its_lowest_and_best_band() -> None:
    question = NumberQuestion(
        id="q", type="number", text=T,
        score_bands=[{"max": 10, "score": 1}, {"min": 10, "max": 20, "score": 4}, {"min": 20, "score": 2}],
    )  # fmt: skip
    assert question_range(question, []) == (1, 4)


def test_unscored_questions_have_no_range() -> None:
    question = YesNoQuestion(id="q", type="yes_no", text=T, scored=False)
    assert question_range(question, []) is None and question_min(question, []) is None


# --- "don't know" counts as the lowest value, computed from the scores -------------------------


def rec(rid: str, **when: Any) -> dict[str, Any]:
    return {"id": rid, "when": when, "text": text(rid), "effort": 1, "impact": 2}


def shown(questionnaire, answers: dict[str, Any]) -> list[str]:
    return [r.id for r in run(questionnaire, answers).recommendations]


def test_dont_know_on_a_reversed_yes_no_fires_the_recommendation_for_the_worst_answer() -> None:
    # "has the company been fined for bribery?": yes = 0, no = 4
    q = build([{"id": "d", "questions": [{
        "id": "d.fined", "type": "yes_no", "text": text("fined"), "scores": {"yes": 0, "no": 4},
        "recommendations": [rec("d.fined.yes", **{"in": ["yes"]}), rec("d.fined.no", **{"in": ["no"]})],
    }]}])  # fmt: skip
    assert shown(q, {"d.fined": "dont_know"}) == ["d.fined.yes"]
    assert shown(q, {"d.fined": "yes"}) == ["d.fined.yes"]
    assert shown(q, {"d.fined": "no"}) == ["d.fined.no"]


def test_dont_know_on_a_normal_yes_no_counts_as_no() -> None:
    q = build([{"id": "d", "questions": [{
        "id": "d.plan", "type": "yes_no", "text": text("plan"),
        "recommendations": [rec("d.plan.yes", **{"in": ["yes"]}), rec("d.plan.no", **{"in": ["no"]})],
    }]}])  # fmt: skip
    assert shown(q, {"d.plan": "dont_know"}) == ["d.plan.no"]


def test_dont_know_takes_the_lowest_score_even_when_it_is_above_zero() -> None:
    # options scored 1, 3, 4: "don't know" counts as "rarely" (1), for `in` and for min/max alike
    q = build([{"id": "d", "questions": [{
        "id": "d.sort", "type": "single", "text": text("sort"),
        "options": [{"id": "rarely", "label": text("r"), "score": 1}, {"id": "often", "label": text("o"), "score": 3},
                    {"id": "always", "label": text("a"), "score": 4}],
        "recommendations": [rec("d.sort.in", **{"in": ["rarely"]}), rec("d.sort.one", min=1, max=1),
                            rec("d.sort.zero", max=0.5), rec("d.sort.high", min=3)],
    }]}])  # fmt: skip
    assert shown(q, {"d.sort": "dont_know"}) == ["d.sort.in", "d.sort.one"]
    result = run(q, {"d.sort": "dont_know"})
    assert result.questions["d.sort"].value == 0  # the score itself is unchanged: "don't know" scores 0


def test_dont_know_on_a_multiple_matches_the_exclusive_none() -> None:
    q = build([{"id": "d", "questions": [{
        "id": "d.acts", "type": "multiple", "text": text("acts"),
        "options": [{"id": "none", "label": text("n"), "score": 0, "exclusive": True},
                    {"id": "a", "label": text("a"), "score": 2}, {"id": "b", "label": text("b"), "score": 2}],
        "recommendations": [rec("d.acts.none", **{"in": ["none"]}), rec("d.acts.a", **{"in": ["a"]})],
    }]}])  # fmt: skip
    assert shown(q, {"d.acts": "dont_know"}) == ["d.acts.none"]
    assert shown(q, {"d.acts": ["a"]}) == ["d.acts.a"]


@pytest.mark.parametrize("answer, expected", [("dont_know", ["d.q.r"]), (0, ["d.q.r"]), (4, [])])
def test_default_when_on_dont_know(answer: Any, expected: list[str]) -> None:
    q = build([{"id": "d", "questions": [{"id": "d.q", "type": "maturity", "text": text("q"), "recommendations": [rec("d.q.r")]}]}])
    assert shown(q, {"d.q": answer}) == expected
