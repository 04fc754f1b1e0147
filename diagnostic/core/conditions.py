"""Applicability: which questions apply to a company profile and to the answers given so far.

Conditions are data (see schema.py), tested here; nothing from a file is ever executed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from diagnostic.core.answers import Answer
from diagnostic.core.loading import LoadedQuestionnaire
from diagnostic.core.profile import Profile
from diagnostic.core.schema import (
    AllCondition,
    AnswerCondition,
    AnyCondition,
    MultipleQuestion,
    NotCondition,
    NumberQuestion,
    ProfileCondition,
)
from diagnostic.core.values import DONT_KNOW, NA, answer_value


def _between(value: float, low: float | None, high: float | None) -> bool:
    return (low is None or value >= low) and (high is None or value <= high)


def _profile_met(cond: ProfileCondition, profile: Profile) -> bool:
    # An unknown fact does not hide a question: better to ask than to miss a legal basic.
    if cond.profile == "headcount":
        known = profile.headcount_min()
        return True if known is None else _between(known, cond.min, cond.max)
    if cond.profile == "sites":
        return True if profile.sites is None else _between(profile.sites, cond.min, cond.max)
    if cond.profile == "sector":
        matched = profile.sector_matches(cond.in_ or [])
        return True if matched is None else matched
    fact = getattr(profile, cond.profile)
    return True if fact is None else fact == cond.equals


def _answer_met(
    cond: AnswerCondition,
    questionnaire: LoadedQuestionnaire,
    answers: Mapping[str, Answer],
    applicable: Mapping[str, bool],
) -> bool:
    answer = answers.get(cond.answer) if applicable.get(cond.answer, False) else None
    given = answer is not None and answer.value != NA
    if cond.answered is not None:
        return given == cond.answered
    if not given or answer is None or answer.value == DONT_KNOW:
        return False
    question = questionnaire.questions[cond.answer]
    value: Any = answer.value
    if cond.in_ is not None:
        chosen = set(value) if isinstance(question, MultipleQuestion) else {value}
        if not chosen & set(cond.in_):
            return False
    if cond.min is not None or cond.max is not None:
        number = value if isinstance(question, NumberQuestion) else answer_value(question, questionnaire.options(question), value)
        if number is None or not _between(float(number), cond.min, cond.max):
            return False
    return True


def condition_met(
    cond: Any,
    questionnaire: LoadedQuestionnaire,
    profile: Profile,
    answers: Mapping[str, Answer],
    applicable: Mapping[str, bool],
) -> bool:
    if cond is None:
        return True
    if isinstance(cond, ProfileCondition):
        return _profile_met(cond, profile)
    if isinstance(cond, AnswerCondition):
        return _answer_met(cond, questionnaire, answers, applicable)
    if isinstance(cond, AllCondition):
        return all(condition_met(c, questionnaire, profile, answers, applicable) for c in cond.all)
    if isinstance(cond, AnyCondition):
        return any(condition_met(c, questionnaire, profile, answers, applicable) for c in cond.any)
    if isinstance(cond, NotCondition):
        return not condition_met(cond.not_, questionnaire, profile, answers, applicable)
    raise TypeError(f"unknown condition {cond!r}")


def applicability(
    questionnaire: LoadedQuestionnaire, profile: Profile, answers: Mapping[str, Answer]
) -> dict[str, bool]:
    """Question id -> applies, in file order, so that a hidden question hides those that depend on it."""
    applicable: dict[str, bool] = {}
    for dimension in questionnaire.dimensions:
        dim_applies = condition_met(dimension.applies_when, questionnaire, profile, answers, applicable)
        for question in dimension.questions:
            applicable[question.id] = dim_applies and condition_met(
                question.applies_when, questionnaire, profile, answers, applicable
            )
    return applicable
