"""Scoring: pure functions of (questionnaire, profile, answers). The rules are in the README.

Nothing is rounded here; rounding happens once, at display.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from math import fsum

from diagnostic.core.answers import Answer
from diagnostic.core.conditions import applicability_and_modules
from diagnostic.core.loading import LoadedQuestionnaire
from diagnostic.core.profile import Profile
from diagnostic.core.recommendations import RankedRecommendation, rank_recommendations
from diagnostic.core.schema import Level
from diagnostic.core.values import DONT_KNOW, NA, answer_value, question_max


@dataclass(frozen=True)
class QuestionResult:
    id: str
    dimension: str
    weight: float
    applies: bool
    answered: bool  # an answer is given, N/A and "don't know" included
    na: bool
    dont_know: bool
    value: float | None  # None when not counted
    max: float | None  # None for a question that is not scored
    counted: bool  # applies, answered, scored and not N/A
    critical_unmet: bool


@dataclass(frozen=True)
class DimensionResult:
    id: str
    weight: float
    score: float | None  # 0..100, None when no question counted
    coverage: float | None  # answered / applicable scored questions, None when none applies
    applicable: int
    answered: int
    counted: int
    dont_know: int
    low_confidence: bool


@dataclass(frozen=True)
class GroupResult:
    id: str
    score: float | None  # the weighted mean of its counted dimensions' scores, as the overall is
    dimensions: list[str]


@dataclass(frozen=True)
class LevelCheck:
    """Why a level is reached or not: the transparency a manager can read."""

    level: Level
    rank: int
    overall_ok: bool
    dimensions_below_floor: list[str]

    @property
    def reached(self) -> bool:
        return self.overall_ok and not self.dimensions_below_floor


@dataclass(frozen=True)
class Result:
    overall: float | None
    coverage: float | None
    level: Level | None
    level_rank: int | None
    level_by_score: Level | None  # before the critical cap
    capped_by_critical: bool
    critical_unmet: list[str]
    critical_unanswered: list[str]
    dimensions: list[DimensionResult]
    questions: dict[str, QuestionResult]
    level_checks: list[LevelCheck]
    recommendations: list[RankedRecommendation] = field(default_factory=list)
    groups: list[GroupResult] = field(default_factory=list)
    modules: list[str] = field(default_factory=list)  # the ids of the modules opened for this company

    def dimension(self, dimension_id: str) -> DimensionResult:
        return next(d for d in self.dimensions if d.id == dimension_id)


def score_questions(
    questionnaire: LoadedQuestionnaire, profile: Profile, answers: Mapping[str, Answer], applies: Mapping[str, bool]
) -> dict[str, QuestionResult]:
    results: dict[str, QuestionResult] = {}
    for dimension in questionnaire.dimensions:
        for question in dimension.questions:
            options = questionnaire.options(question)
            maximum = question_max(question, options)
            answer = answers.get(question.id)
            applicable = applies[question.id]
            answered = applicable and answer is not None
            value = answer_value(question, options, answer.value) if answered and answer else None
            counted = answered and maximum is not None and value is not None
            critical_unmet = bool(
                question.critical and counted and value is not None and value < question.critical.min - EPSILON
            )
            results[question.id] = QuestionResult(
                id=question.id,
                dimension=dimension.id,
                weight=question.weight,
                applies=applicable,
                answered=answered,
                na=answered and answer is not None and answer.value == NA,
                dont_know=answered and answer is not None and answer.value == DONT_KNOW,
                value=value if counted else None,
                max=maximum,
                counted=counted,
                critical_unmet=critical_unmet,
            )
    return results


def _dimension_result(questionnaire: LoadedQuestionnaire, dimension_id: str, rows: list[QuestionResult]) -> DimensionResult:
    dimension = questionnaire.dimension_by_id[dimension_id]
    settings = questionnaire.model.results
    scored = [r for r in rows if r.applies and r.max is not None]
    counted = [r for r in scored if r.counted]
    answered = sum(1 for r in scored if r.answered)
    dont_know = sum(1 for r in scored if r.dont_know)
    denominator = fsum(r.weight * (r.max or 0) for r in counted)
    # values never exceed their maximum: the clamp only absorbs floating-point rounding
    score = min(100.0, 100 * fsum(r.weight * (r.value or 0) for r in counted) / denominator) if denominator else None
    coverage = answered / len(scored) if scored else None
    low_confidence = coverage is not None and (
        coverage < settings.low_coverage or (answered > 0 and dont_know / answered > settings.high_dont_know)
    )
    return DimensionResult(
        id=dimension.id,
        weight=dimension.weight,
        score=score,
        coverage=coverage,
        applicable=len(scored),
        answered=answered,
        counted=len(counted),
        dont_know=dont_know,
        low_confidence=low_confidence,
    )


def overall_score(dimensions: list[DimensionResult]) -> float | None:
    """The weighted mean of the dimension scores; a dimension of weight 0 is left out."""
    scored = [d for d in dimensions if d.score is not None and d.weight > 0]
    total_weight = fsum(d.weight for d in scored)
    if not total_weight:
        return None
    mean = fsum(d.weight * (d.score or 0) for d in scored) / total_weight
    # a weighted mean lies between its extremes; the clamp only absorbs floating-point rounding
    values = [d.score or 0 for d in scored]
    return min(max(mean, min(values)), max(values))


def pooled_score(rows: list[QuestionResult]) -> float | None:
    """Σ weight·value ÷ Σ weight·max over the counted questions given (for `overall: pooled`)."""
    counted = [r for r in rows if r.counted]
    denominator = fsum(r.weight * (r.max or 0) for r in counted)
    if not denominator:
        return None
    return min(100.0, 100 * fsum(r.weight * (r.value or 0) for r in counted) / denominator)


def group_results(questionnaire: LoadedQuestionnaire, dimensions: list[DimensionResult]) -> list[GroupResult]:
    results = []
    for group in questionnaire.model.groups:
        members = [d for d in dimensions if questionnaire.dimension_by_id[d.id].group == group.id]
        results.append(GroupResult(id=group.id, score=overall_score(members), dimensions=[d.id for d in members]))
    return results


# Thresholds are compared with this tolerance so that a score of exactly 25 computed as
# 24.999999999999996 still reaches the level that starts at 25.
EPSILON = 1e-9


def level_checks(questionnaire: LoadedQuestionnaire, overall: float | None, dimensions: list[DimensionResult]) -> list[LevelCheck]:
    checks = []
    for rank, level in enumerate(questionnaire.model.results.levels, start=1):
        overall_ok = overall is not None and overall >= level.min_overall - EPSILON
        below = [
            d.id
            for d in dimensions
            if level.min_dimension is not None
            and d.weight > 0  # a dimension of weight 0 is reported, not judged
            and d.score is not None
            and d.score < level.min_dimension - EPSILON
        ]
        checks.append(LevelCheck(level=level, rank=rank, overall_ok=overall_ok, dimensions_below_floor=below))
    return checks


def score(questionnaire: LoadedQuestionnaire, profile: Profile, answers: Mapping[str, Answer]) -> Result:
    """Score answers: per question, per dimension, overall, level and ranked recommendations."""
    applies, opened = applicability_and_modules(questionnaire, profile, answers)
    questions = score_questions(questionnaire, profile, answers, applies)
    return result_of(
        questionnaire, questions, rank_recommendations(questionnaire, questions, answers, profile),
        [m.id for m in questionnaire.model.modules if opened.get(m.id)],
    )  # fmt: skip


def result_of(
    questionnaire: LoadedQuestionnaire,
    questions: dict[str, QuestionResult],
    recommendations: list[RankedRecommendation],
    modules: list[str],
) -> Result:
    """Everything that follows from the questions' results: dimensions, overall, coverage, level (the
    evidence-backed score reuses it with other values)."""
    by_dimension: dict[str, list[QuestionResult]] = {d.id: [] for d in questionnaire.dimensions}
    for row in questions.values():
        by_dimension[row.dimension].append(row)
    dimensions = [_dimension_result(questionnaire, d.id, by_dimension[d.id]) for d in questionnaire.dimensions]
    if questionnaire.model.results.overall == "pooled":
        counted_dimensions = {d.id for d in dimensions if d.weight > 0}
        overall = pooled_score([r for r in questions.values() if r.dimension in counted_dimensions])
    else:
        overall = overall_score(dimensions)

    scored_rows = [r for d in dimensions for r in by_dimension[d.id] if r.applies and r.max is not None]
    answered = sum(1 for r in scored_rows if r.answered)
    coverage = answered / len(scored_rows) if scored_rows else None

    checks = level_checks(questionnaire, overall, dimensions)
    reached = [c for c in checks if c.reached]
    by_score = reached[-1] if reached else None
    critical_unmet = [r.id for r in questions.values() if r.critical_unmet]
    critical_unanswered = [
        q.id
        for q in questionnaire.questions.values()
        if q.critical is not None and questions[q.id].applies and not questions[q.id].answered
    ]
    final = by_score
    capped = False
    cap_id = questionnaire.model.results.critical_cap
    if by_score is not None and critical_unmet and cap_id is not None:
        cap = next(c for c in checks if c.level.id == cap_id)
        if cap.rank < by_score.rank:
            final, capped = cap, True

    return Result(
        overall=overall,
        coverage=coverage,
        level=final.level if final else None,
        level_rank=final.rank if final else None,
        level_by_score=by_score.level if by_score else None,
        capped_by_critical=capped,
        critical_unmet=critical_unmet,
        critical_unanswered=critical_unanswered,
        dimensions=dimensions,
        questions=questions,
        level_checks=checks,
        recommendations=recommendations,
        groups=group_results(questionnaire, dimensions),
        modules=modules,
    )
