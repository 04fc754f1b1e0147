"""Property-based tests of the consolidation of respondent groups (hypothesis)."""

from __future__ import annotations

import dataclasses
from math import ceil, floor
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from diagnostic.core.answers import check_value
from diagnostic.core.audience import GROUPS
from diagnostic.core.consolidation import Consolidation, GroupInput, Response, consolidate, visible_sets
from diagnostic.core.loading import LoadedQuestionnaire
from diagnostic.core.profile import Profile

PROFILE = Profile(headcount_band="20-49")
M = "gov.engagement-direction"  # maturity, "don't know" allowed
M_NA = "rh.integration"  # maturity, N/A allowed
YN = "eth.condamnations-corruption"
SINGLE = "rh.complementaire-sante"  # two options of the same score
MULTI = "rh.temps-travail-pratiques"  # with the exclusive option "aucune"
NUMBER = "rh.formation-taux"  # 0..100, banded
UNSCORED = "gov.statut-ess"
MATURITY = (M, M_NA)

VALUES: dict[str, st.SearchStrategy[Any]] = {
    M: st.one_of(st.integers(0, 4), st.just("dont_know")),
    M_NA: st.one_of(st.integers(0, 4), st.sampled_from(["na", "dont_know"])),
    YN: st.sampled_from(["yes", "no", "dont_know"]),
    SINGLE: st.sampled_from(["aucune", "non-conforme", "conforme", "toutes-dispenses", "ameliore", "dont_know"]),
    MULTI: st.one_of(
        st.just(["aucune"]),
        st.just("dont_know"),
        st.lists(
            st.sampled_from(["decompte", "controle-durees", "charge", "deconnexion", "indicateurs"]),
            min_size=1,
            unique=True,
        ),
    ),
    NUMBER: st.one_of(st.integers(0, 100), st.floats(0, 100, allow_nan=False), st.just("dont_know")),
    UNSCORED: st.sampled_from(["hors-ess", "association-cooperative", "societe-ess", "siae", "ea-esat"]),
}
COMMENTS = st.sampled_from(["Bien", "à revoir", "RAS", "zèbre", "Avis"])

FAST = settings(max_examples=40, deadline=None)


@st.composite
def responses(draw: st.DrawFn) -> Response:
    answers = {qid: draw(values) for qid, values in VALUES.items() if draw(st.integers(0, 4))}  # most answered
    comments = draw(st.dictionaries(st.sampled_from(list(VALUES)), COMMENTS, max_size=2))
    return Response(answers, comments)


@st.composite
def group_inputs(draw: st.DrawFn) -> list[GroupInput]:
    count = draw(st.integers(1, 5))
    return [
        GroupInput(
            id=position + 1,
            key=draw(st.sampled_from(GROUPS)),
            label=f"g{position}",
            anonymous=draw(st.booleans()),
            responses=draw(st.lists(responses(), max_size=8)),
        )
        for position in range(count)
    ]


thresholds = st.tuples(st.integers(1, 5), st.integers(0, 4)).map(lambda t: (t[0], t[0] + t[1]))


def normalised(questionnaire: LoadedQuestionnaire, groups: list[GroupInput]) -> list[GroupInput]:
    """The stored form of every answer (the multiple choices in option order), as the app keeps them."""
    return [
        dataclasses.replace(
            g,
            responses=[
                Response({q: check_value(questionnaire, q, v) for q, v in r.answers.items()}, r.comments)
                for r in g.responses
            ],
        )
        for g in groups
    ]


def without_group(result: Consolidation, position: int) -> dict[str, Any]:
    """Everything of a consolidation but one group's view."""
    return {
        "groups": [v for i, v in enumerate(result.groups) if i != position],
        "others": result.others,
        "prefill": result.prefill,
        "spread": result.spread,
        "divergences": result.divergences,
    }


