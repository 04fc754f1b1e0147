"""The way through the Company page: the next step first (flash or full), the demo reused and reset,
a company or an assessment erased behind a confirmation, profile errors under their field."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from datetime import date

import pytest
from sqlalchemy import select
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import Block, Error

from diagnostic.core.profile import Profile
from diagnostic.core.roles import Permission
from diagnostic.i18n import t
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
from diagnostic.services.companies import Erasure
from diagnostic.services.context import Context
from diagnostic.storage.models import Base
from tests.test_pages import app, no_unexpected_error, texts
from ui.text import plain

FLASH, FULL = "rse-flash", "rse-performance-globale"


def questionnaire(questionnaire_id: str):
    return questionnaires.shipped_questionnaire(questionnaire_id)[0]


def choice_labels() -> dict[str, str]:
    """The two choices as the page must label them, from each questionnaire file."""
    flash, full = questionnaire(FLASH), questionnaire(FULL)
    return {
        FLASH: t("company.choice_flash", "fr", minutes=flash.model.estimated_minutes),
        FULL: t("company.choice_full", "fr", minutes=full.model.estimated_minutes),
    }


def button(at: AppTest, label: str):
    matches = [b for b in at.button if b.label == label]
    assert matches, f"no button {label!r} among {[b.label for b in at.button]}"
    return matches[0]


def flat(node) -> Iterator:
    """Every element of the page in drawing order."""
    yield node
    for child in getattr(node, "children", {}).values():
        yield from flat(child)


def filled(ctx: Context, name: str = "Scierie Moreau") -> tuple[int, list[int]]:
    """A company with two assessments, answers, a comment alone and actions; (company id, assessment ids)."""
    profile = Profile(headcount_band="20-49", sites=2)
    company = companies.save_company(ctx, None, name, profile, notes=f"notes of {name}")
    ids = []
    for questionnaire_id in (FLASH, FULL):
        assessment = assessments.start_assessment(ctx, company.id, questionnaire_id, respondent=f"resp {name}")
        loaded = questionnaires.questionnaire_of(ctx.uow, assessment)
        question = next(q.id for q in loaded.questions.values() if q.type == "maturity")  # answers are checked now
        answers.record_answer(ctx, loaded, assessment.id, question, 2, answered_by=f"resp {name}")
        answers.record_comment(ctx, assessment.id, question, f"comment of {name}", answered_by=f"resp {name}")
        answers.record_comment(ctx, assessment.id, "env.bilan-carbone", f"only a comment of {name}")  # in both files
        ctx.uow.run(lambda uow, a=assessment.id: uow.actions.add(
            access.scope(ctx, Permission.EDIT), a, f"action of {name}", owner=f"owner {name}", due_date=date(2030, 1, 1)
        ))  # fmt: skip
        ids.append(assessment.id)
    return company.id, ids


def every_row(ctx: Context) -> dict[str, list[dict]]:
    with ctx.uow.engine.connect() as connection:
        return {
            table.name: [dict(row._mapping) for row in connection.execute(select(table))]
            for table in Base.metadata.sorted_tables
        }


def mentions(rows: dict[str, list[dict]], needle: str) -> list[str]:
    return [f"{table}: {row}" for table, table_rows in rows.items() for row in table_rows if needle in repr(row)]


AUDIT = "audit_events"  # the workspace's audit log: see test_an_erased_company_leaves_nothing_in_the_audit_log


def outside_audit(rows: dict[str, list[dict]]) -> dict[str, list[dict]]:
    return {table: table_rows for table, table_rows in rows.items() if table != AUDIT}


def without_sign_in_time(rows: dict[str, list[dict]]) -> dict[str, list[dict]]:
    return {**rows, "users": [{k: v for k, v in row.items() if k != "last_seen_at"} for row in rows["users"]]}


def in_english(ctx: Context) -> Context:
    return Context(ctx.uow, ctx.actor, "en", ctx.workspace_id)


# --- services, on SQLite and PostgreSQL ------------------------------------------------------------


def test_deleting_a_company_leaves_nothing_of_it_in_any_table(ctx) -> None:
    gone, gone_assessments = filled(ctx, "Scierie Moreau")
    kept, kept_assessments = filled(ctx, "Atelier Lefèvre")
    before = every_row(ctx)

    erasure = companies.delete_company(ctx, gone)

    assert erasure == Erasure(company="Scierie Moreau", assessments=2, answers=4, actions=2)
    rows = every_row(ctx)
    # name, notes, comments, respondent, actions, owners (the audit log: the test below)
    assert mentions(outside_audit(rows), "Scierie Moreau") == []
    assert [c["id"] for c in rows["companies"]] == [kept]
    assert {a["company_id"] for a in rows["assessments"]} == {kept}
    assert {r["assessment_id"] for r in rows["answers"]} == set(kept_assessments)
    assert {r["assessment_id"] for r in rows["actions"]} == set(kept_assessments)
    # the other company is untouched, row for row
    owner = {"companies": "id", "assessments": "company_id", "answers": "assessment_id", "actions": "assessment_id"}
    for table, column in owner.items():
        kept_ids = {kept} if table in ("companies", "assessments") else set(kept_assessments)
        assert rows[table] == [r for r in before[table] if r[column] in kept_ids], table
    assert rows["questionnaire_snapshots"] == before["questionnaire_snapshots"]  # shared questionnaire texts only
    assert companies.get_company(ctx, gone) is None
    assert all(assessments.get_assessment(ctx, a) is None for a in gone_assessments)
    assert companies.delete_company(ctx, gone) is None  # twice: nothing, no error


def test_an_erased_company_leaves_nothing_in_the_audit_log(ctx) -> None:
    gone, _ = filled(ctx, "Scierie Moreau")
    companies.delete_company(ctx, gone)
    assert mentions({AUDIT: every_row(ctx)[AUDIT]}, "Scierie Moreau") == []


def test_deleting_an_assessment_leaves_the_company_and_its_other_assessment(ctx) -> None:
    company_id, (flash_id, full_id) = filled(ctx)

    erasure = assessments.delete_assessment(ctx, flash_id)

    assert erasure == Erasure(company="Scierie Moreau", assessments=1, answers=2, actions=1)
    rows = every_row(ctx)
    assert [a["id"] for a in rows["assessments"]] == [full_id]
    assert {r["assessment_id"] for r in rows["answers"]} == {full_id}
    assert {r["assessment_id"] for r in rows["actions"]} == {full_id}
    assert companies.get_company(ctx, company_id) is not None
    assert assessments.delete_assessment(ctx, flash_id) is None


def test_the_demo_is_reused_and_reset_recreates_it(ctx) -> None:
    company, assessment = demo.open_demo(ctx)
    assert demo.is_demo(company)
    again, again_assessment = demo.open_demo(in_english(ctx))  # any language: the same example
    assert (again.id, again_assessment.id) == (company.id, assessment.id)
    assert len(companies.list_companies(ctx)) == 1

    assessments.start_assessment(ctx, company.id, FLASH)  # what a visitor added to the example
    new, new_assessment = demo.reset_demo(ctx)
    assert demo.is_demo(new) and [c.id for c in companies.list_companies(ctx)] == [new.id]
    kinds = [a.questionnaire_id for a in assessments.list_assessments(ctx, new.id)]
    assert kinds == [FULL, FULL]  # the visitor's is gone
    assert len(actions.list_actions(ctx, new_assessment.id)) == 3

    # an example whose assessments were all deleted is created again on the next "try"
    for a in assessments.list_assessments(ctx, new.id):
        assessments.delete_assessment(ctx, a.id)
    company, assessment = demo.open_demo(ctx)
    assert demo.is_demo(company) and len(companies.list_companies(ctx)) == 1
    assert assessment.company_id == company.id


def test_only_the_demo_is_the_demo_whatever_its_name(ctx) -> None:
    example, example_assessment = demo.open_demo(ctx)
    # a user typing the demo's name and profile, and an imported copy of the demo, are not the demo
    typed = companies.save_company(ctx, None, demo.DEMO_NAME["fr"], example.profile, example.notes)
    plan, _ = transfer.prepare_import(ctx, json.dumps(reports.export_document(ctx, example_assessment.id)).encode())
    imported = transfer.apply_import(ctx, plan, None)
    assert not demo.is_demo(typed) and not demo.is_demo(companies.get_company(ctx, imported.company_id))
    # the demo renamed is still the demo, and a reset leaves the others alone
    companies.save_company(ctx, example.id, "Ma menuiserie", example.profile)
    assert demo.is_demo(companies.get_company(ctx, example.id))
    demo.reset_demo(ctx)
    assert companies.get_company(ctx, typed.id) is not None
    assert companies.get_company(ctx, imported.company_id) is not None
    assert [c.name for c in demo.demo_companies(ctx)] == [demo.DEMO_NAME["fr"]]  # the renamed one erased
    assert len(companies.list_companies(ctx)) == 3


# --- the Company page (AppTest) ----------------------------------------------------------------------


@pytest.mark.parametrize("questionnaire_id", [FLASH, FULL])
def test_after_creating_a_company_its_two_choices_come_first_and_start_the_right_questionnaire(db, questionnaire_id) -> None:
    at = app("company")
    at.text_input[0].input("Atelier Lefèvre")
    button(at, t("company.create", "fr")).click().run()
    no_unexpected_error(at)
    company = companies.list_companies(db)[0]
    assert t("company.created", "fr", name=plain("Atelier Lefèvre")) in texts(at)

    labels = choice_labels()
    main_buttons = [b.label for b in at.main.button]
    assert main_buttons[:2] == [labels[FLASH], labels[FULL]]  # the next step first, flash first
    assert main_buttons.index(t("company.save", "fr")) >= 2  # the profile comes after, folded
    assert t("company.profile_section", "fr") in [e.label for e in at.expander]

    at.text_input(key=f"respondent-{company.id}").input("Claire, gérante")
    button(at, labels[questionnaire_id]).click().run()
    no_unexpected_error(at)
    [assessment] = assessments.list_assessments(db, company.id)
    assert assessment.questionnaire_id == questionnaire_id and assessment.respondent == "Claire, gérante"
    assert at.session_state["assessment_id"] == assessment.id
    assert at.title[0].value == t("nav.diagnostic", "fr")


def test_the_demo_is_reused_not_duplicated_and_the_reset_recreates_it(db) -> None:
    at = app()
    button(at, t("home.demo", "fr")).click().run()
    no_unexpected_error(at)
    first = at.session_state["company_id"]
    at.switch_page("app_pages/home.py").run()
    assert t("demo.banner", "fr") in texts(at)  # said on the home page too
    button(at, t("home.demo", "fr")).click().run()
    assert at.session_state["company_id"] == first and len(companies.list_companies(db)) == 1

    at.switch_page("app_pages/company.py").run()
    no_unexpected_error(at)
    assert t("demo.banner", "fr") in [e.value for e in at.info]
    extra = assessments.start_assessment(db, first, FLASH)
    button(at, t("demo.reset", "fr")).click().run()
    no_unexpected_error(at)
    [example] = companies.list_companies(db)
    assert demo.is_demo(example) and at.session_state["company_id"] == example.id
    assert [a.questionnaire_id for a in assessments.list_assessments(db, example.id)] == [FULL, FULL]
    assert extra.id not in [a.id for a in assessments.list_assessments(db, example.id)]
    assert t("demo.reset_done", "fr") in texts(at)

    # "my own company" leaves the example for the creation form
    button(at, t("demo.own_company", "fr")).click().run()
    assert t("company.form_new", "fr") in texts(at) and t("demo.banner", "fr") not in texts(at)


def test_start_from_home_while_on_the_demo_opens_the_creation_form(db) -> None:
    example, assessment = demo.open_demo(db)
    at = app(company_id=example.id, assessment_id=assessment.id)
    button(at, t("home.start", "fr")).click().run()
    no_unexpected_error(at)
    assert t("company.form_new", "fr") in texts(at)


def test_a_users_company_with_the_demos_name_gets_no_banner(db) -> None:
    example, _ = demo.open_demo(db)
    own = companies.save_company(db, None, demo.DEMO_NAME["fr"], example.profile, example.notes)
    at = app("company", company_id=own.id)
    assert t("demo.banner", "fr") not in texts(at)


def open_company_deletion(at: AppTest, company_id: int) -> None:
    button(at, t("company.delete_company", "fr")).click().run()
    no_unexpected_error(at)
    assert at.text_input(key=f"delete-company-name-{company_id}") is not None


def test_deleting_the_company_asks_for_its_name_then_erases_everything_and_the_session_forgets_it(db) -> None:
    company_id, assessment_ids = filled(db)
    kept, _ = filled(db, "Atelier Lefèvre")
    at = app("company", company_id=company_id, assessment_id=assessment_ids[-1])

    open_company_deletion(at, company_id)
    body = t("company.delete_company_body", "fr", name=plain("Scierie Moreau"), assessments=2, answers=4, actions=2)
    assert body in [e.value for e in at.warning]
    # a wrong name deletes nothing
    at.text_input(key=f"delete-company-name-{company_id}").input("Scierie")
    button(at, t("company.delete_confirm", "fr")).click().run()
    assert t("company.delete_name_mismatch", "fr") in texts(at)
    assert companies.get_company(db, company_id) is not None

    at.text_input(key=f"delete-company-name-{company_id}").input("  scierie moreau ")  # case and spaces aside
    button(at, t("company.delete_confirm", "fr")).click().run()
    no_unexpected_error(at)
    assert companies.get_company(db, company_id) is None and [c.id for c in companies.list_companies(db)] == [kept]
    assert mentions(outside_audit(every_row(db)), "Scierie Moreau") == []
    assert at.session_state["company_id"] is None and at.session_state["assessment_id"] is None
    assert at.query_params.get("c") in (None, []) and at.query_params.get("a") in (None, [])
    message = t("company.company_deleted", "fr", name=plain("Scierie Moreau"), assessments=2, answers=4, actions=2)
    assert message in [e.value for e in at.success]
    assert t("company.delete_confirm", "fr") not in [b.label for b in at.button]  # the confirmation is closed
    # the other pages no longer show it
    at.switch_page("app_pages/results.py").run()
    assert t("empty.no_company", "fr") in texts(at)


def test_cancelling_the_company_deletion_keeps_everything(db) -> None:
    company_id, assessment_ids = filled(db)
    before = every_row(db)
    at = app("company", company_id=company_id, assessment_id=assessment_ids[-1])
    opened = every_row(db)  # a new session signs the local owner in: the user's last_seen_at, nothing else
    assert without_sign_in_time(opened) == without_sign_in_time(before)
    open_company_deletion(at, company_id)
    at.text_input(key=f"delete-company-name-{company_id}").input("Scierie Moreau")
    button(at, t("company.cancel", "fr")).click().run()
    no_unexpected_error(at)
    assert every_row(db) == opened
    assert at.session_state["company_id"] == company_id and at.session_state["assessment_id"] == assessment_ids[-1]
    assert t("company.delete_confirm", "fr") not in [b.label for b in at.button]
    open_company_deletion(at, company_id)  # opened again: the name typed before is not kept
    assert at.text_input(key=f"delete-company-name-{company_id}").value == ""


def test_deleting_an_assessment_asks_first_then_erases_it_and_the_session_moves_off_it(db) -> None:
    company_id, (flash_id, full_id) = filled(db)
    at = app("company", company_id=company_id, assessment_id=full_id)
    at.button(key=f"delete-{full_id}").click().run()
    no_unexpected_error(at)
    # cancel first: nothing changes
    button(at, t("company.cancel", "fr")).click().run()
    assert assessments.get_assessment(db, full_id) is not None and at.session_state["assessment_id"] == full_id

    at.button(key=f"delete-{full_id}").click().run()
    assert any("réponses\u00a0: 2, actions\u00a0: 1" in e.value for e in at.markdown)
    button(at, t("company.delete_confirm", "fr")).click().run()
    no_unexpected_error(at)
    assert assessments.get_assessment(db, full_id) is None and assessments.get_assessment(db, flash_id) is not None
    assert answers.load_answers(db, full_id) == {} and actions.list_actions(db, full_id) == []
    assert at.session_state["assessment_id"] == flash_id  # no longer the deleted one
    assert t("company.assessment_deleted", "fr", label=f"n° {full_id}", answers=2, actions=1) in texts(at)


def field_then_error(at: AppTest, key: str) -> str | None:
    """The error drawn right after the widget `key` (None: none there)."""
    leaves = [e for e in flat(at.main) if not isinstance(e, Block)]
    for index, element in enumerate(leaves):
        if getattr(element, "key", None) == key:
            after = leaves[index + 1] if index + 1 < len(leaves) else None
            return after.value if isinstance(after, Error) else None
    raise AssertionError(f"no widget {key}")


@pytest.mark.parametrize("typed", ["abc", "0", "-3", "1,5", "100001", "2 000 000"])
def test_a_wrong_number_of_sites_is_said_under_the_field_and_nothing_is_saved(db, typed) -> None:
    company = companies.save_company(db, None, "Garage", Profile(sites=3))
    at = app("company", company_id=company.id)
    key = f"company-sites-{company.id}"
    assert at.text_input(key=key).value == "3"
    at.text_input(key=key).input(typed)
    at.text_input(key=f"company-name-{company.id}").input("Garage Martin")
    button(at, t("company.save", "fr")).click().run()
    no_unexpected_error(at)
    assert field_then_error(at, key) == t("company.sites_invalid", "fr")
    assert t("company.form_has_errors", "fr") in [e.value for e in at.warning]
    assert t("company.saved", "fr") not in texts(at)
    stored = companies.get_company(db, company.id)
    assert stored.profile.sites == 3 and stored.name == "Garage"  # nothing saved, and the screen says so
    assert at.text_input(key=key).value == typed  # what was typed stays, to correct


@pytest.mark.parametrize(("typed", "stored"), [("12", 12), (" 1 200 ", 1200), ("100000", 100_000), ("", None)])
def test_a_right_number_of_sites_is_saved(db, typed, stored) -> None:
    company = companies.save_company(db, None, "Garage", Profile(sites=3))
    at = app("company", company_id=company.id)
    at.text_input(key=f"company-sites-{company.id}").input(typed)
    button(at, t("company.save", "fr")).click().run()
    no_unexpected_error(at)
    assert companies.get_company(db, company.id).profile.sites == stored
    assert t("company.saved", "fr") in texts(at)


def test_each_error_goes_under_its_own_field_at_once(db) -> None:
    at = app("company")
    at.text_input(key=f"company-name-{-1}").input("   ")
    at.text_input(key=f"company-sector-{-1}").input("ABC")
    at.text_input(key=f"company-sites-{-1}").input("deux")
    button(at, t("company.create", "fr")).click().run()
    no_unexpected_error(at)
    assert field_then_error(at, "company-name--1") == t("company.name_required", "fr")
    assert field_then_error(at, "company-sector--1") == t("company.sector_invalid", "fr", value="ABC")
    assert field_then_error(at, "company-sites--1") == t("company.sites_invalid", "fr")
    assert companies.list_companies(db) == []
    # corrected, it is created with what was typed
    at.text_input(key="company-name--1").input("Garage Martin")
    at.text_input(key="company-sector--1").input("45.20A")
    at.text_input(key="company-sites--1").input("2")
    button(at, t("company.create", "fr")).click().run()
    [company] = companies.list_companies(db)
    assert (company.name, company.profile.sector, company.profile.sites) == ("Garage Martin", "45.20A", 2)


def test_the_company_page_reads_in_english(db) -> None:
    company_id, _ = filled(db)
    at = app("company", company_id=company_id, lang="en")
    no_unexpected_error(at)
    labels = [b.label for b in at.button]
    minutes = questionnaire(FLASH).model.estimated_minutes  # the flash file's own estimate
    assert t("company.choice_flash", "en", minutes=minutes) in labels and t("company.delete_assessment", "en") in labels


# --- in a real browser ---------------------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.skipif(not shutil.which("chromium"), reason="Chromium is not installed (.ci/run installs it)")
def test_browser_delete_a_company_and_sites_errors_in_french(tmp_path) -> None:
    from diagnostic.storage.database import make_engine, migrate
    from tests.conftest import local_context
    from tests.e2e import ROOT, Server, browser, click_and_wait, wait_idle

    db_url = f"sqlite:///{tmp_path / 'flow.db'}"
    server = Server(ROOT / "serve.py", db_url, log=tmp_path / "server.log")
    server.start()
    engine = make_engine(db_url)
    migrate(engine)
    ctx = local_context(engine)
    try:
        company_id, _ = filled(ctx, "Scierie Moreau")
        with browser() as page:
            # a number of sites that is not a number: said in French under the field, nothing created
            page.goto(f"{server.url}/entreprise")
            wait_idle(page, settle=0.5)
            page.get_by_role("textbox", name="Nom de l’entreprise").fill("Garage Martin")
            sites = page.get_by_role("textbox", name="Nombre de sites")
            sites.fill("deux")
            click_and_wait(page, page.get_by_role("button", name="Créer l’entreprise"))
            error = page.locator("[data-testid=stAlert]", has_text=t("company.sites_invalid", "fr"))
            error.wait_for(timeout=10_000)
            field, under = sites.bounding_box(), error.bounding_box()
            assert 0 <= under["y"] - (field["y"] + field["height"]) < 60 and abs(under["x"] - field["x"]) < 20  # right under it
            assert page.get_by_text("Press Enter").count() == 0 and page.get_by_text("allowed range").count() == 0
            assert [c.name for c in companies.list_companies(ctx)] == ["Scierie Moreau"]
            sites.fill("2")
            click_and_wait(page, page.get_by_role("button", name="Créer l’entreprise"))
            page.get_by_text("Entreprise « Garage Martin » créée.").wait_for(timeout=10_000)
            assert {c.name: c.profile.sites for c in companies.list_companies(ctx)}["Garage Martin"] == 2
            # the next step comes first: the two choices are above the fold
            flash = page.get_by_role("button", name=choice_labels()[FLASH])
            assert flash.bounding_box()["y"] < 900

            # delete Scierie Moreau: the dialog asks for the name
            page.goto(f"{server.url}/entreprise?c={company_id}")
            wait_idle(page, settle=0.5)
            page.get_by_text(t("company.danger_zone", "fr")).click()
            delete = page.get_by_role("button", name=t("company.delete_company", "fr"))
            # Escape closes the confirmation for good: the next rerun does not bring it back
            click_and_wait(page, delete)
            page.get_by_role("dialog").wait_for(timeout=10_000)
            page.keyboard.press("Escape")
            wait_idle(page, settle=0.5)
            sidebar = page.locator("[data-testid=stSidebar]")
            for lang in ("EN", "FR"):  # two reruns of the whole page
                click_and_wait(page, sidebar.get_by_role("radio", name=lang, exact=True))
            page.wait_for_timeout(500)
            assert page.get_by_role("dialog").count() == 0 and companies.get_company(ctx, company_id) is not None

            if not delete.is_visible():  # the language change folded the expander again
                page.get_by_text(t("company.danger_zone", "fr")).click()
            click_and_wait(page, delete)
            dialog = page.get_by_role("dialog")
            dialog.wait_for(timeout=10_000)
            dialog.get_by_role("textbox").fill("Scierie Moreau")
            click_and_wait(page, dialog.get_by_role("button", name=t("company.delete_confirm", "fr")))
            deleted = t("company.company_deleted", "fr", name="Scierie Moreau", assessments=2, answers=4, actions=2)
            page.get_by_text(deleted).wait_for(timeout=10_000)
            assert page.get_by_role("dialog").count() == 0
            assert [c.name for c in companies.list_companies(ctx)] == ["Garage Martin"]
            assert mentions(outside_audit(every_row(ctx)), "Scierie Moreau") == []
            assert "c=" not in page.url.split("?")[-1]
    finally:
        engine.dispose()
        server.stop()
