"""Recommendations ("bonnes pratiques") that match the answers, ranked by priority.

priority = dimension weight × question weight × gap × impact ÷ effort, where gap is the share of
the question's maximum still to gain, (max − value) / max. A quick win is light (effort 1) with a
real impact (2 or more); every other recommendation is a structuring project.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from diagnostic.core.answers import Answer
from diagnostic.core.conditions import condition_met
from diagnostic.core.loading import LoadedQuestionnaire
from diagnostic.core.profile import Profile
from diagnostic.core.schema import (
    AnyQuestion,
    MaturityQuestion,
    MultipleQuestion,
    NumberQuestion,
    Recommendation,
    RecommendationWhen,
    SingleQuestion,
    Text,
    YesNoQuestion,
)
from diagnostic.core.values import DONT_KNOW, question_min

if TYPE_CHECKING:
    from diagnostic.core.scoring import QuestionResult


@dataclass(frozen=True)
class RankedRecommendation:
    id: str
    question: str
    dimension: str
    priority: float
    gap: float
    effort: int
    impact: int
    quick_win: bool
    text: Text


def is_quick_win(effort: int, impact: int) -> bool:
    return effort == 1 and impact >= 2


def lowest_answers(questionnaire: LoadedQuestionnaire, question: AnyQuestion) -> set[str]:
    """The option ids (or yes/no) whose value is the question's lowest: what "don't know" counts as."""
    options = questionnaire.options(question)
    lowest = question_min(question, options)
    if isinstance(question, YesNoQuestion):
        return {answer for answer, score in (("yes", question.scores.yes), ("no", question.scores.no)) if score == lowest}
    cap = question.max_score if isinstance(question, MultipleQuestion) and question.max_score is not None else None
    return {o.id for o in options if (o.score if cap is None else min(o.score, cap)) == lowest}


def lowest_answer(questionnaire: LoadedQuestionnaire, question: AnyQuestion) -> Answer | None:
    """A real answer worth the question's lowest value: what "don't know" counts as in a condition."""
    if isinstance(question, MaturityQuestion):
        return Answer(0)
    lowest = lowest_answers(questionnaire, question)
    if isinstance(question, YesNoQuestion):
        return Answer(sorted(lowest)[0]) if lowest else None
    ordered = [o.id for o in questionnaire.options(question) if o.id in lowest]
    if isinstance(question, MultipleQuestion):
        return Answer(ordered)
    if isinstance(question, SingleQuestion):
        return Answer(ordered[0]) if ordered else None
    if isinstance(question, NumberQuestion) and question.minimum is not None:
        return Answer(question.minimum)
    return None


@dataclass(frozen=True)
class Situation:
    """What a recommendation's full condition is tested on: the company and every answer."""

    profile: Profile
    answers: Mapping[str, Answer]
    applicable: Mapping[str, bool]


def matches(
    questionnaire: LoadedQuestionnaire,
    question: AnyQuestion,
    rec: Recommendation,
    raw: object,
    value: float,
    maximum: float,
    situation: Situation | None = None,
) -> bool:
    """Whether a recommendation's `when` holds for this answer ("don't know" counts as the lowest answer).

    A full condition needs the `situation`; it is only tested below the maximum (at the maximum
    there is nothing left to gain).
    """
    when = rec.when
    if not isinstance(when, RecommendationWhen):
        if situation is None or value >= maximum:
            return False
        answers = situation.answers
        if raw == DONT_KNOW:
            lowest = lowest_answer(questionnaire, question)
            if lowest is not None:
                answers = {**answers, question.id: lowest}
        return condition_met(when, questionnaire, situation.profile, answers, situation.applicable)
    chosen: set[object]
    if raw == DONT_KNOW:
        # the lowest value computed from the scores: on a reversed yes/no (yes = 0) it is "yes"
        value = question_min(question, questionnaire.options(question)) or 0.0
        chosen = set(lowest_answers(questionnaire, question))
    elif isinstance(question, MultipleQuestion) and isinstance(raw, list):  # a valid multiple answer is a list
        chosen = set(raw)
    else:
        chosen = {raw}
    if when.in_ is not None and not chosen & set(when.in_):
        return False
    if when.min is not None and value < when.min:
        return False
    if when.max is not None and value > when.max:
        return False
    if when.in_ is None and when.min is None and when.max is None:
        return value < maximum
    return True


def rank_recommendations(
    questionnaire: LoadedQuestionnaire,
    questions: Mapping[str, QuestionResult],
    answers: Mapping[str, Answer],
    profile: Profile | None = None,
) -> list[RankedRecommendation]:
    ranked: list[tuple[float, int, int, RankedRecommendation]] = []
    situation = Situation(
        profile=profile or Profile(), answers=answers, applicable={qid: row.applies for qid, row in questions.items()}
    )
    for order, (question_id, question) in enumerate(questionnaire.questions.items()):
        row = questions[question_id]
        if not row.counted or row.value is None or not row.max:
            continue
        dimension = questionnaire.dimension_of[question_id]
        raw = answers[question_id].value
        gap = (row.max - row.value) / row.max
        for index, rec in enumerate(question.recommendations):
            if not matches(questionnaire, question, rec, raw, row.value, row.max, situation):
                continue
            priority = dimension.weight * question.weight * gap * rec.impact / rec.effort
            item = RankedRecommendation(
                id=rec.id,
                question=question_id,
                dimension=dimension.id,
                priority=priority,
                gap=gap,
                effort=rec.effort,
                impact=rec.impact,
                quick_win=is_quick_win(rec.effort, rec.impact),
                text=rec.text,
            )
            ranked.append((-priority, order, index, item))
    ranked.sort(key=lambda entry: entry[:3])
    return [entry[3] for entry in ranked]

