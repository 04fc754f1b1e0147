"""The consolidation of several respondent groups, computed by hand (diagnostic/core/consolidation.py)."""

from __future__ import annotations

import random
from typing import Any

import pytest

from diagnostic.core.answers import Answer, check_value
from diagnostic.core.consolidation import (
    Consolidation,
    Divergence,
    GroupInput,
    Response,
    consolidate,
    visible_sets,
)
from diagnostic.core.loading import LoadedQuestionnaire
from diagnostic.core.profile import Profile
from diagnostic.core.scoring import score
from tests.conftest import build, maturity

PROFILE = Profile(headcount_band="20-49")

# real questions of the shipped full diagnostic, one of each kind
M = "gov.engagement-direction"  # maturity, "don't know" allowed, N/A not
M_NA = "rh.integration"  # maturity, N/A allowed
M2 = "gov.parties-prenantes"  # maturity, after M in the questionnaire
YN = "eth.condamnations-corruption"  # yes/no, yes scores 0, no scores 4
SINGLE = "rh.duerp"  # aucun 0, perime 1, a-jour 2, actions 3, participatif 4
TIED = "rh.complementaire-sante"  # conforme and toutes-dispenses both score 3
MULTI = "rh.temps-travail-pratiques"  # decompte 1, controle-durees 1, charge 1, deconnexion .5, indicateurs .5, aucune 0 (exclusive)
NUMBER = "rh.formation-taux"  # bands of 20 points scoring 0..4
UNSCORED = "gov.statut-ess"  # single, not scored


def responses(question_id: str, *values: Any) -> list[Response]:
    return [Response({question_id: v}) for v in values]


def group(gid: int, key: str, rows: list[Response], anonymous: bool = True, label: str | None = None) -> GroupInput:
    return GroupInput(id=gid, key=key, label=label or key, anonymous=anonymous, responses=rows)


def one(questionnaire: LoadedQuestionnaire, question_id: str, *values: Any, anonymous: bool = False) -> Any:
    """The stats of a single group (named by default: shown from one response) on one question."""
    result = consolidate(questionnaire, PROFILE, [group(1, "staff", responses(question_id, *values), anonymous)])
    return result.groups[0].questions[question_id]


# --- statistics and consolidated values per type ---------------------------------------------------


def test_maturity_statistics_and_distribution(full):
    stats = one(full, M, 0, 1, 2, 4, 4, "dont_know", anonymous=True)
    assert (stats.answers, stats.dont_know, stats.na) == (6, 1, 0)
    assert stats.mean == pytest.approx(2.2)
    assert (stats.median, stats.minimum, stats.maximum) == (2.0, 0.0, 4.0)
    # every level, then the specials the question allows (N/A is not)
    assert stats.distribution == {"0": 1, "1": 1, "2": 1, "3": 0, "4": 2, "dont_know": 1}
    assert stats.consolidated == 2


def test_maturity_rounds_half_up(full):
    assert one(full, M, 2, 3, 2, 3).consolidated == 3  # 2.5 -> 3
    assert one(full, M, 0, 1).consolidated == 1  # 0.5 -> 1 (round() would give 0)
    assert one(full, M, 1, 1, 2).consolidated == 1  # 1.33 -> 1
    assert one(full, M, 1, 2, 2).consolidated == 2  # 1.67 -> 2


def test_yes_no_most_frequent_then_lower_score(full):
    stats = one(full, YN, "no", "no", "no", "yes", "yes")
    assert stats.consolidated == "no"
    assert stats.mean == pytest.approx(12 / 5)  # no scores 4 of 4, yes 0
    assert stats.distribution == {"yes": 2, "no": 3, "dont_know": 0}
    assert one(full, YN, "yes", "no").consolidated == "yes"  # a tie: yes scores lower here


def test_single_ties_go_to_the_lower_score_then_option_order(full):
    stats = one(full, TIED, "ameliore", "ameliore", "toutes-dispenses", "toutes-dispenses", "conforme", "conforme")
    assert stats.consolidated == "conforme"  # three tied; 3 < 4; conforme comes before toutes-dispenses
    assert stats.mean == pytest.approx((4 + 4 + 3 + 3 + 3 + 3) / 6)
    stats = one(full, SINGLE, "actions", "a-jour", "actions", "aucun")
    assert stats.consolidated == "actions"
    assert stats.distribution == {"aucun": 1, "perime": 0, "a-jour": 1, "actions": 2, "participatif": 0, "dont_know": 0}
    assert (stats.mean, stats.median) == (pytest.approx(2.0), 2.5)