@FAST
@given(groups=group_inputs(), ks=thresholds)
def test_no_anonymous_group_below_k_is_ever_shown(full, groups, ks):
    k, comment_k = ks
    groups = normalised(full, groups)
    result = consolidate(full, PROFILE, groups, k=k, comment_k=comment_k)
    small = [i for i, g in enumerate(groups) if g.anonymous and len(g.responses) < k]
    for i in small:
        view = result.groups[i]
        assert not view.shown and not view.comments_shown
        assert (view.questions, view.answers, view.result, view.comments) == ({}, {}, None, {})
    for view in result.shown:
        if view.anonymous:
            assert view.respondents >= k
            assert all(stats.answers >= k for stats in view.questions.values())
            assert not view.comments or view.respondents >= comment_k
    if result.others is not None:
        pooled = [v for v in result.shown if v.key != "direction"]
        assert len(pooled) >= 2 and result.others.respondents == sum(v.respondents for v in pooled)
    for i in small[:1]:  # one is enough per example (the order of the groups is drawn): keeps the test fast
        emptied = [dataclasses.replace(g, responses=[]) if j == i else g for j, g in enumerate(groups)]
        again = consolidate(full, PROFILE, emptied, k=k, comment_k=comment_k)
        assert without_group(again, i) == without_group(result, i)
        removed = consolidate(full, PROFILE, [g for j, g in enumerate(groups) if j != i], k=k, comment_k=comment_k)
        assert without_group(removed, len(groups)) == without_group(result, i)


@FAST
@given(groups=group_inputs(), ks=thresholds)
def test_maturity_prefill_lies_between_the_answers_and_the_group_means(full, groups, ks):
    k, comment_k = ks
    result = consolidate(full, PROFILE, groups, k=k, comment_k=comment_k)
    for qid in MATURITY:
        value = result.prefill.get(qid)
        if not isinstance(value, int):
            continue  # none, or a special when no shown group answered otherwise
        stats = [v.questions[qid] for v in result.shown if qid in v.questions]
        lowest = min(s.minimum for s in stats if s.minimum is not None)
        highest = max(s.maximum for s in stats if s.maximum is not None)
        assert lowest <= value <= highest
        low_mean, high_mean = result.spread[qid]
        assert floor(low_mean) <= value <= ceil(high_mean)


@FAST
@given(groups=group_inputs(), ks=thresholds, extra=responses(), data=st.data())
def test_adding_a_response_to_one_group_changes_no_other_group(full, groups, ks, extra, data):
    k, comment_k = ks
    target = data.draw(st.integers(0, len(groups) - 1))
    grown = [
        dataclasses.replace(g, responses=[*g.responses, extra]) if i == target else g for i, g in enumerate(groups)
    ]
    before = consolidate(full, PROFILE, groups, k=k, comment_k=comment_k)
    after = consolidate(full, PROFILE, grown, k=k, comment_k=comment_k)
    for i, (old, new) in enumerate(zip(before.groups, after.groups, strict=True)):
        if i != target:
            assert old == new


@settings(max_examples=300, deadline=None)
@given(
    candidates=st.lists(st.frozensets(st.integers(0, 14), max_size=12), max_size=8),
    k=st.integers(1, 6),
)
def test_visible_sets_never_allow_a_small_difference(candidates, k):
    verdicts = visible_sets(candidates, k)
    assert len(verdicts) == len(candidates)
    accepted = [c for c, ok in zip(candidates, verdicts, strict=True) if ok]
    for a in accepted:
        assert len(a) >= k
        for b in accepted:
            if a & b:
                assert len(a - b) == 0 or len(a - b) >= k
    # and a refusal always has a reason: too small, or a small difference with an earlier accepted set
    for i, (candidate, ok) in enumerate(zip(candidates, verdicts, strict=True)):
        if not ok and len(candidate) >= k:
            earlier = [c for c, v in zip(candidates[:i], verdicts[:i], strict=True) if v]
            assert any(candidate & c and (0 < len(candidate - c) < k or 0 < len(c - candidate) < k) for c in earlier)


@FAST
@given(groups=group_inputs(), ks=thresholds)
def test_every_consolidated_value_and_prefill_is_a_valid_answer(full, groups, ks):
    k, comment_k = ks
    result = consolidate(full, PROFILE, normalised(full, groups), k=k, comment_k=comment_k)
    views = result.shown + ([result.others] if result.others is not None else [])
    for view in views:
        for qid, stats in view.questions.items():
            if stats.consolidated is not None:
                assert check_value(full, qid, stats.consolidated) == stats.consolidated
        for qid, answer in view.answers.items():
            assert check_value(full, qid, answer.value) == answer.value
    for qid, value in result.prefill.items():
        assert check_value(full, qid, value) == value
