"""Scoring against hand-computed cases (DESIGN.md §3, README "How the score is computed")."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from diagnostic.core import answers as answers_module
from diagnostic.core.answers import (
    ANSWER_CODES,
    AnswerProblem,
    AnswersError,
    Reason,
    check_value,
    comment_problem,
    mixed_script_problem,
    parse_answers,
    text_problem,
)
from diagnostic.core.errors import Message
from diagnostic.core.loading import LoadedQuestionnaire
from diagnostic.core.profile import Profile
from diagnostic.i18n import LANGS, catalogue, error_text, message_text, t
from tests.conftest import build, maturity, run, text

SMALL = Profile(headcount_band="1-10")


def test_weights_dimension_and_overall(mini) -> None:
    # rh (weight 2): duerp "no" 0/4 ×1, formation 3/4 ×2 -> 100 × 6/12 = 50
    # env (weight 1): energie don't know 0/4, eco-conduite "parfois" 2/4 -> 100 × 2/8 = 25
    # overall = (2 × 50 + 1 × 25) / 3 = 41.67
    result = run(
        mini,
        {"rh.duerp": "no", "rh.formation": 3, "env.energie": "dont_know", "env.flotte": "yes", "env.eco-conduite": "parfois"},
        SMALL,
    )
    assert result.dimension("rh").score == pytest.approx(50)
    assert result.dimension("env").score == pytest.approx(25)
    assert result.overall == pytest.approx(125 / 3)
    assert result.level.id == "engage" and result.level_rank == 2
    assert result.critical_unmet == ["rh.duerp"]
    assert not result.capped_by_critical  # already at the cap
    assert result.dimension("env").dont_know == 1
    assert result.dimension("env").low_confidence  # 1 of 2 answers is "don't know"
    assert not result.dimension("rh").low_confidence
    assert result.coverage == pytest.approx(1.0)


def test_na_is_left_out_and_critical_caps_the_level(mini) -> None:
    # env: energie N/A is left out -> eco-conduite 2/4 = 50; rh 50 as above.
    # overall = (2 × 50 + 50) / 3 = 50: Structuré by score (≥45, every dimension ≥30),
    # but the DUERP is missing, so the level is capped at Engagé.
    result = run(
        mini,
        {"rh.duerp": "no", "rh.formation": 3, "env.energie": "na", "env.flotte": "yes", "env.eco-conduite": "parfois"},
        SMALL,
    )
    assert result.dimension("env").score == pytest.approx(50)
    assert result.overall == pytest.approx(50)
    assert result.level_by_score.id == "structure"
    assert result.level.id == "engage"
    assert result.capped_by_critical
    energie = result.questions["env.energie"]
    assert energie.na and energie.answered and not energie.counted


def test_critical_met_lifts_the_cap(mini) -> None:
    result = run(mini, {"rh.duerp": "yes", "rh.formation": 3, "env.energie": 2, "env.flotte": "no"}, SMALL)
    # rh = 100 × (4 + 6) / 12 = 83.33; env = energie 2/4 = 50 (eco-conduite hidden by "no")
    # overall = (2 × 83.33 + 50) / 3 = 72.22 -> Maîtrisé (≥65 and every dimension ≥45)
    assert result.dimension("rh").score == pytest.approx(1000 / 12)
    assert result.dimension("env").score == pytest.approx(50)
    assert result.overall == pytest.approx((2 * 1000 / 12 + 50) / 3)
    assert result.level.id == "maitrise"
    assert not result.critical_unmet


def test_hidden_questions_never_enter_a_maximum(mini) -> None:
    # 11-19 employees: the CSE question applies. Fleet "no" hides eco-driving even though answered.
    profile = Profile(headcount_band="11-19")
    result = run(mini, {"rh.duerp": "yes", "rh.formation": 4, "env.flotte": "no", "env.eco-conduite": "jamais"}, profile)
    assert result.questions["rh.cse"].applies and not result.questions["rh.cse"].answered
    assert result.dimension("rh").coverage == pytest.approx(2 / 3)
    assert result.dimension("rh").low_confidence  # 67 % < 80 %
    eco = result.questions["env.eco-conduite"]
    assert not eco.applies and not eco.counted
    # env has only energie applicable (unanswered): no score, coverage 0
    assert result.dimension("env").score is None
    assert result.dimension("env").coverage == 0
    # overall = rh only = 100 (duerp 4/4, formation 4/4)
    assert result.overall == pytest.approx(100)
    # 1-10 employees: the CSE question does not apply and does not lower coverage
    small = run(mini, {"rh.duerp": "yes", "rh.formation": 4}, SMALL)
    assert not small.questions["rh.cse"].applies
    assert small.dimension("rh").coverage == 1


def test_unknown_profile_keeps_conditional_questions(mini) -> None:
    result = run(mini, {}, Profile())
    assert result.questions["rh.cse"].applies
    assert result.overall is None and result.level is None and result.coverage == 0


def test_floor_blocks_a_level_without_compensation() -> None:
    q = build(
        [
            {"id": "a", "questions": [maturity("a.q1"), maturity("a.q2")]},
            {"id": "b", "questions": [maturity("b.q1"), maturity("b.q2")]},
            {"id": "c", "questions": [maturity("c.q1"), maturity("c.q2")]},
        ]
    )
    # a = 100, b = 100, c = 100 × 3/8 = 37.5 -> overall 79.17 (≥65) but c < 45: Structuré, not Maîtrisé
    result = run(q, {"a.q1": 4, "a.q2": 4, "b.q1": 4, "b.q2": 4, "c.q1": 2, "c.q2": 1})
    assert result.overall == pytest.approx((100 + 100 + 37.5) / 3)
    assert result.level.id == "structure"
    check = next(c for c in result.level_checks if c.level.id == "maitrise")
    assert check.overall_ok and check.dimensions_below_floor == ["c"]


def test_dimension_weights_and_dimension_applicability() -> None:
    q = build(
        [
            {"id": "a", "weight": 3, "questions": [maturity("a.q1")]},
            {"id": "b", "questions": [maturity("b.q1")]},
            {"id": "p", "applies_when": {"profile": "production_site", "equals": True}, "questions": [maturity("p.q1")]},
        ]
    )
    answers = {"a.q1": 4, "b.q1": 0, "p.q1": 0}
    office = run(q, answers, Profile(production_site=False))
    # (3 × 100 + 1 × 0) / 4 = 75; the production dimension does not apply
    assert office.overall == pytest.approx(75)
    assert office.dimension("p").score is None
    plant = run(q, answers, Profile(production_site=True))
    assert plant.overall == pytest.approx(300 / 5)


def test_choice_number_and_yes_no_values() -> None:
    q = build(
        [
            {
                "id": "d",
                "questions": [
                    {
                        "id": "d.tri",
                        "type": "multiple",
                        "text": text("tri"),
                        "max_score": 4,
                        "options": [{"id": f"f{i}", "label": text(f"f{i}"), "score": 1} for i in range(6)],
                    },
                    {
                        "id": "d.part",
                        "type": "number",
                        "text": text("part"),
                        "minimum": 0,
                        "maximum": 100,
                        "score_bands": [{"max": 10, "score": 0}, {"min": 10, "max": 50, "score": 2}, {"min": 50, "score": 4}],
                    },
                    {"id": "d.amende", "type": "yes_no", "text": text("amende"), "scores": {"yes": 0, "no": 2}, "weight": 2},
                ],
            }
        ]
    )
    # tri: 5 options × 1 capped at 4 -> 4/4; part 10 -> band [10, 50) -> 2/4; amende "no" -> 2/2 (weight 2)
    result = run(q, {"d.tri": ["f0", "f1", "f2", "f3", "f4"], "d.part": 10, "d.amende": "no"})
    assert result.questions["d.tri"].value == 4
    assert result.questions["d.part"].value == 2
    assert result.questions["d.amende"].max == 2
    # 100 × (4 + 2 + 2 × 2) / (4 + 4 + 2 × 2) = 83.33
    assert result.overall == pytest.approx(1000 / 12)


def test_recommendations_ranked_by_priority(mini) -> None:
    result = run(
        mini,
        {"rh.duerp": "no", "rh.formation": 3, "env.energie": "dont_know", "env.flotte": "yes", "env.eco-conduite": "jamais"},
        SMALL,
    )
    ranked = [(r.id, round(r.priority, 4), r.quick_win) for r in result.recommendations]
    # duerp: 2 (dim) × 1 × gap 1 × impact 3 / effort 1 = 6
    # energie (don't know = 0): 1 × 1 × 1 × 2 / 1 = 2
    # formation r2 (level 3 in 2..3): 2 × 2 × 0.25 × 2 / 2 = 1
    # eco-conduite "jamais": 1 × 1 × 1 × 1 / 1 = 1 (not a quick win: impact 1)
    assert ranked == [
        ("rh.duerp.r1", 6.0, True),
        ("env.energie.r1", 2.0, True),
        ("rh.formation.r2", 1.0, False),
        ("env.eco-conduite.r1", 1.0, False),
    ]


def test_na_and_hidden_questions_bring_no_recommendation(mini) -> None:
    result = run(mini, {"rh.duerp": "yes", "rh.formation": 4, "env.energie": "na", "env.flotte": "no", "env.eco-conduite": "jamais"}, SMALL)
    assert result.recommendations == []


@pytest.mark.parametrize(
    "answers, fragment",
    [
        ({"rh.inconnue": 2}, "'rh.inconnue' is not a question"),
        ({"rh.formation": 5}, "'rh.formation': 5 is off the scale"),
        ({"rh.formation": "na"}, "'rh.formation': N/A (non concerné) is not allowed"),
        ({"rh.duerp": "peut-être"}, "'rh.duerp': 'peut-être' is not yes or no"),
        ({"env.eco-conduite": "souvent"}, "'env.eco-conduite': 'souvent' is not one of its options"),
        ({"env.flotte": "dont_know"}, "'env.flotte': 'don't know' is not allowed"),
        ({"rh.formation": {"value": 2, "note": "x"}}, "'rh.formation': an answer object has 'value'"),
    ],
)
def test_bad_answers_are_errors_naming_the_question(mini, answers, fragment) -> None:
    with pytest.raises(AnswersError) as caught:
        parse_answers(mini, answers)
    assert any(fragment in p for p in caught.value.problems), caught.value.problems


def test_every_bad_answer_is_reported(mini) -> None:
    with pytest.raises(AnswersError) as caught:
        parse_answers(mini, {"rh.formation": 9, "x.y": 1, "rh.duerp": "yes"})
    assert len(caught.value.problems) == 2


def test_comment_is_kept(mini) -> None:
    answers = parse_answers(mini, {"rh.formation": {"value": 2, "comment": "plan 2026 en cours"}})
    assert answers["rh.formation"].value == 2
    assert answers["rh.formation"].comment == "plan 2026 en cours"


def test_exclusive_option_cannot_be_combined() -> None:
    q = build(
        [
            {
                "id": "d",
                "questions": [
                    {
                        "id": "d.m",
                        "type": "multiple",
                        "text": text("m"),
                        "options": [
                            {"id": "a", "label": text("a"), "score": 2},
                            {"id": "b", "label": text("b"), "score": 2},
                            {"id": "aucune", "label": text("aucune"), "score": 0, "exclusive": True},
                        ],
                    }
                ],
            }
        ]
    )
    with pytest.raises(AnswersError, match="'aucune' cannot be combined"):
        parse_answers(q, {"d.m": ["a", "aucune"]})
    assert run(q, {"d.m": ["aucune"]}).overall == 0
    assert run(q, {"d.m": ["b", "a"]}).overall == 100


# --- why an answer is refused: a catalogue code and its parameters, in French and in English ----------


def _every_kind_of_question() -> LoadedQuestionnaire:
    options = [{"id": "a", "label": text("a"), "score": 2}, {"id": "aucune", "label": text("aucune"), "score": 0, "exclusive": True}]
    return build(
        [
            {
                "id": "d",
                "questions": [
                    {"id": "d.mat", "type": "maturity", "text": text("mat")},
                    {"id": "d.yn", "type": "yes_no", "text": text("yn"), "allow_dont_know": False},
                    {"id": "d.one", "type": "single", "text": text("one"), "options": options[:1]},
                    {"id": "d.many", "type": "multiple", "text": text("many"), "options": options},
                    {"id": "d.num", "type": "number", "text": text("num"), "minimum": 0, "maximum": 100},
                    {"id": "d.txt", "type": "text", "text": text("txt")},
                ],
            }
        ]
    )


BAD_ANSWERS = [
    ("d.nope", 1, "answer.unknown_question"),
    ("d.mat", "na", "answer.na_not_allowed"),
    ("d.yn", "dont_know", "answer.dont_know_not_allowed"),
    ("d.mat", 2.5, "answer.not_a_level"),
    ("d.mat", 7, "answer.off_scale"),
    ("d.yn", "peut-être", "answer.not_yes_no"),
    ("d.one", "b", "answer.not_an_option"),
    ("d.many", "a", "answer.not_a_list"),
    ("d.many", ["a", "z"], "answer.unknown_options"),
    ("d.many", ["a", "aucune"], "answer.exclusive"),
    ("d.num", "12", "answer.not_a_number"),
    ("d.num", 2e15, "answer.too_large"),
    ("d.num", -1, "answer.below_minimum"),
    ("d.num", 101.5, "answer.above_maximum"),
    ("d.txt", 12, "answer.not_text"),
    ("d.txt", "t" * 10_001, "text.too_long"),
    ("d.txt", "nul\x00", "text.nul"),
    ("d.txt", "bell\x07", "text.control"),
    ("d.txt", "half \ud800", "text.surrogate"),
]


def _codes(message: Message) -> set[str]:
    """The code of a Message and of every Message among its parameters."""
    return {message.code}.union(*(_codes(v) for v in message.params.values() if isinstance(v, Message)))


@pytest.mark.parametrize("question, value, code", BAD_ANSWERS, ids=[c for _, _, c in BAD_ANSWERS])
def test_an_answer_problem_carries_a_code_that_reads_in_french_and_in_english(question, value, code) -> None:
    with pytest.raises(AnswerProblem) as caught:
        check_value(_every_kind_of_question(), question, value)
    problem = caught.value
    assert problem.code == code and problem.message == Message(code, problem.params)
    # the English text of the catalogue is the very sentence of the logs (str(), `reason`)
    assert message_text(problem.message, "en") == problem.reason == error_text(problem, "en")
    assert str(problem) == (problem.reason if problem.unknown else f"'{question}': {problem.reason}")
    french = error_text(problem, "fr")
    assert french and french != problem.reason
    for value_shown in (v for v in problem.params.values() if isinstance(v, str)):  # data, as it is, in both
        assert value_shown in french


def test_every_code_the_answer_checks_can_give_is_in_both_catalogues() -> None:
    source = Path(answers_module.__file__).read_text(encoding="utf-8")
    code = re.sub(r"\nANSWER_CODES = \(.*?\n\)\n", "\n", source, flags=re.DOTALL)  # the codes used, not the list
    assert code != source
    named = set(re.findall(r"""["']((?:answer|text|comment)\.[a-z_.]+)["']""", code))
    assert named == set(ANSWER_CODES), "list every code of diagnostic/core/answers.py in ANSWER_CODES"
    for lang in LANGS:
        assert set(ANSWER_CODES) <= set(catalogue(lang)), lang
    assert {code for _, _, code in BAD_ANSWERS} | {"answer.invalid"} <= set(ANSWER_CODES)


@pytest.mark.parametrize(
    "problem",
    [
        text_problem("Menuiserie\u200bDurand", single_line=True),
        text_problem("tab\there", single_line=True),
        mixed_script_problem("Dur\u0430nd"),
        mixed_script_problem("\u03b1b\u0430"),  # Greek, Latin and Cyrillic in one word
        comment_problem(12),
        comment_problem("c" * 10_001),
        comment_problem("nul\x00"),
    ],
)
def test_text_and_comment_problems_read_the_same_in_english_and_translate(problem: Reason) -> None:
    assert isinstance(problem, Reason) and _codes(problem.message) <= set(ANSWER_CODES)
    assert message_text(problem.message, "en") == problem
    assert message_text(problem.message, "fr") != problem


def test_parse_answers_lists_its_problems_as_messages_too(mini) -> None:
    raw = {"rh.formation": 9, "x.y": 1, "rh.duerp": {"value": "yes", "comment": 3}, "env.flotte": {"value": "no", "x": 1}}
    with pytest.raises(AnswersError) as caught:
        parse_answers(mini, raw)
    problems, messages = caught.value.problems, caught.value.messages
    assert len(problems) == len(messages) == 4
    for english, message in zip(problems, messages, strict=True):
        assert message_text(message, "en") == english
        assert message_text(message, "fr") != english and _codes(message) <= set(ANSWER_CODES)
    assert message_text(messages[0], "fr") == t(
        "answer.of_question", "fr", question="rh.formation", problem=t("answer.off_scale", "fr", value="9", low=0, high=4)
    )
