"""The use cases themselves, on the in-memory fakes, with expectations computed by hand.

The last section runs the same sequences on the fakes and on SQLite (SqlUnitOfWork) and compares
everything visible: it keeps tests/fakes.py honest.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

import pytest

from diagnostic.core import limits
from diagnostic.core.answers import AnswerProblem
from diagnostic.core.errors import Conflict, InputRefused
from diagnostic.core.profile import Profile
from diagnostic.core.roles import NotFound, Role
from diagnostic.exports.assessment_json import to_json
from diagnostic.services import actions, answers, assessments, companies, demo, reports, transfer, workspaces
from diagnostic.services.companies import Erasure
from diagnostic.services.context import Context
from diagnostic.storage.records import ActionRecord
from diagnostic.storage.uow import SqlUnitOfWork
from tests.conftest import fresh_engine
from tests.fakes import FakeUnitOfWork, fake_context

FLASH = "rse-flash"
FULL = "rse-performance-globale"  # the flash has no multiple choice and no yes/no question: these come from here
PROFILE = Profile(headcount_band="11-19", sector="25.62A", sites=2, production_site=True, tertiary_area_1000m2=False)
# Questions of FULL; each applies to PROFILE (headcount 11-19, so at least 1 employee).
MATURITY = "gov.engagement-direction"  # maturity 0..4, no condition
MULTI = "rh.temps-travail-pratiques"  # multiple choice when headcount >= 1: decompte, controle-durees, charge,
# deconnexion, indicateurs, and "aucune", exclusive
YES_NO = "eth.condamnations-corruption"  # yes/no, no condition


@pytest.fixture
def ctx() -> Context:
    """The local owner on an empty fake database (its default workspace is created)."""
    return fake_context()


def other(ctx: Context, lang: str = "fr") -> Context:
    """Someone else at the same time: another session of the same owner, on the same data."""
    return Context(ctx.uow.fresh(), ctx.actor, lang)


def started(
    ctx: Context, name: str = "Atelier Léa", questionnaire_id: str = FLASH, **kwargs: Any
) -> tuple[int, Any, Any]:
    company = companies.save_company(ctx, None, name, PROFILE)
    assessment = assessments.start_assessment(ctx, company.id, questionnaire_id, **kwargs)
    evaluation = assessments.evaluate(ctx, assessment.id)
    assert evaluation is not None
    return company.id, assessment, evaluation.questionnaire


def audit_actions(ctx: Context) -> list[str]:
    return [e.action for e in ctx.uow.store.audit.values()]  # type: ignore[attr-defined]


# --- companies --------------------------------------------------------------------------------------


def test_create_update_list_and_find_companies(ctx: Context) -> None:
    created = companies.save_company(ctx, None, "  Atelier Le\u0301a  ", PROFILE, "cliente depuis 2024")
    assert created.name == "Atelier Léa" and created.notes == "cliente depuis 2024" and created.profile == PROFILE
    (workspace,) = ctx.uow.store.workspaces.values()  # type: ignore[attr-defined]
    assert workspace.name == "Espace local" and created.workspace_id == workspace.id
    companies.save_company(ctx, None, "boulangerie Martin", Profile())
    companies.save_company(ctx, None, "Café", Profile())
    assert [c.name for c in companies.list_companies(ctx)] == ["Atelier Léa", "boulangerie Martin", "Café"]
    updated = companies.save_company(ctx, created.id, "Zinc Léa", PROFILE.model_copy(update={"sites": 3}), "")
    assert (updated.id, updated.name, updated.profile.sites, updated.notes) == (created.id, "Zinc Léa", 3, "")
    assert updated.created_at == created.created_at
    assert [c.name for c in companies.list_companies(ctx)][-1] == "Zinc Léa"
    assert [c.id for c in companies.find_by_name(ctx, "  ZINC léa ")] == [created.id]
    assert companies.find_by_name(ctx, "Zinc") == []
    assert companies.get_company(ctx, created.id) == updated
    assert companies.get_company(ctx, None) is None
    assert audit_actions(ctx)[-4:] == ["company.create", "company.create", "company.create", "company.update"]


@pytest.mark.parametrize(
    ("name", "notes", "code", "details"),
    [
        ("", "", "company.name_required", ""),
        (" \n ", "", "company.name_required", ""),
        ("x" * 201, "", "company.too_long", "201 > 200"),
        ("Atelier\tLéa", "", "company.name_invalid", "the control character U+0009 at character 8"),
        (
            "Léa\u200bMartin",
            "",
            "company.name_invalid",
            "the invisible character U+200B (ZERO WIDTH SPACE) at character 4",
        ),
        ("Dur\u0430nd", "", "company.name_invalid", None),  # a Cyrillic а among Latin letters
        ("Durand", "n" * 20_001, "company.too_long", "20001 > 20000"),
        ("Durand", "ligne\x00", "company.notes_invalid", "a NUL character at character 6"),
    ],
)
def test_company_fields_refused(ctx: Context, name: str, notes: str, code: str, details: str | None) -> None:
    with pytest.raises(InputRefused) as refused:
        companies.clean_company_fields(name, notes)
    assert refused.value.code == code
    if details is not None:
        assert refused.value.details == details
    before = dict(ctx.uow.store.companies)  # type: ignore[attr-defined]
    with pytest.raises(InputRefused):
        companies.save_company(ctx, None, name, Profile(), notes)
    assert ctx.uow.store.companies == before  # type: ignore[attr-defined]


def test_company_fields_accepted_as_stored() -> None:
    assert companies.clean_company_fields("  Cafe\u0301  ", "ligne 1\nligne 2\ttab") == (
        "Café",
        "ligne 1\nligne 2\ttab",
    )
    assert companies.clean_company_fields("x" * 200, "n" * 20_000) == ("x" * 200, "n" * 20_000)
    assert companies.clean_company_fields("Ремонт Сервис", "") == ("Ремонт Сервис", "")  # wholly Cyrillic: fine


def test_updating_a_missing_company_is_not_found(ctx: Context) -> None:
    with pytest.raises(NotFound):
        companies.save_company(ctx, 42, "Nouvelle", Profile())
    assert ctx.uow.store.companies == {}  # type: ignore[attr-defined]


# --- assessments ------------------------------------------------------------------------------------


def test_start_assessment(ctx: Context) -> None:
    company_id, assessment, questionnaire = started(ctx, respondent="Marc", label="2025")
    assert (assessment.company_id, assessment.questionnaire_id, assessment.status) == (company_id, FLASH, "in_progress")
    assert (assessment.respondent, assessment.label, assessment.targets, assessment.completed_at) == (
        "Marc",
        "2025",
        {},
        None,
    )
    assert assessment.questionnaire_version == questionnaire.version
    snapshot = ctx.uow.store.snapshots[assessment.content_hash]  # type: ignore[attr-defined]
    assert snapshot.questionnaire_id == FLASH and "rse-flash" in snapshot.source_text
    assert assessments.list_assessments(ctx, company_id) == [assessment]
    assert audit_actions(ctx)[-1] == "assessment.create"
    with pytest.raises(KeyError):
        assessments.start_assessment(ctx, company_id, "no-such-questionnaire")
    with pytest.raises(NotFound):
        assessments.start_assessment(ctx, 999, FLASH)


def test_status_targets_and_fields(ctx: Context) -> None:
    _, assessment, _ = started(ctx)
    done = assessments.set_status(ctx, assessment.id, True)
    assert done.status == "completed" and done.completed_at is not None
    again = assessments.set_status(ctx, assessment.id, True)
    assert again.completed_at == done.completed_at  # completing twice keeps the first moment
    reopened = assessments.set_status(ctx, assessment.id, False)
    assert (reopened.status, reopened.completed_at) == ("in_progress", None)
    targets = assessments.set_targets(ctx, assessment.id, {"gov": 60, "env": 72.5})
    assert targets.targets == {"gov": 60.0, "env": 72.5} and isinstance(targets.targets["gov"], float)
    labelled = assessments.update_assessment(ctx, assessment.id, label="Bilan", respondent="Léa")
    assert (labelled.label, labelled.respondent, labelled.targets) == ("Bilan", "Léa", {"gov": 60.0, "env": 72.5})
    with pytest.raises(ValueError, match="cannot update company_id"):
        assessments.update_assessment(ctx, assessment.id, company_id=7)
    assert assessments.get_assessment(ctx, assessment.id) == labelled
    details = [e.detail for e in ctx.uow.store.audit.values() if e.action == "assessment.update"]  # type: ignore[attr-defined]
    assert details == ["status", "status", "status", "targets", "label, respondent"]


def test_previous_assessment_and_stamp(ctx: Context) -> None:
    company_id, first, questionnaire = started(ctx)
    second = assessments.start_assessment(ctx, company_id, FLASH)
    assert assessments.previous_assessment(ctx, second) == first
    assert assessments.previous_assessment(ctx, first) is None
    assert [a.id for a in assessments.list_assessments(ctx, company_id)] == [first.id, second.id]
    before = assessments.stamp(ctx, second.id)
    answers.record_answer(ctx, questionnaire, second.id, "gov.demarche-rse", 1)
    after = assessments.stamp(ctx, second.id)
    assert before is not None and after is not None and after >= before
    assert assessments.stamp(ctx, 999) is None


def test_evaluate(ctx: Context) -> None:
    _, assessment, questionnaire = started(ctx)
    answers.record_answer(ctx, questionnaire, assessment.id, "gov.demarche-rse", 4, answered_by="Léa")
    answers.record_answer(ctx, questionnaire, assessment.id, "rh.duerp", "a-jour")
    answers.record_comment(ctx, assessment.id, "rh.duerp", "à jour")
    answers.record_comment(ctx, assessment.id, "env.bilan-carbone", "pas encore")
    evaluation = assessments.evaluate(ctx, assessment.id)
    assert evaluation is not None
    assert {k: (a.value, a.comment) for k, a in evaluation.answers.items()} == {
        "gov.demarche-rse": (4, None),
        "rh.duerp": ("a-jour", "à jour"),
    }
    assert evaluation.comments == {"rh.duerp": "à jour", "env.bilan-carbone": "pas encore"}
    assert set(evaluation.records) == {"gov.demarche-rse", "rh.duerp", "env.bilan-carbone"}
    assert evaluation.result.questions["gov.demarche-rse"].value == evaluation.result.questions["gov.demarche-rse"].max
    assert evaluation.company.name == "Atelier Léa" and evaluation.applies["gov.demarche-rse"] is True
    assert assessments.evaluate(ctx, None) is None and assessments.evaluate(ctx, 999) is None


# --- answers ----------------------------------------------------------------------------------------


def test_record_answer_and_compare_and_set(ctx: Context) -> None:
    _, assessment, q = started(ctx)
    a = assessment.id
    assert answers.record_answer(ctx, q, a, "gov.demarche-rse", 2, answered_by="Léa", shown=None) == 2
    assert answers.record_answer(ctx, q, a, "gov.demarche-rse", 3, answered_by="Marc", shown=2) == 3
    assert answers.load_answers(ctx, a)["gov.demarche-rse"].answered_by == "Marc"
    # someone else changes it: my screen still shows 3
    answers.record_answer(other(ctx), q, a, "gov.demarche-rse", 1, answered_by="Zoé", shown=3)
    with pytest.raises(Conflict) as conflict:
        answers.record_answer(ctx, q, a, "gov.demarche-rse", 4, answered_by="Marc", shown=3)
    assert (conflict.value.current, conflict.value.by, conflict.value.code) == (1, "Zoé", "save.conflict")
    assert answers.load_answers(ctx, a)["gov.demarche-rse"].value == 1
    # an answer appeared while my screen showed none (rh.duerp: a single choice)
    answers.record_answer(other(ctx), q, a, "rh.duerp", "aucun", answered_by="Zoé")
    with pytest.raises(Conflict):
        answers.record_answer(ctx, q, a, "rh.duerp", "a-jour", shown=None)
    # without `shown`, no check
    assert answers.record_answer(ctx, q, a, "rh.duerp", "a-jour") == "a-jour"
    # the same value given again keeps who gave it
    answers.record_answer(ctx, q, a, "rh.duerp", "a-jour", answered_by="Marc")
    assert answers.load_answers(ctx, a)["rh.duerp"].answered_by == "Zoé"


def test_invalid_answers_are_refused_and_nothing_written(ctx: Context) -> None:
    _, assessment, q = started(ctx, questionnaire_id=FULL)
    answers.record_answer(ctx, q, assessment.id, MATURITY, 2)
    before = answers.load_answers(ctx, assessment.id)
    for qid, value in (
        (MATURITY, 5), (MATURITY, 2.5), (MATURITY, "yes"), (YES_NO, 1), ("rh.duerp", 1), ("rh.duerp", "yes"),
        (MULTI, ["charge", "aucune"]), (MULTI, ["or"]), (MULTI, "charge"), (MULTI, "na"), ("no.such.question", 1),
    ):  # fmt: skip
        with pytest.raises(AnswerProblem):
            answers.record_answer(ctx, q, assessment.id, qid, value)
    assert answers.load_answers(ctx, assessment.id) == before


def test_clearing_an_answer_keeps_its_comment(ctx: Context) -> None:
    _, assessment, q = started(ctx, questionnaire_id=FULL)
    a = assessment.id
    answers.record_answer(ctx, q, a, MATURITY, 3)
    answers.record_answer(ctx, q, a, YES_NO, "no")
    answers.record_comment(ctx, a, MATURITY, "note")
    assert answers.record_answer(ctx, q, a, MATURITY, None) is None
    assert answers.record_answer(ctx, q, a, YES_NO, None) is None
    stored = answers.load_answers(ctx, a)
    assert set(stored) == {MATURITY}  # the comment keeps the row; the other row is gone
    assert (stored[MATURITY].value, stored[MATURITY].comment) == (None, "note")
    assert answers.record_answer(ctx, q, a, MULTI, []) is None  # an empty selection is no answer
    assert MULTI not in answers.load_answers(ctx, a)


@pytest.mark.parametrize(
    ("stored", "shown", "chosen", "merged"),
    [
        (["a", "b"], ["a"], ["a", "c"], ["a", "b", "c"]),  # I ticked c, someone ticked b: both
        (["b", "a"], ["a", "b"], ["b"], ["b"]),  # I unticked a
        (None, None, ["x"], ["x"]),
        (["x"], ["y"], ["y", "x"], ["x"]),  # x ticked by both; y unticked by the other
        (["x"], ["x", "y"], [], []),  # I unticked both: x goes, y was already gone
        ([], ["x"], ["x", "z"], ["z"]),  # the other unticked x; I ticked z
        (["c", "a"], [], ["a", "b"], ["c", "a", "b"]),  # stored order first, then what I added
    ],
)
def test_merge_selection(stored: Any, shown: Any, chosen: Any, merged: list[str]) -> None:
    assert answers.merge_selection(stored, shown, chosen) == merged


@pytest.mark.parametrize(
    ("theirs", "shown", "mine", "expected"),
    [
        # someone added charge while I added controle-durees: both, in the questionnaire's option order
        (
            ["decompte", "charge"],
            ["decompte"],
            ["decompte", "controle-durees"],
            ["decompte", "controle-durees", "charge"],
        ),
        # I unticked decompte, someone unticked charge
        (
            ["controle-durees"],
            ["decompte", "controle-durees", "charge"],
            ["controle-durees", "charge"],
            ["controle-durees"],
        ),
        # someone swapped charge for deconnexion; I unticked charge: deconnexion stays
        (["deconnexion"], ["charge"], None, ["deconnexion"]),
        # someone cleared everything; I ticked controle-durees next to charge: only controle-durees
        (None, ["charge"], ["charge", "controle-durees"], ["controle-durees"]),
        # someone ticked charge; I unticked what was shown: the other's charge stays
        (["charge"], ["controle-durees"], [], ["charge"]),
        # nothing changed meanwhile: my selection as it is
        (["charge"], ["charge"], ["controle-durees"], ["controle-durees"]),
        # everything unticked on both sides: no answer
        (["controle-durees"], ["controle-durees", "charge"], ["charge"], None),
    ],
)
def test_a_multiple_choice_is_merged_with_someone_elses_change(
    ctx: Context, theirs: Any, shown: Any, mine: Any, expected: Any
) -> None:
    _, assessment, q = started(ctx, questionnaire_id=FULL)
    a = assessment.id
    first = ["decompte", "controle-durees", "charge"]
    answers.record_answer(other(ctx), q, a, MULTI, first, answered_by="Zoé")
    answers.record_answer(other(ctx), q, a, MULTI, theirs, answered_by="Zoé")
    assert answers.record_answer(ctx, q, a, MULTI, mine, answered_by="Marc", shown=shown) == expected
    stored = answers.load_answers(ctx, a).get(MULTI)
    assert (stored.value if stored else None) == expected


def test_a_merge_into_an_exclusive_option_is_refused_and_nothing_written(ctx: Context) -> None:
    """I ticked "aucune" (no working-time practice) while someone ticked charge: the merge cannot hold both."""
    _, assessment, q = started(ctx, questionnaire_id=FULL)
    answers.record_answer(other(ctx), q, assessment.id, MULTI, ["charge"])
    with pytest.raises(AnswerProblem, match="'aucune' cannot be combined"):
        answers.record_answer(ctx, q, assessment.id, MULTI, ["aucune"], shown=None)
    assert answers.load_answers(ctx, assessment.id)[MULTI].value == ["charge"]


def test_a_single_choice_is_not_merged(ctx: Context) -> None:
    _, assessment, q = started(ctx)
    answers.record_answer(other(ctx), q, assessment.id, "eth.delais-paiement", "retards-ponctuels", answered_by="Zoé")
    with pytest.raises(Conflict) as conflict:
        answers.record_answer(ctx, q, assessment.id, "eth.delais-paiement", "conforme", shown=None)
    assert conflict.value.current == "retards-ponctuels"


def test_record_comment(ctx: Context) -> None:
    _, assessment, q = started(ctx)
    a = assessment.id
    assert answers.record_comment(ctx, a, "rh.duerp", "  à faire  ", answered_by="Léa") == "à faire"
    row = answers.load_answers(ctx, a)["rh.duerp"]
    assert (row.value, row.comment, row.answered_by) == (None, "à faire", "Léa")
    answers.record_comment(other(ctx), a, "rh.duerp", "fait en mai", answered_by="Zoé")
    with pytest.raises(Conflict) as conflict:
        answers.record_comment(ctx, a, "rh.duerp", "en juin", shown="à faire")
    assert conflict.value.current == "fait en mai"
    # writing what is already there is no conflict
    assert answers.record_comment(ctx, a, "rh.duerp", "fait en mai", shown="à faire") == "fait en mai"
    # a comment where none was shown (None counts as empty), while someone wrote one
    answers.record_comment(other(ctx), a, "gov.demarche-rse", "leur note")
    with pytest.raises(Conflict):
        answers.record_comment(ctx, a, "gov.demarche-rse", "ma note", shown=None)
    with pytest.raises(ValueError, match="comment longer than 10000"):
        answers.record_comment(ctx, a, "rh.duerp", "c" * (limits.COMMENT + 1))
    assert answers.record_comment(ctx, a, "rh.duerp", "c" * limits.COMMENT) == "c" * limits.COMMENT
    # a comment kept with its answer; clearing both removes the row
    answers.record_answer(ctx, q, a, "rh.duerp", "a-jour")
    assert answers.load_answers(ctx, a)["rh.duerp"].value == "a-jour"
    assert answers.record_comment(ctx, a, "rh.duerp", "") == ""
    assert answers.load_answers(ctx, a)["rh.duerp"].value == "a-jour"
    answers.record_answer(ctx, q, a, "rh.duerp", None)
    assert "rh.duerp" not in answers.load_answers(ctx, a)


# --- the action plan -----------------------------------------------------------------------------------


def plan_of(ctx: Context, assessment_id: int, *titles: str) -> list[ActionRecord]:
    assert actions.apply_action_edits(ctx, assessment_id, [], {"added_rows": [{"title": t} for t in titles]}) == []
    return actions.list_actions(ctx, assessment_id)


def test_add_edit_and_delete_actions(ctx: Context) -> None:
    _, assessment, _ = started(ctx)
    a = assessment.id
    added = {
        "added_rows": [
            {"title": " Trier ", "owner": "Léa", "due_date": "2026-03-31"},
            {"title": "Former", "status": "x"},
        ]
    }
    assert actions.apply_action_edits(ctx, a, [], added) == []
    shown = actions.list_actions(ctx, a)
    assert [(x.title, x.owner, x.due_date, x.status, x.position) for x in shown] == [
        ("Trier", "Léa", date(2026, 3, 31), "todo", 1),
        ("Former", "", None, "todo", 2),
    ]
    edits = {
        "edited_rows": {"0": {"status": "done", "due_date": ""}, 1: {"notes": "  en mai ", "status": "in_progress"}}
    }
    assert actions.apply_action_edits(ctx, a, shown, edits) == []
    after = actions.list_actions(ctx, a)
    assert [(x.status, x.due_date, x.notes) for x in after] == [("done", None, ""), ("in_progress", None, "en mai")]
    assert actions.apply_action_edits(ctx, a, after, {"deleted_rows": [0, 5]}) == []
    assert [x.title for x in actions.list_actions(ctx, a)] == ["Former"]
    details = [e.detail for e in ctx.uow.store.audit.values() if e.action == "plan.update"]  # type: ignore[attr-defined]
    assert details == [
        "modifiées 0, ajoutées 2, supprimées 0",
        "modifiées 2, ajoutées 0, supprimées 0",
        "modifiées 0, ajoutées 0, supprimées 2",
    ]


def test_an_action_from_a_recommendation(ctx: Context) -> None:
    _, assessment, q = started(ctx)
    answers.record_answer(ctx, q, assessment.id, "gov.demarche-rse", 0)
    evaluation = assessments.evaluate(ctx, assessment.id)
    assert evaluation is not None
    rec = next(r for r in evaluation.result.recommendations if r.question == "gov.demarche-rse")
    first = actions.add_from_recommendation(ctx, assessment.id, rec)
    english = actions.add_from_recommendation(other(ctx, "en"), assessment.id, rec)
    assert (first.title, first.recommendation_id, first.question_id, first.position) == (
        rec.text.get("fr"), rec.id, "gov.demarche-rse", 1,
    )  # fmt: skip
    assert (english.title, english.position) == (rec.text.get("en"), 2)


def test_edits_that_meet_someone_elses(ctx: Context) -> None:
    _, assessment, _ = started(ctx)
    a = assessment.id
    shown = plan_of(ctx, a, "Trier", "Former", "Mesurer")
    theirs = other(ctx)
    fresh = actions.list_actions(theirs, a)
    assert (
        actions.apply_action_edits(theirs, a, fresh, {"edited_rows": {0: {"title": "Trier mieux"}, 2: {"notes": "n"}}})
        == []
    )
    assert actions.apply_action_edits(theirs, a, fresh, {"deleted_rows": [1]}) == []
    # my screen still shows the plan as it was
    mine = {"edited_rows": {0: {"title": "Trier tout"}, 1: {"owner": "Léa"}}, "deleted_rows": [2]}
    assert actions.apply_action_edits(ctx, a, shown, mine) == ["plan.conflict", "plan.gone", "plan.delete_conflict"]
    assert [(x.title, x.owner, x.notes) for x in actions.list_actions(ctx, a)] == [
        ("Trier mieux", "", ""),
        ("Mesurer", "", "n"),
    ]
    # a cell nobody else changed is written even though the row changed
    assert actions.apply_action_edits(ctx, a, shown, {"edited_rows": {0: {"owner": "Léa"}}}) == []
    assert actions.list_actions(ctx, a)[0].owner == "Léa" and actions.list_actions(ctx, a)[0].title == "Trier mieux"


@pytest.mark.parametrize(
    ("values", "problems"),
    [
        ({"title": "   "}, ["plan.title_required"]),
        ({"due_date": "2026-02-30"}, ["plan.bad_date"]),
        ({"due_date": "1969-12-31"}, ["plan.bad_date"]),
        ({"due_date": "2101-01-01"}, ["plan.bad_date"]),
        ({"due_date": "demain"}, ["plan.bad_date"]),
        ({"title": "t" * (limits.ACTION_TITLE + 1)}, ["plan.too_long"]),
        ({"owner": "o" * (limits.ACTION_OWNER + 1)}, ["plan.too_long"]),
        ({"notes": "n" * (limits.ACTION_NOTES + 1)}, ["plan.too_long"]),
        (
            {"title": "", "due_date": "2026-13-01", "owner": "o" * 201},
            ["plan.bad_date", "plan.too_long", "plan.title_required"],
        ),
    ],
)
def test_refused_cells_are_not_written(ctx: Context, values: dict[str, Any], problems: list[str]) -> None:
    _, assessment, _ = started(ctx)
    shown = plan_of(ctx, assessment.id, "Trier", "Former")
    changes = {"edited_rows": {0: values, 1: values}}
    assert actions.apply_action_edits(ctx, assessment.id, shown, changes) == problems  # each problem once
    assert actions.list_actions(ctx, assessment.id) == shown


def test_the_longest_texts_and_the_edge_dates_are_written(ctx: Context) -> None:
    _, assessment, _ = started(ctx)
    shown = plan_of(ctx, assessment.id, "Trier")
    values = {"title": "t" * 1000, "owner": "o" * 200, "notes": "n" * 10_000, "due_date": "2100-12-31"}
    assert actions.apply_action_edits(ctx, assessment.id, shown, {"edited_rows": {0: values}}) == []
    saved = actions.list_actions(ctx, assessment.id)[0]
    assert (len(saved.title), len(saved.owner), len(saved.notes), saved.due_date) == (
        1000,
        200,
        10_000,
        date(2100, 12, 31),
    )
    assert (
        actions.apply_action_edits(ctx, assessment.id, [saved], {"edited_rows": {0: {"due_date": "1970-01-01"}}}) == []
    )


def test_added_rows_without_title_and_beyond_the_maximum(ctx: Context) -> None:
    _, assessment, _ = started(ctx)
    shown = plan_of(ctx, assessment.id, "Trier")
    changes = {"added_rows": [{"owner": "Léa"}, {"title": ""}, {"title": "Former"}]}
    assert actions.apply_action_edits(ctx, assessment.id, shown, changes) == ["plan.title_required"]
    assert [x.title for x in actions.list_actions(ctx, assessment.id)] == ["Trier", "Former"]
    full = shown * (limits.ACTIONS_PER_ASSESSMENT - 1)  # the screen shows 499 rows
    changes = {"added_rows": [{"title": "Un"}, {"title": "Deux"}, {"title": "Trois"}]}
    assert actions.apply_action_edits(ctx, assessment.id, full, changes) == ["plan.too_many"]
    assert [x.title for x in actions.list_actions(ctx, assessment.id)] == ["Trier", "Former", "Un"]


def test_the_action_form(ctx: Context) -> None:
    _, assessment, _ = started(ctx)
    a = assessment.id
    (shown,) = plan_of(ctx, a, "Trier")
    audit_before = len(ctx.uow.store.audit)  # type: ignore[attr-defined]
    same = {"title": " Trier ", "owner": None, "due_date": None, "status": "todo", "notes": ""}
    assert actions.apply_action_form(ctx, a, shown, same) == []
    assert len(ctx.uow.store.audit) == audit_before  # type: ignore[attr-defined]  # nothing sent, nothing logged
    assert actions.apply_action_form(ctx, a, shown, {**same, "owner": "Léa", "due_date": date(2026, 5, 1)}) == []
    saved = actions.list_actions(ctx, a)[0]
    assert (saved.owner, saved.due_date) == ("Léa", date(2026, 5, 1))
    # someone changes the notes: my form (filled with `saved`) changes the owner: both kept
    actions.apply_action_form(other(ctx), a, saved, {"notes": "les leurs"})
    assert actions.apply_action_form(ctx, a, saved, {"owner": "Marc", "notes": ""}) == []  # notes as shown: not sent
    now = actions.list_actions(ctx, a)[0]
    assert (now.owner, now.notes) == ("Marc", "les leurs")
    # both fields are written together, or neither when one of them changed meanwhile
    assert actions.apply_action_form(ctx, a, saved, {"owner": "Zoé", "notes": "les miennes"}) == ["plan.conflict"]
    now = actions.list_actions(ctx, a)[0]
    assert (now.owner, now.notes) == ("Marc", "les leurs")
    # the same field changed by both: refused
    actions.apply_action_form(other(ctx), a, now, {"status": "done"})
    assert actions.apply_action_form(ctx, a, now, {"status": "dropped"}) == ["plan.conflict"]
    assert actions.list_actions(ctx, a)[0].status == "done"
    assert actions.apply_action_form(ctx, a, now, {"title": ""}) == ["plan.title_required"]
    assert actions.apply_action_form(ctx, a, now, {"due_date": "2026-02-30"}) == ["plan.bad_date"]
    assert actions.apply_action_form(ctx, a, now, {"owner": "o" * 201}) == ["plan.too_long"]
    actions.apply_action_edits(other(ctx), a, actions.list_actions(ctx, a), {"deleted_rows": [0]})
    assert actions.apply_action_form(ctx, a, now, {"owner": "Zoé"}) == ["plan.gone"]


def test_plan_digest(ctx: Context) -> None:
    _, assessment, _ = started(ctx)
    empty = actions.plan_digest([])
    shown = plan_of(ctx, assessment.id, "Trier")
    digest = actions.plan_digest(shown)
    assert (
        digest != empty
        and len(digest) == 12
        and digest == actions.plan_digest(actions.list_actions(ctx, assessment.id))
    )
    actions.apply_action_form(ctx, assessment.id, shown[0], {"owner": "Léa"})
    assert actions.plan_digest(actions.list_actions(ctx, assessment.id)) != digest


# --- reports, export and import -------------------------------------------------------------------------------


def filled(ctx: Context) -> tuple[int, Any, Any]:
    """A company with one assessment of FULL (it has a multiple choice): answers by two people, comments,
    targets, two actions."""
    company_id, assessment, q = started(ctx, questionnaire_id=FULL, respondent="Marc", label="Bilan 2025")
    a = assessment.id
    answers.record_answer(ctx, q, a, MATURITY, 2, answered_by="Paul")
    answers.record_answer(ctx, q, a, MULTI, ["charge", "decompte"], answered_by="Léa")
    answers.record_answer(ctx, q, a, YES_NO, "no", answered_by="Léa")
    answers.record_comment(ctx, a, YES_NO, "vérifié au casier judiciaire")
    answers.record_comment(ctx, a, "qual.besoins-clients", "à discuter")
    assessments.set_targets(ctx, a, {"gov": 60, "env": 50})
    added = [
        {"title": "Trier", "owner": "Léa", "due_date": "2026-06-30", "status": "in_progress", "notes": "bacs"},
        {"title": "Former"},
    ]
    actions.apply_action_edits(ctx, a, [], {"added_rows": added})
    assessments.set_status(ctx, a, True)
    return company_id, assessments.get_assessment(ctx, a), q


def test_report_data(ctx: Context) -> None:
    company_id, first, q = filled(ctx)
    data = reports.report_data(ctx, first.id)
    assert data is not None
    assert data.lang == "fr" and data.questionnaire.id == FULL
    assert (data.company.name, data.company.sector, data.company.headcount_band, data.company.sites) == (
        "Atelier Léa", "25.62A", "11-19", 2,
    )  # fmt: skip
    assert data.profile == PROFILE
    assert data.respondents == ["Marc", "Léa", "Paul"]  # the respondent first, then who answered, sorted
    assert {k: a.value for k, a in data.answers.items()} == {
        MATURITY: 2, MULTI: ["decompte", "charge"], YES_NO: "no",  # the options in the questionnaire's order
    }  # fmt: skip
    assert data.targets == {"gov": 60.0, "env": 50.0}
    assert data.assessed_on == first.updated_at
    assert data.previous is None and data.previous_on is None
    assert [(r.title, r.owner, r.due_date, r.status, r.notes) for r in data.actions] == [
        ("Trier", "Léa", date(2026, 6, 30), "in_progress", "bacs"),
        ("Former", "", None, "todo", ""),
    ]
    # a second assessment: the first is its previous
    second = assessments.start_assessment(ctx, company_id, FULL, respondent="Léa")
    answers.record_answer(ctx, q, second.id, MATURITY, 4, answered_by="Léa")
    english = reports.report_data(other(ctx, "en"), second.id)
    assert english is not None and english.lang == "en"
    assert english.respondents == ["Léa"]
    first_result = assessments.evaluate(ctx, first.id)
    assert first_result is not None and english.previous == first_result.result
    assert english.previous_on == first.updated_at
    assert reports.report_data(ctx, 999) is None
    reports.log_download(ctx, first.id, "pdf")
    last = list(ctx.uow.store.audit.values())[-1]  # type: ignore[attr-defined]
    assert (last.action, last.target, last.detail) == ("report.export", f"assessment:{first.id}", "pdf")


def test_export_then_import_into_a_new_company(ctx: Context) -> None:
    company_id, original, _ = filled(ctx)
    document = reports.export_document(ctx, original.id)
    assert document is not None
    assert document["company"] == {"name": "Atelier Léa", "notes": ""}
    assert document["answers"][YES_NO] == {"value": "no", "comment": "vérifié au casier judiciaire"}
    assert document["answers"]["qual.besoins-clients"] == {"value": None, "comment": "à discuter"}
    assert document["assessment"]["status"] == "completed" and document["assessment"]["label"] == "Bilan 2025"
    plan, matches = transfer.prepare_import(ctx, to_json(document))
    assert [c.id for c in matches] == [company_id]
    assert plan.dropped == [] and plan.same_content
    imported = transfer.apply_import(ctx, plan, None)
    assert imported.company_id != company_id
    company = companies.get_company(ctx, imported.company_id)
    assert company is not None and (company.name, company.profile) == ("Atelier Léa", PROFILE)
    assert (imported.status, imported.label, imported.respondent, imported.targets) == (
        "completed", "Bilan 2025", "Marc", {"gov": 60.0, "env": 50.0},
    )  # fmt: skip
    assert imported.created_at == original.created_at and imported.completed_at == original.completed_at
    mine = {k: (r.value, r.comment) for k, r in answers.load_answers(ctx, original.id).items()}
    theirs = answers.load_answers(ctx, imported.id)
    assert {k: (r.value, r.comment) for k, r in theirs.items()} == mine
    assert {r.answered_by for r in theirs.values()} == {"Marc"}  # the file's respondent
    fields = ("title", "owner", "due_date", "status", "notes", "recommendation_id", "question_id", "position")
    assert [[getattr(x, f) for f in fields] for x in actions.list_actions(ctx, imported.id)] == [
        [getattr(x, f) for f in fields] for x in actions.list_actions(ctx, original.id)
    ]
    before, after = assessments.evaluate(ctx, original.id), assessments.evaluate(ctx, imported.id)
    assert before is not None and after is not None and after.result == before.result
    assert audit_actions(ctx)[-2:] == ["company.create", "assessment.import"]


def test_export_then_import_into_an_existing_company(ctx: Context) -> None:
    company_id, original, _ = filled(ctx)
    document = reports.export_document(ctx, original.id)
    assert document is not None
    target = companies.save_company(ctx, None, "Autre nom", Profile(headcount_band="250+"))
    plan, _ = transfer.prepare_import(ctx, to_json(document))
    count = len(ctx.uow.store.companies)  # type: ignore[attr-defined]
    imported = transfer.apply_import(ctx, plan, target.id)
    assert imported.company_id == target.id and len(ctx.uow.store.companies) == count  # type: ignore[attr-defined]
    assert companies.get_company(ctx, target.id) == target  # the company itself is not changed
    assert [a.id for a in assessments.list_assessments(ctx, target.id)] == [imported.id]
    assert len(answers.load_answers(ctx, imported.id)) == len(answers.load_answers(ctx, original.id)) == 4
    with pytest.raises(NotFound):
        transfer.apply_import(ctx, plan, 999)


def test_export_company_holds_every_assessment(ctx: Context) -> None:
    company_id, first, q = filled(ctx)
    second = assessments.start_assessment(ctx, company_id, FULL)
    answers.record_answer(ctx, q, second.id, MATURITY, 1)
    exported = transfer.export_company(ctx, company_id)
    assert (exported["format"], exported["version"]) == ("autodiag-rse/company", 1)
    company = exported["company"]
    assert {k: company[k] for k in ("name", "notes", "sector", "headcount_band", "sites", "production_site")} == {
        "name": "Atelier Léa", "notes": "", "sector": "25.62A", "headcount_band": "11-19", "sites": 2, "production_site": True,
    }  # fmt: skip
    assert company["tertiary_area_1000m2"] is False
    assert datetime.fromisoformat(company["created_at"]) == companies.get_company(ctx, company_id).created_at  # type: ignore[union-attr]
    assert [d["answers"] for d in exported["assessments"]] == [
        reports.export_document(ctx, first.id)["answers"],  # type: ignore[index]
        {MATURITY: 1},
    ]
    assert audit_actions(ctx)[-1] == "company.export"
    with pytest.raises(NotFound):
        transfer.export_company(ctx, 999)


def test_deleting_erases_everything_and_says_what(ctx: Context) -> None:
    # filled: 4 answer rows (3 answers, one of them with a comment, and 1 comment alone), 2 actions
    company_id, first, q = filled(ctx)
    second = assessments.start_assessment(ctx, company_id, FULL)
    answers.record_answer(ctx, q, second.id, MATURITY, 1)
    kept_id, kept, _ = started(ctx, "Garder", FULL)
    store = ctx.uow.store  # type: ignore[attr-defined]
    assert assessments.assessment_erasure(ctx, second.id) == Erasure("Atelier Léa", 1, 1, 0)
    assert companies.company_erasure(ctx, company_id) == Erasure("Atelier Léa", 2, 5, 2)
    assert assessments.delete_assessment(ctx, second.id) == Erasure("Atelier Léa", 1, 1, 0)
    assert assessments.delete_assessment(ctx, second.id) is None
    assert companies.delete_company(ctx, company_id) == Erasure("Atelier Léa", 1, 4, 2)
    assert companies.delete_company(ctx, company_id) is None and companies.company_erasure(ctx, company_id) is None
    assert companies.get_company(ctx, company_id) is None and assessments.evaluate(ctx, first.id) is None
    assert set(store.companies) == {kept_id} and set(store.assessments) == {kept.id}
    assert store.answers == {} and store.actions == {}
    assert len(store.snapshots) == 1  # the questionnaire's text is shared content: it stays
    deleted = [e.detail for e in store.audit.values() if e.action == "company.delete"]
    assert deleted == ["1 diagnostics, 4 réponses, 2 actions"]
    # a new company never gets a deleted id
    assert companies.save_company(ctx, None, "Nouvelle", Profile()).id > max(kept_id, company_id)


def test_the_demo_opens_and_resets(ctx: Context) -> None:
    company, current = demo.open_demo(ctx)
    assert company.name == "Menuiserie Durand (démo)" and demo.is_demo(company) and company.created_at == demo.DEMO_MARK
    listed = assessments.list_assessments(ctx, company.id)
    assert [a.status for a in listed] == ["completed", "completed"] and listed[-1].id == current.id
    assert [a.respondent for a in listed] == ["Claire Durand", "Claire Durand"]
    assert listed[0].created_at < listed[1].created_at
    evaluation = assessments.evaluate(ctx, current.id)
    assert evaluation is not None
    assert current.targets == {d.id: 60.0 for d in evaluation.questionnaire.dimensions}
    plan = actions.list_actions(ctx, current.id)
    assert [a.status for a in plan] == ["in_progress", "todo", "todo"]
    assert [a.recommendation_id for a in plan] == [r.id for r in evaluation.result.recommendations[:3]]
    assert demo.open_demo(ctx) == (company, listed[-1])  # opened again: the same
    assert demo.demo_companies(ctx) == [company]
    # a company only named like the demo, or an imported copy, is not the demo
    named = companies.save_company(ctx, None, "Menuiserie Durand (démo)", Profile())
    assert not demo.is_demo(named) and not demo.is_demo(None)
    plan_file, _ = transfer.prepare_import(ctx, to_json(reports.export_document(ctx, current.id)))  # type: ignore[arg-type]
    copy_of = transfer.apply_import(ctx, plan_file, None)
    assert [c.id for c in demo.demo_companies(ctx)] == [company.id]
    again, again_current = demo.reset_demo(ctx)
    assert again.id != company.id and again_current.id != current.id
    assert companies.get_company(ctx, company.id) is None
    assert {c.id for c in companies.list_companies(ctx)} == {again.id, named.id, copy_of.company_id}
    assert demo.demo_companies(ctx) == [again]
    # all its assessments deleted: opening makes a new one
    for a in assessments.list_assessments(ctx, again.id):
        assessments.delete_assessment(ctx, a.id)
    third, _ = demo.open_demo(ctx)
    assert third.id != again.id and demo.demo_companies(ctx) == [third]


def test_the_demo_in_english(ctx: Context) -> None:
    company, current = demo.open_demo(other(ctx, "en"))
    assert company.name == "Durand Joinery (demo)" and company.notes.startswith("Fictitious demo company")
    evaluation = assessments.evaluate(ctx, current.id)
    assert evaluation is not None
    rec = evaluation.result.recommendations[0]
    assert actions.list_actions(ctx, current.id)[0].title == rec.text.get("en")


# --- the fakes behave as the database: the same sequences on both, the same visible results -------------------


def visible(value: Any) -> Any:
    """What a caller can see, without what differs between two runs (moments, random tokens)."""
    if isinstance(value, datetime):
        return "<moment>"
    if isinstance(value, Profile):
        return value.model_dump()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return (type(value).__name__, {
            f.name: "<token>" if f.name == "token" else visible(getattr(value, f.name)) for f in dataclasses.fields(value)
        })  # fmt: skip
    if isinstance(value, dict):
        return {k: visible(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [visible(v) for v in value]
    return value


def outcome(call: Callable[[], Any]) -> Any:
    try:
        return ("returned", visible(call()))
    except Exception as exc:  # noqa: BLE001
        return (
            "raised",
            type(exc).__name__,
            getattr(exc, "code", None),
            re.sub(r"\d{4}-\d\d-\d\d[^']*", "<moment>", str(exc)),
        )


def seq_companies_and_answers(ctx: Context) -> list[Any]:
    seen: list[Any] = []
    step = seen.append
    step(outcome(lambda: companies.save_company(ctx, None, "  Boulangerie Martin ", PROFILE, "note")))
    step(outcome(lambda: companies.save_company(ctx, None, "atelier Léa", Profile())))
    step(outcome(lambda: companies.save_company(ctx, 1, "Boulangerie Martin & Fils", Profile(sites=3))))
    step(outcome(lambda: companies.save_company(ctx, 77, "Nulle", Profile())))
    step(outcome(lambda: companies.save_company(ctx, None, "", Profile())))
    step(outcome(lambda: companies.list_companies(ctx)))
    step(outcome(lambda: companies.find_by_name(ctx, "ATELIER léa")))
    step(outcome(lambda: assessments.start_assessment(ctx, 1, FULL, respondent="Paul", label="T1")))
    step(outcome(lambda: assessments.start_assessment(ctx, 1, FULL)))
    evaluation = assessments.evaluate(ctx, 1)
    assert evaluation is not None
    q = evaluation.questionnaire
    step(outcome(lambda: answers.record_answer(ctx, q, 1, MATURITY, 3, answered_by="Paul", shown=None)))
    step(outcome(lambda: answers.record_answer(ctx, q, 1, MATURITY, 2, answered_by="Léa", shown=1)))
    step(outcome(lambda: answers.record_answer(ctx, q, 1, MULTI, ["charge"], answered_by="Léa")))
    step(outcome(lambda: answers.record_answer(ctx, q, 1, MULTI, ["controle-durees"], shown=None)))
    step(outcome(lambda: answers.record_answer(ctx, q, 1, YES_NO, "maybe")))
    step(outcome(lambda: answers.record_comment(ctx, 1, YES_NO, " plus tard ")))
    step(outcome(lambda: answers.record_comment(ctx, 1, YES_NO, "jamais", shown="autre")))
    step(outcome(lambda: answers.record_answer(ctx, q, 1, MULTI, None)))
    step(outcome(lambda: answers.record_answer(ctx, q, 2, MATURITY, 4)))
    step(outcome(lambda: answers.record_answer(ctx, q, 99, MATURITY, 4)))
    step(outcome(lambda: answers.load_answers(ctx, 1)))
    step(outcome(lambda: assessments.set_targets(ctx, 1, {"gov": 55})))
    step(outcome(lambda: assessments.set_status(ctx, 1, True)))
    step(outcome(lambda: assessments.update_assessment(ctx, 1, nope=1)))
    step(outcome(lambda: assessments.list_assessments(ctx, 1)))
    step(outcome(lambda: assessments.previous_assessment(ctx, assessments.get_assessment(ctx, 2))))  # type: ignore[arg-type]
    e = assessments.evaluate(ctx, 1)
    assert e is not None
    recommended = [r.id for r in e.result.recommendations]
    step(outcome(lambda: (e.answers, e.comments, e.result.overall, e.result.coverage, recommended)))
    step(outcome(lambda: companies.company_erasure(ctx, 1)))
    step(outcome(lambda: assessments.delete_assessment(ctx, 2)))
    step(outcome(lambda: companies.delete_company(ctx, 2)))
    step(outcome(lambda: companies.list_companies(ctx)))
    return seen


def seq_plan(ctx: Context) -> list[Any]:
    seen: list[Any] = []
    step = seen.append
    company = companies.save_company(ctx, None, "Plan", Profile())
    a = assessments.start_assessment(ctx, company.id, FLASH).id
    step(
        outcome(
            lambda: actions.apply_action_edits(
                ctx, a, [], {"added_rows": [{"title": "Un", "due_date": "2026-01-31"}, {"title": "Deux"}, {}]}
            )
        )
    )
    shown = actions.list_actions(ctx, a)
    step(visible(shown))
    step(outcome(lambda: actions.apply_action_edits(ctx, a, shown, {"edited_rows": {0: {"status": "done"}}})))
    step(
        outcome(
            lambda: actions.apply_action_edits(
                ctx, a, shown, {"edited_rows": {0: {"status": "dropped"}, 1: {"due_date": "x"}}}
            )
        )
    )
    step(outcome(lambda: actions.apply_action_edits(ctx, a, shown, {"deleted_rows": [0, 1]})))
    step(outcome(lambda: actions.apply_action_form(ctx, a, shown[0], {"title": "Un bis"})))
    step(outcome(lambda: actions.apply_action_form(ctx, a, shown[1], {"title": "Deux bis"})))
    step(outcome(lambda: actions.list_actions(ctx, a)))
    step(outcome(lambda: actions.plan_digest(actions.list_actions(ctx, a))))
    step(outcome(lambda: actions.list_actions(ctx, 999)))
    step(outcome(lambda: reports.export_document(ctx, a)["actions"]))  # type: ignore[index]
    return seen


def seq_workspaces(ctx: Context) -> list[Any]:
    seen: list[Any] = []
    step = seen.append
    uow = ctx.uow
    operator = workspaces.operator_context(uow)
    step(
        outcome(lambda: workspaces.create_workspace(operator, "Cabinet", "consultancy", owner_email="Ann@Example.org"))
    )
    step(outcome(lambda: workspaces.create_workspace(operator, "Mauvais", "club")))
    ann = workspaces.signed_in_actor(uow, "https://id.example.org", "ann", "ann@example.org", "Ann")
    bea = workspaces.signed_in_actor(uow, "https://id.example.org", "bea", "bea@example.org", "")
    step(visible((ann, bea)))
    owner_link = workspaces.invitations(operator, 2)[0]
    step(visible(owner_link))
    step(outcome(lambda: workspaces.my_workspaces(Context(uow, ann))))
    # the token is only known to the operator's run: make a new owner link the same way
    link = workspaces.invite(operator, 2, Role.OWNER, email="ann@example.org")
    step(outcome(lambda: workspaces.accept_invitation(Context(uow, bea), link.token, "bea@example.org", True)))
    step(outcome(lambda: workspaces.accept_invitation(Context(uow, ann), link.token, "ann@example.org", True)))
    step(outcome(lambda: workspaces.accept_invitation(Context(uow, ann), link.token, "ann@example.org", True)))
    a = Context(uow, ann)
    step(outcome(lambda: workspaces.my_workspaces(a)))
    company = companies.save_company(a, None, "Client", Profile())
    viewer = workspaces.invite(a, 2, Role.COMPANY_MANAGER, (company.id,))
    step(outcome(lambda: workspaces.accept_invitation(Context(uow, bea), viewer.token, "", None)))
    step(outcome(lambda: companies.list_companies(Context(uow, bea))))
    step(outcome(lambda: workspaces.members(a, 2)))
    step(outcome(lambda: workspaces.invite(a, 2, Role.VIEWER, (company.id,))))
    step(outcome(lambda: workspaces.revoke_invitation(a, 2, 1)))
    step(outcome(lambda: workspaces.revoke_invitation(a, 2, 99)))
    step(outcome(lambda: workspaces.invitations(a, 2)))
    step(outcome(lambda: workspaces.remove_member(a, 2, ann.user_id)))  # type: ignore[arg-type]
    step(outcome(lambda: workspaces.remove_member(a, 2, bea.user_id)))  # type: ignore[arg-type]
    step(outcome(lambda: companies.list_companies(Context(uow, bea))))
    step(outcome(lambda: workspaces.find_workspace(a, "cabinet")))
    step(outcome(lambda: workspaces.find_workspace(ctx, "cabinet")))
    step(outcome(lambda: workspaces.audit_log(a, 2)))
    step(outcome(lambda: workspaces.audit_log(ctx, 1)))
    return seen


def seq_transfer_and_demo(ctx: Context) -> list[Any]:
    seen: list[Any] = []
    step = seen.append
    _, current = demo.open_demo(ctx)
    step(visible(demo.open_demo(ctx)))
    document = reports.export_document(ctx, current.id)
    assert document is not None
    meta = {**document["assessment"], "created_at": None, "completed_at": None}  # the demo's dates follow the clock
    step(visible({**document, "exported_at": None, "assessment": meta}))
    step(outcome(lambda: reports.report_data(ctx, current.id).respondents))  # type: ignore[union-attr]
    plan, matches = transfer.prepare_import(ctx, to_json(document))
    step(visible(matches))
    step(outcome(lambda: transfer.apply_import(ctx, plan, None)))
    step(outcome(lambda: transfer.apply_import(ctx, plan, 1)))
    step(outcome(lambda: answers.load_answers(ctx, 3)))
    exported = transfer.export_company(ctx, 1)
    step(visible([(d["answers"], d["actions"], d["targets"]) for d in exported["assessments"]]))
    step(visible(exported["company"]))
    step(outcome(lambda: demo.reset_demo(ctx)))
    step(outcome(lambda: companies.list_companies(ctx)))
    step(outcome(lambda: [(e.actor, e.action, e.target, e.detail) for e in workspaces.audit_log(ctx, 1)]))
    return seen


SEQUENCES = {
    "companies_and_answers": seq_companies_and_answers,
    "plan": seq_plan,
    "workspaces": seq_workspaces,
    "transfer_and_demo": seq_transfer_and_demo,
}


@pytest.mark.parametrize("sequence", sorted(SEQUENCES))
def test_the_fakes_and_the_database_give_the_same_results(sequence: str, tmp_path) -> None:
    run = SEQUENCES[sequence]
    on_fakes = run(fake_context(uow=FakeUnitOfWork()))
    engine = fresh_engine(f"sqlite:///{tmp_path / 'contract.db'}")
    try:
        uow = SqlUnitOfWork(engine)
        on_database = run(Context(uow, workspaces.local_actor(uow)))
    finally:
        engine.dispose()
    assert len(on_fakes) == len(on_database)
    for index, (fake, real) in enumerate(zip(on_fakes, on_database, strict=True)):
        assert fake == real, f"step {index} of {sequence}"


def test_a_comment_on_a_question_the_questionnaire_does_not_have_is_refused_and_nothing_written(ctx) -> None:
    company, assessment, _q = started(ctx)
    with pytest.raises(AnswerProblem) as caught:
        answers.record_comment(ctx, assessment.id, "env.tri-dechets", "ancienne question")  # gone in 2.0.0
    assert caught.value.code == "answer.unknown_question"
    assert answers.load_answers(ctx, assessment.id) == {}
