"""A database made by the version before workspaces (revision 0002) migrates without losing anything.

Migration 0003 puts every existing company into one workspace, "Espace local", owned by the
implicit user of local mode: that user then sees, and scores, exactly what was there before.
Checked on a copy of a real SQLite file written by the previous version (fixtures/migration/,
made by make_v0002.py) and on databases filled at revision 0002 by plain INSERTs (no ORM model of
today: the tables are reflected), on SQLite and PostgreSQL.
"""

from __future__ import annotations

import gzip
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, MetaData, inspect, select, text

from diagnostic.core.answers import Answer
from diagnostic.core.loading import parse_questionnaire
from diagnostic.core.profile import Profile
from diagnostic.core.roles import Permission
from diagnostic.core.scoring import Result, score
from diagnostic.services import access, actions, answers, assessments, companies, workspaces
from diagnostic.storage.database import MIGRATIONS, make_engine, migrate
from diagnostic.storage.models import Base
from tests.conftest import FIXTURES, PG_URL, local_context

# the tables of revision 0002, parents first, with their primary key
DATA_TABLES = ("companies", "questionnaire_snapshots", "assessments", "answers", "actions")
KEYS = {"companies": "id", "questionnaire_snapshots": "content_hash", "assessments": "id", "answers": "id", "actions": "id"}
NEW_TABLES = {"workspaces", "users", "memberships", "invitations", "audit_events", "campaigns", "respondent_groups",
              "respondent_links", "respondents", "respondent_answers", "consensus_notes"}
PREVIOUS_FILE = FIXTURES / "migration" / "v0002.db.gz"


# --- helpers --------------------------------------------------------------------------------------


