"""The Portfolio page with AppTest (the page alone, handed the local owner's context): the table of
companies, reminders, search and filters, a click on a row that opens the company's results, the
follow-up date, an empty workspace, a viewer's read-only date."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from streamlit.testing.v1 import AppTest

from diagnostic.core.profile import Profile
from diagnostic.core.roles import Role
from diagnostic.i18n import t as translate
from diagnostic.services import access, answers, assessments, companies, portfolio, workspaces
from diagnostic.services.context import Context
from diagnostic.services.questionnaires import shipped_questionnaire
from tests.conftest import page_script

pytestmark = pytest.mark.usefixtures("page_files_beside_the_script")
FLASH = "rse-flash"
LINKED = ("results", "company", "diagnostic")  # the pages a click opens, and those they link to


def t(key: str, **values: object) -> str:
    return translate(key, "fr", **values)


def page(ctx: Context, **session: object) -> AppTest:
    at = AppTest.from_function(page_script, args=("portfolio", ctx, LINKED), default_timeout=30)
    at.session_state["lang"] = "fr"
    at.session_state["_context"] = ctx  # the Results page a click opens reads it (app.py sets it)
    for key, value in session.items():
        at.session_state[key] = value
    return ok(at.run())


def ok(at: AppTest) -> AppTest:
    assert not at.exception, [e.value for e in at.exception]
    return at


def table(at: AppTest):
    [frame] = at.dataframe
    return frame.value


def names(at: AppTest) -> list[str]:
    return list(table(at)[t("portfolio.col_name")]) if at.dataframe else []


@pytest.fixture
def clients(db: Context) -> dict[str, int]:
    """Three companies: Scierie Éloi (a flash diagnostic, two answers, a late action, a follow-up
    overdue), Atelier Bois (a flash diagnostic, nothing answered), Verrerie (none)."""
    flash, _ = shipped_questionnaire(FLASH)
    scierie = companies.save_company(db, None, "Scierie Éloi", Profile(headcount_band="20-49", sector="16.10A"))
    bois = companies.save_company(db, None, "Atelier Bois", Profile(headcount_band="1-10"))
    verrerie = companies.save_company(db, None, "Verrerie", Profile())
    first = assessments.start_assessment(db, scierie.id, FLASH, label="Printemps")
    maturity = [q.id for q in flash.questions.values() if q.type == "maturity"][:2]
    for question_id in maturity:
        answers.record_answer(db, flash, first.id, question_id, 3)

    def late(uow):
        uow.actions.add(access.scope(db), first.id, "Former l’équipe", due_date=date.today() - timedelta(days=3))

    db.uow.run(late)
    portfolio.set_next_follow_up(db, scierie.id, date.today() - timedelta(days=1))
    second = assessments.start_assessment(db, bois.id, FLASH)
    return {"scierie": scierie.id, "bois": bois.id, "verrerie": verrerie.id, "scierie_a": first.id, "bois_a": second.id}


def test_the_table_shows_every_company_and_the_reminders(db, clients):
    at = page(db)
    assert [title.value for title in at.title] == [t("portfolio.title")]
    frame = table(at)
    assert list(frame[t("portfolio.col_name")]) == ["Atelier Bois", "Scierie Éloi", "Verrerie"]
    scierie = frame.iloc[1]
    assert scierie[t("portfolio.col_status")] == t("portfolio.status_in_progress")
    assert scierie[t("portfolio.col_score")] == 75  # two maturity answers of 3/4
    assert scierie[t("portfolio.col_actions")] == "0 / 1" and scierie[t("portfolio.col_late")] == 1
    assert scierie[t("portfolio.col_follow_up_state")] == t("portfolio.follow_overdue")
    assert scierie[t("portfolio.col_assessment")].endswith(" · Printemps")  # the day, then the label
    assert frame.iloc[2][t("portfolio.col_status")] == t("portfolio.status_none")
    said = "\n".join(m.value for m in at.markdown)
    assert "Scierie Éloi" in said and t("portfolio.overdue", companies="")[:20] in said
    assert t("portfolio.shown", shown=3, total=3) in [c.value for c in at.caption]


def test_search_filters_and_sorting(db, clients):
    at = page(db)
    at.text_input(key="portfolio-search").input("eloi").run()
    assert names(ok(at)) == ["Scierie Éloi"]
    at.text_input(key="portfolio-search").input("").run()
    at.toggle(key="portfolio-late").set_value(True).run()
    assert names(ok(at)) == ["Scierie Éloi"]
    at.toggle(key="portfolio-late").set_value(False).run()
    at.multiselect(key="portfolio-status").set_value(["none"]).run()
    assert names(ok(at)) == ["Verrerie"]
    at.text_input(key="portfolio-search").input("zzz").run()
    assert not ok(at).dataframe and t("portfolio.none_match") in [i.value for i in at.info]
    at.text_input(key="portfolio-search").input("").run()
    at.multiselect(key="portfolio-status").set_value([]).run()
    at.selectbox(key="portfolio-sort").set_value("score").run()
    assert names(ok(at)) == ["Scierie Éloi", "Atelier Bois", "Verrerie"]  # the unscored last, by name


def test_clicking_a_row_opens_the_company_results(db, clients):
    at = page(db)
    assert names(at)[1] == "Scierie Éloi"
    at.session_state["portfolio-table-0"] = {"selection": {"rows": [1], "columns": [], "cells": []}}
    ok(at.run())
    assert at.session_state["company_id"] == clients["scierie"]
    assert at.session_state["assessment_id"] == clients["scierie_a"]
    assert [title.value for title in at.title] == [t("results.title")]


def test_a_company_without_assessment_opens_its_company_page(db, clients):
    at = page(db)
    at.session_state["portfolio-table-0"] = {"selection": {"rows": [2], "columns": [], "cells": []}}
    ok(at.run())
    assert at.session_state["company_id"] == clients["verrerie"] and at.session_state["assessment_id"] is None


def test_the_follow_up_date_is_set_for_the_chosen_company(db, clients):
    at = page(db, company_id=clients["bois"])
    assert at.selectbox(key="portfolio-follow-company").value == clients["bois"]
    day = date.today() + timedelta(days=5)
    at.date_input(key=f"portfolio-follow-{clients['bois']}").set_value(day)
    at.button(key="portfolio-follow-save").click().run()
    assert companies.get_company(db, clients["bois"]).next_follow_up == day
    assert any(s.value.startswith("Prochain suivi de Atelier Bois") for s in ok(at).success)
    said = "\n".join(m.value for m in at.markdown)
    assert t("portfolio.soon", companies="")[:20] in said and "Atelier Bois" in said


def test_a_viewer_cannot_set_a_follow_up(db, clients):
    ((workspace, _),) = workspaces.my_workspaces(db)
    issued = workspaces.invite(db, workspace.id, Role.VIEWER, email="vera@example.org")
    vera = workspaces.signed_in_actor(db.uow, "https://id.example.org", "vera", "vera@example.org", "Vera")
    workspaces.accept_invitation(Context(db.uow, vera), issued.token, "vera@example.org", True)
    at = page(Context(db.uow, vera, "fr", workspace_id=workspace.id))
    assert len(names(at)) == 3
    assert at.button(key="portfolio-follow-save").disabled
    assert t("portfolio.read_only") in [c.value for c in at.caption]


def test_an_empty_workspace_says_what_to_do(db):
    at = page(db)
    assert t("portfolio.empty") in [i.value for i in at.info] and not at.dataframe


def test_english(db, clients):
    at = AppTest.from_function(
        page_script, args=("portfolio", Context(db.uow, db.actor, "en"), LINKED), default_timeout=30
    )
    at.session_state["lang"] = "en"
    ok(at.run())
    assert [title.value for title in at.title] == [translate("portfolio.title", "en")]
    assert translate("portfolio.col_name", "en") in table(at).columns
