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


def _profile_met(cond: ProfileCondition, profile: Profile, unknown: bool) -> bool:
    """`unknown` is the answer when the fact is not known."""
    if cond.profile == "headcount":
        known = profile.headcount_min()
        return unknown if known is None else _between(known, cond.min, cond.max)
    if cond.profile == "sites":
        return unknown if profile.sites is None else _between(profile.sites, cond.min, cond.max)
    if cond.profile == "sector":
        matched = profile.sector_matches(cond.in_ or [])
        return unknown if matched is None else matched
    fact = getattr(profile, cond.profile)
    return unknown if fact is None else fact == cond.equals


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
    unknown: bool = True,
) -> bool:
    """Whether `cond` holds. A profile fact that is not known counts as `unknown`: met by default,
    because an unknown fact must not hide a question (better to ask than to miss a legal basic);
    not met for a module, which adds depth only for the companies it is written for."""
    if cond is None:
        return True
    if isinstance(cond, ProfileCondition):
        return _profile_met(cond, profile, unknown)
    if isinstance(cond, AnswerCondition):
        return _answer_met(cond, questionnaire, answers, applicable)
    if isinstance(cond, AllCondition):
        return all(condition_met(c, questionnaire, profile, answers, applicable, unknown) for c in cond.all)
    if isinstance(cond, AnyCondition):
        return any(condition_met(c, questionnaire, profile, answers, applicable, unknown) for c in cond.any)
    if isinstance(cond, NotCondition):
        # "not" of an unknown fact stays unknown: a module for "not in sector C" is not opened blind
        if unknown is False and _has_unknown_fact(cond.not_, profile):
            return False
        return not condition_met(cond.not_, questionnaire, profile, answers, applicable, unknown)
    raise TypeError(f"unknown condition {cond!r}")


def _has_unknown_fact(cond: Any, profile: Profile) -> bool:
    if isinstance(cond, ProfileCondition):
        return _profile_met(cond, profile, True) and not _profile_met(cond, profile, False)
    if isinstance(cond, (AllCondition, AnyCondition)):
        return any(_has_unknown_fact(c, profile) for c in (cond.all if isinstance(cond, AllCondition) else cond.any))
    if isinstance(cond, NotCondition):
        return _has_unknown_fact(cond.not_, profile)
    return False


def applicability(
    questionnaire: LoadedQuestionnaire, profile: Profile, answers: Mapping[str, Answer]
) -> dict[str, bool]:
    """Question id -> applies, in file order, so that a hidden question hides those that depend on it."""
    return applicability_and_modules(questionnaire, profile, answers)[0]


def open_modules(questionnaire: LoadedQuestionnaire, profile: Profile, answers: Mapping[str, Answer]) -> list[str]:
    """The ids of the modules opened for this company, in file order."""
    opened = applicability_and_modules(questionnaire, profile, answers)[1]
    return [m.id for m in questionnaire.model.modules if opened.get(m.id)]


def applicability_and_modules(
    questionnaire: LoadedQuestionnaire, profile: Profile, answers: Mapping[str, Answer]
) -> tuple[dict[str, bool], dict[str, bool]]:
    """(question id -> applies, module id -> open). A module's condition is tested at its first
    question, on the answers given before it."""
    applicable: dict[str, bool] = {}
    module_open: dict[str, bool] = {}
    for dimension in questionnaire.dimensions:
        dim_applies = condition_met(dimension.applies_when, questionnaire, profile, answers, applicable)
        for question in dimension.questions:
            applies = dim_applies
            if question.module is not None:
                if question.module not in module_open:
                    module = questionnaire.module_by_id[question.module]
                    module_open[question.module] = condition_met(
                        module.applies_when, questionnaire, profile, answers, applicable, unknown=False
                    )
                applies = applies and module_open[question.module]
            applicable[question.id] = applies and condition_met(
                question.applies_when, questionnaire, profile, answers, applicable
            )
    return applicable, module_open
