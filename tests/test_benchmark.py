"""The benchmark's and the group's pure rules (diagnostic/core/benchmark.py): hand-computed cases and
hypothesis properties."""

from __future__ import annotations

import statistics

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from diagnostic.core.benchmark import (
    BENCHMARK_MIN,
    NO_LEVEL,
    Contribution,
    GroupMember,
    Quartiles,
    figures,
    group_level,
    held_back,
    quartiles,
)

SCORES = st.floats(min_value=0, max_value=100, allow_nan=False)
DIMENSIONS = ("gov", "env", "rh")


def contribution(
    network: int,
    member: int,
    overall: float | None,
    shares: bool = True,
    section: str | None = "C",
    **dims: float | None,
) -> Contribution:
    return Contribution(network, member, shares, section, overall, dims)


# --- quartiles ------------------------------------------------------------------------------------


def test_quartiles_by_hand() -> None:
    assert quartiles([50, 10, 40, 20, 30]) == Quartiles(20, 30, 40, 5)
    # positions (n - 1)·p on the sorted values 0, 10, 20, 30, 40, 100: 1.25, 2.5, 3.75
    assert quartiles([0, 10, 20, 30, 40, 100]) == Quartiles(12.5, 25, 37.5, 6)
    assert quartiles([7.0] * 5) == Quartiles(7.0, 7.0, 7.0, 5)
    assert quartiles([10, 20, 30, 40]) is None  # four: nothing
    assert quartiles([]) is None
    assert BENCHMARK_MIN == 5


def test_the_method_is_statistics_inclusive() -> None:
    values = [3.0, 71.5, 12.25, 99.0, 50.0, 42.0, 8.0]
    found = quartiles(values)
    assert found is not None
    assert [found.q1, found.median, found.q3] == pytest.approx(statistics.quantiles(values, n=4, method="inclusive"))
    assert found.median == pytest.approx(statistics.median(values))


@settings(max_examples=200, deadline=None)
@given(st.lists(SCORES, max_size=40))
def test_quartiles_are_ordered_within_the_values_and_need_five(values: list[float]) -> None:
    found = quartiles(values)
    if len(values) < BENCHMARK_MIN:
        assert found is None
        return
    assert found is not None and found.n == len(values)
    assert min(values) <= found.q1 <= found.median <= found.q3 <= max(values)


# --- a network's figures --------------------------------------------------------------------------


def test_figures_by_dimension_count_only_the_members_with_a_score_in_it() -> None:
    given_ = [contribution(1, m, 20.0 * m, gov=10.0 * m, env=None if m == 4 else 5.0) for m in range(5)]
    found = figures(given_, 1)
    assert found.contributors == 5
    assert found.overall == Quartiles(20, 40, 60, 5)
    assert found.dimensions == {"gov": Quartiles(10, 20, 30, 5)}  # env: four scores only
    sector = figures([*given_, contribution(1, 9, 50.0, section="G", gov=0.0)], 1, section="G")
    assert sector.contributors == 1 and sector.empty


def test_a_member_counts_once_and_only_while_sharing() -> None:
    given_ = [contribution(1, m, 50.0) for m in range(4)]
    assert figures([*given_, contribution(1, 3, 60.0)], 1).overall is None  # the same member twice: 4
    assert figures([*given_, contribution(1, 7, 60.0, shares=False)], 1).overall is None
    assert figures([*given_, contribution(1, 7, 60.0)], 1).overall == Quartiles(50, 50, 50, 5)


CONTRIBUTIONS = st.builds(
    Contribution,
    network_id=st.integers(1, 3),
    member_id=st.integers(1, 30),
    shares=st.booleans(),
    section=st.sampled_from([None, "C", "G"]),
    overall=st.one_of(st.none(), SCORES),
    dimensions=st.dictionaries(st.sampled_from(DIMENSIONS), st.one_of(st.none(), SCORES)),
)


@settings(max_examples=80, deadline=None)
@given(st.lists(CONTRIBUTIONS, max_size=30), CONTRIBUTIONS, st.sampled_from([None, "C", "G"]))
def test_another_network_and_a_non_sharing_member_change_nothing(
    contributions: list[Contribution], extra: Contribution, section: str | None
) -> None:
    before = figures(contributions, 1, section)
    if extra.network_id != 1:  # another network's member
        assert figures([*contributions, extra], 1, section) == before
    hidden = Contribution(1, 1000 + extra.member_id, False, extra.section, extra.overall, extra.dimensions)
    assert figures([*contributions, hidden], 1, section) == before  # a member that does not share


