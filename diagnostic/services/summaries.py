"""The assessments' read model: each assessment's result, scored once and stored until it changes."""

from __future__ import annotations

from collections.abc import Iterable

from diagnostic.core.scoring import Result, score
from diagnostic.services.assessments import split_answers
from diagnostic.services.questionnaires import questionnaire_of
from diagnostic.storage.summaries import SummaryRecord, SummarySource
from diagnostic.storage.uow import UnitOfWork


def summary_of(assessment_id: int, result: Result) -> SummaryRecord:
    """What the read model keeps of a result."""
    weak = [
        r.id
        for r in result.questions.values()
        if r.counted and r.value is not None and r.max is not None and r.value < r.max / 2
    ]
    return SummaryRecord(
        assessment_id=assessment_id,
        overall=result.overall,
        coverage=result.coverage,
        level=result.level.id if result.level else None,
        level_rank=result.level_rank,
        dimensions={d.id: d.score for d in result.dimensions},
        critical_unmet=list(result.critical_unmet),
        weak_questions=weak,
        answered=sum(d.answered for d in result.dimensions),
    )


def _scored(uow: UnitOfWork, source: SummarySource) -> Result:
    # the same steps as assessments.evaluate: the snapshot's questionnaire, the profile, the answers
    questionnaire = questionnaire_of(uow, source.assessment)
    answers, _ = split_answers(source.answers)
    answers = {k: v for k, v in answers.items() if k in questionnaire.questions}
    return score(questionnaire, source.company.profile, answers)


def current(uow: UnitOfWork, assessment_ids: Iterable[int]) -> dict[int, SummaryRecord]:
    """Fresh summaries of these assessments: the stored ones still valid, the others computed with the
    scoring engine and stored. No rights check: the caller has checked (portfolio, network).

    Joins the caller's transaction (`uow.run`); an id that does not exist is left out of the answer.
    """
    wanted = set(assessment_ids)
    if not wanted:
        return {}
    with uow:
        found, stale = uow.summaries.valid(wanted)
        for source in uow.summaries.sources(stale):
            summary = summary_of(source.assessment.id, _scored(uow, source))
            uow.summaries.put(summary, source.stamp, source.assessment.content_hash)
            found[summary.assessment_id] = summary
    return found
