"""JSON export and import: round trips on SQLite and PostgreSQL; bad files refused whole."""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from diagnostic.core import limits
from diagnostic.core.profile import Profile
from diagnostic.core.roles import NotFound, Permission
from diagnostic.exports.assessment_json import FileAction, ImportRefused, to_json
from diagnostic.services import access, actions, assessments, companies, demo, reports, transfer, workspaces
from diagnostic.services.answers import record_comment
from diagnostic.services.context import Context
from diagnostic.services.questionnaires import questionnaire_of, shipped_questionnaire
from diagnostic.storage import uow as uow_module


def counts(ctx: Context) -> dict[str, int]:
    with ctx.uow.engine.connect() as connection:
        return {
            table: connection.execute(text(f"SELECT count(*) FROM {table}")).scalar()
            for table in ("companies", "assessments", "answers", "actions")
        }


def exported(ctx: Context) -> tuple[int, bytes]:
    company, assessment = demo.create_demo(ctx)
    q = questionnaire_of(ctx.uow, assessment)
    record_comment(ctx, assessment.id, "gov.pilotage-rse", "=HYPERLINK(\"x\") « à revoir » œuvre")
    first = actions.list_actions(ctx, assessment.id)[0]
    assert actions.apply_action_form(ctx, assessment.id, first, {"due_date": date(2027, 6, 30), "notes": "+ urgent"}) == []
    assert q.id == "rse-performance-globale"
    return assessment.id, to_json(reports.export_document(ctx, assessment.id))


def test_export_then_import_gives_back_the_same_scores_answers_and_actions(ctx) -> None:
    assessment_id, raw = exported(ctx)
    document = json.loads(raw)
    assert document["format"] == "autodiag-rse/assessment" and document["company"]["name"] == "Menuiserie Durand (démo)"
    assert document["content_hash"] == questionnaire_of(ctx.uow, assessments.get_assessment(ctx, assessment_id)).content_hash

    plan, matches = transfer.prepare_import(ctx, raw)
    assert [c.name for c in matches] == ["Menuiserie Durand (démo)"] and plan.dropped == [] and plan.same_content
    imported = transfer.apply_import(ctx, plan, company_id=None)  # a new company, as on another machine

    before, after = assessments.evaluate(ctx, assessment_id), assessments.evaluate(ctx, imported.id)
    assert after.result.overall == pytest.approx(before.result.overall)
    assert [d.score for d in after.result.dimensions] == pytest.approx([d.score for d in before.result.dimensions])
    assert after.result.level == before.result.level
    assert {k: a.value for k, a in after.answers.items()} == {k: a.value for k, a in before.answers.items()}
    assert after.comments == before.comments
    assert after.assessment.targets == before.assessment.targets
    assert after.assessment.status == "completed"
    strip = lambda actions: [(a.title, a.owner, a.due_date, a.status, a.notes, a.recommendation_id) for a in actions]  # noqa: E731
    assert strip(actions.list_actions(ctx, imported.id)) == strip(actions.list_actions(ctx, assessment_id))
    assert after.company.profile == before.company.profile and after.company.id != before.company.id


def test_import_into_an_existing_company(ctx) -> None:
    assessment_id, raw = exported(ctx)
    plan, matches = transfer.prepare_import(ctx, raw)
    imported = transfer.apply_import(ctx, plan, company_id=matches[0].id)
    assert imported.company_id == matches[0].id
    assert len(companies.list_companies(ctx)) == 1 and len(assessments.list_assessments(ctx, matches[0].id)) == 3


