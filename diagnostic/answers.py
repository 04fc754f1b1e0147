"""Answers: their shape, and the check of raw answers against a questionnaire.

A raw answer is 0..4 (maturity), an option id or a list of them (choices), "yes"/"no", a number,
a string, "na" or "dont_know" — or {"value": ..., "comment": "..."} to carry a comment.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from diagnostic.loading import LoadedQuestionnaire
from diagnostic.schema import (
    MATURITY_MAX,
    MaturityQuestion,
    MultipleQuestion,
    NumberQuestion,
    SingleQuestion,
    TextQuestion,
    YesNoQuestion,
)
from diagnostic.values import DONT_KNOW, NA

AnswerValue = int | float | str | list[str]


@dataclass(frozen=True)
class Answer:
    value: AnswerValue
    comment: str | None = None


class AnswersError(ValueError):
    """Answers that do not fit the questionnaire; `problems` names each question at fault."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


def check_value(questionnaire: LoadedQuestionnaire, question_id: str, value: Any) -> AnswerValue:
    """The normalised value of one answer, or ValueError saying what is wrong (in English)."""
    question = questionnaire.questions.get(question_id)
    if question is None:
        raise ValueError(f"'{question_id}' is not a question of {questionnaire.id} {questionnaire.version}")
    if value == NA:
        if not question.allow_na:
            raise ValueError(f"'{question_id}': N/A (non concerné) is not allowed for this question")
        return NA
    if value == DONT_KNOW:
        if not question.allow_dont_know:
            raise ValueError(f"'{question_id}': 'don't know' is not allowed for this question")
        return DONT_KNOW
    if isinstance(question, MaturityQuestion):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value != int(value):
            raise ValueError(f"'{question_id}': {value!r} is not a level 0 to {MATURITY_MAX}")
        if not 0 <= int(value) <= MATURITY_MAX:
            raise ValueError(f"'{question_id}': {value!r} is off the scale 0 to {MATURITY_MAX}")
        return int(value)
    if isinstance(question, YesNoQuestion):
        if value is True or value == "yes":
            return "yes"
        if value is False or value == "no":
            return "no"
        raise ValueError(f"'{question_id}': {value!r} is not yes or no")
    if isinstance(question, SingleQuestion):
        ids = [o.id for o in questionnaire.options(question)]
        if not isinstance(value, str) or value not in ids:
            raise ValueError(f"'{question_id}': {value!r} is not one of its options ({', '.join(ids)})")
        return value
    if isinstance(question, MultipleQuestion):
        ids = [o.id for o in questionnaire.options(question)]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ValueError(f"'{question_id}': give a list of option ids ({', '.join(ids)})")
        unknown = [v for v in value if v not in ids]
        if unknown:
            raise ValueError(f"'{question_id}': {', '.join(map(repr, unknown))} not among its options ({', '.join(ids)})")
        exclusive = [o.id for o in questionnaire.options(question) if o.exclusive and o.id in value]
        if exclusive and len(set(value)) > 1:
            raise ValueError(f"'{question_id}': '{exclusive[0]}' cannot be combined with other options")
        return [i for i in ids if i in set(value)]
    if isinstance(question, NumberQuestion):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise ValueError(f"'{question_id}': {value!r} is not a number")
        if question.minimum is not None and value < question.minimum:
            raise ValueError(f"'{question_id}': {value:g} is below the minimum {question.minimum:g}")
        if question.maximum is not None and value > question.maximum:
            raise ValueError(f"'{question_id}': {value:g} is above the maximum {question.maximum:g}")
        return value
    if isinstance(question, TextQuestion):
        if not isinstance(value, str):
            raise ValueError(f"'{question_id}': a text answer must be a string")
        return value
    raise ValueError(f"'{question_id}': unsupported question type")


def parse_answers(questionnaire: LoadedQuestionnaire, raw: dict[str, Any]) -> dict[str, Answer]:
    """Check every raw answer; raise AnswersError listing every problem (never a silent zero)."""
    answers: dict[str, Answer] = {}
    problems: list[str] = []
    for question_id, item in raw.items():
        comment = None
        value = item
        if isinstance(item, dict):
            extra = set(item) - {"value", "comment"}
            if "value" not in item or extra:
                problems.append(f"'{question_id}': an answer object has 'value' and an optional 'comment'")
                continue
            value, comment = item["value"], item.get("comment")
            if comment is not None and not isinstance(comment, str):
                problems.append(f"'{question_id}': the comment must be text")
                continue
        try:
            answers[question_id] = Answer(check_value(questionnaire, question_id, value), comment or None)
        except ValueError as exc:
            problems.append(str(exc))
    if problems:
        raise AnswersError(problems)
    return answers

