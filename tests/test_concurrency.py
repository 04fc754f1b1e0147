"""Two people on one assessment: compare-and-set on every write, never a silent overwrite.

Run on SQLite and, when TEST_DATABASE_URL is set, on PostgreSQL.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from diagnostic import services
from diagnostic.core.errors import Conflict, StorageUnavailable
from diagnostic.core.profile import Profile
from diagnostic.storage import repository as repository_module
from diagnostic.storage.repository import Repository
from tests.conftest import fresh_engine

Q = "gov.demarche-rse"  # a maturity question of the flash diagnostic
MULTI = "env.tri-dechets"  # a multiple choice


def start(repo: Repository):
    company = repo.create_company("Atelier", Profile(headcount_band="20-49"))
    assessment = services.start_assessment(repo, company.id, "rse-flash", respondent="Claire")
    return assessment, services.questionnaire_of(repo, assessment)


def stored(repo: Repository, assessment_id: int, question_id: str):
    row = repo.load_answers(assessment_id).get(question_id)
    return row.value if row else None


def test_the_second_writer_of_one_question_is_told_and_shown_the_first_answer(repo) -> None:
    assessment, q = start(repo)
    # both screens show "no answer"; Anne answers 2, then Bruno, whose screen is stale, answers 3
    assert services.record_answer(repo, q, assessment.id, Q, 2, answered_by="Anne", shown=None) == 2
    with pytest.raises(Conflict) as refused:
        services.record_answer(repo, q, assessment.id, Q, 3, answered_by="Bruno", shown=None)
    assert refused.value.current == 2 and refused.value.by == "Anne"
    assert stored(repo, assessment.id, Q) == 2
    # Bruno, now shown 2, chooses again: his answer replaces it
    assert services.record_answer(repo, q, assessment.id, Q, 3, answered_by="Bruno", shown=2) == 3
    assert stored(repo, assessment.id, Q) == 3


def test_clearing_an_answer_someone_else_changed_is_refused(repo) -> None:
    assessment, q = start(repo)
    services.record_answer(repo, q, assessment.id, Q, 1, shown=None)
    services.record_answer(repo, q, assessment.id, Q, 4, shown=1)
    with pytest.raises(Conflict):
        services.record_answer(repo, q, assessment.id, Q, None, shown=1)
    assert stored(repo, assessment.id, Q) == 4


def test_multiple_choices_are_merged_option_by_option(repo) -> None:
    assessment, q = start(repo)
    options = [o.id for o in q.options(q.questions[MULTI]) if not o.exclusive]
    a, b, c = options[:3]
    services.record_answer(repo, q, assessment.id, MULTI, [a], shown=None)
    # Anne (shown [a]) ticks b; Bruno (also shown [a]) unticks a and ticks c
    assert services.record_answer(repo, q, assessment.id, MULTI, [a, b], shown=[a]) == [a, b]
    assert services.record_answer(repo, q, assessment.id, MULTI, [c], shown=[a]) == [b, c]
    assert stored(repo, assessment.id, MULTI) == [b, c]


def test_the_second_writer_of_one_comment_is_refused_and_keeps_the_first(repo) -> None:
    assessment, q = start(repo)
    services.record_answer(repo, q, assessment.id, Q, 2, shown=None)
    assert services.record_comment(repo, assessment.id, Q, "  vu en CODIR ", answered_by="Anne", shown="") == "vu en CODIR"
    with pytest.raises(Conflict) as refused:
        services.record_comment(repo, assessment.id, Q, "à revoir", answered_by="Bruno", shown="")
    assert refused.value.current == "vu en CODIR"
    row = repo.load_answers(assessment.id)[Q]
    assert row.comment == "vu en CODIR" and row.value == 2  # the answer is untouched by comments


def test_a_comment_and_an_answer_of_one_question_do_not_conflict(repo) -> None:
    assessment, q = start(repo)
    services.record_comment(repo, assessment.id, Q, "note", shown="")
    services.record_answer(repo, q, assessment.id, Q, 3, shown=None)
    row = repo.load_answers(assessment.id)[Q]
    assert (row.value, row.comment) == (3, "note")


def test_simultaneous_clicks_on_one_question_let_exactly_one_through(db_url, repo) -> None:
    assessment, q = start(repo)
    writers = 8
    barrier = threading.Barrier(writers)
    outcomes: list[object] = [None] * writers

    def click(i: int) -> None:
        mine = Repository(repo.engine)
        barrier.wait(timeout=10)
        try:
            outcomes[i] = services.record_answer(mine, q, assessment.id, Q, i % 5, answered_by=f"p{i}", shown=None)
        except Conflict as conflict:
            outcomes[i] = conflict

    threads = [threading.Thread(target=click, args=(i,)) for i in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    winners = [i for i, o in enumerate(outcomes) if not isinstance(o, Conflict)]
    assert len(winners) == 1, outcomes  # everyone else was told, nobody was silently overwritten
    assert stored(repo, assessment.id, Q) == winners[0] % 5
    assert all(o.current == winners[0] % 5 for o in outcomes if isinstance(o, Conflict))


def test_simultaneous_ticks_of_different_options_are_all_kept(repo) -> None:
    assessment, q = start(repo)
    options = [o.id for o in q.options(q.questions[MULTI]) if not o.exclusive]
    barrier = threading.Barrier(len(options))
    errors: list[BaseException] = []

    def tick(option: str) -> None:
        mine = Repository(repo.engine)
        barrier.wait(timeout=10)
        try:
            services.record_answer(mine, q, assessment.id, MULTI, [option], shown=None)
        except BaseException as exc:  # noqa: BLE001 — collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=tick, args=(o,)) for o in options]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors
    assert sorted(stored(repo, assessment.id, MULTI)) == sorted(options)


# --- the plan -----------------------------------------------------------------------------------


def test_plan_cell_edited_by_two_people_keeps_the_first_and_tells_the_second(repo) -> None:
    assessment, _ = start(repo)
    repo.add_action(assessment.id, "Rédiger le DUERP")
    shown = repo.list_actions(assessment.id)  # both screens
    assert services.apply_action_edits(repo, assessment.id, shown, {"edited_rows": {0: {"owner": "Anne"}}}) == []
    problems = services.apply_action_edits(repo, assessment.id, shown, {"edited_rows": {0: {"owner": "Bruno", "status": "done"}}})
    assert problems == ["plan.conflict"]
    action = repo.list_actions(assessment.id)[0]
    assert action.owner == "Anne" and action.status == "todo"  # nothing of the stale edit was written
    # another cell of the same row, untouched by Anne, can be changed from the stale screen
    assert services.apply_action_edits(repo, assessment.id, shown, {"edited_rows": {0: {"status": "done"}}}) == []
    assert repo.list_actions(assessment.id)[0].status == "done"


def test_editing_a_deleted_action_and_deleting_an_edited_one_are_refused_clearly(repo) -> None:
    assessment, _ = start(repo)
    repo.add_action(assessment.id, "Former l’équipe")
    repo.add_action(assessment.id, "Mesurer l’énergie")
    shown = repo.list_actions(assessment.id)
    assert services.apply_action_edits(repo, assessment.id, shown, {"deleted_rows": [0]}) == []
    assert services.apply_action_edits(repo, assessment.id, shown, {"edited_rows": {0: {"notes": "x"}}}) == ["plan.gone"]
    services.apply_action_edits(repo, assessment.id, shown, {"edited_rows": {1: {"due_date": "2027-05-31"}}})
    assert services.apply_action_edits(repo, assessment.id, shown, {"deleted_rows": [1]}) == ["plan.delete_conflict"]
    left = repo.list_actions(assessment.id)
    assert [a.title for a in left] == ["Mesurer l’énergie"] and left[0].due_date == date(2027, 5, 31)


def test_plan_inputs_over_their_maximum_are_refused_not_cut(repo) -> None:
    assessment, _ = start(repo)
    repo.add_action(assessment.id, "Court")
    shown = repo.list_actions(assessment.id)
    problems = services.apply_action_edits(
        repo, assessment.id, shown, {"edited_rows": {0: {"title": "x" * 1001, "due_date": "9999-12-31"}}}
    )
    assert problems == ["plan.bad_date", "plan.too_long"]
    assert repo.list_actions(assessment.id)[0].title == "Court"


# --- locks and outages ----------------------------------------------------------------------------


def test_a_short_lock_is_waited_for_and_a_long_one_reported_as_busy(tmp_path, monkeypatch) -> None:
    path = tmp_path / "locked.db"
    monkeypatch.setattr("diagnostic.storage.database.BUSY_TIMEOUT_MS", 200)  # a quick test
    monkeypatch.setattr(repository_module, "WRITE_DEADLINE", 1.0)
    repo = Repository(fresh_engine(f"sqlite:///{path}"))
    assessment, q = start(repo)

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
    services.record_answer(repo, q, assessment.id, Q, 3, shown=None)
    thread.join()
    assert stored(repo, assessment.id, Q) == 3

    thread = hold(3.0)  # longer: the person is told, nothing is half-written
    with pytest.raises(StorageUnavailable) as refused:
        services.record_answer(repo, q, assessment.id, Q, 1, shown=3)
    thread.join()
    assert refused.value.busy
    assert stored(repo, assessment.id, Q) == 3


# --- the rule, as a property ----------------------------------------------------------------------

screens = st.lists(
    st.tuples(st.sampled_from(["anne", "bruno"]), st.sampled_from(["answer", "refresh"]), st.integers(0, 4)),
    min_size=1,
    max_size=12,
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=screens)
def test_a_write_goes_through_exactly_when_the_screen_showed_the_stored_answer(tmp_path, steps) -> None:
    repo = Repository(fresh_engine(f"sqlite:///{tmp_path / f'p{abs(hash(tuple(steps)))}.db'}"))
    assessment, q = start(repo)
    shown: dict[str, object] = {"anne": None, "bruno": None}
    model: object = None  # what the database must hold
    for who, action, value in steps:
        if action == "refresh":
            shown[who] = model
            continue
        try:
            shown[who] = services.record_answer(repo, q, assessment.id, Q, value, answered_by=who, shown=shown[who])
        except Conflict as conflict:
            assert shown[who] != model  # refused only when the screen was stale
            assert conflict.current == model  # and shown what is stored
            shown[who] = conflict.current
        else:
            assert shown[who] == value
            model = value
        assert stored(repo, assessment.id, Q) == model
    repo.engine.dispose()


@given(
    stored_sel=st.lists(st.sampled_from("abcdef"), unique=True),
    shown_sel=st.lists(st.sampled_from("abcdef"), unique=True),
    chosen_sel=st.lists(st.sampled_from("abcdef"), unique=True),
)
def test_merging_applies_exactly_the_ticks_and_unticks_of_the_screen(stored_sel, shown_sel, chosen_sel) -> None:
    merged = services._merge_selection(stored_sel, shown_sel, chosen_sel)
    added = set(chosen_sel) - set(shown_sel)
    removed = set(shown_sel) - set(chosen_sel)
    assert set(merged) == (set(stored_sel) - removed) | added
    assert len(merged) == len(set(merged))
    if stored_sel == shown_sel:
        assert set(merged) == set(chosen_sel)  # no one else acted: the screen's choice as is


def test_answering_goes_on_while_the_largest_import_is_written(db_url, repo) -> None:
    from diagnostic.exports.assessment_json import to_json

    company, demo = services.create_demo(repo, "fr")
    document = services.export_document(repo, demo.id)
    long_action = {"title": "t" * 1000, "owner": "o", "due_date": None, "status": "todo", "notes": "n" * 8000}
    document["actions"] = [dict(long_action, recommendation_id=None, question_id=None) for _ in range(500)]
    raw = to_json(document)
    assert len(raw) > 4_000_000  # close to the 5 MB a file may weigh
    plan, _ = services.prepare_import(repo, raw)
    assessment, q = start(repo)
    failures: list[BaseException] = []

    def import_it() -> None:
        try:
            services.apply_import(Repository(repo.engine), plan, None)
        except BaseException as exc:  # noqa: BLE001 — asserted below
            failures.append(exc)

    thread = threading.Thread(target=import_it)
    thread.start()
    shown = None
    for level in [1, 2, 3, 4, 0, 1, 2, 3, 4, 0]:  # a person answering meanwhile: every answer is saved
        shown = services.record_answer(repo, q, assessment.id, Q, level, shown=shown)
    thread.join(60)
    assert not failures
    assert stored(repo, assessment.id, Q) == 0
    assert len(repo.list_companies()) == 3
