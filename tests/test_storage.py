"""Storage on SQLite and on PostgreSQL (TEST_DATABASE_URL): every answer survives a restart."""

from __future__ import annotations

import gzip
from datetime import date

import pytest
from sqlalchemy import inspect, text

from diagnostic.core.profile import Profile
from diagnostic.core.roles import Permission, Scope
from diagnostic.services import access, actions, answers, assessments, companies, demo, questionnaires, reports
from diagnostic.services.context import Context
from diagnostic.storage.database import MIGRATIONS, make_engine, migrate
from diagnostic.storage.uow import SqlUnitOfWork
from tests.conftest import FIXTURES, PG_URL, fresh_engine, local_context, scope_of  # noqa: F401  (other test modules import them from here)

pytestmark = pytest.mark.usefixtures("no_transaction_left_open")

TABLES = ("companies", "questionnaire_snapshots", "assessments", "answers", "actions")


def count(ctx: Context, table: str, where: str = "", **params: object) -> int:
    with ctx.uow.engine.connect() as connection:
        return connection.execute(text(f"SELECT count(*) FROM {table} {where}"), params).scalar_one()




def add_action(ctx: Context, assessment_id: int, title: str, **fields: object):
    return ctx.uow.run(lambda uow: uow.actions.add(access.scope(ctx, Permission.EDIT), assessment_id, title, **fields))


def test_migrations_create_every_table(ctx) -> None:
    tables = set(inspect(ctx.uow.engine).get_table_names())
    assert {*TABLES, "alembic_version"} <= tables
    assert {"workspaces", "users", "memberships", "invitations", "audit_events"} <= tables


def test_sqlite_uses_wal(tmp_path) -> None:
    engine = fresh_engine(f"sqlite:///{tmp_path / 'wal.db'}")
    with engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA busy_timeout")).scalar() == 5000
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
    engine.dispose()


def test_company_profile_round_trip(ctx) -> None:
    profile = Profile(headcount_band="11-19", sector="25.62A", sites=2, production_site=True, tertiary_area_1000m2=False)
    company = companies.save_company(ctx, None, "  Atelier Léa & Fils  ", profile, "cliente depuis 2024")
    assert company.name == "Atelier Léa & Fils"
    again = companies.get_company(ctx, company.id)
    assert again is not None and again.profile == profile and again.notes == "cliente depuis 2024"
    updated = companies.save_company(ctx, company.id, "Atelier Léa", profile.model_copy(update={"headcount_band": "20-49"}))
    assert updated.profile.headcount_band == "20-49"
    assert [c.name for c in companies.list_companies(ctx)] == ["Atelier Léa"]
    assert companies.find_by_name(ctx, "atelier léa")[0].id == company.id


def test_a_company_is_found_by_its_name_whatever_its_letters(ctx) -> None:
    company = companies.save_company(ctx, None, "Étoile du Nord", Profile())
    assert [c.id for c in companies.find_by_name(ctx, "Étoile du Nord")] == [company.id]
    assert [c.id for c in companies.find_by_name(ctx, " ÉTOILE DU NORD ")] == [company.id]
    assert [c.id for c in companies.find_by_name(ctx, "ÉTOILE DU NORD")] == [company.id]


def test_the_repository_strips_names_and_keeps_profiles(ctx) -> None:
    """The same round trip one layer down, through the unit of work and the company repository."""
    profile = Profile(headcount_band="11-19", sector="25.62A", sites=2, production_site=True, tertiary_area_1000m2=False)
    uow = SqlUnitOfWork(ctx.uow.engine)
    with uow:
        workspace = uow.workspaces.add("Cabinet", "consultancy").id
        created = uow.companies.add(workspace, "  Atelier Léa & Fils  ", profile, "cliente depuis 2024")
    scope = Scope(workspaces=frozenset({workspace}))
    with uow:
        again = uow.companies.get(scope, created.id)
        assert again == created and again.name == "Atelier Léa & Fils" and again.profile == profile
        assert again.workspace_id == workspace
        uow.companies.update(scope, created.id, " Atelier Léa ", profile.model_copy(update={"sites": 3}))
    with uow:
        assert [(c.name, c.profile.sites) for c in uow.companies.list(scope)] == [("Atelier Léa", 3)]
        assert [c.id for c in uow.companies.find_by_name(scope, "  ATELIER LÉA ")] == [created.id]


