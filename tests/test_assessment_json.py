"""JSON export and import: round trips on SQLite and PostgreSQL; bad files refused whole."""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from diagnostic import services
from diagnostic.core import limits
from diagnostic.core.profile import Profile
from diagnostic.exports.assessment_json import FileAction, ImportRefused, to_json
from diagnostic.storage.repository import Repository
from tests.conftest import fresh_engine


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
        (lambda raw: raw.replace(b'"gov.engagement-direction": ', b'"gov.engagement-direction": 9, "x": ', 1), "import.invalid_answer"),
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
    assert dropped["gov.ancienne-question"].startswith("unknown question id 'gov.ancienne-question'")
    assert "is off the scale 0 to 4" in dropped["gov.engagement-direction"]
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


# --- limits that the shipped questionnaires cannot show: a text question, a snapshot of its own ------


def _text_questionnaire():
    import yaml

    from diagnostic.core.loading import parse_questionnaire
    from tests.conftest import LEVELS
    from tests.conftest import text as texts

    data = {
        "schema_version": 1, "id": "textes", "version": "1", "title": texts("Textes"),
        "dimensions": [{"id": "d", "title": texts("d"), "questions": [
            {"id": "d.t", "type": "text", "text": texts("t")},
            {"id": "d.n", "type": "number", "text": texts("n")},
        ]}],
        "results": {"levels": LEVELS},
    }  # fmt: skip
    source = yaml.safe_dump(data, allow_unicode=True)
    return parse_questionnaire(source, "<textes>"), source


@pytest.mark.parametrize(
    "answer, key, where",
    [
        ("t" * limits.TEXT_ANSWER, None, ""),
        ("t" * (limits.TEXT_ANSWER + 1), "import.invalid_answer", "answers.d.t: longer than 10000 characters (10001)"),
        ("ligne 1\nligne 2\tfin", None, ""),
        ("nul\x00", "import.bad_character", "answers.d.t: a NUL character at character 4"),
    ],
)
def test_a_text_answer_has_a_limit_and_no_nul(repo, answer, key, where) -> None:
    loaded, source = _text_questionnaire()
    repo.save_snapshot(loaded, source)  # the questionnaire is known here by its content hash
    document = {
        "format": "autodiag-rse/assessment", "format_version": 1, "questionnaire": "textes", "version": "1",
        "content_hash": loaded.content_hash, "company": {"name": "Textes SA"}, "answers": {"d.t": answer, "d.n": 12.5},
    }  # fmt: skip
    before = counts(repo)
    if key is None:
        plan, _ = services.prepare_import(repo, json.dumps(document).encode())
        imported = services.apply_import(repo, plan, None)
        assert services.evaluate(repo, imported.id).answers["d.t"].value == answer
        return
    with pytest.raises(ImportRefused) as caught:
        services.prepare_import(repo, json.dumps(document).encode())
    assert (caught.value.message_key, caught.value.details) == (key, where)
    assert counts(repo) == before


@pytest.mark.parametrize(
    "value, reason",
    [
        (float("inf"), "inf is not a number"),
        (float("nan"), "nan is not a number"),
        (10**400, "is not a number"),
        (2e15, "2e+15 is beyond ±1e+15"),
        (True, "True is not a number"),
    ],
)
def test_check_value_refuses_numbers_no_database_can_hold(value, reason) -> None:
    from diagnostic.core.answers import AnswerProblem, check_value

    loaded, _ = _text_questionnaire()
    with pytest.raises(AnswerProblem) as caught:
        check_value(loaded, "d.n", value)
    assert reason in caught.value.reason
    assert str(caught.value).startswith("'d.n': ")  # the form the other callers have always shown


def test_a_plain_answers_file_is_not_an_export(repo) -> None:
    with pytest.raises(ImportRefused) as caught:
        services.prepare_import(repo, b'{"questionnaire": "rse-flash", "answers": {}}')
    assert (caught.value.message_key, caught.value.details) == ("import.foreign", "format: missing")


def test_a_content_hash_copied_from_another_questionnaire_is_not_trusted(repo) -> None:
    _, raw = exported(repo)  # its questionnaire (rse-performance-globale) is now stored by its hash
    document = json.loads(raw)
    flash, _ = services.shipped_questionnaire("rse-flash")
    document.update(questionnaire="rse-flash", version=flash.version, answers={}, targets={})
    plan, _ = services.prepare_import(repo, json.dumps(document).encode())
    assert plan.questionnaire.id == "rse-flash" and not plan.same_content


def test_refusal_details_never_carry_invisible_or_control_characters() -> None:
    refused = ImportRefused("import.invalid", "answers.x\x00\u202e: bad \ud800" + "y" * 1000)
    assert "\x00" not in refused.details and "\u202e" not in refused.details and "\ud800" not in refused.details
    assert refused.details.startswith("answers.x\\u0000\\u202e: bad \\ud800") and len(refused.details) < 620
    refused.details.encode("utf-8")  # printable by the command line, storable, showable


def test_every_import_key_exists_in_both_languages_with_its_details() -> None:
    from diagnostic.i18n import TEXTS, t

    keys = [k for k in TEXTS if k.startswith("import.")]
    for key in ("import.too_deep", "import.duplicate_key", "import.not_finite", "import.huge_number",
                "import.bad_character", "import.mixed_script", "import.too_long", "import.out_of_range",
                "import.blank", "import.unknown_question", "import.invalid_answer"):  # fmt: skip
        assert key in keys
        for lang in ("fr", "en"):
            assert "« x.y: 1 »" in t(key, lang, details="« x.y: 1 »")


def test_an_export_never_fails_and_the_import_then_says_what_it_cannot_take(repo) -> None:
    """Data stored before these limits (or by another way in) still exports: a backup must not fail."""
    company = repo.create_company("Menuiserie\u200bDurand", Profile(headcount_band="0"), notes="n" * 20_001)
    assessment = services.start_assessment(repo, company.id, "rse-flash", label="tab\there")
    raw = to_json(services.export_document(repo, assessment.id))
    assert json.loads(raw)["company"]["name"] == "Menuiserie\u200bDurand"
    with pytest.raises(ImportRefused) as caught:
        services.prepare_import(repo, raw)
    assert caught.value.message_key == "import.bad_character"
    assert caught.value.details == (
        "company.name: the invisible character U+200B (ZERO WIDTH SPACE) at character 11; "
        "company.notes: longer than 20000 characters (20001); assessment.label: the control character U+0009 at character 4"
    )