def test_multiple_keeps_the_options_ticked_by_at_least_half(full):
    stats = one(full, MULTI, ["decompte", "charge"], ["decompte"], ["charge", "indicateurs"], ["aucune"], "dont_know")
    # four selections (the "don't know" is not one): decompte 2/4 and charge 2/4 are kept, indicateurs 1/4 not
    assert stats.consolidated == ["decompte", "charge"]
    # values 2, 1, 1.5, 0 out of a maximum of 4
    assert stats.mean == pytest.approx(4.5 / 4)
    assert (stats.median, stats.minimum, stats.maximum) == (1.25, 0.0, 2.0)
    assert stats.distribution == {
        "decompte": 2,
        "controle-durees": 0,
        "charge": 2,
        "deconnexion": 0,
        "indicateurs": 1,
        "aucune": 1,
        "dont_know": 1,
    }
    assert one(full, MULTI, ["decompte"], ["charge"], ["indicateurs"]).consolidated is None  # none reaches half


def test_multiple_exclusive_tie_at_half_goes_to_the_lower_score(full):
    stats = one(full, MULTI, ["aucune"], ["aucune"], ["decompte", "charge"], ["decompte"])
    assert stats.consolidated == ["aucune"]  # aucune 2/4 and decompte 2/4 cannot go together: 0 < 1
    check_value(full, MULTI, stats.consolidated)


def test_number_median_and_banded_scale(full):
    stats = one(full, NUMBER, 10, 30, 50, 90)
    assert stats.consolidated == 40  # the median of the numbers
    # the bands give 0, 1, 2, 4 out of 4
    assert (stats.mean, stats.median, stats.minimum, stats.maximum) == (1.75, 1.5, 0.0, 4.0)
    assert stats.distribution == {}
    assert one(full, NUMBER, 10, 30, 95).consolidated == 30


def test_unscored_single_has_a_distribution_and_no_scale(full):
    stats = one(full, UNSCORED, "hors-ess", "siae", "siae")
    assert stats.consolidated == "siae"
    assert stats.mean is None and stats.median is None and stats.minimum is None and stats.maximum is None
    assert stats.distribution["siae"] == 2 and stats.distribution["hors-ess"] == 1


def test_specials_only(full):
    assert one(full, M, "dont_know", "dont_know").consolidated == "dont_know"
    stats = one(full, M_NA, "na", "na", "dont_know")
    assert stats.consolidated == "na"
    assert (stats.answers, stats.na, stats.dont_know, stats.mean) == (3, 2, 1, None)
    assert stats.distribution == {"0": 0, "1": 0, "2": 0, "3": 0, "4": 0, "na": 2, "dont_know": 1}
    assert one(full, M_NA, "na", "dont_know").consolidated == "dont_know"  # a tie
    assert one(full, M_NA, "na", "na", "na", 1).consolidated == 1  # a real answer outranks the specials


def test_text_and_unscored_numbers():
    questionnaire = build(
        [
            {
                "id": "d",
                "questions": [
                    maturity("d.m"),
                    {"id": "d.t", "type": "text", "text": {"fr": "t", "en": "t"}},
                    {"id": "d.n", "type": "number", "text": {"fr": "n", "en": "n"}},
                ],
            }
        ]
    )
    rows = [
        Response({"d.m": 1, "d.t": "zèbre", "d.n": 12}, {"d.m": "Bien"}),
        Response({"d.m": 3, "d.t": "avant", "d.n": 3}, {"d.t": "Aussi"}),
        Response({"d.m": 2, "d.t": "   ", "d.n": 7.5}, {"d.m": "  "}),
    ]
    view = consolidate(questionnaire, PROFILE, [group(1, "staff", rows, anonymous=False)]).groups[0]
    text = view.questions["d.t"]
    assert (text.answers, text.mean, text.distribution, text.consolidated) == (3, None, {}, None)
    number = view.questions["d.n"]  # no bands: the raw numbers
    assert (number.mean, number.median, number.minimum, number.maximum) == (pytest.approx(22.5 / 3), 7.5, 3, 12)
    assert number.consolidated == 7.5 and number.distribution == {}
    assert "d.t" not in view.answers and view.answers["d.n"] == Answer(7.5)
    # free texts are comments; blank ones are dropped; sorted, whatever the order of the responses
    assert view.comments == {"d.m": ["Bien"], "d.t": ["Aussi", "avant", "zèbre"]}
    assert "d.n" not in consolidate(questionnaire, PROFILE, [group(1, "staff", rows)], k=1).spread


# --- thresholds ------------------------------------------------------------------------------------