def test_a_unit_of_work_commits_once_at_the_end_and_rolls_back_on_error(ctx) -> None:
    uow = SqlUnitOfWork(ctx.uow.engine)
    with uow:
        workspace = uow.workspaces.add("Cabinet", "consultancy").id
    scope = Scope(workspaces=frozenset({workspace}))
    with pytest.raises(RuntimeError), uow:
        uow.companies.add(workspace, "Perdue", Profile())
        with uow:  # a nested block joins the outer transaction: its end commits nothing
            uow.companies.add(workspace, "Perdue aussi", Profile())
        raise RuntimeError("the use case fails after its writes")
    with uow:
        assert uow.companies.list(scope) == []
    with uow:
        with uow:
            uow.companies.add(workspace, "Gardée", Profile())
        assert count(ctx, "companies", "WHERE name = :n", n="Gardée") == 0  # not committed before the outer end
    assert count(ctx, "companies", "WHERE name = :n", n="Gardée") == 1


def test_answers_are_written_one_row_each_and_survive_a_new_engine(db_url, ctx) -> None:
    # the full diagnostic: the flash has neither a multiple choice nor a yes/no question any more
    company = companies.save_company(ctx, None, "Boulangerie Martin", Profile(headcount_band="1-10"))
    assessment = assessments.start_assessment(ctx, company.id, "rse-performance-globale", respondent="Paul")
    questionnaire = questionnaires.questionnaire_of(ctx.uow, assessment)
    maturity, yes_no, dont_know = "gov.engagement-direction", "eth.condamnations-corruption", "qual.besoins-clients"
    multiple = "rh.temps-travail-pratiques"  # asked from 1 employee: the bakery has 1-10
    answers.record_answer(ctx, questionnaire, assessment.id, maturity, 3, answered_by="Paul")
    answers.record_answer(ctx, questionnaire, assessment.id, multiple, ["decompte", "charge"])
    answers.record_answer(ctx, questionnaire, assessment.id, yes_no, "no")
    answers.record_answer(ctx, questionnaire, assessment.id, maturity, 2, answered_by="Paul")  # changed mind
    answers.record_comment(ctx, assessment.id, yes_no, "vérifié en juin")
    answers.record_answer(ctx, questionnaire, assessment.id, dont_know, "dont_know")

    # a new engine is a restarted server
    engine = make_engine(db_url)
    other = local_context(engine)
    given, comments = assessments.split_answers(answers.load_answers(other, assessment.id))
    assert {k: a.value for k, a in given.items()} == {
        maturity: 2,
        multiple: ["decompte", "charge"],
        yes_no: "no",
        dont_know: "dont_know",
    }
    assert comments == {yes_no: "vérifié en juin"}
    assert answers.load_answers(other, assessment.id)[maturity].answered_by == "Paul"
    assert count(other, "answers", "WHERE assessment_id = :a", a=assessment.id) == 4
    engine.dispose()


def test_clearing_an_answer_keeps_its_comment(ctx) -> None:
    company = companies.save_company(ctx, None, "C", Profile())
    assessment = assessments.start_assessment(ctx, company.id, "rse-flash")
    q = questionnaires.questionnaire_of(ctx.uow, assessment)
    answers.record_answer(ctx, q, assessment.id, "gov.demarche-rse", 3)
    answers.record_comment(ctx, assessment.id, "gov.demarche-rse", "note")
    answers.record_answer(ctx, q, assessment.id, "gov.demarche-rse", None)
    given, comments = assessments.split_answers(answers.load_answers(ctx, assessment.id))
    assert given == {} and comments == {"gov.demarche-rse": "note"}
    # and clearing the comment too leaves no row at all
    answers.record_comment(ctx, assessment.id, "gov.demarche-rse", "")
    assert answers.load_answers(ctx, assessment.id) == {}
    assert count(ctx, "answers") == 0


def test_invalid_answer_is_refused_and_nothing_written(ctx) -> None:
    company = companies.save_company(ctx, None, "C", Profile())
    assessment = assessments.start_assessment(ctx, company.id, "rse-flash")
    q = questionnaires.questionnaire_of(ctx.uow, assessment)
    with pytest.raises(ValueError, match="off the scale"):
        answers.record_answer(ctx, q, assessment.id, "gov.demarche-rse", 9)
    assert answers.load_answers(ctx, assessment.id) == {}
    assert count(ctx, "answers") == 0


