"""What one answer is worth: a question's maximum and the value of an answer on it."""

from __future__ import annotations

from typing import Any

from diagnostic.core.schema import (
    MATURITY_MAX,
    AnyQuestion,
    MaturityQuestion,
    MultipleQuestion,
    NumberQuestion,
    Option,
    SingleQuestion,
    TextQuestion,
    YesNoQuestion,
)

NA = "na"
DONT_KNOW = "dont_know"
SPECIAL = (NA, DONT_KNOW)


def question_max(question: AnyQuestion, options: list[Option]) -> float | None:
    """The best value an answer can have, or None for a question that is not scored."""
    bounds = question_range(question, options)
    return None if bounds is None else bounds[1]


def question_min(question: AnyQuestion, options: list[Option]) -> float | None:
    """The lowest value a real answer can have ("don't know" counts as it), or None if not scored."""
    bounds = question_range(question, options)
    return None if bounds is None else bounds[0]


def question_range(question: AnyQuestion, options: list[Option]) -> tuple[float, float] | None:
    """(lowest, highest) value of an answer, computed from the scores; None when not scored."""
    if not question.scored:
        return None
    if isinstance(question, MaturityQuestion):
        return 0.0, float(MATURITY_MAX)
    if isinstance(question, YesNoQuestion):
        yes, no = question.scores.yes, question.scores.no
        return min(yes, no), max(yes, no)
    if isinstance(question, SingleQuestion):
        scores = [o.score for o in options] or [0.0]
        return min(scores), max(scores)
    if isinstance(question, MultipleQuestion):
        return _multiple_range(question, options)
    if isinstance(question, NumberQuestion):
        if not question.score_bands:
            return None
        scores = [b.score for b in question.score_bands]
        return min(scores), max(scores)
    if isinstance(question, TextQuestion):
        return None
    raise TypeError(f"unknown question type {type(question).__name__}")


def _multiple_range(question: MultipleQuestion, options: list[Option]) -> tuple[float, float]:
    """An answer ticks one exclusive option alone, or any non-empty set of the others; capped.

    Scores are >= 0, so the best set is every non-exclusive option (or the best exclusive one
    alone), and the lowest is the lowest-scored single option.
    """
    cap = question.max_score if question.max_score is not None else float("inf")
    if not options:
        return 0.0, 0.0
    together = sum(o.score for o in options if not o.exclusive)
    alone = max((o.score for o in options if o.exclusive), default=0.0)
    lowest = min(o.score for o in options)
    return min(lowest, cap), min(max(together, alone), cap)


def band_score(question: NumberQuestion, number: float) -> float:
    """The score of a number: the first band that holds it (min inclusive, max exclusive)."""
    for band in question.score_bands or []:
        if (band.min is None or number >= band.min) and (band.max is None or number < band.max):
            return band.score
    return 0.0


def answer_value(question: AnyQuestion, options: list[Option], value: Any) -> float | None:
    """The score of a (valid) answer; "don't know" scores 0; N/A and unscored give None."""
    if value == NA:
        return None
    if value == DONT_KNOW:
        return 0.0 if question_max(question, options) is not None else None
    if isinstance(question, MaturityQuestion):
        return float(value)
    if isinstance(question, YesNoQuestion):
        return question.scores.yes if value == "yes" else question.scores.no
    if isinstance(question, SingleQuestion):
        return next((o.score for o in options if o.id == value), 0.0)
    if isinstance(question, MultipleQuestion):
        total = sum(o.score for o in options if o.id in set(value))
        return min(total, question.max_score) if question.max_score is not None else total
    if isinstance(question, NumberQuestion):
        return band_score(question, float(value)) if question.score_bands else None
    return None