def test_anonymous_group_hidden_below_k(full):
    rows = [Response({M: 3}, {M: "un avis"}) for _ in range(4)]
    hidden = consolidate(full, PROFILE, [group(7, "staff", rows)], k=5, comment_k=1).groups[0]
    assert (hidden.id, hidden.respondents, hidden.shown, hidden.comments_shown) == (7, 4, False, False)
    assert (hidden.questions, hidden.answers, hidden.result, hidden.comments) == ({}, {}, None, {})
    shown = consolidate(full, PROFILE, [group(7, "staff", rows + [Response({M: 1})])], k=5).groups[0]
    assert shown.shown and shown.respondents == 5
    assert shown.questions[M].mean == pytest.approx(13 / 5)
    assert shown.answers == {M: Answer(3)}
    assert shown.result == score(full, PROFILE, {M: Answer(3)})


def test_named_group_shown_from_one_response(full):
    view = consolidate(full, PROFILE, [group(2, "direction", [Response({M: 4}, {M: "x"})], anonymous=False)]).groups[0]
    assert view.shown and view.comments_shown and view.comments == {M: ["x"]}
    assert consolidate(full, PROFILE, [group(2, "direction", [], anonymous=False)]).groups[0].shown is False


def test_anonymous_question_needs_k_answers(full):
    rows = [Response({M: 2, YN: "no"}) for _ in range(4)] + [Response({M: "dont_know"})]
    view = consolidate(full, PROFILE, [group(1, "staff", rows)], k=5).groups[0]
    assert set(view.questions) == {M}  # the specials count as answers; YN has only 4
    assert set(view.answers) == {M}


def test_comments_from_comment_k(full):
    def view(n: int) -> Any:
        rows = [Response({M: 2}, {M: f"avis {i}"}) for i in range(n)]
        return consolidate(full, PROFILE, [group(1, "staff", rows)], k=5, comment_k=8).groups[0]

    seven, eight = view(7), view(8)
    assert seven.shown and not seven.comments_shown and seven.comments == {}
    assert eight.comments_shown and eight.comments == {M: [f"avis {i}" for i in range(8)]}


# --- others, prefill, spread -----------------------------------------------------------------------


def test_others_pools_the_shown_non_reference_groups(full):
    groups = [
        group(1, "direction", [Response({M: 4})], anonymous=False),
        group(2, "managers", responses(M, 0, 0, 1, 1, 2)),
        group(3, "staff", responses(M, 4, 4, 4, 4)),  # hidden: 4 < 5
        group(4, "consultant", responses(M, 3, 3), anonymous=False),
    ]
    result = consolidate(full, PROFILE, groups, k=5)
    others = result.others
    assert others is not None
    assert (others.id, others.key, others.respondents, others.anonymous) == (0, "others", 7, True)
    assert others.questions[M].mean == pytest.approx((0 + 0 + 1 + 1 + 2 + 3 + 3) / 7)  # each respondent the same
    assert others.answers == {M: Answer(1)}  # 10/7 = 1.43
    assert result.group(0) is others and result.group(3).shown is False
    with pytest.raises(KeyError):
        result.group(99)
    assert [g.id for g in result.shown] == [1, 2, 4]


def test_others_needs_two_shown_non_reference_groups(full):
    groups = [
        group(1, "direction", [Response({M: 4})], anonymous=False),
        group(2, "managers", responses(M, 0, 0, 1, 1, 2)),
        group(3, "staff", responses(M, 4, 4)),
    ]
    assert consolidate(full, PROFILE, groups).others is None


def test_others_takes_only_the_questions_shown_in_each_group(full):
    managers = [Response({M: 0, M2: 0}) for _ in range(4)] + [Response({M: 0})]  # M2: 4 answers, hidden
    groups = [group(2, "managers", managers), group(4, "consultant", [Response({M: 4, M2: 4})], anonymous=False)]
    others = consolidate(full, PROFILE, groups, k=5).others
    assert others is not None
    assert others.questions[M2].answers == 1 and others.questions[M2].mean == 4.0
    assert others.questions[M].answers == 6


def test_prefill_weighs_each_group_the_same(full):
    groups = [
        group(1, "direction", [Response({M: 0, YN: "no", MULTI: ["charge"], NUMBER: 90})], anonymous=False),
        group(
            2,
            "staff",
            [Response({M: 4, YN: "yes" if i < 3 else "no", MULTI: ["decompte"], NUMBER: 10 * i}) for i in range(5)],
        ),
        group(3, "managers", [Response({M: 0, YN: "no", NUMBER: 0}) for _ in range(4)]),  # hidden
    ]
    result = consolidate(full, PROFILE, groups)
    # maturity: the mean of 0 and 4, not 20/6 pooled (nor with the hidden group's zeros)
    assert result.prefill[M] == 2
    # yes/no shares: direction no 1; staff yes 3/5, no 2/5 -> no 0.7 (pooled it would be a 3-3 tie)
    assert result.prefill[YN] == "no"
    # multiple: charge 0.5, decompte 0.5 -> both
    assert result.prefill[MULTI] == ["decompte", "charge"]
    # number: the median of the medians 90 and 20
    assert result.prefill[NUMBER] == 55
    assert result.spread[M] == (0.0, 4.0)
    assert result.spread[YN] == (pytest.approx(8 / 5), 4.0)


