"""Two people on one assessment: compare-and-set on every write, never a silent overwrite.

Run on SQLite and, when TEST_DATABASE_URL is set, on PostgreSQL.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from diagnostic.core.errors import Conflict, StorageUnavailable
from diagnostic.core.profile import Profile
from diagnostic.core.roles import Permission
from diagnostic.services import (
    access,
    actions,
    answers,
    assessments,
    companies,
    demo,
    questionnaires,
    reports,
    transfer,
)
from diagnostic.services.context import Context
from diagnostic.storage import uow as uow_module
from diagnostic.storage.records import AnswerEdit
from diagnostic.storage.uow import SqlUnitOfWork
from tests.conftest import fresh_engine, local_context, scope_of

pytestmark = pytest.mark.usefixtures("no_transaction_left_open")

Q = "gov.demarche-rse"  # a maturity question of the flash diagnostic
FULL = "rse-performance-globale"  # the flash has no multiple choice: MULTI is a question of the full diagnostic
MULTI = "rh.temps-travail-pratiques"  # a multiple choice, asked when headcount >= 1 (the company has 20-49)


def start(ctx: Context, questionnaire_id: str = "rse-flash"):
    company = companies.save_company(ctx, None, "Atelier", Profile(headcount_band="20-49"))
    assessment = assessments.start_assessment(ctx, company.id, questionnaire_id, respondent="Claire")
    return assessment, questionnaires.questionnaire_of(ctx.uow, assessment)


def stored(ctx: Context, assessment_id: int, question_id: str):
    row = answers.load_answers(ctx, assessment_id).get(question_id)
    return row.value if row else None




def add_action(ctx: Context, assessment_id: int, title: str):
    return ctx.uow.run(lambda uow: uow.actions.add(access.scope(ctx, Permission.EDIT), assessment_id, title))


def test_the_second_writer_of_one_question_is_told_and_shown_the_first_answer(ctx) -> None:
    assessment, q = start(ctx)
    # both screens show "no answer"; Anne answers 2, then Bruno, whose screen is stale, answers 3
    assert answers.record_answer(ctx, q, assessment.id, Q, 2, answered_by="Anne", shown=None) == 2
    with pytest.raises(Conflict) as refused:
        answers.record_answer(ctx, q, assessment.id, Q, 3, answered_by="Bruno", shown=None)
    assert refused.value.current == 2 and refused.value.by == "Anne"
    assert stored(ctx, assessment.id, Q) == 2
    # Bruno, now shown 2, chooses again: his answer replaces it
    assert answers.record_answer(ctx, q, assessment.id, Q, 3, answered_by="Bruno", shown=2) == 3
    assert stored(ctx, assessment.id, Q) == 3


def test_clearing_an_answer_someone_else_changed_is_refused(ctx) -> None:
    assessment, q = start(ctx)
    answers.record_answer(ctx, q, assessment.id, Q, 1, shown=None)
    answers.record_answer(ctx, q, assessment.id, Q, 4, shown=1)
    with pytest.raises(Conflict):
        answers.record_answer(ctx, q, assessment.id, Q, None, shown=1)
    assert stored(ctx, assessment.id, Q) == 4


def test_multiple_choices_are_merged_option_by_option(ctx) -> None:
    assessment, q = start(ctx, FULL)
    options = [o.id for o in q.options(q.questions[MULTI]) if not o.exclusive]
    a, b, c = options[:3]
    answers.record_answer(ctx, q, assessment.id, MULTI, [a], shown=None)
    # Anne (shown [a]) ticks b; Bruno (also shown [a]) unticks a and ticks c
    assert answers.record_answer(ctx, q, assessment.id, MULTI, [a, b], shown=[a]) == [a, b]
    assert answers.record_answer(ctx, q, assessment.id, MULTI, [c], shown=[a]) == [b, c]
    assert stored(ctx, assessment.id, MULTI) == [b, c]


def test_the_second_writer_of_one_comment_is_refused_and_keeps_the_first(ctx) -> None:
    assessment, q = start(ctx)
    answers.record_answer(ctx, q, assessment.id, Q, 2, shown=None)
    assert answers.record_comment(ctx, assessment.id, Q, "  vu en CODIR ", answered_by="Anne", shown="") == "vu en CODIR"
    with pytest.raises(Conflict) as refused:
        answers.record_comment(ctx, assessment.id, Q, "à revoir", answered_by="Bruno", shown="")
    assert refused.value.current == "vu en CODIR"
    row = answers.load_answers(ctx, assessment.id)[Q]
    assert row.comment == "vu en CODIR" and row.value == 2  # the answer is untouched by comments


def test_a_comment_and_an_answer_of_one_question_do_not_conflict(ctx) -> None:
    assessment, q = start(ctx)
    answers.record_comment(ctx, assessment.id, Q, "note", shown="")
    answers.record_answer(ctx, q, assessment.id, Q, 3, shown=None)
    row = answers.load_answers(ctx, assessment.id)[Q]
    assert (row.value, row.comment) == (3, "note")


def test_simultaneous_clicks_on_one_question_let_exactly_one_through(db_url, ctx) -> None:
    assessment, q = start(ctx)
    writers = 8
    barrier = threading.Barrier(writers)
    outcomes: list[object] = [None] * writers

    def click(i: int) -> None:
        mine = ctx.fresh()  # one unit of work per thread
        barrier.wait(timeout=10)
        try:
            outcomes[i] = answers.record_answer(mine, q, assessment.id, Q, i % 5, answered_by=f"p{i}", shown=None)
        except Conflict as conflict:
            outcomes[i] = conflict

    threads = [threading.Thread(target=click, args=(i,)) for i in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    winners = [i for i, o in enumerate(outcomes) if not isinstance(o, Conflict)]
    assert len(winners) == 1, outcomes  # everyone else was told, nobody was silently overwritten
    assert stored(ctx, assessment.id, Q) == winners[0] % 5
    assert all(o.current == winners[0] % 5 for o in outcomes if isinstance(o, Conflict))


def test_simultaneous_ticks_of_different_options_are_all_kept(ctx) -> None:
    assessment, q = start(ctx, FULL)
    options = [o.id for o in q.options(q.questions[MULTI]) if not o.exclusive]
    barrier = threading.Barrier(len(options))
    errors: list[BaseException] = []

    def tick(option: str) -> None:
        mine = ctx.fresh()  # one unit of work per thread
        barrier.wait(timeout=10)
        try:
            answers.record_answer(mine, q, assessment.id, MULTI, [option], shown=None)
        except BaseException as exc:  # noqa: BLE001 — collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=tick, args=(o,)) for o in options]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors
    assert sorted(stored(ctx, assessment.id, MULTI)) == sorted(options)


# --- the plan -----------------------------------------------------------------------------------


def test_plan_cell_edited_by_two_people_keeps_the_first_and_tells_the_second(ctx) -> None:
    assessment, _ = start(ctx)
    add_action(ctx, assessment.id, "Rédiger le DUERP")
    shown = actions.list_actions(ctx, assessment.id)  # both screens
    assert actions.apply_action_edits(ctx, assessment.id, shown, {"edited_rows": {0: {"owner": "Anne"}}}) == []
    problems = actions.apply_action_edits(ctx, assessment.id, shown, {"edited_rows": {0: {"owner": "Bruno", "status": "done"}}})
    assert problems == ["plan.conflict"]
    action = actions.list_actions(ctx, assessment.id)[0]
    assert action.owner == "Anne" and action.status == "todo"  # nothing of the stale edit was written
    # another cell of the same row, untouched by Anne, can be changed from the stale screen
    assert actions.apply_action_edits(ctx, assessment.id, shown, {"edited_rows": {0: {"status": "done"}}}) == []
    assert actions.list_actions(ctx, assessment.id)[0].status == "done"


def test_editing_a_deleted_action_and_deleting_an_edited_one_are_refused_clearly(ctx) -> None:
    assessment, _ = start(ctx)
    add_action(ctx, assessment.id, "Former l’équipe")
    add_action(ctx, assessment.id, "Mesurer l’énergie")
    shown = actions.list_actions(ctx, assessment.id)
    assert actions.apply_action_edits(ctx, assessment.id, shown, {"deleted_rows": [0]}) == []
    assert actions.apply_action_edits(ctx, assessment.id, shown, {"edited_rows": {0: {"notes": "x"}}}) == ["plan.gone"]
    actions.apply_action_edits(ctx, assessment.id, shown, {"edited_rows": {1: {"due_date": "2027-05-31"}}})
    assert actions.apply_action_edits(ctx, assessment.id, shown, {"deleted_rows": [1]}) == ["plan.delete_conflict"]
    left = actions.list_actions(ctx, assessment.id)
    assert [a.title for a in left] == ["Mesurer l’énergie"] and left[0].due_date == date(2027, 5, 31)


def test_plan_inputs_over_their_maximum_are_refused_not_cut(ctx) -> None:
    assessment, _ = start(ctx)
    add_action(ctx, assessment.id, "Court")
    shown = actions.list_actions(ctx, assessment.id)
    problems = actions.apply_action_edits(
        ctx, assessment.id, shown, {"edited_rows": {0: {"title": "x" * 1001, "due_date": "9999-12-31"}}}
    )
    assert problems == ["plan.bad_date", "plan.too_long"]
    assert actions.list_actions(ctx, assessment.id)[0].title == "Court"


# --- locks and outages ----------------------------------------------------------------------------


def test_a_short_lock_is_waited_for_and_a_long_one_reported_as_busy(tmp_path, monkeypatch) -> None:
    path = tmp_path / "locked.db"
    monkeypatch.setattr("diagnostic.storage.database.BUSY_TIMEOUT_MS", 200)  # a quick test
    monkeypatch.setattr(uow_module, "WRITE_DEADLINE", 1.0)
    ctx = local_context(fresh_engine(f"sqlite:///{path}"))
    assessment, q = start(ctx)

    def hold(seconds: float) -> threading.Thread:
        ready = threading.Event()

        def run() -> None:
            other = sqlite3.connect(path, timeout=0, isolation_level=None)
            other.execute("BEGIN IMMEDIATE")  # another writer (an import) holds the database
            ready.set()
            time.sleep(seconds)
            other.execute("ROLLBACK")
            other.close()

        thread = threading.Thread(target=run)
        thread.start()
        assert ready.wait(5)
        return thread

    thread = hold(0.5)  # shorter than the deadline: retried, then saved
    answers.record_answer(ctx, q, assessment.id, Q, 3, shown=None)
    thread.join()
    assert stored(ctx, assessment.id, Q) == 3

    thread = hold(3.0)  # longer: the person is told, nothing is half-written
    with pytest.raises(StorageUnavailable) as refused:
        answers.record_answer(ctx, q, assessment.id, Q, 1, shown=3)
    thread.join()
    assert refused.value.busy
    assert stored(ctx, assessment.id, Q) == 3


def test_a_unit_of_work_retries_its_whole_work_while_sqlite_is_locked(tmp_path, monkeypatch) -> None:
    """One layer down: `uow.run` runs the work again while another writer holds the database, up to
    its deadline; a nested `run` joins the outer transaction and leaves the retries to it."""
    path = tmp_path / "retry.db"
    monkeypatch.setattr("diagnostic.storage.database.BUSY_TIMEOUT_MS", 100)
    ctx = local_context(fresh_engine(f"sqlite:///{path}"))
    assessment, _ = start(ctx)
    uow = SqlUnitOfWork(ctx.uow.engine)
    edit = scope_of(ctx, Permission.EDIT)
    tries: list[int] = []

    def write(u) -> int:
        tries.append(1)
        return u.actions.add(edit, assessment.id, f"try {len(tries)}").id

    def hold(seconds: float) -> threading.Thread:
        ready = threading.Event()

        def run() -> None:
            other = sqlite3.connect(path, timeout=0, isolation_level=None)
            other.execute("BEGIN IMMEDIATE")
            ready.set()
            time.sleep(seconds)
            other.execute("ROLLBACK")
            other.close()

        thread = threading.Thread(target=run)
        thread.start()
        assert ready.wait(5)
        return thread

    thread = hold(0.6)
    saved = uow.run(write, deadline=5)
    thread.join()
    assert len(tries) > 1  # refused while locked, then written once
    assert [a.id for a in actions.list_actions(ctx, assessment.id)] == [saved]

    tries.clear()
    thread = hold(1.5)
    with pytest.raises(StorageUnavailable) as refused:
        uow.run(write, deadline=0.3)  # the deadline is shorter than the lock
    thread.join()
    assert refused.value.busy and tries
    assert [a.id for a in actions.list_actions(ctx, assessment.id)] == [saved]  # nothing half-written

    with uow:  # inside a transaction, `run` does not open (nor retry) another one
        assert uow.run(lambda inner: inner is uow)
    assert uow_module.retrying(lambda: "done", deadline=0) == "done"


def test_a_write_after_someone_elses_commit_is_compared_with_their_answer(ctx) -> None:
    """A read-then-write must not decide on what it read before another writer committed: on SQLite
    the write fails (locked snapshot) and is run again, on PostgreSQL the row lock reads the latest."""
    assessment, q = start(ctx)
    uow = SqlUnitOfWork(ctx.uow.engine)
    edit = scope_of(ctx, Permission.EDIT)
    seen: list[object] = []

    def cas(old):
        seen.append(old.value if old else None)
        if old is not None:
            raise Conflict(old.value, old.answered_by)
        return AnswerEdit(1, "")

    def work(u):
        assert Q not in u.answers.load(edit, assessment.id) or len(seen) > 0  # a snapshot before the other write
        if not seen:
            answers.record_answer(ctx.fresh(), q, assessment.id, Q, 4, answered_by="Bruno", shown=None)
        return u.answers.edit(edit, assessment.id, Q, cas, answered_by="Anne")

    with pytest.raises(Conflict) as refused:
        uow.run(work)
    assert refused.value.current == 4 and refused.value.by == "Bruno"
    sqlite = ctx.uow.engine.dialect.name == "sqlite"
    assert seen == ([None, 4] if sqlite else [4])  # SQLite: the stale try was refused by the database, then retried
    assert stored(ctx, assessment.id, Q) == 4


def test_simultaneous_starts_save_the_questionnaire_snapshot_once(ctx) -> None:
    company = companies.save_company(ctx, None, "Atelier", Profile())
    starters = 6
    barrier = threading.Barrier(starters)
    started: list[object] = []

    def begin() -> None:
        mine = ctx.fresh()
        barrier.wait(timeout=10)
        try:
            started.append(assessments.start_assessment(mine, company.id, "rse-flash"))
        except BaseException as exc:  # noqa: BLE001 — asserted below
            started.append(exc)

    threads = [threading.Thread(target=begin) for _ in range(starters)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(started) == starters and not [s for s in started if isinstance(s, BaseException)], started
    assert len({s.id for s in started}) == starters
    with ctx.uow.engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM questionnaire_snapshots")).scalar() == 1


# --- the rule, as a property ----------------------------------------------------------------------

screens = st.lists(
    st.tuples(st.sampled_from(["anne", "bruno"]), st.sampled_from(["answer", "refresh"]), st.integers(0, 4)),
    min_size=1,
    max_size=12,
)


def test_a_write_goes_through_exactly_when_the_screen_showed_the_stored_answer(tmp_path) -> None:
    ctx = local_context(fresh_engine(f"sqlite:///{tmp_path / 'property.db'}"))

    @settings(max_examples=40, deadline=None)
    @given(steps=screens)
    def check(steps) -> None:  # each example on an assessment of its own
        assessment, q = start(ctx)
        shown: dict[str, object] = {"anne": None, "bruno": None}
        model: object = None  # what the database must hold
        for who, action, value in steps:
            if action == "refresh":
                shown[who] = model
                continue
            try:
                shown[who] = answers.record_answer(ctx, q, assessment.id, Q, value, answered_by=who, shown=shown[who])
            except Conflict as conflict:
                assert shown[who] != model  # refused only when the screen was stale
                assert conflict.current == model  # and shown what is stored
                shown[who] = conflict.current
            else:
                assert shown[who] == value
                model = value
            assert stored(ctx, assessment.id, Q) == model

    check()
    ctx.uow.engine.dispose()


@given(
    stored_sel=st.lists(st.sampled_from("abcdef"), unique=True),
    shown_sel=st.lists(st.sampled_from("abcdef"), unique=True),
    chosen_sel=st.lists(st.sampled_from("abcdef"), unique=True),
)
def test_merging_applies_exactly_the_ticks_and_unticks_of_the_screen(stored_sel, shown_sel, chosen_sel) -> None:
    merged = answers.merge_selection(stored_sel, shown_sel, chosen_sel)
    added = set(chosen_sel) - set(shown_sel)
    removed = set(shown_sel) - set(chosen_sel)
    assert set(merged) == (set(stored_sel) - removed) | added
    assert len(merged) == len(set(merged))
    if stored_sel == shown_sel:
        assert set(merged) == set(chosen_sel)  # no one else acted: the screen's choice as is


def test_answering_goes_on_while_the_largest_import_is_written(db_url, ctx) -> None:
    from diagnostic.exports.assessment_json import to_json

    company, current = demo.create_demo(ctx)
    document = reports.export_document(ctx, current.id)
    long_action = {"title": "t" * 1000, "owner": "o", "due_date": None, "status": "todo", "notes": "n" * 8000}
    document["actions"] = [dict(long_action, recommendation_id=None, question_id=None) for _ in range(500)]
    raw = to_json(document)
    assert len(raw) > 4_000_000  # close to the 5 MB a file may weigh
    plan, _ = transfer.prepare_import(ctx, raw)
    assessment, q = start(ctx)
    failures: list[BaseException] = []

    def import_it() -> None:
        try:
            transfer.apply_import(ctx.fresh(), plan, None)
        except BaseException as exc:  # noqa: BLE001 — asserted below
            failures.append(exc)

    thread = threading.Thread(target=import_it)
    thread.start()
    shown = None
    for level in [1, 2, 3, 4, 0, 1, 2, 3, 4, 0]:  # a person answering meanwhile: every answer is saved
        shown = answers.record_answer(ctx, q, assessment.id, Q, level, shown=shown)
    thread.join(60)
    assert not failures
    assert stored(ctx, assessment.id, Q) == 0
    assert len(companies.list_companies(ctx)) == 3
