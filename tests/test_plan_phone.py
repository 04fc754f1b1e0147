"""The action plan on a phone: cards with whole titles, one edit form at a time, compare-and-set on
save; numbers and dates written the French (or English) way by Babel; the follow-up chart's dates."""

from __future__ import annotations

import shutil
from datetime import date, datetime
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from diagnostic.core.profile import Profile
from diagnostic.core.roles import Permission
from diagnostic.i18n import format_date, format_number, format_percent, format_score, t
from diagnostic.services import access, actions, assessments, companies
from diagnostic.services.context import Context
from diagnostic.services.demo import create_demo
from ui.charts import history_figure
from ui.text import plain

APP = Path(__file__).resolve().parent.parent / "app.py"
LONG_TITLE = (
    "Faire le tour des locaux avec le collecteur de déchets, installer des bacs identifiés pour chaque flux "
    "et afficher les consignes de tri au-dessus de chaque bac, atelier et bureaux compris"
)
NNBSP, NBSP = "\u202f", "\u00a0"


def plan_page(ctx: Context, company_id: int, assessment_id: int) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.session_state["company_id"] = company_id
    at.session_state["assessment_id"] = assessment_id
    at.run()
    at.switch_page("app_pages/plan.py").run()
    assert not at.exception, at.exception
    return at


def texts(at: AppTest) -> str:
    parts = [e.value for e in at.markdown] + [e.value for e in at.info] + [e.value for e in at.warning]
    parts += [e.value for e in at.caption] + [e.value for e in at.error] + [e.value for e in at.header]
    return "\n".join(str(p) for p in parts)


def button(at: AppTest, label: str):
    return next(b for b in at.button if b.label == label)


def add_action(ctx: Context, assessment_id: int, title: str, **fields: object):
    return ctx.uow.run(lambda uow: uow.actions.add(access.scope(ctx, Permission.EDIT), assessment_id, title, **fields))


def update_action(ctx: Context, action_id: int, **fields: object):
    """Someone else's change, straight to the database (no expected values)."""
    return ctx.uow.run(lambda uow: uow.actions.update(access.scope(ctx, Permission.EDIT), action_id, **fields))


def delete_action(ctx: Context, action_id: int) -> None:
    ctx.uow.run(lambda uow: uow.actions.delete(access.scope(ctx, Permission.EDIT), action_id))


def demo(ctx: Context):
    """The demo company, the first action of its plan with a long title."""
    company, assessment = create_demo(ctx)
    first = actions.list_actions(ctx, assessment.id)[0]
    update_action(ctx, first.id, title=LONG_TITLE)
    return company, assessment


# --- Babel formats, computed by hand ------------------------------------------------------------


def test_numbers_are_written_the_french_or_english_way() -> None:
    assert format_number(4, "fr", 2) == "4,00" and format_number(4, "en", 2) == "4.00"
    assert format_number(1234.5, "fr", 1) == f"1{NNBSP}234,5"  # narrow no-break space between thousands
    assert format_number(1234.5, "en", 1) == "1,234.5"
    assert format_number(1234.5, "fr", 0) == f"1{NNBSP}234" and format_number(1235.5, "en") == "1,236"  # half to even
    assert format_number(2.675, "en", 2) == "2.67"  # the float is 2.67499999…: rounded like Python's own f"{:.2f}"
    assert format_number(None, "fr", 2) == "—"
    assert format_score(41.7) == "42" and format_score(None) == "—" and format_score(100.0, "en") == "100"
    assert format_percent(0.42, "fr") == f"42{NBSP}%" and format_percent(0.42, "en") == "42%"
    assert format_percent(None) == "—"


def test_dates_are_written_the_french_or_english_way() -> None:
    day = date(2026, 11, 30)
    assert format_date(day, "fr") == "30 novembre 2026" and format_date(day, "en") == "30 November 2026"
    assert format_date(day, "fr", "medium") == "30 nov. 2026" and format_date(day, "en", "medium") == "30 Nov 2026"
    assert format_date(datetime(2026, 4, 4, 23, 30), "fr", "medium") == "4 avr. 2026"
    assert format_date(None, "fr") == "—"