def test_prefill_rounds_the_mean_of_means_half_up(full):
    groups = [
        group(1, "direction", responses(M, 2, 3), anonymous=False),  # 2.5
        group(2, "staff", responses(M, 3, 2), anonymous=False),  # 2.5
    ]
    assert consolidate(full, PROFILE, groups).prefill[M] == 3
    groups = [
        group(1, "direction", responses(M, 1, 2, 2), anonymous=False),
        group(2, "staff", responses(M, 3), anonymous=False),
    ]
    assert consolidate(full, PROFILE, groups).prefill[M] == 2  # (5/3 + 3) / 2 = 2.33


def test_prefill_specials_only_when_no_group_has_a_real_answer(full):
    groups = [
        group(1, "direction", responses(M_NA, "na", "na", "dont_know"), anonymous=False),
        group(2, "staff", responses(M_NA, "dont_know"), anonymous=False),
    ]
    # shares: na 2/3 and 0 -> 1/3; don't know 1/3 and 1 -> 2/3
    assert consolidate(full, PROFILE, groups).prefill[M_NA] == "dont_know"
    groups.append(group(3, "managers", responses(M_NA, 1), anonymous=False))
    assert consolidate(full, PROFILE, groups).prefill[M_NA] == 1
    assert consolidate(full, PROFILE, []).prefill == {}


# --- divergences -----------------------------------------------------------------------------------


def test_divergences_exact_sizes_and_ranking(full):
    groups = [
        group(1, "direction", [Response({M: 4, M2: 0})], anonymous=False),
        group(2, "managers", responses(M, 0, 0, 0, 1, 1)),  # M: 0.4 -> a blind spot of 3.6
        group(3, "staff", [Response({M: 4, M2: v}) for v in (1, 1, 2)], anonymous=False),  # M2: 4/3, not beyond
        group(
            4, "consultant", [Response({M: 2, M2: v}) for v in (0, 3, 3)], anonymous=False
        ),  # M2: 2 and a spread of 3
    ]
    result = consolidate(full, PROFILE, groups)
    first = result.divergences[0]
    assert (first.question_id, first.group_id, first.kind, first.reference_mean) == (M, 2, "blind_spot", 4.0)
    assert (first.size, first.group_mean) == (pytest.approx(3.6), pytest.approx(0.4))  # 4 - 2/5
    assert result.divergences[1:] == [
        Divergence(M2, 4, "spread", 3.0, 0.0, 2.0),
        Divergence(M, 4, "blind_spot", 2.0, 4.0, 2.0),
        Divergence(M2, 4, "hidden_strength", 2.0, 0.0, 2.0),
    ]


def test_spreads_without_a_shown_reference(full):
    groups = [
        group(1, "direction", responses(M, 4, 4)),  # anonymous and hidden
        group(2, "managers", responses(M, 0, 0, 0, 4, 4)),
    ]
    result = consolidate(full, PROFILE, groups)
    assert result.divergences == [Divergence(M, 2, "spread", 4.0, None, 1.6)]


def test_hidden_groups_never_diverge(full):
    groups = [group(1, "direction", [Response({M: 4})], anonymous=False), group(2, "staff", responses(M, 0, 0, 0, 0))]
    assert consolidate(full, PROFILE, groups).divergences == []


# --- the differencing guard ------------------------------------------------------------------------


def members(*numbers: int) -> frozenset[Any]:
    return frozenset(numbers)


def test_visible_sets_by_hand():
    five, four = members(1, 2, 3, 4, 5), members(1, 2, 3, 4)
    assert visible_sets([five], 5) == [True]
    assert visible_sets([four], 5) == [False]
    ten = members(*range(1, 11))
    assert visible_sets([ten, members(*range(1, 8))], 5) == [True, False]  # 10 - 7 leaves 3 people
    assert visible_sets([ten, five], 5) == [True, True]  # 10 - 5 leaves 5
    assert visible_sets([ten, members(*range(6, 16))], 5) == [True, True]  # both differences are 5
    assert visible_sets([ten, members(*range(4, 14))], 5) == [True, False]  # both differences are 3
    assert visible_sets([five, members(*range(11, 16))], 5) == [True, True]  # disjoint
    assert visible_sets([four, members(1, 2, 3, 4, 5, 6)], 5) == [False, True]  # a refused set protects nothing
    assert visible_sets([ten, ten], 5) == [True, True]  # the same people: no difference
    assert visible_sets([], 5) == []


