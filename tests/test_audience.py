"""Audience: which respondent groups are asked which questions (format, loading, content)."""

from __future__ import annotations

import textwrap
from typing import Any, get_args

import pytest

from diagnostic.core import audience
from diagnostic.core.audience import GROUPS, asked, audience_of, ordered_asked
from diagnostic.core.loading import LoadedQuestionnaire, QuestionnaireError
from diagnostic.core.schema import AllCondition, AnswerCondition, AnyCondition, AudienceGroup
from diagnostic.questionnaire_files import load_questionnaire
from tests.conftest import build, maturity

EVERYONE = frozenset(GROUPS)


def test_the_format_knows_the_same_five_groups_in_the_same_order() -> None:
    assert get_args(AudienceGroup) == GROUPS == ("direction", "managers", "staff", "consultant", "stakeholders")


# --- inheritance ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def tagged() -> LoadedQuestionnaire:
    return build([
        {"id": "a", "questions": [maturity("a.open"), maturity("a.board", audience=["direction", "consultant"])]},
        {
            "id": "b",
            "audience": ["direction", "managers", "staff"],
            "questions": [maturity("b.inherits"), maturity("b.staff", audience=["staff"]), maturity("b.same", audience=["direction", "managers", "staff"])],
        },
        {"id": "c", "questions": [maturity("c.outside", audience=["stakeholders", "direction"])]},
    ])  # fmt: skip


def test_no_audience_anywhere_asks_every_group(tagged) -> None:
    assert audience_of(tagged, "a.open") == EVERYONE
    assert all("a.open" in asked(tagged, group) for group in GROUPS)


def test_a_question_without_audience_inherits_its_dimension(tagged) -> None:
    assert audience_of(tagged, "b.inherits") == {"direction", "managers", "staff"}
    assert "b.inherits" not in asked(tagged, "consultant")


def test_a_question_audience_is_its_own(tagged) -> None:
    assert audience_of(tagged, "a.board") == {"direction", "consultant"}
    assert audience_of(tagged, "b.staff") == {"staff"}
    assert audience_of(tagged, "c.outside") == {"direction", "stakeholders"}


def test_asked_per_group(tagged) -> None:
    assert asked(tagged, "direction") == {"a.open", "a.board", "b.inherits", "b.same", "c.outside"}
    assert asked(tagged, "managers") == {"a.open", "b.inherits", "b.same"}
    assert asked(tagged, "staff") == {"a.open", "b.inherits", "b.staff", "b.same"}
    assert asked(tagged, "consultant") == {"a.open", "a.board"}
    assert asked(tagged, "stakeholders") == {"a.open", "c.outside"}
    assert isinstance(asked(tagged, "staff"), frozenset)


def test_ordered_asked_follows_the_questionnaire(tagged) -> None:
    assert ordered_asked(tagged, "staff") == ["a.open", "b.inherits", "b.staff", "b.same"]
    assert ordered_asked(tagged, "direction") == ["a.open", "a.board", "b.inherits", "b.same", "c.outside"]
    listed = ordered_asked(tagged, "staff")
    listed.append("changed")  # a fresh list each time: the cache is not the caller's
    assert ordered_asked(tagged, "staff") == ["a.open", "b.inherits", "b.staff", "b.same"]


@pytest.mark.parametrize("group", ["", "Staff", "employees", "salaries"])
def test_an_unknown_group_is_a_value_error(tagged, group) -> None:
    with pytest.raises(ValueError, match="unknown respondent group"):
        asked(tagged, group)
    with pytest.raises(ValueError, match="unknown respondent group"):
        ordered_asked(tagged, group)


def test_audience_of_an_unknown_question_is_a_key_error(tagged) -> None:
    with pytest.raises(KeyError):
        audience_of(tagged, "nowhere")


def test_the_cache_follows_the_content_hash(tagged) -> None:
    assert asked(tagged, "staff") is asked(tagged, "staff")
    # questionnaires built in memory without a hash are not mixed up
    one = LoadedQuestionnaire(model=tagged.model, source="<one>", content_hash="")
    other_model = build([{"id": "x", "audience": ["consultant"], "questions": [maturity("x.q")]}]).model
    other = LoadedQuestionnaire(model=other_model, source="<other>", content_hash="")
    assert asked(one, "staff") == {"a.open", "b.inherits", "b.staff", "b.same"}
    assert asked(other, "staff") == frozenset() and asked(other, "consultant") == {"x.q"}


def test_the_cache_stays_small() -> None:
    for i in range(audience._CACHE_SIZE + 5):
        asked(build([{"id": "d", "questions": [maturity(f"d.q{i}")]}]), "staff")
    assert len(audience._cache) <= audience._CACHE_SIZE


# --- refusals -------------------------------------------------------------------------------------


def refusal(dimensions: list[dict[str, Any]]) -> list[str]:
    with pytest.raises(QuestionnaireError) as caught:
        build(dimensions)
    assert all(issue.line is not None for issue in caught.value.issues)
    return [str(issue) for issue in caught.value.issues]


def test_a_question_cannot_reach_a_group_its_dimension_leaves_out() -> None:
    issues = refusal([
        {"id": "d", "audience": ["direction", "managers"], "questions": [maturity("d.ok", audience=["managers"]), maturity("d.q", audience=["staff", "managers", "stakeholders"])]},
    ])  # fmt: skip
    assert len(issues) == 1
    assert issues[0].startswith("dimensions[0].questions[1].audience (line ")
    assert "'staff', 'stakeholders' are not in the audience of its dimension 'd' (direction, managers)" in issues[0]