def alembic(engine: Engine, revision: str, downgrade: bool = False) -> None:
    """command.upgrade/downgrade as `migrate()` runs it (SQLite: foreign keys off around it)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    sqlite = engine.dialect.name == "sqlite"
    with engine.connect() as connection:
        if sqlite:
            connection.connection.driver_connection.execute("PRAGMA foreign_keys=OFF")  # type: ignore[union-attr]
        try:
            with connection.begin():
                config.attributes["connection"] = connection
                (command.downgrade if downgrade else command.upgrade)(config, revision)
                if sqlite:
                    assert connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall() == []
        finally:
            if sqlite:
                connection.connection.driver_connection.execute("PRAGMA foreign_keys=ON")  # type: ignore[union-attr]


def revision(engine: Engine) -> str:
    with engine.connect() as connection:
        return connection.execute(text("SELECT version_num FROM alembic_version")).scalar_one()


def reflect(engine: Engine, tables=DATA_TABLES) -> MetaData:
    metadata = MetaData()
    metadata.reflect(engine, only=list(tables))
    return metadata


def utc(value: Any) -> Any:
    return value.replace(tzinfo=UTC) if isinstance(value, datetime) and value.tzinfo is None else value


def insert(engine: Engine, rows: dict[str, list[dict[str, Any]]]) -> None:
    """Plain INSERTs into the reflected tables, explicit ids (PostgreSQL sequences moved past them)."""
    metadata = reflect(engine, rows)
    with engine.begin() as connection:
        for table in DATA_TABLES:
            if rows.get(table):
                connection.execute(metadata.tables[table].insert(), [{k: utc(v) for k, v in r.items()} for r in rows[table]])
        if engine.dialect.name == "postgresql":
            for table in ("companies", "assessments", "answers", "actions"):
                connection.execute(
                    text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), coalesce(max(id), 1)) FROM {table}")
                )


def read(engine: Engine, tables=DATA_TABLES) -> dict[str, list[dict[str, Any]]]:
    """The rows as Python values (JSON parsed, datetimes), through the reflected tables."""
    metadata = reflect(engine, tables)
    with engine.connect() as connection:
        return {
            t: [dict(r._mapping) for r in connection.execute(select(metadata.tables[t]).order_by(text(KEYS[t])))]
            for t in tables
        }


def copy_rows(source: Engine, target: Engine, tables=DATA_TABLES) -> None:
    insert(target, read(source, tables))


def columns(engine: Engine) -> dict[str, list[str]]:
    found = inspect(engine)
    return {t: [c["name"] for c in found.get_columns(t)] for t in DATA_TABLES}


def dump(engine: Engine, names: dict[str, list[str]]) -> dict[str, list[tuple]]:
    """Every row of the data tables as the driver gives it (SQLite: the stored text), by key."""
    with engine.connect() as connection:
        return {
            t: [tuple(r) for r in connection.exec_driver_sql(f"SELECT {', '.join(cols)} FROM {t} ORDER BY {KEYS[t]}")]
            for t, cols in names.items()
        }


def expected_results(engine: Engine) -> dict[int, Result]:
    """The score of every assessment, from the raw rows and the stored questionnaire text (pure core)."""
    rows = read(engine)
    questionnaires = {
        s["content_hash"]: parse_questionnaire(s["source_text"], s["questionnaire_id"]) for s in rows["questionnaire_snapshots"]
    }
    profiles = {
        c["id"]: Profile(
            headcount_band=c["headcount_band"], sector=c["sector"], sites=c["sites"],
            production_site=c["production_site"], tertiary_area_1000m2=c["tertiary_area_1000m2"],
        )  # fmt: skip
        for c in rows["companies"]
    }
    results = {}
    for assessment in rows["assessments"]:
        questionnaire = questionnaires[assessment["content_hash"]]
        assert questionnaire.content_hash == assessment["content_hash"]
        given = {
            a["question_id"]: Answer(a["value"], a["comment"] or None)
            for a in rows["answers"]
            if a["assessment_id"] == assessment["id"] and a["value"] is not None and a["question_id"] in questionnaire.questions
        }
        results[assessment["id"]] = score(questionnaire, profiles[assessment["company_id"]], given)
    return results


def check_migration(engine: Engine) -> None:
    """Migrate a database at revision 0002 to head and check that nothing was lost or changed."""
    assert revision(engine) == "0002"
    before_columns = columns(engine)
    before = dump(engine, before_columns)
    results = expected_results(engine)
    typed = read(engine)
    assert before["companies"] and before["assessments"] and before["answers"] and before["actions"]

    migrate(engine)  # what the app does at start
    assert revision(engine) == "0006"  # 0004 to 0006 add tables and a few columns with defaults
    after_columns = columns(engine)
    assert after_columns["companies"] == [*before_columns["companies"], "workspace_id", "next_follow_up", "region"]
    assert after_columns["assessments"] == [*before_columns["assessments"], "vsme_enabled"]
    assert {t: c for t, c in after_columns.items() if t not in {"companies", "assessments"}} == {
        t: c for t, c in before_columns.items() if t not in {"companies", "assessments"}
    }
    assert dump(engine, before_columns) == before  # every row, every value, as stored
    assert NEW_TABLES <= set(inspect(engine).get_table_names())
    foreign = [f for f in inspect(engine).get_foreign_keys("companies") if f["referred_table"] == "workspaces"]
    assert [(f["constrained_columns"], f["options"].get("ondelete")) for f in foreign] == [(["workspace_id"], "CASCADE")]

    with engine.connect() as connection:
        spaces = connection.execute(text("SELECT id, name, kind FROM workspaces")).all()
        assert [(name, kind) for _, name, kind in spaces] == [("Espace local", "consultancy")]
        (workspace,) = [w for w, _, _ in spaces]
        assert set(connection.execute(text("SELECT workspace_id FROM companies")).scalars()) == {workspace}
        assert connection.execute(text("SELECT count(*) FROM companies WHERE workspace_id IS NULL")).scalar() == 0
        users = connection.execute(text("SELECT id, issuer, subject FROM users")).all()
        assert [(issuer, subject) for _, issuer, subject in users] == [("local", "owner")]
        members = connection.execute(text("SELECT workspace_id, user_id, role FROM memberships")).all()
        assert [tuple(m) for m in members] == [(workspace, users[0][0], "owner")]
        assert connection.execute(text("SELECT count(*) FROM invitations")).scalar() == 0

    ctx = local_context(engine)  # the local owner, as the app builds it
    assert ctx.actor.user_id == users[0][0]
    assert [(w.id, role) for w, role in workspaces.my_workspaces(ctx)] == [(workspace, "owner")]
    listed = companies.list_companies(ctx)
    assert sorted(c.id for c in listed) == [c["id"] for c in typed["companies"]]
    for company, row in zip(sorted(listed, key=lambda c: c.id), typed["companies"], strict=True):
        assert (company.name, company.notes, company.created_at) == (row["name"], row["notes"], utc(row["created_at"]))
        assert company.workspace_id == workspace
    for row in typed["assessments"]:
        evaluation = assessments.evaluate(ctx, row["id"])
        assert evaluation is not None, row
        assert evaluation.result == results[row["id"]]
        assert (evaluation.assessment.status, evaluation.assessment.targets) == (
            row["status"], {k: float(v) for k, v in row["targets"].items()}
        )  # fmt: skip
        stored = {a["question_id"]: (a["value"], a["comment"]) for a in typed["answers"] if a["assessment_id"] == row["id"]}
        loaded = answers.load_answers(ctx, row["id"])
        assert {q: (a.value, a.comment) for q, a in loaded.items()} == stored
        plan = [(a.id, a.title, a.due_date, a.status) for a in actions.list_actions(ctx, row["id"])]
        assert sorted(plan) == sorted(
            (a["id"], a["title"], a["due_date"], a["status"]) for a in typed["actions"] if a["assessment_id"] == row["id"]
        )
    for company in listed:
        assert [a.id for a in assessments.list_assessments(ctx, company.id)] == [
            a["id"] for a in sorted(typed["assessments"], key=lambda a: (utc(a["created_at"]), a["id"]))
            if a["company_id"] == company.id
        ]  # fmt: skip

    migrate(engine)  # the next start: nothing more
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM workspaces")).scalar() == 1
        assert connection.execute(text("SELECT count(*) FROM users")).scalar() == 1
    assert dump(engine, before_columns) == before


def previous_file(tmp_path: Path) -> Engine:
    """A copy of the SQLite file the previous version wrote (the fixture itself is never opened)."""
    path = tmp_path / "copy-of-v0002.db"
    path.write_bytes(gzip.decompress(PREVIOUS_FILE.read_bytes()))
    return make_engine(f"sqlite:///{path}")


# a questionnaire of the previous version's kind: the mini example with a multiple choice added
SNAPSHOT = (FIXTURES / "mini.yaml").read_text(encoding="utf-8").replace(
    "results:\n",
    """      - id: env.tri
        type: multiple
        max_score: 4
        text: {fr: "Que triez-vous ?", en: "What do you sort?"}
        options:
          - {id: papier, label: {fr: "Papier", en: "Paper"}, score: 2}
          - {id: verre, label: {fr: "Verre", en: "Glass"}, score: 2}
          - {id: aucun, label: {fr: "Rien", en: "Nothing"}, score: 0, exclusive: true}