def test_history_chart_dates_are_in_the_page_language() -> None:
    points = [
        (datetime(2026, 4, 4, 9), "Score global", 20.4),
        (datetime(2026, 11, 30, 9), "Score global", 39.0),
        (datetime(2026, 4, 4, 9), "Environnement", None),
        (datetime(2026, 11, 30, 9), "Environnement", 36.2),
    ]
    french = history_figure(points, "fr", "")
    assert list(french.layout.xaxis.ticktext) == ["4 avr. 2026", "30 nov. 2026"]
    assert list(french.layout.xaxis.tickvals) == [datetime(2026, 4, 4, 9), datetime(2026, 11, 30, 9)]
    assert list(french.data[0].text) == ["4 avr. 2026 · 20/100", "30 nov. 2026 · 39/100"]
    assert list(history_figure(points, "en", "").layout.xaxis.ticktext) == ["4 Apr 2026", "30 Nov 2026"]
    many = [(datetime(2020 + i // 12, i % 12 + 1, 1), "Score global", 50.0) for i in range(20)]
    assert len(history_figure(many, "fr", "").layout.xaxis.ticktext) == 6  # at most six date labels


# --- the service behind the edit form -----------------------------------------------------------


def test_the_edit_form_writes_only_what_changed_and_refuses_a_stale_edit(ctx) -> None:
    company = companies.save_company(ctx, None, "Atelier", Profile(headcount_band="20-49"))
    assessment = assessments.start_assessment(ctx, company.id, "rse-flash")
    add_action(ctx, assessment.id, "Rédiger le DUERP")
    shown = actions.list_actions(ctx, assessment.id)[0]  # both forms were opened on this
    form = {"title": shown.title, "owner": "", "due_date": None, "status": "todo", "notes": ""}
    assert actions.apply_action_form(ctx, assessment.id, shown, {**form, "owner": "Anne"}) == []
    # the second form changed the owner too, and the status: nothing of it is written
    problems = actions.apply_action_form(ctx, assessment.id, shown, {**form, "owner": "Bruno", "status": "done"})
    assert problems == ["plan.conflict"]
    stored = actions.list_actions(ctx, assessment.id)[0]
    assert stored.owner == "Anne" and stored.status == "todo"
    # a field the form left as it showed it is not sent: the other's change to it is no conflict and is kept
    assert actions.apply_action_form(ctx, assessment.id, shown, {**form, "status": "done", "due_date": date(2027, 1, 31)}) == []
    stored = actions.list_actions(ctx, assessment.id)[0]
    assert (stored.owner, stored.status, stored.due_date) == ("Anne", "done", date(2027, 1, 31))
    # nothing changed: nothing written (no stamp moved, no conflict)
    stamp = assessments.stamp(ctx, assessment.id)
    assert actions.apply_action_form(ctx, assessment.id, stored, {**form, "owner": " Anne ", "status": "done", "due_date": "2027-01-31"}) == []
    assert assessments.stamp(ctx, assessment.id) == stamp
    # the same refusals as the table: too long, bad date, no title; and a deleted action
    assert actions.apply_action_form(ctx, assessment.id, stored, {"owner": "x" * 201}) == ["plan.too_long"]
    assert actions.apply_action_form(ctx, assessment.id, stored, {"title": "  "}) == ["plan.title_required"]
    assert actions.apply_action_form(ctx, assessment.id, stored, {"due_date": date(2101, 1, 1)}) == ["plan.bad_date"]
    delete_action(ctx, stored.id)
    assert actions.apply_action_form(ctx, assessment.id, stored, {"notes": "x"}) == ["plan.gone"]


# --- the page ---------------------------------------------------------------------------------------


def test_plan_comes_first_as_cards_with_whole_titles_and_no_none(db) -> None:
    company, assessment = demo(db)
    add_action(db, assessment.id, "Action sans date ni responsable")
    at = plan_page(db, company.id, assessment.id)
    shown = texts(at)
    markdown = [str(m.value) for m in at.markdown]
    for action in actions.list_actions(db, assessment.id):
        assert f"**{plain(action.title)}**" in markdown  # the whole title, never cut
    assert "None" not in shown and "NaT" not in shown
    assert f"{t('plan.col_due', 'fr')}{NBSP}: —" in shown  # an empty date is a dash
    assert f"{t('plan.col_owner', 'fr')}{NBSP}: —" in shown
    due = actions.list_actions(db, assessment.id)[0].due_date
    assert format_date(due, "fr", "medium").replace(" ", NBSP) in shown  # kept on one line
    assert not at.get("arrow_data_frame") and not at.get("data_editor")  # no wide table
    # the plan is above the recommendations
    subheaders = [s.value for s in at.header]
    assert subheaders.index(t("plan.actions", "fr")) < subheaders.index(t("plan.recommendations", "fr"))
    # priorities with a decimal comma, on the recommendations and on the actions that come from one
    rec = assessments.evaluate(db, assessment.id).result.recommendations[0]
    assert f"{t('plan.col_priority', 'fr')} {rec.priority:.2f}".replace(".", ",") in shown
    assert t("plan.from_priority", "fr", priority=f"{rec.priority:.2f}".replace(".", ",")) in shown


def test_an_edit_in_the_form_is_saved(db) -> None:
    company, assessment = demo(db)
    action = actions.list_actions(db, assessment.id)[0]
    at = plan_page(db, company.id, assessment.id)
    at.button(key=f"edit-{action.id}").click().run()
    assert at.text_area(key="plan-edit-title").value == LONG_TITLE
    at.text_input(key="plan-edit-owner").input("Léa Martin")
    at.date_input(key="plan-edit-due_date").set_value(date(2027, 3, 31))
    at.selectbox(key="plan-edit-status").select("done")
    at.text_area(key="plan-edit-notes").input("Devis reçu")
    button(at, t("plan.save", "fr")).click().run()
    assert not at.exception, at.exception
    stored = actions.list_actions(db, assessment.id)[0]
    assert (stored.owner, stored.due_date, stored.status, stored.notes, stored.title) == (
        "Léa Martin", date(2027, 3, 31), "done", "Devis reçu", LONG_TITLE,
    )  # fmt: skip
    assert not [w for w in at.text_input if w.key == "plan-edit-owner"]  # the form is closed
    assert "Léa Martin" in texts(at).replace("\\", "") and f"31{NBSP}mars{NBSP}2027" in texts(at)


def test_a_stale_edit_is_refused_and_the_form_shows_the_other_value(db) -> None:
    company, assessment = demo(db)
    action = actions.list_actions(db, assessment.id)[0]
    at = plan_page(db, company.id, assessment.id)
    at.button(key=f"edit-{action.id}").click().run()
    update_action(db, action.id, owner="Bruno")  # someone else, while this form is open
    at.text_input(key="plan-edit-owner").input("Léa")
    at.selectbox(key="plan-edit-status").select("done")
    button(at, t("plan.save", "fr")).click().run()
    assert not at.exception, at.exception
    assert t("plan.form_conflict", "fr") in [w.value for w in at.warning]
    stored = actions.list_actions(db, assessment.id)[0]
    assert stored.owner == "Bruno" and stored.status == action.status  # nothing of the stale edit written
    assert at.text_input(key="plan-edit-owner").value == "Bruno"  # the other's value, in the form
    assert at.selectbox(key="plan-edit-status").value == "done"  # what this person changed elsewhere stays
    button(at, t("plan.save", "fr")).click().run()  # saved again, deliberately
    stored = actions.list_actions(db, assessment.id)[0]
    assert stored.owner == "Bruno" and stored.status == "done"


def test_delete_and_create_from_the_cards(db) -> None:
    company, assessment = demo(db)
    first, second = actions.list_actions(db, assessment.id)[:2]
    at = plan_page(db, company.id, assessment.id)
    # a delete after someone else changed the action is refused and shows it as it is now
    at.button(key=f"edit-{first.id}").click().run()
    update_action(db, first.id, notes="Vu avec le fournisseur")
    button(at, t("plan.delete", "fr")).click().run()
    assert t("plan.delete_conflict", "fr") in [w.value for w in at.warning]
    assert at.text_area(key="plan-edit-notes").value == "Vu avec le fournisseur"
    button(at, t("plan.delete", "fr")).click().run()
    assert first.id not in [a.id for a in actions.list_actions(db, assessment.id)]
    # the form of an action someone else deleted says so
    at.button(key=f"edit-{second.id}").click().run()
    delete_action(db, second.id)
    at.text_input(key="plan-edit-owner").input("Léa")
    button(at, t("plan.save", "fr")).click().run()
    assert t("plan.gone", "fr") in [w.value for w in at.warning]
    # a new action: an empty title is refused and the form keeps what was typed
    at.text_input(key="plan-new-owner").input("Paul")
    button(at, t("plan.create", "fr")).click().run()
    assert t("plan.title_required", "fr") in [w.value for w in at.warning]
    assert at.text_input(key="plan-new-owner").value == "Paul"
    at.text_area(key="plan-new-title").input("Former l’équipe au tri")
    button(at, t("plan.create", "fr")).click().run()
    last = actions.list_actions(db, assessment.id)[-1]
    assert (last.title, last.owner, last.status) == ("Former l’équipe au tri", "Paul", "todo")
    assert at.text_input(key="plan-new-owner").value == ""


def test_plan_page_in_english_writes_numbers_the_english_way(db) -> None:
    company, assessment = demo(db)
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.session_state["company_id"], at.session_state["assessment_id"], at.session_state["lang"] = company.id, assessment.id, "en"
    at.run()
    at.switch_page("app_pages/plan.py").run()
    assert not at.exception
    shown = texts(at)
    assert "None" not in shown
    due = actions.list_actions(db, assessment.id)[0].due_date
    assert f"{t('plan.col_due', 'en')}: {format_date(due, 'en', 'medium')}".replace(" ", NBSP) in shown.replace(" ", NBSP)
    rec = assessments.evaluate(db, assessment.id).result.recommendations[0]
    assert f"{t('plan.col_priority', 'en')} {rec.priority:.2f}" in shown


# --- a phone, in a real browser ---------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.skipif(not shutil.which("chromium"), reason="Chromium is not installed (.ci/run installs it)")
def test_on_a_phone_the_first_action_is_read_whole_and_edited(tmp_path) -> None:
    from diagnostic.storage.database import make_engine, migrate
    from tests.conftest import local_context
    from tests.e2e import ROOT, Server, browser, click_and_wait, new_page, wait_idle

    db_url = f"sqlite:///{tmp_path / 'phone.db'}"
    server = Server(ROOT / "serve.py", db_url, log=tmp_path / "server.log")
    server.start()
    try:
        engine = make_engine(db_url)
        migrate(engine)  # what the app does on its first run
        ctx = local_context(engine)
        company, assessment = demo(ctx)
        first = actions.list_actions(ctx, assessment.id)[0]
        with browser() as desktop:
            page = new_page(desktop, width=390, height=844)
            page.goto(f"{server.url}/plan?c={company.id}&a={assessment.id}")
            wait_idle(page, settle=0.5)
            card = page.locator(f".st-key-action-{first.id}")
            title = card.locator("strong").first
            title.wait_for(timeout=30_000)
            # reachable without scrolling past the recommendations: the first card starts on the first screen
            box = title.bounding_box()
            assert box is not None and box["y"] < 844, box
            # whole: the text is all there, inside the screen's width, nothing overflows or is cut
            assert title.inner_text() == LONG_TITLE
            assert box["x"] >= 0 and box["x"] + box["width"] <= 390, box
            assert title.evaluate("e => e.scrollWidth <= e.clientWidth + 1 && getComputedStyle(e).textOverflow !== 'ellipsis'")
            assert page.evaluate(
                "() => [document.scrollingElement, document.querySelector('[data-testid=stMain]')]"
                ".every(e => !e || e.scrollWidth <= e.clientWidth + 1)"
            ), "the page scrolls sideways on a phone"
            # edited on the phone
            click_and_wait(page, card.get_by_role("button", name="Modifier"))
            owner = card.get_by_role("textbox", name="Responsable")
            owner.fill("Léa Martin")
            save = card.get_by_role("button", name="Enregistrer")
            save_box = save.bounding_box()
            assert save_box is not None and save_box["x"] + save_box["width"] <= 390, save_box
            click_and_wait(page, save)
            card.get_by_text("Léa Martin").wait_for(timeout=30_000)
            assert actions.list_actions(ctx, assessment.id)[0].owner == "Léa Martin"
        engine.dispose()
    finally:
        server.stop()
