"""JSON export and import: round trips on SQLite and PostgreSQL; bad files refused whole."""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from diagnostic import services
from diagnostic.exports.assessment_json import FileAction, ImportRefused, to_json
from diagnostic.profile import Profile
from diagnostic.storage.repository import Repository
from tests.test_storage import db_url, fresh_engine  # noqa: F401  (the db_url fixture: SQLite and PostgreSQL)


@pytest.fixture
def repo(db_url):  # noqa: F811
    engine = fresh_engine(db_url)
    yield Repository(engine)
    engine.dispose()


def counts(repo: Repository) -> dict[str, int]:
    with repo.engine.connect() as connection:
        return {
            table: connection.execute(text(f"SELECT count(*) FROM {table}")).scalar()
            for table in ("companies", "assessments", "answers", "actions")
        }


def exported(repo: Repository) -> tuple[int, bytes]:
    company, assessment = services.create_demo(repo, "fr")
    q = services.questionnaire_of(repo, assessment)
    repo.save_comment(assessment.id, "gov.pilotage-rse", "=HYPERLINK(\"x\") « à revoir » œuvre")
    repo.update_action(repo.list_actions(assessment.id)[0].id, due_date=date(2027, 6, 30), notes="+ urgent")
    assert q.id == "rse-performance-globale"
    return assessment.id, to_json(services.export_document(repo, assessment.id))


def test_export_then_import_gives_back_the_same_scores_answers_and_actions(repo) -> None:
    assessment_id, raw = exported(repo)
    document = json.loads(raw)
    assert document["format"] == "autodiag-rse/assessment" and document["company"]["name"] == "Menuiserie Durand (démo)"
    assert document["content_hash"] == services.questionnaire_of(repo, repo.get_assessment(assessment_id)).content_hash

    plan, matches = services.prepare_import(repo, raw)
    assert [c.name for c in matches] == ["Menuiserie Durand (démo)"] and plan.dropped == [] and plan.same_content
    imported = services.apply_import(repo, plan, company_id=None)  # a new company, as on another machine

    before, after = services.evaluate(repo, assessment_id), services.evaluate(repo, imported.id)
    assert after.result.overall == pytest.approx(before.result.overall)
    assert [d.score for d in after.result.dimensions] == pytest.approx([d.score for d in before.result.dimensions])
    assert after.result.level == before.result.level
    assert {k: a.value for k, a in after.answers.items()} == {k: a.value for k, a in before.answers.items()}
    assert after.comments == before.comments
    assert after.assessment.targets == before.assessment.targets
    assert after.assessment.status == "completed"
    strip = lambda actions: [(a.title, a.owner, a.due_date, a.status, a.notes, a.recommendation_id) for a in actions]  # noqa: E731
    assert strip(repo.list_actions(imported.id)) == strip(repo.list_actions(assessment_id))
    assert after.company.profile == before.company.profile and after.company.id != before.company.id


def test_import_into_an_existing_company(repo) -> None:
    assessment_id, raw = exported(repo)
    plan, matches = services.prepare_import(repo, raw)
    imported = services.apply_import(repo, plan, company_id=matches[0].id)
    assert imported.company_id == matches[0].id
    assert len(repo.list_companies()) == 1 and len(repo.list_assessments(matches[0].id)) == 3


@pytest.mark.parametrize(
    "mutate, key",
    [
        (lambda raw: raw[: len(raw) // 2], "import.not_json"),  # truncated
        (lambda raw: b"\xff\xfe garbage", "import.not_json"),
        (lambda raw: b'{"questionnaire": "rse-flash", "answers": {}}', "import.foreign"),  # not an export
        (lambda raw: json.dumps({"hello": "world"}).encode(), "import.foreign"),
        (lambda raw: raw.replace(b'"gov.engagement-direction": ', b'"gov.engagement-direction": 9, "x": ', 1), "import.invalid"),
        (lambda raw: raw.replace(b'"status": "completed"', b'"status": "archived"', 1), "import.invalid"),
        (lambda raw: raw.replace(b'"questionnaire": "rse-performance-globale"', b'"questionnaire": "iso-42"', 1), "import.unknown_questionnaire"),
    ],
)
def test_bad_files_are_refused_whole_and_leave_the_database_as_it_was(repo, mutate, key) -> None:
    _, raw = exported(repo)
    before = counts(repo)
    with pytest.raises(ImportRefused) as caught:
        plan, _ = services.prepare_import(repo, mutate(raw))
        services.apply_import(repo, plan, None)
    assert caught.value.message_key == key
    assert counts(repo) == before


def test_an_import_that_fails_while_writing_writes_nothing(repo, monkeypatch) -> None:
    _, raw = exported(repo)
    plan, _ = services.prepare_import(repo, raw)
    # an action without a title breaks a NOT NULL constraint after the company, the assessment
    # and the answers were written in the transaction
    plan.document.actions.append(FileAction.model_construct(title=None, owner="", due_date=None, status="todo", notes="",
                                                            recommendation_id=None, question_id=None))
    before = counts(repo)
    with pytest.raises(IntegrityError):
        services.apply_import(repo, plan, None)
    assert counts(repo) == before


def test_a_file_of_another_questionnaire_version_says_what_was_not_carried_over(repo) -> None:
    _, raw = exported(repo)
    document = json.loads(raw)
    document["version"], document["content_hash"] = "0.9.0", "0" * 64  # made elsewhere, with an older version
    document["answers"]["gov.ancienne-question"] = 3
    document["answers"]["gov.engagement-direction"] = {"value": 7, "comment": "ancienne échelle 0–7"}
    plan, _ = services.prepare_import(repo, json.dumps(document).encode())
    assert not plan.same_content
    dropped = dict(plan.dropped)
    assert set(dropped) == {"gov.ancienne-question", "gov.engagement-direction"}
    assert "no longer in the questionnaire" in dropped["gov.ancienne-question"]
    imported = services.apply_import(repo, plan, None)
    assert "gov.engagement-direction" not in services.evaluate(repo, imported.id).answers


def test_exported_file_is_an_answers_file_for_score(repo, tmp_path) -> None:
    import subprocess
    import sys

    from tests.conftest import ROOT

    assessment_id, raw = exported(repo)
    path = tmp_path / "export.json"
    path.write_bytes(raw)
    result = subprocess.run(
        [sys.executable, "-m", "diagnostic", "score", "rse-performance-globale", str(path), "--json"],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["overall"] == pytest.approx(services.evaluate(repo, assessment_id).result.overall)


def test_profile_of_the_file_is_kept(repo) -> None:
    company = repo.create_company("Solo", Profile(headcount_band="0"))
    assessment = services.start_assessment(repo, company.id, "rse-flash")
    raw = to_json(services.export_document(repo, assessment.id))
    plan, _ = services.prepare_import(repo, raw)
    imported = services.apply_import(repo, plan, None)
    assert repo.get_company(imported.company_id).profile.headcount_band == "0"
