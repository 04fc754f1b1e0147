"""A network's own label (pure): its definition, the check of its criteria against a result, the
committee's outcome and the validity of a granted label.

A label file (labels/*.yaml, docs/label-format.md) names the questionnaire it applies to and its
criteria; each criterion has one `kind`:

- min_level: the result's level is at least this level of the questionnaire;
- dimension_floor: this dimension's score is at least `min_score` (0..100);
- critical_met: every critical question (legal basic) that applies is answered and met;
- min_coverage: at least `min_share` (0..1) of the applicable scored questions are answered;
- evidence_share: at least `min_share` of the answers are backed by evidence. Evidence is not
  recorded yet: this criterion is "not measurable yet", never blocking, and said so.

A criterion is blocking unless the file says `blocking: false`: a label cannot be granted while a
blocking criterion is unmet, whatever the votes.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from datetime import date
from functools import partial
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from diagnostic.core.loading import LoadedQuestionnaire
from diagnostic.core.schema import Id, Text
from diagnostic.core.scoring import EPSILON, Result

MET, UNMET, NOT_MEASURABLE = "met", "unmet", "not_measurable"
VOTES = ("granted", "deferred", "refused")
RECOMMENDATIONS = ("grant", "defer", "refuse")
OPEN = ("submitted", "reviewed")  # an application the committee has not decided and the member not withdrawn


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class _Criterion(_Strict):
    id: Id
    label: Text
    blocking: bool = Field(default=True, description="false: shown and checked, but a grant does not need it")


class MinLevel(_Criterion):
    kind: Literal["min_level"]
    level: Id = Field(description="A level id of the questionnaire: the result must reach it")


class DimensionFloor(_Criterion):
    kind: Literal["dimension_floor"]
    dimension: Id = Field(description="A dimension id of the questionnaire")
    min_score: float = Field(ge=0, le=100, description="The dimension's score must be at least this (0..100)")


class CriticalMet(_Criterion):
    kind: Literal["critical_met"]


class MinCoverage(_Criterion):
    kind: Literal["min_coverage"]
    min_share: float = Field(ge=0, le=1, description="Share of the applicable scored questions answered (0..1)")


class EvidenceShare(_Criterion):
    kind: Literal["evidence_share"]
    min_share: float = Field(ge=0, le=1, description="Share of the answers backed by evidence (0..1)")
    blocking: bool = Field(default=False, description="Always false: evidence is not recorded yet")

    @model_validator(mode="after")
    def _never_blocking(self) -> EvidenceShare:
        if self.blocking:
            raise ValueError("an evidence_share criterion cannot be blocking yet: evidence is not recorded")
        return self


Criterion = Annotated[MinLevel | DimensionFloor | CriticalMet | MinCoverage | EvidenceShare, Field(discriminator="kind")]
KINDS = ("min_level", "dimension_floor", "critical_met", "min_coverage", "evidence_share")


class Committee(_Strict):
    quorum: int = Field(ge=1, le=50, description="How many votes the committee needs before it decides")


class LabelDefinition(_Strict):
    id: Id
    version: str = Field(min_length=1, max_length=40)
    name: Text
    description: Text
    questionnaire: Id = Field(description="The id of the questionnaire whose results the label reads")
    validity_years: int = Field(ge=1, le=10)
    renewal_notice_days: int = Field(ge=0, le=365)
    committee: Committee
    criteria: list[Criterion] = Field(min_length=1)


def check_label(definition: LabelDefinition, questionnaire: LoadedQuestionnaire) -> list[tuple[str, str]]:
    """(YAML path, problem) for each id of the label that the questionnaire does not have."""
    problems: list[tuple[str, str]] = []
    if questionnaire.id != definition.questionnaire:
        problems.append(("questionnaire", f"expected the questionnaire '{definition.questionnaire}', got '{questionnaire.id}'"))
    levels = [level.id for level in questionnaire.model.results.levels]
    dimensions = [d.id for d in questionnaire.dimensions]
    seen: set[str] = set()
    for i, criterion in enumerate(definition.criteria):
        path = f"criteria[{i}]"
        if criterion.id in seen:
            problems.append((f"{path}.id", f"the criterion id '{criterion.id}' is used twice"))
        seen.add(criterion.id)
        if isinstance(criterion, MinLevel) and criterion.level not in levels:
            problems.append((f"{path}.level", f"unknown level '{criterion.level}': use one of {', '.join(levels)}"))
        if isinstance(criterion, DimensionFloor) and criterion.dimension not in dimensions:
            problems.append(
                (f"{path}.dimension", f"unknown dimension '{criterion.dimension}': use one of {', '.join(dimensions)}")
            )
    return problems


@dataclass(frozen=True)
class CriterionCheck:
    """One criterion as checked against one result; kept as JSON in the application (`as_dict`)."""

    id: str
    kind: str
    label: dict[str, str]  # {"fr": …, "en": …}
    status: str  # met | unmet | not_measurable
    blocking: bool
    value: float | str | None = None  # what the result has (a score, a share, a level id)
    target: float | str | None = None  # what the criterion asks
    detail: list[str] | None = None  # the ids at fault (critical questions)

    @property
    def blocks(self) -> bool:
        """Unmet and blocking: the label cannot be granted."""
        return self.blocking and self.status == UNMET

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> CriterionCheck:
        return cls(
            id=str(data["id"]), kind=str(data["kind"]), label=dict(data["label"]), status=str(data["status"]),
            blocking=bool(data["blocking"]), value=data.get("value"), target=data.get("target"),
            detail=list(data["detail"]) if data.get("detail") is not None else None,
        )  # fmt: skip


def _status(ok: bool) -> str:
    return MET if ok else UNMET


def _check(
    c: _Criterion, status: str, value: float | str | None = None, target: float | str | None = None,
    detail: list[str] | None = None,
) -> CriterionCheck:  # fmt: skip
    kind = str(getattr(c, "kind", ""))
    return CriterionCheck(c.id, kind, {"fr": c.label.fr, "en": c.label.en}, status, c.blocking, value, target, detail)


def evaluate_criteria(definition: LabelDefinition, result: Result) -> list[CriterionCheck]:
    """Each criterion of the label, checked against the result (thresholds with the scoring's tolerance)."""
    ranks = {check.level.id: check.rank for check in result.level_checks}
    scores = {d.id: d.score for d in result.dimensions}
    checks = []
    for c in definition.criteria:
        check = partial(_check, c)
        if isinstance(c, MinLevel):
            wanted = ranks.get(c.level)
            ok = wanted is not None and result.level_rank is not None and result.level_rank >= wanted
            checks.append(check(_status(ok), result.level.id if result.level else None, c.level))
        elif isinstance(c, DimensionFloor):
            score = scores.get(c.dimension)
            checks.append(check(_status(score is not None and score >= c.min_score - EPSILON), score, c.min_score))
        elif isinstance(c, CriticalMet):
            # an unanswered legal basic is not shown to be met
            faults = [*result.critical_unmet, *result.critical_unanswered]
            checks.append(check(_status(not faults), detail=faults))
        elif isinstance(c, MinCoverage):
            coverage = result.coverage
            checks.append(check(_status(coverage is not None and coverage >= c.min_share - EPSILON), coverage, c.min_share))
        else:  # evidence_share: evidence is not recorded yet
            checks.append(check(NOT_MEASURABLE, target=c.min_share))
    return checks


def blocking_unmet(checks: Iterable[CriterionCheck]) -> list[CriterionCheck]:
    return [c for c in checks if c.blocks]


def committee_outcome(votes: Iterable[str], quorum: int) -> str | None:
    """The committee's outcome: None below `quorum` votes; else the vote cast by more than half of
    the voters; without such a majority (a tie, a split) "deferred", the prudent reading."""
    cast = list(votes)
    if len(cast) < max(quorum, 1):
        return None
    for vote, count in Counter(cast).most_common(1):
        if 2 * count > len(cast):
            return vote
    return "deferred"


def tally(votes: Iterable[str]) -> dict[str, int]:
    counted = Counter(votes)
    return {vote: counted.get(vote, 0) for vote in VOTES}


def add_years(start: date, years: int) -> date:
    """The same day `years` later (a 29 February gives the 28th in a common year)."""
    try:
        return start.replace(year=start.year + years)
    except ValueError:
        return start.replace(year=start.year + years, day=28)


def validity_state(valid_until: date, today: date, notice_days: int) -> str:
    """valid | renewal_due (within `notice_days` of the end) | expired (after the last valid day)."""
    if today > valid_until:
        return "expired"
    if (valid_until - today).days <= notice_days:
        return "renewal_due"
    return "valid"


# --- the catalogue keys of the label's words (the screens and the letter translate them) -----------
CHECK_KEYS = {MET: "label.check.met", UNMET: "label.check.unmet", NOT_MEASURABLE: "label.check.not_measurable"}
DECISION_KEYS = {"granted": "label.decision.granted", "deferred": "label.decision.deferred", "refused": "label.decision.refused"}
LETTER_DECISION_KEYS = {
    "granted": "label.letter.decision_granted", "deferred": "label.letter.decision_deferred",
    "refused": "label.letter.decision_refused",
}  # fmt: skip
RECOMMENDATION_KEYS = {"grant": "label.recommendation.grant", "defer": "label.recommendation.defer", "refuse": "label.recommendation.refuse"}
APPLICATION_STATUS_KEYS = {
    "submitted": "label.app_status.submitted", "reviewed": "label.app_status.reviewed",
    "decided": "label.app_status.decided", "withdrawn": "label.app_status.withdrawn",
}  # fmt: skip
STEP_KEYS = {
    "applied": "label.step.applied", "reviewed": "label.step.reviewed", "voted": "label.step.voted",
    "decided": "label.step.decided", "withdrawn": "label.step.withdrawn", "renewal_due": "label.step.renewal_due",
}  # fmt: skip
VALIDITY_KEYS = {"valid": "label.validity.valid", "renewal_due": "label.validity.renewal_due", "expired": "label.validity.expired"}
