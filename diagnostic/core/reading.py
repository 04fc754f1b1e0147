"""How to read a result honestly: is it provisional, which dimensions are not filled in, which are
strengths or weaknesses, what is left to answer.

Pure functions of the engine's `Result` (no Streamlit, no SQLAlchemy, no rounding of the scores
themselves): the Results page and the PDF report both call `read`, so that the screen and the
report say the same thing. The scoring rules are in `diagnostic/core/scoring.py` and are not changed here.

- A result is **provisional** when fewer applicable questions are answered than the
  questionnaire's coverage threshold (`results.low_coverage`): the score and level are shown, marked
  provisional, with the number of applicable questions still without an answer.
- A dimension without a score is **not filled in** while some of its applicable questions are
  unanswered (it could still get a score), and **not concerned** when every applicable question is
  answered N/A or none applies. Neither is ever drawn or listed as 0.
- **Strengths** are the scored dimensions whose score, as shown (rounded), is strictly above the
  median of the shown scores; **weaknesses** strictly below it; at most `limit` of each. A dimension
  can therefore never be both, a single scored dimension is neither, and dimensions tied at the
  median are neither (with two to four scored dimensions this is the top and bottom half).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from statistics import median

from diagnostic.core.loading import LoadedQuestionnaire
from diagnostic.core.scoring import DimensionResult, Result

SCORED = "scored"
NOT_FILLED = "not_filled"
NOT_CONCERNED = "not_concerned"
LIMIT = 3  # strengths and weaknesses shown, at most


def is_provisional(coverage: float | None, threshold: float) -> bool:
    """A result is provisional below the coverage threshold (and when nothing applies at all)."""
    return coverage is None or coverage < threshold


def dimension_state(dimension: DimensionResult) -> str:
    """SCORED, NOT_FILLED (no score, some applicable question unanswered) or NOT_CONCERNED (no score,
    every applicable question answered N/A, or none applies)."""
    if dimension.score is not None:
        return SCORED
    if dimension.answered < dimension.applicable:
        return NOT_FILLED
    return NOT_CONCERNED


def shown(score: float) -> int:
    """A score as it is displayed: rounded once, half to even (the same as f"{score:.0f}")."""
    return round(score)


def strengths_and_weaknesses(scores: Sequence[tuple[str, float]], limit: int = LIMIT) -> tuple[list[str], list[str]]:
    """(strengths best first, weaknesses weakest first) among (id, score) pairs of scored dimensions.

    Compared as shown (rounded) so that a strength never shows the same number as a weakness; ties
    keep the given order."""
    if len(scores) < 2:
        return [], []
    middle = median(shown(s) for _, s in scores)
    above = sorted((pair for pair in scores if shown(pair[1]) > middle), key=lambda pair: -shown(pair[1]))
    below = sorted((pair for pair in scores if shown(pair[1]) < middle), key=lambda pair: shown(pair[1]))
    return [i for i, _ in above[:limit]], [i for i, _ in below[:limit]]


def cyclic_runs(present: Sequence[bool]) -> list[list[int]]:
    """The runs of consecutive present indices around a circle (the axes of a radar), each in order;
    a run that crosses the end continues at the start. All present: one run of every index."""
    count = len(present)
    if count == 0 or not any(present):
        return []
    if all(present):
        return [list(range(count))]
    start = next(i for i in range(count) if not present[i])  # begin after a gap: no run is cut in two
    runs: list[list[int]] = []
    current: list[int] = []
    for step in range(1, count + 1):
        index = (start + step) % count
        if present[index]:
            current.append(index)
        elif current:
            runs.append(current)
            current = []
    if current:
        runs.append(current)
    return runs


@dataclass(frozen=True)
class Reading:
    provisional: bool
    coverage: float | None  # the engine's overall coverage
    threshold: float  # the questionnaire's results.low_coverage
    applicable: int  # applicable scored questions
    unanswered: int  # of those, without an answer
    first_unanswered: str | None  # question id, in questionnaire order
    first_unanswered_dimension: str | None
    states: dict[str, str]  # dimension id -> SCORED | NOT_FILLED | NOT_CONCERNED
    strengths: list[str]  # dimension ids, best first
    weaknesses: list[str]  # dimension ids, weakest first
    critical_unmet: list[str]  # question ids
    critical_unanswered: list[str]  # question ids

    @property
    def not_filled(self) -> list[str]:
        return [d for d, state in self.states.items() if state == NOT_FILLED]

    @property
    def legal_all_clear(self) -> bool:
        """Only then may a page say that no legal basic is unmet."""
        return not self.critical_unmet and not self.critical_unanswered


def read(questionnaire: LoadedQuestionnaire, result: Result, limit: int = LIMIT) -> Reading:
    threshold = questionnaire.model.results.low_coverage
    applicable = sum(d.applicable for d in result.dimensions)
    answered = sum(d.answered for d in result.dimensions)
    first = next(
        (
            (dimension.id, question.id)
            for dimension in questionnaire.dimensions
            for question in dimension.questions
            if (row := result.questions.get(question.id)) is not None
            and row.applies
            and row.max is not None
            and not row.answered
        ),
        None,
    )
    strengths, weaknesses = strengths_and_weaknesses(
        [(d.id, d.score) for d in result.dimensions if d.score is not None], limit
    )
    return Reading(
        provisional=is_provisional(result.coverage, threshold),
        coverage=result.coverage,
        threshold=threshold,
        applicable=applicable,
        unanswered=applicable - answered,
        first_unanswered=first[1] if first else None,
        first_unanswered_dimension=first[0] if first else None,
        states={d.id: dimension_state(d) for d in result.dimensions},
        strengths=strengths,
        weaknesses=weaknesses,
        critical_unmet=list(result.critical_unmet),
        critical_unanswered=list(result.critical_unanswered),
    )