def test_an_import_into_another_workspaces_company_is_not_found_and_writes_nothing(ctx) -> None:
    _, raw = exported(ctx)
    operator = workspaces.operator_context(ctx.uow)
    bobs_workspace, issued = workspaces.create_workspace(operator, "Cabinet Bob", "consultancy")
    bob = Context(ctx.uow, workspaces.signed_in_actor(ctx.uow, "https://idp.test", "bob", "bob@example.org", "Bob"), "fr")
    assert workspaces.accept_invitation(bob, issued.token, "bob@example.org", True).id == bobs_workspace.id
    bobs_company = companies.save_company(bob, None, "Chez Bob", Profile(headcount_band="0"))
    assert bobs_company.workspace_id == bobs_workspace.id
    assessments.start_assessment(bob, bobs_company.id, "rse-flash")
    assert companies.get_company(ctx, bobs_company.id) is None  # the local owner does not even see it

    plan, matches = transfer.prepare_import(ctx, raw)
    assert bobs_company.id not in [c.id for c in matches]
    missing = max(c.id for c in companies.list_companies(operator)) + 1000
    bobs_before, before = assessments.list_assessments(bob, bobs_company.id), counts(ctx)
    with pytest.raises(NotFound) as into_bobs:
        transfer.apply_import(ctx, plan, bobs_company.id)
    with pytest.raises(NotFound) as into_nothing:
        transfer.apply_import(ctx, plan, missing)
    # told exactly as a company that does not exist: same error, same code, same form of message
    assert type(into_bobs.value) is type(into_nothing.value) is NotFound
    assert (into_bobs.value.code, into_bobs.value.params) == (into_nothing.value.code, into_nothing.value.params)
    assert (str(into_bobs.value), str(into_nothing.value)) == (f"company {bobs_company.id}", f"company {missing}")
    assert assessments.list_assessments(bob, bobs_company.id) == bobs_before and len(bobs_before) == 1
    assert counts(ctx) == before


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
def test_bad_files_are_refused_whole_and_leave_the_database_as_it_was(ctx, mutate, key) -> None:
    _, raw = exported(ctx)
    before = counts(ctx)
    with pytest.raises(ImportRefused) as caught:
        plan, _ = transfer.prepare_import(ctx, mutate(raw))
        transfer.apply_import(ctx, plan, None)
    assert caught.value.message_key == key
    assert counts(ctx) == before


def test_an_import_that_fails_while_writing_writes_nothing(ctx, monkeypatch) -> None:
    _, raw = exported(ctx)
    plan, _ = transfer.prepare_import(ctx, raw)
    # an action without a title breaks a NOT NULL constraint after the company, the assessment
    # and the answers were written in the transaction
    plan.document.actions.append(FileAction.model_construct(title=None, owner="", due_date=None, status="todo", notes="",
                                                            recommendation_id=None, question_id=None))
    before = counts(ctx)
    # the unit of work retries an IntegrityError (a concurrent insert) until WRITE_DEADLINE: not 10 s here
    monkeypatch.setattr(uow_module, "WRITE_DEADLINE", 0.3)
    with pytest.raises(IntegrityError):
        transfer.apply_import(ctx, plan, None)
    assert counts(ctx) == before


def test_a_file_of_another_questionnaire_version_says_what_was_not_carried_over(ctx) -> None:
    _, raw = exported(ctx)
    document = json.loads(raw)
    document["version"], document["content_hash"] = "0.9.0", "0" * 64  # made elsewhere, with an older version
    document["answers"]["gov.ancienne-question"] = 3
    document["answers"]["gov.engagement-direction"] = {"value": 7, "comment": "ancienne échelle 0–7"}
    plan, _ = transfer.prepare_import(ctx, json.dumps(document).encode())
    assert not plan.same_content
    dropped = dict(plan.dropped)
    assert set(dropped) == {"gov.ancienne-question", "gov.engagement-direction"}
    assert dropped["gov.ancienne-question"].startswith("unknown question id 'gov.ancienne-question'")
    assert "is off the scale 0 to 4" in dropped["gov.engagement-direction"]
    imported = transfer.apply_import(ctx, plan, None)
    assert "gov.engagement-direction" not in assessments.evaluate(ctx, imported.id).answers


