"""Two results of one company side by side: what moved per dimension and per question (pure).

A question counts as moved when it was counted in both results (applies, answered, scored, not
N/A) and its value changed; the move is expressed in points out of 100 of that question's maximum,
so that a yes/no and a 0–4 ladder compare. Dimensions are those of the later result.
"""

from __future__ import annotations

from dataclasses import dataclass

from diagnostic.core.loading import LoadedQuestionnaire
from diagnostic.core.schema import AnyQuestion
from diagnostic.core.scoring import Result


@dataclass(frozen=True)
class DimensionChange:
    dimension: str
    before: float | None  # None: the earlier result has no score for it (or not that dimension)
    after: float | None
    delta: float | None  # None when one side has no score


@dataclass(frozen=True)
class QuestionChange:
    question: str
    points: float  # out of 100 of the question's maximum; > 0 went up


@dataclass(frozen=True)
class Comparison:
    dimensions: list[DimensionChange]
    went_up: list[QuestionChange]  # largest rise first
    went_down: list[QuestionChange]  # largest fall first


def _measure(questionnaire: LoadedQuestionnaire, question: AnyQuestion) -> object:
    """What an answer's value means: the type and every score (not the wording, which may improve)."""
    options = [(o.id, o.score, o.exclusive) for o in questionnaire.options(question)]
    scores = getattr(question, "scores", None)
    bands = getattr(question, "score_bands", None)
    return (question.type, question.scored, options, scores, bands, getattr(question, "max_score", None))


def comparable_questions(before: LoadedQuestionnaire, after: LoadedQuestionnaire) -> set[str]:
    """The question ids measured the same way in both questionnaires (two versions of one, often):
    a question whose options or scores changed is not compared answer to answer."""
    if before.content_hash == after.content_hash:
        return set(after.questions)
    return {
        qid
        for qid, question in after.questions.items()
        if qid in before.questions and _measure(before, before.questions[qid]) == _measure(after, question)
    }


def compare(before: Result, after: Result, comparable: set[str] | None = None) -> Comparison:
    """`comparable`: the questions whose answers may be compared (all by default)."""
    earlier = {d.id: d.score for d in before.dimensions}
    dimensions = []
    for d in after.dimensions:
        old = earlier.get(d.id)
        delta = None if old is None or d.score is None else d.score - old
        dimensions.append(DimensionChange(d.id, old, d.score, delta))
    moves = []
    for qid, row in after.questions.items():
        old_row = before.questions.get(qid)
        if comparable is not None and qid not in comparable:
            continue
        if not row.counted or old_row is None or not old_row.counted or not row.max:
            continue
        if row.value is None or old_row.value is None or row.value == old_row.value:
            continue
        moves.append(QuestionChange(qid, 100 * (row.value - old_row.value) / row.max))
    up = sorted((m for m in moves if m.points > 0), key=lambda m: (-m.points, m.question))
    down = sorted((m for m in moves if m.points < 0), key=lambda m: (m.points, m.question))
    return Comparison(dimensions, up, down)
