"""Label readiness of an assessment: the necessary conditions of AFNOR Engagé RSE, EcoVadis and
B Corp checked against its answers (diagnostic/core/readiness.py). Who may see it: whoever may see
the assessment (services.assessments.evaluate applies the access rules)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from diagnostic.core.answers import Answer
from diagnostic.core.loading import LoadedQuestionnaire
from diagnostic.core.profile import Profile
from diagnostic.core.readiness import ReadinessReport, assess
from diagnostic.core.scoring import Result
from diagnostic.readiness_files import shipped_frameworks
from diagnostic.services.assessments import Evaluation, evaluate
from diagnostic.services.context import Context


def readiness_reports(
    questionnaire: LoadedQuestionnaire, profile: Profile, answers: Mapping[str, Answer], result: Result
) -> list[ReadinessReport]:
    """Every shipped framework checked against one scored assessment (no access check: the caller read it)."""
    return [assess(framework, questionnaire, profile, answers, result) for framework in shipped_frameworks()]


def readiness(ctx: Context, assessment_id: int) -> list[ReadinessReport] | None:
    """The readiness of the assessment for each framework; None when it is out of the actor's reach."""
    evaluation = evaluate(ctx, assessment_id)
    if evaluation is None:
        return None
    return readiness_reports(
        evaluation.questionnaire, evaluation.company.profile, evaluation.answers, evaluation.result
    )


@dataclass(frozen=True)
class ReadinessView:
    """What the page shows: the assessment evaluated once (its questionnaire words the reasons, its
    recommendations say what to do) and the readiness for each framework."""

    evaluation: Evaluation
    reports: list[ReadinessReport]


def readiness_view(ctx: Context, assessment_id: int) -> ReadinessView | None:
    """The evaluation and its readiness reports; None when the assessment is out of reach."""
    evaluation = evaluate(ctx, assessment_id)
    if evaluation is None:
        return None
    reports = readiness_reports(
        evaluation.questionnaire, evaluation.company.profile, evaluation.answers, evaluation.result
    )
    return ReadinessView(evaluation, reports)