def test_assessment_records_questionnaire_identity_and_snapshot(ctx) -> None:
    company = companies.save_company(ctx, None, "C", Profile())
    assessment = assessments.start_assessment(ctx, company.id, "rse-performance-globale")
    loaded, source = questionnaires.shipped_questionnaire("rse-performance-globale")
    assert (assessment.questionnaire_id, assessment.questionnaire_version, assessment.content_hash) == (
        loaded.id,
        loaded.version,
        loaded.content_hash,
    )
    assert questionnaires.snapshot_text(ctx.uow, loaded.content_hash) == source
    # a second assessment reuses the snapshot
    assessments.start_assessment(ctx, company.id, "rse-performance-globale")
    assert count(ctx, "questionnaire_snapshots") == 1
    # and saving it again through the repository writes nothing either
    ctx.uow.run(lambda uow: uow.snapshots.save(loaded, source))
    assert count(ctx, "questionnaire_snapshots") == 1


def test_targets_status_and_actions(ctx) -> None:
    company = companies.save_company(ctx, None, "C", Profile())
    assessment = assessments.start_assessment(ctx, company.id, "rse-flash")
    assessments.update_assessment(ctx, assessment.id, targets={"gov": 60, "env": 70.5})
    done = assessments.update_assessment(ctx, assessment.id, status="completed")
    assert done.completed_at is not None and done.targets == {"gov": 60.0, "env": 70.5}
    again = assessments.set_status(ctx, assessment.id, completed=False)
    assert again.status == "in_progress" and again.completed_at is None
    first = add_action(ctx, assessment.id, "Rédiger le DUERP", recommendation_id="rh.duerp.r1", question_id="rh.duerp", owner="Paul")
    second = add_action(ctx, assessment.id, "Action libre")
    edit = scope_of(ctx, Permission.EDIT)
    ctx.uow.run(lambda uow: uow.actions.update(edit, second.id, status="done", due_date=date(2027, 3, 31), notes="ok"))
    plan = actions.list_actions(ctx, assessment.id)
    assert [a.title for a in plan] == ["Rédiger le DUERP", "Action libre"]
    assert plan[0].recommendation_id == "rh.duerp.r1" and plan[0].position < plan[1].position
    assert plan[1].status == "done" and plan[1].due_date == date(2027, 3, 31)
    ctx.uow.run(lambda uow: uow.actions.delete(edit, first.id))
    assert [a.id for a in actions.list_actions(ctx, assessment.id)] == [second.id]
    with pytest.raises(ValueError):
        ctx.uow.run(lambda uow: uow.actions.update(edit, second.id, secret="x"))
    with pytest.raises(ValueError):
        add_action(ctx, assessment.id, "x", secret="x")
    with pytest.raises(ValueError):
        assessments.update_assessment(ctx, assessment.id, company_id=2)


def test_deleting_a_company_deletes_its_assessments(ctx) -> None:
    company = companies.save_company(ctx, None, "C", Profile())
    assessment = assessments.start_assessment(ctx, company.id, "rse-flash")
    q = questionnaires.questionnaire_of(ctx.uow, assessment)
    answers.record_answer(ctx, q, assessment.id, "gov.demarche-rse", 2)
    add_action(ctx, assessment.id, "x")
    kept = companies.save_company(ctx, None, "Gardée", Profile())
    other = assessments.start_assessment(ctx, kept.id, "rse-flash")
    answers.record_answer(ctx, q, other.id, "gov.demarche-rse", 4)
    add_action(ctx, other.id, "y")
    erased = companies.delete_company(ctx, company.id)
    assert erased == companies.Erasure(company="C", assessments=1, answers=1, actions=1)
    assert assessments.get_assessment(ctx, assessment.id) is None
    assert count(ctx, "answers") == 1 and count(ctx, "actions") == 1 and count(ctx, "assessments") == 1
    assert count(ctx, "answers", "WHERE assessment_id = :a", a=other.id) == 1  # the other company's stay
    assert companies.delete_company(ctx, company.id) is None  # already gone: told so, nothing else erased
    assert count(ctx, "questionnaire_snapshots") == 1  # shared content, not the company's


def test_deleting_through_the_repositories_cascades_too(ctx) -> None:
    company = companies.save_company(ctx, None, "C", Profile())
    first = assessments.start_assessment(ctx, company.id, "rse-flash")
    second = assessments.start_assessment(ctx, company.id, "rse-flash")
    q = questionnaires.questionnaire_of(ctx.uow, first)
    for assessment in (first, second):
        answers.record_answer(ctx, q, assessment.id, "gov.demarche-rse", 2)
        add_action(ctx, assessment.id, "x")
    scope = scope_of(ctx, Permission.DELETE)
    assert ctx.uow.run(lambda uow: uow.assessments.delete(scope, first.id)) is True
    assert (count(ctx, "assessments"), count(ctx, "answers"), count(ctx, "actions")) == (1, 1, 1)
    assert ctx.uow.run(lambda uow: uow.assessments.delete(scope, first.id)) is False
    assert ctx.uow.run(lambda uow: uow.companies.delete(scope, company.id)) is True
    assert (count(ctx, "companies"), count(ctx, "assessments"), count(ctx, "answers"), count(ctx, "actions")) == (0, 0, 0, 0)
    assert ctx.uow.run(lambda uow: uow.companies.delete(scope, company.id)) is False


