"""A network's anonymous benchmark and the level of a group certified together (pure rules).

Benchmark. Per dimension and overall: the first quartile, the median and the third quartile of
the scores of the sharing members' latest completed assessments, shown only when at least
BENCHMARK_MIN members contribute a score to that figure (a dimension a member has no score in is
no contribution), and never naming one. The quartiles are those of
`statistics.quantiles(values, n=4, method="inclusive")`: linear interpolation between the sorted
values at positions (n - 1)·p (Hyndman & Fan type 7, the default of R, NumPy and Excel's
QUARTILE.INC), so the median is the usual median and every figure lies between the lowest and the
highest score. A member that does not share never counts; one network's figures read its own
members only. A sector benchmark is the same rule on the members of one NAF section.

Group. The members of a group are certified together: the group's level is its weakest member's
(the lowest level rank). A member without a shared completed assessment leaves the level "not
established" and is named. The weakest members hold the group back; `held_back` says why: the
overall score below the next level's threshold, the dimensions below its floor, the legal basics
unmet when the next level is above the level they cap at.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from diagnostic.core.loading import LoadedQuestionnaire
from diagnostic.core.schema import Level
from diagnostic.core.scoring import DimensionResult, level_checks

BENCHMARK_MIN = 5  # contributors a figure needs before it is shown
NO_LEVEL = 0  # the rank of a completed assessment that reaches no level at all


@dataclass(frozen=True)
class Quartiles:
    """Q1, median and Q3 of `n` members' scores (0..100), never the scores themselves."""

    q1: float
    median: float
    q3: float
    n: int


def quartiles(values: Iterable[float]) -> Quartiles | None:
    """The quartiles of the values, or None below BENCHMARK_MIN values."""
    data = sorted(values)
    if len(data) < BENCHMARK_MIN:
        return None
    q1, median, q3 = statistics.quantiles(data, n=4, method="inclusive")
    low, high = data[0], data[-1]
    # an interpolation lies between its neighbours: the clamps only absorb floating-point rounding
    q1 = min(max(q1, low), high)
    median = min(max(median, q1), high)
    q3 = min(max(q3, median), high)
    return Quartiles(q1, median, q3, len(data))


@dataclass(frozen=True)
class Contribution:
    """A network member's latest completed assessment, as the benchmark reads it."""

    network_id: int
    member_id: int
    shares: bool
    section: str | None  # the NAF section of the member's sector
    overall: float | None
    dimensions: Mapping[str, float | None] = field(default_factory=dict)


@dataclass(frozen=True)
class Figures:
    """A benchmark: `contributors` members counted; only the figures with enough of them."""

    contributors: int
    overall: Quartiles | None
    dimensions: dict[str, Quartiles]

    @property
    def empty(self) -> bool:
        return self.overall is None and not self.dimensions


def figures(contributions: Iterable[Contribution], network_id: int, section: str | None = None) -> Figures:
    """The benchmark of one network (of one NAF section of it, when `section` is given): the sharing
    members only, each once (its last contribution given)."""
    counted: dict[int, Contribution] = {}
    for c in contributions:
        if c.network_id == network_id and c.shares and (section is None or c.section == section):
            counted[c.member_id] = c
    members = list(counted.values())
    dimension_ids: list[str] = []
    for c in members:
        dimension_ids += [d for d in c.dimensions if d not in dimension_ids]
    dimensions: dict[str, Quartiles] = {}
    for dimension_id in dimension_ids:
        found = quartiles(v for c in members if (v := c.dimensions.get(dimension_id)) is not None)
        if found is not None:
            dimensions[dimension_id] = found
    overall = quartiles(c.overall for c in members if c.overall is not None)
    return Figures(contributors=len(members), overall=overall, dimensions=dimensions)


@dataclass(frozen=True)
class Benchmark:
    """What a member sees of one network it shares with: the network's figures and its sector's."""

    network_id: int
    network: str  # the network's name
    figures: Figures
    section: str | None  # the member's NAF section (None: no sector given)
    sector_figures: Figures | None  # None without a section
    titles: Mapping[str, str] = field(default_factory=dict)  # dimension id -> title, in the reader's language


# --- the group rule -----------------------------------------------------------------------------


@dataclass(frozen=True)
class GroupMember:
    member_id: int
    rank: int | None  # the level rank of its shared latest completed assessment (NO_LEVEL: none
    # reached); None when it has none or does not share: the group level cannot be established


@dataclass(frozen=True)
class GroupLevel:
    rank: int | None  # the weakest member's rank; None when not established (or no member)
    missing: tuple[int, ...]  # members without a shared completed assessment
    weakest: tuple[int, ...]  # the members at the group's rank: those who hold it back

    @property
    def established(self) -> bool:
        return self.rank is not None


def group_level(members: Sequence[GroupMember]) -> GroupLevel:
    """The group's level: its weakest member's; not established while a member has no level."""
    missing = tuple(m.member_id for m in members if m.rank is None)
    ranks = [m.rank for m in members if m.rank is not None]
    if missing or not ranks:
        return GroupLevel(None, missing, ())
    low = min(ranks)
    return GroupLevel(low, (), tuple(m.member_id for m in members if m.rank == low))


@dataclass(frozen=True)
class HeldBack:
    """Why a member stays at its level: what the next level asks that it does not have."""

    next_level: Level | None  # None at the top level
    overall_short: bool  # its overall score is below the next level's threshold
    dimensions_below: list[str]  # dimension ids below the next level's floor (questionnaire order)
    critical_unmet: list[str]  # legal basics unmet, when the next level is above their cap


def held_back(
    questionnaire: LoadedQuestionnaire,
    rank: int,
    overall: float | None,
    dimensions: Mapping[str, float | None],
    critical_unmet: Sequence[str],
) -> HeldBack:
    """What keeps an assessment of that level rank (NO_LEVEL: none reached) from the next level, by
    the same checks as the scoring (`scoring.level_checks`): its floors include the current level's,
    which a member capped by a legal basic may not meet either."""
    scored = [
        DimensionResult(
            id=d.id, weight=d.weight, score=dimensions.get(d.id), coverage=None, applicable=0, answered=0, counted=0,
            dont_know=0, low_confidence=False,
        )
        for d in questionnaire.dimensions
        if d.id in dimensions
    ]  # fmt: skip
    checks = level_checks(questionnaire, overall, scored)
    critical = [q for q in critical_unmet if q in questionnaire.questions]
    if rank >= len(checks):
        return HeldBack(None, False, [], critical)
    nxt = checks[rank]  # ranks start at 1: checks[rank] is the level above
    # a legal basic unmet caps the level at `critical_cap`: it holds back only above that level
    cap = next((c.rank for c in checks if c.level.id == questionnaire.model.results.critical_cap), None)
    blocking = critical if cap is not None and nxt.rank > cap else []
    return HeldBack(nxt.level, not nxt.overall_ok, list(nxt.dimensions_below_floor), blocking)