def test_visible_sets_against_every_accepted_set():
    a, b = members(*range(1, 6)), members(*range(6, 11))
    union_but_two = members(*range(1, 9))  # overlaps b leaving 2 of b's people
    assert visible_sets([a, b, union_but_two], 5) == [True, True, False]


def test_named_respondents_are_not_counted_by_the_guard(full):
    groups = [
        group(1, "managers", [Response({M: 1})], anonymous=False),
        group(2, "staff", responses(M, 2, 2, 2, 2, 2)),
        group(3, "consultant", [Response({M: 3})], anonymous=False),
    ]
    result = consolidate(full, PROFILE, groups)
    assert [g.shown for g in result.groups] == [True, True, True]
    assert result.others is not None and result.others.respondents == 7


def test_k_must_be_positive(full):
    with pytest.raises(ValueError):
        consolidate(full, PROFILE, [], k=0)


# --- every consolidated value is a valid answer ----------------------------------------------------


def random_value(questionnaire: LoadedQuestionnaire, question_id: str, rng: random.Random) -> Any:
    question = questionnaire.questions[question_id]
    specials = [s for s, ok in (("na", question.allow_na), ("dont_know", question.allow_dont_know)) if ok]
    if specials and rng.random() < 0.15:
        return rng.choice(specials)
    options = [o for o in questionnaire.options(question)]
    if question.type == "maturity":
        return rng.randint(0, 4)
    if question.type == "yes_no":
        return rng.choice(["yes", "no"])
    if question.type == "single":
        return rng.choice(options).id
    if question.type == "multiple":
        exclusive = [o.id for o in options if o.exclusive]
        if exclusive and rng.random() < 0.3:
            return [rng.choice(exclusive)]
        others = [o.id for o in options if not o.exclusive]
        return check_value(questionnaire, question_id, rng.sample(others, rng.randint(1, len(others))))
    if question.type == "number":
        low = question.minimum if question.minimum is not None else -1000
        high = question.maximum if question.maximum is not None else 1000
        return rng.choice([rng.randint(int(low), int(high)), rng.uniform(low, high)])
    return "un texte"


def test_every_consolidated_value_is_valid_on_the_full_questionnaire(full):
    rng = random.Random(20)
    groups = []
    for gid, key in enumerate(("direction", "managers", "staff", "consultant", "stakeholders"), start=1):
        rows = [
            Response({qid: random_value(full, qid, rng) for qid in full.questions}) for _ in range(rng.randint(1, 9))
        ]
        groups.append(group(gid, key, rows, anonymous=gid % 2 == 0))
    result: Consolidation = consolidate(full, PROFILE, groups, k=2)
    views = result.shown + ([result.others] if result.others else [])
    assert len(views) >= 3
    checked = 0
    for view in views:
        for qid, stats in view.questions.items():
            if stats.consolidated is not None:
                assert check_value(full, qid, stats.consolidated) == stats.consolidated
                assert view.answers[qid] == Answer(stats.consolidated)
                checked += 1
    for qid, value in result.prefill.items():
        assert check_value(full, qid, value) == value
    assert checked > 200 and len(result.prefill) > 60


def test_no_proposal_for_a_question_that_does_not_apply_to_the_company(full):
    """Answers to a sector module's question (given through the service, or left from an earlier
    filter answer) are consolidated in the group, but the company gets no proposal for it: the
    module is not open for its profile (no NAF code, no social-economy status)."""
    ess = "gov.ess-gouvernance"
    assert full.questions[ess].module == "ess"
    rows = [Response({ess: 3, M: 2}), Response({ess: 1, M: 4})]
    result = consolidate(full, PROFILE, [group(1, "direction", rows, anonymous=False)], k=3)
    assert result.group(1).questions[ess].mean == 2.0  # the group's figures keep what was said
    assert result.prefill == {M: 3}  # (2 + 4) / 2: the module's question is not proposed
    opened = consolidate(
        full,
        PROFILE,
        [
            group(
                1,
                "direction",
                [Response({**r.answers, "gov.statut-ess": "societe-ess"}) for r in rows],
                anonymous=False,
            )
        ],
        k=3,
    )
    assert opened.prefill.get(ess) == 2