results:
""",
)


def stamp(day: int, hour: int = 9) -> datetime:
    return datetime(2026, 3, day, hour, 30, 15, 123456, tzinfo=UTC)


def written_by_hand() -> dict[str, list[dict[str, Any]]]:
    """Rows as the previous version wrote them: companies, assessments, answers, actions, a snapshot."""
    loaded = parse_questionnaire(SNAPSHOT, "mini (old)")
    assert "env.tri" in loaded.questions
    full = {"headcount_band": "11-19", "sector": "10.71C", "sites": 1, "production_site": True, "tertiary_area_1000m2": False}
    empty = dict.fromkeys(full)
    company = {"notes": "", "created_at": stamp(1), "updated_at": stamp(2)}
    assessment = {"questionnaire_id": loaded.id, "questionnaire_version": loaded.version, "content_hash": loaded.content_hash,
                  "label": "", "respondent": "", "completed_at": None}  # fmt: skip
    answer = {"comment": "", "answered_by": "", "answered_at": stamp(5)}
    action = {"recommendation_id": None, "question_id": None, "owner": "", "notes": "", "created_at": stamp(6), "updated_at": stamp(7)}
    return {
        "questionnaire_snapshots": [
            {"content_hash": loaded.content_hash, "questionnaire_id": loaded.id, "version": loaded.version,
             "source_text": SNAPSHOT, "created_at": stamp(1)},
        ],  # fmt: skip
        "companies": [
            {**company, **full, "id": 101, "name": "Boulangerie « Le Fournil » — Crème & Brûlée ✓"},
            {**company, **empty, "id": 102, "name": "atelier avec notes", "notes": "Ligne 1\nLigne 2 ; « citée »\t€"},
            {**company, **full, "id": 104, "name": "Éts Ærø", "headcount_band": "1-10", "created_at": stamp(3)},
        ],
        "assessments": [
            {**assessment, "id": 201, "company_id": 101, "status": "in_progress", "label": "Printemps", "respondent": "Zoé",
             "targets": {"rh": 60, "env": 72.5}, "created_at": stamp(2), "updated_at": stamp(9)},
            {**assessment, "id": 202, "company_id": 101, "status": "completed", "targets": {},
             "created_at": stamp(1), "updated_at": stamp(3), "completed_at": stamp(3, 17)},
            {**assessment, "id": 204, "company_id": 102, "status": "completed", "targets": {"rh": 50.0},
             "created_at": stamp(4), "updated_at": stamp(4), "completed_at": stamp(4, 18)},
            {**assessment, "id": 205, "company_id": 104, "status": "in_progress", "targets": {},
             "created_at": stamp(4), "updated_at": stamp(4)},
        ],  # fmt: skip
        "answers": [
            {**answer, "id": 301, "assessment_id": 201, "question_id": "rh.duerp", "value": "no", "comment": "à faire",
             "answered_by": "Zoé"},
            {**answer, "id": 302, "assessment_id": 201, "question_id": "rh.formation", "value": 3},
            {**answer, "id": 303, "assessment_id": 201, "question_id": "env.tri", "value": ["papier", "verre"]},
            {**answer, "id": 304, "assessment_id": 201, "question_id": "env.energie", "value": None, "comment": "à vérifier"},
            {**answer, "id": 305, "assessment_id": 201, "question_id": "env.flotte", "value": "yes"},
            {**answer, "id": 306, "assessment_id": 201, "question_id": "env.eco-conduite", "value": "parfois"},
            {**answer, "id": 307, "assessment_id": 201, "question_id": "rh.cse", "value": "dont_know"},
            {**answer, "id": 309, "assessment_id": 202, "question_id": "rh.duerp", "value": "yes"},
            {**answer, "id": 310, "assessment_id": 202, "question_id": "rh.formation", "value": 4},
            {**answer, "id": 311, "assessment_id": 202, "question_id": "env.energie", "value": "na"},
            {**answer, "id": 312, "assessment_id": 204, "question_id": "rh.formation", "value": 0},
            {**answer, "id": 313, "assessment_id": 204, "question_id": "ancienne.question", "value": 2},  # no longer asked
        ],  # fmt: skip
        "actions": [
            {**action, "id": 401, "assessment_id": 201, "title": "Rédiger le DUERP", "recommendation_id": "rh.duerp.r1",
             "question_id": "rh.duerp", "owner": "Zoé", "due_date": date(2027, 3, 31), "status": "in_progress",
             "notes": "avec le CSE", "position": 1},
            {**action, "id": 402, "assessment_id": 201, "title": "Action libre", "due_date": None, "status": "done",
             "position": 2},
            {**action, "id": 404, "assessment_id": 204, "title": "Former l’équipe", "due_date": date(2026, 12, 1),
             "status": "todo", "position": 1},
        ],  # fmt: skip
    }


def at_0002(url: str) -> Engine:
    """An empty database at revision 0002 (PostgreSQL: everything dropped first, like fresh_engine)."""
    engine = make_engine(url)
    if engine.dialect.name != "sqlite":
        with engine.begin() as connection:
            Base.metadata.drop_all(connection)
            connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
    alembic(engine, "0002")
    assert NEW_TABLES.isdisjoint(inspect(engine).get_table_names())
    return engine


# --- the tests ------------------------------------------------------------------------------------


def test_the_fixture_is_a_database_of_the_previous_version(tmp_path) -> None:
    assert PREVIOUS_FILE.stat().st_size < 500_000
    engine = previous_file(tmp_path)
    assert revision(engine) == "0002"
    assert "workspace_id" not in columns(engine)["companies"]
    rows = read(engine)
    assert len(rows["companies"]) == 3 and len(rows["assessments"]) == 4 and len(rows["actions"]) == 6
    assert {a["status"] for a in rows["assessments"]} == {"in_progress", "completed"}
    assert {type(a["value"]) for a in rows["answers"]} >= {int, str, list, type(None)}
    assert any(a["value"] is None and a["comment"] for a in rows["answers"])
    assert any(a["due_date"] for a in rows["actions"]) and any(a["due_date"] is None for a in rows["actions"])
    assert len(rows["questionnaire_snapshots"]) == 2
    engine.dispose()


def test_a_database_of_the_previous_version_migrates_without_loss(tmp_path) -> None:
    engine = previous_file(tmp_path)
    check_migration(engine)
    engine.dispose()


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def test_rows_written_at_0002_migrate_without_loss(backend, tmp_path) -> None:
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'by-hand.db'}"
    elif not PG_URL:
        pytest.skip("PostgreSQL tests skipped: TEST_DATABASE_URL is not set (.ci/run sets it)")
    else:
        url = PG_URL
    engine = at_0002(url)
    insert(engine, written_by_hand())
    previous = previous_file(tmp_path)  # and the previous version's own rows (the demo among them)
    copy_rows(previous, engine)
    previous.dispose()
    check_migration(engine)
    # the sequences go on past the rows written before: a new company is a new id
    ctx = local_context(engine)
    created = companies.save_company(ctx, None, "Nouvelle", Profile())
    assert created.id > 104
    engine.dispose()


def test_downgrade_to_0002_and_upgrade_again_keeps_the_data(tmp_path) -> None:
    engine = previous_file(tmp_path)
    names = columns(engine)
    before = dump(engine, names)
    migrate(engine)
    alembic(engine, "0002", downgrade=True)
    assert revision(engine) == "0002"
    assert columns(engine) == names
    assert NEW_TABLES.isdisjoint(inspect(engine).get_table_names())
    assert dump(engine, names) == before
    with engine.connect() as connection:
        assert "AUTOINCREMENT" in connection.execute(text("SELECT sql FROM sqlite_master WHERE name='companies'")).scalar()
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
    check_migration(engine)  # and up again: the same checks as the first time
    engine.dispose()


def test_assessment_and_action_ids_are_not_reused_after_the_migration(tmp_path) -> None:
    engine = previous_file(tmp_path)
    with engine.connect() as connection:
        sequence = {name: seq for name, seq in connection.execute(text("SELECT name, seq FROM sqlite_sequence"))}
        highest = {t: connection.execute(text(f"SELECT max(id) FROM {t}")).scalar() for t in ("assessments", "actions")}
    assert all(sequence[t] > highest[t] for t in highest)  # the newest ones were deleted by the previous version
    migrate(engine)
    ctx = local_context(engine)
    company = companies.list_companies(ctx)[0]
    started = assessments.start_assessment(ctx, company.id, "rse-flash")
    assert started.id > sequence["assessments"]
    added = ctx.uow.run(lambda uow: uow.actions.add(access.scope(ctx, Permission.EDIT), started.id, "x"))
    assert added.id > sequence["actions"]
    engine.dispose()


def test_a_deleted_company_id_is_not_given_again_after_the_migration(tmp_path) -> None:
    engine = previous_file(tmp_path)
    with engine.connect() as connection:
        counter = connection.execute(text("SELECT seq FROM sqlite_sequence WHERE name = 'companies'")).scalar_one()
        assert counter > connection.execute(text("SELECT max(id) FROM companies")).scalar_one()
    migrate(engine)
    created = companies.save_company(local_context(engine), None, "Nouvelle", Profile())
    engine.dispose()
    assert created.id > counter  # a stale link to the deleted company must not open this one