@settings(max_examples=80, deadline=None)
@given(st.lists(CONTRIBUTIONS, max_size=30))
def test_figures_show_only_from_five_and_stay_within_the_scores(contributions: list[Contribution]) -> None:
    found = figures(contributions, 1)
    counted = {c.member_id: c for c in contributions if c.network_id == 1 and c.shares}
    assert found.contributors == len(counted)
    for dimension, q in [*found.dimensions.items(), ("overall", found.overall)]:
        if q is None:
            continue
        values = [
            v
            for c in counted.values()
            if (v := c.overall if dimension == "overall" else c.dimensions.get(dimension)) is not None
        ]
        assert q.n == len(values) >= BENCHMARK_MIN
        assert min(values) <= q.q1 <= q.median <= q.q3 <= max(values)
    for dimension in DIMENSIONS:
        scored = sum(1 for c in counted.values() if c.dimensions.get(dimension) is not None)
        assert (dimension in found.dimensions) == (scored >= BENCHMARK_MIN)


# --- the group rule -------------------------------------------------------------------------------


def test_group_level_by_hand() -> None:
    found = group_level([GroupMember(1, 4), GroupMember(2, 2), GroupMember(3, 2)])
    assert (found.rank, found.weakest, found.missing, found.established) == (2, (2, 3), (), True)
    waiting = group_level([GroupMember(1, 4), GroupMember(2, None)])
    assert (waiting.rank, waiting.missing, waiting.weakest, waiting.established) == (None, (2,), (), False)
    assert group_level([]).rank is None
    assert group_level([GroupMember(1, NO_LEVEL), GroupMember(2, 3)]).rank == NO_LEVEL


RANKS = st.one_of(st.none(), st.integers(NO_LEVEL, 5))
GROUPS = st.lists(RANKS, min_size=1, max_size=8).map(lambda ranks: [GroupMember(i, r) for i, r in enumerate(ranks)])


@settings(max_examples=200, deadline=None)
@given(GROUPS, st.integers(NO_LEVEL, 5))
def test_group_level_is_the_minimum_and_a_stronger_member_never_raises_it(
    members: list[GroupMember], rank: int
) -> None:
    found = group_level(members)
    ranks = [m.rank for m in members]
    if None in ranks:
        assert found.rank is None and set(found.missing) == {m.member_id for m in members if m.rank is None}
    else:
        assert found.rank == min(r for r in ranks if r is not None)
        assert set(found.weakest) == {m.member_id for m in members if m.rank == found.rank}
    added = group_level([*members, GroupMember(99, rank)])
    if found.rank is None:
        assert added.rank is None
    elif rank >= found.rank:  # a member as strong or stronger: the level stays
        assert added.rank == found.rank
    else:
        assert added.rank == rank < found.rank


@settings(max_examples=200, deadline=None)
@given(GROUPS)
def test_removing_the_weakest_never_lowers_the_group_level(members: list[GroupMember]) -> None:
    found = group_level(members)
    if found.rank is None or len(found.weakest) == len(members):
        return
    rest = [m for m in members if m.member_id != found.weakest[0]]
    after = group_level(rest)
    assert after.rank is not None and after.rank >= found.rank


# --- why a member holds its group back (the mini questionnaire's levels) -----------------------------


def test_held_back_names_the_next_levels_threshold_floors_and_legal_basics(mini) -> None:
    # Maîtrisé (4) -> Exemplaire: 85 overall and 65 in every dimension
    why = held_back(mini, 4, 70.0, {"rh": 80.0, "env": 50.0}, [])
    assert (why.next_level.id, why.overall_short, why.dimensions_below, why.critical_unmet) == (
        "exemplaire",
        True,
        ["env"],
        [],
    )
    # capped at Engagé (2) by the DUERP while the scores reach Maîtrisé: only the legal basic is said
    why = held_back(mini, 2, 70.0, {"rh": 70.0, "env": 70.0}, ["rh.duerp", "gone.question"])
    assert (why.next_level.id, why.overall_short, why.dimensions_below, why.critical_unmet) == (
        "structure",
        False,
        [],
        ["rh.duerp"],
    )
    # Découverte (1) -> Engagé: the cap allows Engagé, so the unmet DUERP is no reason for it
    why = held_back(mini, 1, 20.0, {"rh": 20.0, "env": 20.0}, ["rh.duerp"])
    assert (why.next_level.id, why.overall_short, why.critical_unmet) == ("engage", True, [])
    top = held_back(mini, 5, 100.0, {"rh": 100.0, "env": 100.0}, [])
    assert top.next_level is None and not top.overall_short and top.dimensions_below == []
    none = held_back(mini, NO_LEVEL, None, {"rh": None, "env": None}, [])
    assert none.next_level.id == "decouverte" and none.overall_short