def test_exported_file_is_an_answers_file_for_score(ctx, tmp_path) -> None:
    import subprocess
    import sys

    from tests.conftest import ROOT

    assessment_id, raw = exported(ctx)
    path = tmp_path / "export.json"
    path.write_bytes(raw)
    result = subprocess.run(
        [sys.executable, "-m", "diagnostic", "score", "rse-performance-globale", str(path), "--json"],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["overall"] == pytest.approx(assessments.evaluate(ctx, assessment_id).result.overall)


def test_profile_of_the_file_is_kept(ctx) -> None:
    company = companies.save_company(ctx, None, "Solo", Profile(headcount_band="0"))
    assessment = assessments.start_assessment(ctx, company.id, "rse-flash")
    raw = to_json(reports.export_document(ctx, assessment.id))
    plan, _ = transfer.prepare_import(ctx, raw)
    imported = transfer.apply_import(ctx, plan, None)
    assert companies.get_company(ctx, imported.company_id).profile.headcount_band == "0"


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
def test_a_text_answer_has_a_limit_and_no_nul(ctx, answer, key, where) -> None:
    loaded, source = _text_questionnaire()
    ctx.uow.run(lambda uow: uow.snapshots.save(loaded, source))  # the questionnaire is known here by its content hash
    document = {
        "format": "autodiag-rse/assessment", "format_version": 1, "questionnaire": "textes", "version": "1",
        "content_hash": loaded.content_hash, "company": {"name": "Textes SA"}, "answers": {"d.t": answer, "d.n": 12.5},
    }  # fmt: skip
    before = counts(ctx)
    if key is None:
        plan, _ = transfer.prepare_import(ctx, json.dumps(document).encode())
        imported = transfer.apply_import(ctx, plan, None)
        assert assessments.evaluate(ctx, imported.id).answers["d.t"].value == answer
        return
    with pytest.raises(ImportRefused) as caught:
        transfer.prepare_import(ctx, json.dumps(document).encode())
    assert (caught.value.message_key, caught.value.details) == (key, where)
    assert counts(ctx) == before


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


def test_a_plain_answers_file_is_not_an_export(ctx) -> None:
    with pytest.raises(ImportRefused) as caught:
        transfer.prepare_import(ctx, b'{"questionnaire": "rse-flash", "answers": {}}')
    assert (caught.value.message_key, caught.value.details) == ("import.foreign", "format: missing")


def test_a_content_hash_copied_from_another_questionnaire_is_not_trusted(ctx) -> None:
    _, raw = exported(ctx)  # its questionnaire (rse-performance-globale) is now stored by its hash
    document = json.loads(raw)
    flash, _ = shipped_questionnaire("rse-flash")
    document.update(questionnaire="rse-flash", version=flash.version, answers={}, targets={})
    plan, _ = transfer.prepare_import(ctx, json.dumps(document).encode())
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


def test_an_export_never_fails_and_the_import_then_says_what_it_cannot_take(ctx) -> None:
    """Data stored before these limits (or by another way in) still exports: a backup must not fail."""
    # stored straight through the repository: the company form would refuse this name and these notes
    company = ctx.uow.run(lambda uow: uow.companies.add(
        access.workspace(ctx, None, Permission.CREATE_COMPANY), "Menuiserie\u200bDurand", Profile(headcount_band="0"), "n" * 20_001
    ))  # fmt: skip
    assessment = assessments.start_assessment(ctx, company.id, "rse-flash", label="tab\there")
    raw = to_json(reports.export_document(ctx, assessment.id))
    assert json.loads(raw)["company"]["name"] == "Menuiserie\u200bDurand"
    with pytest.raises(ImportRefused) as caught:
        transfer.prepare_import(ctx, raw)
    assert caught.value.message_key == "import.bad_character"
    assert caught.value.details == (
        "company.name: the invisible character U+200B (ZERO WIDTH SPACE) at character 11; "
        "company.notes: longer than 20000 characters (20001); assessment.label: the control character U+0009 at character 4"
    )


# --- the Company page's import, in the user's language ------------------------------------------------


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_the_import_says_what_it_drops_and_what_it_refuses_in_the_users_language(db, lang) -> None:
    from diagnostic.core.errors import Message
    from diagnostic.i18n import message_text, t
    from tests.test_pages import app, no_unexpected_error

    _, assessment = demo.create_demo(db)
    document = reports.export_document(db, assessment.id)
    version = {"version": document["version"], "questionnaire": document["questionnaire"]}
    off_scale = Message("answer.off_scale", {"value": "7", "low": 0, "high": 4})
    document["answers"]["gov.engagement-direction"] = 7

    # a file of another version: the answer is dropped, and the table says why in the user's language
    older = dict(document, version="0.9.0", content_hash="0" * 64)
    at = app("company", lang=lang)
    at.file_uploader[0].set_value(("older.json", json.dumps(older).encode(), "application/json")).run()
    no_unexpected_error(at)
    table = at.dataframe[0].value
    reasons = dict(zip(table["question"], table[""], strict=True))
    expected = message_text(Message("import.detail.in_version", {"problem": off_scale, **version}), lang)
    assert reasons["gov.engagement-direction"] == expected
    assert ("7 est hors de l’échelle de 0 à 4" if lang == "fr" else "7 is off the scale 0 to 4") in expected

    # the same answer in a file of this very version: refused, and what and where in the user's language
    at = app("company", lang=lang)
    at.file_uploader[0].set_value(("same.json", json.dumps(document).encode(), "application/json")).run()
    no_unexpected_error(at)
    where = Message("import.detail.at", {"where": "answers.gov.engagement-direction", "problem": off_scale})
    assert [e.value for e in at.error] == [t("import.invalid_answer", lang, details=message_text(where, lang))]