def test_demo_company_has_results_and_a_previous_assessment(ctx) -> None:
    company, assessment = demo.create_demo(ctx)
    evaluation = assessments.evaluate(ctx, assessment.id)
    assert evaluation is not None
    assert evaluation.result.overall is not None and evaluation.result.level is not None
    assert evaluation.result.coverage > 0.9
    previous = assessments.previous_assessment(ctx, assessment)
    assert previous is not None and previous.created_at < assessment.created_at
    previous_eval = assessments.evaluate(ctx, previous.id)
    assert previous_eval is not None and previous_eval.result.overall < evaluation.result.overall
    assert len(actions.list_actions(ctx, assessment.id)) == 3
    data = reports.report_data(ctx, assessment.id)
    assert data is not None
    assert data.previous is not None and data.targets and data.company.name == company.name
    assert data.respondents == ["Claire Durand"]


def test_a_deleted_id_is_never_given_again(ctx) -> None:
    company = companies.save_company(ctx, None, "Atelier", Profile())
    first = assessments.start_assessment(ctx, company.id, "rse-flash")
    newest = assessments.start_assessment(ctx, company.id, "rse-flash")
    assessments.delete_assessment(ctx, newest.id)
    again = assessments.start_assessment(ctx, company.id, "rse-flash")
    assert again.id not in (first.id, newest.id)  # a stale tab on `newest` finds nothing, not `again`
    action = add_action(ctx, again.id, "x")
    ctx.uow.run(lambda uow: uow.actions.delete(access.scope(ctx, Permission.EDIT), action.id))
    assert add_action(ctx, again.id, "y").id != action.id
    other = companies.save_company(ctx, None, "Autre", Profile())
    companies.delete_company(ctx, other.id)
    assert companies.save_company(ctx, None, "Nouvelle", Profile()).id != other.id


def _prior_database(path) -> None:
    """A database at revision 0001 (before 0002), holding the rows the previous version wrote."""
    from alembic import command
    from alembic.config import Config

    from tests.test_migration_workspaces import DATA_TABLES, copy_rows

    source = path.parent / "v0002.db"
    source.write_bytes(gzip.decompress((FIXTURES / "migration" / "v0002.db.gz").read_bytes()))
    engine = make_engine(f"sqlite:///{path}")
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:  # a database made before revision 0002
        config.attributes["connection"] = connection
        command.upgrade(config, "0001")
    rows = make_engine(f"sqlite:///{source}")
    copy_rows(rows, engine, DATA_TABLES)
    rows.dispose()
    engine.dispose()


def test_upgrading_an_existing_sqlite_database_keeps_every_row(tmp_path) -> None:
    path = tmp_path / "old.db"
    _prior_database(path)
    engine = make_engine(f"sqlite:///{path}")
    with engine.connect() as connection:
        before = {t: connection.execute(text(f"SELECT count(*) FROM {t}")).scalar() for t in TABLES}
        assert "AUTOINCREMENT" not in connection.execute(text("SELECT sql FROM sqlite_master WHERE name='assessments'")).scalar()
    migrate(engine)  # what the app does at start
    ctx = local_context(engine)
    found = companies.list_companies(ctx)
    assert len(found) == before["companies"] == 3
    assert sum(len(assessments.list_assessments(ctx, c.id)) for c in found) == before["assessments"]
    every = [a for c in found for a in assessments.list_assessments(ctx, c.id)]
    assert sum(len(answers.load_answers(ctx, a.id)) for a in every) == before["answers"]
    assert sum(len(actions.list_actions(ctx, a.id)) for a in every) == before["actions"]
    with engine.connect() as connection:
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert "AUTOINCREMENT" in connection.execute(text("SELECT sql FROM sqlite_master WHERE name='assessments'")).scalar()
    for company in found:
        companies.delete_company(ctx, company.id)  # cascades still work after the rebuild
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM answers")).scalar() == 0
        assert connection.execute(text("SELECT count(*) FROM actions")).scalar() == 0
    engine.dispose()