def test_one_group_outside_is_named_alone() -> None:
    issues = refusal([{"id": "d", "audience": ["direction"], "questions": [maturity("d.q", audience=["consultant"])]}])
    assert "'consultant' is not in the audience of its dimension 'd' (direction)" in issues[0]


def test_the_refusal_names_the_file_the_path_and_the_line(tmp_path) -> None:
    path = tmp_path / "groups.yaml"
    path.write_text(
        textwrap.dedent("""\
            schema_version: 1
            id: groups
            version: "1"
            title: {fr: Groupes, en: Groups}
            dimensions:
              - id: d
                title: {fr: D, en: D}
                audience: [direction, managers]
                questions:
                  - id: d.q
                    type: maturity
                    audience: [staff]
                    text: {fr: Question, en: Question}
            results:
              levels:
                - {id: un, label: {fr: Un, en: One}, min_overall: 0}
        """),
        encoding="utf-8",
    )
    with pytest.raises(QuestionnaireError) as caught:
        load_questionnaire(path)
    message = str(caught.value)
    assert str(path) in message
    assert "dimensions[0].questions[0].audience (line 12): 'staff' is not in the audience of its dimension 'd'" in message


@pytest.mark.parametrize("where", ["dimension", "question"])
@pytest.mark.parametrize(
    ("value", "path", "fragment"),
    [
        (["staf"], "audience[0]", "'staf' is not a respondent group: use direction, managers, staff, consultant, stakeholders"),
        (["direction", "Staff"], "audience[1]", "'Staff' is not a respondent group"),
        (["salaries"], "audience[0]", "is not a respondent group"),
        ([], "audience", "must name at least one group; leave out 'audience' to ask every group"),
        (["staff", "direction", "staff"], "audience", "'staff' listed twice"),
        ("staff", "audience", "must be a list"),
    ],
)
def test_bad_audiences_are_refused(where, value, path, fragment) -> None:
    if where == "dimension":
        dimension = {"id": "d", "audience": value, "questions": [maturity("d.q")]}
        prefix = "dimensions[0]."
    else:
        dimension = {"id": "d", "questions": [maturity("d.q", audience=value)]}
        prefix = "dimensions[0].questions[0]."
    issues = refusal([dimension])
    assert any(issue.startswith(prefix + path + " (line ") and fragment in issue for issue in issues), issues


# --- the shipped questionnaires ------------------------------------------------------------------


def test_the_full_questionnaire_is_version_2_1_0(full) -> None:
    assert full.version == "2.1.0"


def test_direction_and_consultant_are_asked_everything(full) -> None:
    assert ordered_asked(full, "direction") == list(full.questions)
    assert ordered_asked(full, "consultant") == list(full.questions)


def test_staff_have_a_short_path_through_every_dimension(full) -> None:
    staff = ordered_asked(full, "staff")
    assert 22 <= len(staff) <= 28, len(staff)
    assert 22 <= len([q for q in staff if full.questions[q].module is None]) <= 28
    for qid in staff:
        dimension = full.dimension_of[qid]
        assert dimension.audience is None or "staff" in dimension.audience, qid
    assert {full.dimension_of[q].id for q in staff} == {d.id for d in full.dimensions}


def test_staff_and_managers_are_not_asked_the_board_s_questions(full) -> None:
    board = ["gov.revue-direction", "gov.decisions-rse", "gov.ess-gouvernance", "eco.strategie-moyen-terme", "eco.prevision-tresorerie", "eth.influence-politique"]
    for qid in board:
        assert audience_of(full, qid) == {"direction", "consultant"}, qid


def test_stakeholders_are_asked_what_outsiders_see(full) -> None:
    outside = ordered_asked(full, "stakeholders")
    assert 10 <= len(outside) <= 20, len(outside)
    assert not any(qid.startswith("rh.") for qid in outside)  # working conditions are internal
    assert {"qual.reclamations", "eth.delais-paiement", "terr.voisinage-commune"} <= set(outside)


def test_managers_are_asked_most_questions_and_in_every_dimension(full) -> None:
    managers = asked(full, "managers")
    assert len(managers) >= 0.75 * len(full.questions)
    for dimension in full.dimensions:
        assert any(q.id in managers for q in dimension.questions if q.module is None), dimension.id


def answer_ids(condition: Any) -> set[str]:
    """The questions whose answer a condition needs to be met (an answer under `not` is not needed:
    a missing answer meets the `not`)."""
    if isinstance(condition, AnswerCondition):
        return {condition.answer}
    if isinstance(condition, (AllCondition, AnyCondition)):
        subs = condition.all if isinstance(condition, AllCondition) else condition.any
        return set().union(*(answer_ids(sub) for sub in subs))
    return set()  # none, a profile fact, or a `not`


@pytest.mark.parametrize("group", GROUPS)
def test_a_group_is_asked_the_questions_its_questions_depend_on(full, group) -> None:
    # else the condition could never be met for that group, and the question never shown
    questions = asked(full, group)
    for qid in questions:
        question = full.questions[qid]
        needed = answer_ids(question.applies_when)
        if question.module is not None:
            needed |= answer_ids(full.module_by_id[question.module].applies_when)
        assert needed <= questions, (group, qid, needed - questions)


def test_the_flash_has_no_audience(flash) -> None:
    assert all(d.audience is None for d in flash.dimensions)
    assert all(q.audience is None for q in flash.questions.values())
    assert all(audience_of(flash, qid) == EVERYONE for qid in flash.questions)
