"""Storage on SQLite and on PostgreSQL (TEST_DATABASE_URL): every answer survives a restart."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import inspect, text

from diagnostic import services
from diagnostic.core.profile import Profile
from diagnostic.storage.database import make_engine, migrate
from diagnostic.storage.repository import Repository
from tests.conftest import PG_URL, fresh_engine  # noqa: F401  (other test modules import them from here)


def test_migrations_create_every_table(repo) -> None:
    tables = set(inspect(repo.engine).get_table_names())
    assert {"companies", "assessments", "answers", "actions", "questionnaire_snapshots", "alembic_version"} <= tables


def test_sqlite_uses_wal(tmp_path) -> None:
    engine = fresh_engine(f"sqlite:///{tmp_path / 'wal.db'}")
    with engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA busy_timeout")).scalar() == 5000


def test_company_profile_round_trip(repo) -> None:
    profile = Profile(headcount_band="11-19", sector="25.62A", sites=2, production_site=True, tertiary_area_1000m2=False)
    company = repo.create_company("  Atelier Léa & Fils  ", profile, "cliente depuis 2024")
    assert company.name == "Atelier Léa & Fils"
    again = repo.get_company(company.id)
    assert again.profile == profile and again.notes == "cliente depuis 2024"
    updated = repo.update_company(company.id, "Atelier Léa", profile.model_copy(update={"headcount_band": "20-49"}))
    assert updated.profile.headcount_band == "20-49"
    assert [c.name for c in repo.list_companies()] == ["Atelier Léa"]
    assert repo.find_companies_by_name("atelier léa")[0].id == company.id


def test_answers_are_written_one_row_each_and_survive_a_new_engine(db_url, repo) -> None:
    company = repo.create_company("Boulangerie Martin", Profile(headcount_band="1-10"))
    assessment = services.start_assessment(repo, company.id, "rse-flash", respondent="Paul")
    questionnaire = services.questionnaire_of(repo, assessment)
    services.record_answer(repo, questionnaire, assessment.id, "gov.demarche-rse", 3, answered_by="Paul")
    services.record_answer(repo, questionnaire, assessment.id, "env.tri-dechets", ["papier-carton", "verre"])
    services.record_answer(repo, questionnaire, assessment.id, "rh.duerp", "no")
    services.record_answer(repo, questionnaire, assessment.id, "gov.demarche-rse", 2, answered_by="Paul")  # changed mind
    repo.save_comment(assessment.id, "rh.duerp", "à faire avant juin")
    services.record_answer(repo, questionnaire, assessment.id, "qual.ecoute-clients", "dont_know")

    # a new engine is a restarted server
    other = Repository(make_engine(db_url))
    answers, comments = services.load_answers(other, assessment.id)
    assert {k: a.value for k, a in answers.items()} == {
        "gov.demarche-rse": 2,
        "env.tri-dechets": ["papier-carton", "verre"],
        "rh.duerp": "no",
        "qual.ecoute-clients": "dont_know",
    }
    assert comments == {"rh.duerp": "à faire avant juin"}
    assert other.load_answers(assessment.id)["gov.demarche-rse"].answered_by == "Paul"
    with other.engine.connect() as connection:
        count = connection.execute(text("SELECT count(*) FROM answers WHERE assessment_id = :a"), {"a": assessment.id}).scalar()
    assert count == 4
    other.engine.dispose()


def test_clearing_an_answer_keeps_its_comment(repo) -> None:
    company = repo.create_company("C", Profile())
    assessment = services.start_assessment(repo, company.id, "rse-flash")
    q = services.questionnaire_of(repo, assessment)
    services.record_answer(repo, q, assessment.id, "gov.demarche-rse", 3)
    repo.save_comment(assessment.id, "gov.demarche-rse", "note")
    services.record_answer(repo, q, assessment.id, "gov.demarche-rse", None)
    answers, comments = services.load_answers(repo, assessment.id)
    assert answers == {} and comments == {"gov.demarche-rse": "note"}


def test_invalid_answer_is_refused_and_nothing_written(repo) -> None:
    company = repo.create_company("C", Profile())
    assessment = services.start_assessment(repo, company.id, "rse-flash")
    q = services.questionnaire_of(repo, assessment)
    with pytest.raises(ValueError, match="off the scale"):
        services.record_answer(repo, q, assessment.id, "gov.demarche-rse", 9)
    assert repo.load_answers(assessment.id) == {}


def test_assessment_records_questionnaire_identity_and_snapshot(repo) -> None:
    company = repo.create_company("C", Profile())
    assessment = services.start_assessment(repo, company.id, "rse-performance-globale")
    loaded, source = services.shipped_questionnaire("rse-performance-globale")
    assert (assessment.questionnaire_id, assessment.questionnaire_version, assessment.content_hash) == (
        loaded.id,
        loaded.version,
        loaded.content_hash,
    )
    assert repo.snapshot_text(loaded.content_hash) == source
    # a second assessment reuses the snapshot
    services.start_assessment(repo, company.id, "rse-performance-globale")
    with repo.engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM questionnaire_snapshots")).scalar() == 1


def test_targets_status_and_actions(repo) -> None:
    company = repo.create_company("C", Profile())
    assessment = services.start_assessment(repo, company.id, "rse-flash")
    repo.update_assessment(assessment.id, targets={"gov": 60, "env": 70.5})
    done = repo.update_assessment(assessment.id, status="completed")
    assert done.completed_at is not None and done.targets == {"gov": 60.0, "env": 70.5}
    first = repo.add_action(assessment.id, "Rédiger le DUERP", recommendation_id="rh.duerp.r1", question_id="rh.duerp", owner="Paul")
    second = repo.add_action(assessment.id, "Action libre")
    repo.update_action(second.id, status="done", due_date=date(2027, 3, 31), notes="ok")
    actions = repo.list_actions(assessment.id)
    assert [a.title for a in actions] == ["Rédiger le DUERP", "Action libre"]
    assert actions[0].recommendation_id == "rh.duerp.r1" and actions[0].position < actions[1].position
    assert actions[1].status == "done" and actions[1].due_date == date(2027, 3, 31)
    repo.delete_action(first.id)
    assert [a.id for a in repo.list_actions(assessment.id)] == [second.id]
    with pytest.raises(ValueError):
        repo.update_action(second.id, secret="x")


def test_deleting_a_company_deletes_its_assessments(repo) -> None:
    company = repo.create_company("C", Profile())
    assessment = services.start_assessment(repo, company.id, "rse-flash")
    repo.save_answer(assessment.id, "gov.demarche-rse", 2)
    repo.add_action(assessment.id, "x")
    repo.delete_company(company.id)
    assert repo.get_assessment(assessment.id) is None
    with repo.engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM answers")).scalar() == 0


def test_demo_company_has_results_and_a_previous_assessment(repo) -> None:
    company, assessment = services.create_demo(repo, "fr")
    evaluation = services.evaluate(repo, assessment.id)
    assert evaluation.result.overall is not None and evaluation.result.level is not None
    assert evaluation.result.coverage > 0.9
    previous = services.previous_assessment(repo, assessment)
    assert previous is not None and previous.created_at < assessment.created_at
    previous_eval = services.evaluate(repo, previous.id)
    assert previous_eval.result.overall < evaluation.result.overall
    assert len(repo.list_actions(assessment.id)) == 3
    data = services.report_data(repo, assessment.id, "fr")
    assert data.previous is not None and data.targets and data.company.name == company.name
    assert data.respondents == ["Claire Durand"]


def test_a_deleted_id_is_never_given_again(repo) -> None:
    company = repo.create_company("Atelier", Profile())
    first = services.start_assessment(repo, company.id, "rse-flash")
    newest = services.start_assessment(repo, company.id, "rse-flash")
    repo.delete_assessment(newest.id)
    again = services.start_assessment(repo, company.id, "rse-flash")
    assert again.id not in (first.id, newest.id)  # a stale tab on `newest` finds nothing, not `again`
    other = repo.create_company("Autre", Profile())
    repo.delete_company(other.id)
    assert repo.create_company("Nouvelle", Profile()).id != other.id


def test_upgrading_an_existing_sqlite_database_keeps_every_row(tmp_path) -> None:
    from alembic import command
    from alembic.config import Config

    from diagnostic.storage.database import MIGRATIONS

    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = make_engine(url)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:  # a database made before revision 0002
        config.attributes["connection"] = connection
        command.upgrade(config, "0001")
    old = Repository(engine)
    company, assessment = services.create_demo(old, "fr")
    before = (len(old.load_answers(assessment.id)), len(old.list_actions(assessment.id)), len(old.list_assessments(company.id)))
    engine.dispose()
    engine = make_engine(url)
    migrate(engine)  # what the app does at start
    new = Repository(engine)
    assert (len(new.load_answers(assessment.id)), len(new.list_actions(assessment.id)), len(new.list_assessments(company.id))) == before
    with engine.connect() as connection:
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert "AUTOINCREMENT" in connection.execute(text("SELECT sql FROM sqlite_master WHERE name='assessments'")).scalar()
    new.delete_company(company.id)  # cascades still work after the rebuild
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM answers")).scalar() == 0
    engine.dispose()
