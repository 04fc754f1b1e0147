"""Every page run with streamlit.testing.v1.AppTest, through app.py as a user reaches it."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from diagnostic.core.profile import Profile
from diagnostic.i18n import format_score, t
from diagnostic.services import actions, answers, assessments, companies, demo, questionnaires, workspaces
from ui.text import plain

APP = Path(__file__).resolve().parent.parent / "app.py"
PAGES = ["home", "company", "diagnostic", "results", "plan", "followup"]


def app(page: str | None = None, **state) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=60)
    for key, value in state.items():
        at.session_state[key] = value
    at.run()
    if page:
        at.switch_page(f"app_pages/{page}.py").run()
    assert not at.exception, at.exception
    return at


def texts(at: AppTest) -> str:
    parts = [e.value for e in at.markdown] + [e.value for e in at.info] + [e.value for e in at.error]
    parts += [e.value for e in at.warning] + [e.value for e in at.success] + [e.value for e in at.caption]
    parts += [e.value for e in at.title] + [e.value for e in at.header] + [e.value for e in at.subheader]
    return "\n".join(str(p) for p in parts)


def no_unexpected_error(at: AppTest) -> None:
    assert not at.exception
    assert t("error.unexpected", "fr") not in texts(at) and t("error.database", "fr") not in texts(at)


@pytest.mark.parametrize("page", PAGES)
def test_every_page_with_nothing_selected_explains_what_to_do(db, page) -> None:
    at = app(page)
    no_unexpected_error(at)
    if page == "home":
        assert t("home.title", "fr") in texts(at)
    elif page == "company":
        assert t("company.form_new", "fr") in texts(at)
    else:
        assert t("empty.no_company", "fr") in texts(at)


@pytest.mark.parametrize("page", ["diagnostic", "results", "plan"])
def test_pages_with_a_company_but_no_assessment(db, page) -> None:
    company = companies.save_company(db, None, "Sans diagnostic", Profile())
    at = app(page, company_id=company.id)
    no_unexpected_error(at)
    assert t("empty.no_assessment", "fr") in texts(at)


def test_results_without_answers_says_so(db) -> None:
    company = companies.save_company(db, None, "Vide", Profile())
    assessment = assessments.start_assessment(db, company.id, "rse-flash")
    at = app("results", company_id=company.id, assessment_id=assessment.id)
    assert t("empty.no_answers", "fr") in texts(at)


def test_demo_button_shows_results_computed_by_the_engine(db) -> None:
    at = app()
    button = next(b for b in at.button if b.label == t("home.demo", "fr"))
    button.click().run()
    no_unexpected_error(at)
    company_id, assessment_id = at.session_state["company_id"], at.session_state["assessment_id"]
    evaluation = assessments.evaluate(db, assessment_id)
    assert evaluation.company.id == company_id
    metrics = {m.label: m.value for m in at.metric}
    assert metrics[t("results.overall", "fr")] == f"{format_score(evaluation.result.overall)}/100"
    assert metrics[t("results.level", "fr")].endswith(evaluation.result.level.label.fr)
    assert len(at.get("plotly_chart")) == 1
    # the rules behind the level are shown
    assert t("results.rules", "fr") in [e.label for e in at.expander]


def test_every_page_renders_for_the_demo_in_both_languages(db) -> None:
    company, assessment = demo.create_demo(db)
    for lang in ("fr", "en"):
        for page in PAGES:
            at = app(page, company_id=company.id, assessment_id=assessment.id, lang=lang)
            no_unexpected_error(at)
            assert at.title[0].value == (t("home.title", lang) if page == "home" else t(f"nav.{page}", lang))


def test_create_company_with_profile_then_start_an_assessment(db) -> None:
    at = app("company")
    at.text_input[0].input("Atelier Lefèvre")
    at.text_input[1].input("25.62A")
    at.selectbox[1].select("11-19")
    at.button[0].click().run()  # form submit
    no_unexpected_error(at)
    created = companies.list_companies(db)
    assert [c.name for c in created] == ["Atelier Lefèvre"]
    assert created[0].profile.headcount_band == "11-19" and created[0].profile.sector == "25.62A"
    assert at.session_state["company_id"] == created[0].id

    minutes = questionnaires.shipped_questionnaire("rse-performance-globale")[0].model.estimated_minutes  # 50
    start = next(b for b in at.button if b.label == t("company.choice_full", "fr", minutes=minutes))
    start.click().run()
    no_unexpected_error(at)
    started = assessments.list_assessments(db, created[0].id)
    assert len(started) == 1 and started[0].questionnaire_id == "rse-performance-globale"
    assert at.session_state["assessment_id"] == started[0].id


def test_bad_company_input_gets_a_french_message_and_creates_nothing(db) -> None:
    at = app("company")
    at.text_input[0].input("Garage")
    at.text_input[1].input("ABC")
    at.button[0].click().run()
    assert t("company.sector_invalid", "fr", value="ABC") in texts(at)
    at.text_input[0].input("   ")
    at.text_input[1].input("")
    at.button[0].click().run()
    assert t("company.name_required", "fr") in texts(at)
    assert companies.list_companies(db) == []


def test_diagnostic_saves_each_answer_and_comment(db) -> None:
    company = companies.save_company(db, None, "Imprimerie", Profile(headcount_band="11-19", production_site=True))
    assessment = assessments.start_assessment(db, company.id, "rse-performance-globale")
    at = app("diagnostic", company_id=company.id, assessment_id=assessment.id)
    questionnaire = questionnaires.questionnaire_of(db.uow, assessment)
    first = questionnaire.dimensions[0].questions[0]
    radio = at.radio(key=f"q-{assessment.id}-{first.id}")
    radio.set_value(3).run()
    no_unexpected_error(at)
    saved = answers.load_answers(db, assessment.id)
    assert saved[first.id].value == 3
    at.text_input(key=f"c-{assessment.id}-{first.id}").input("charte signée en mars").run()
    assert answers.load_answers(db, assessment.id)[first.id].comment == "charte signée en mars"
    progress = [p.proto.text for p in at.get("progress")]
    assert t("diag.progress", "fr", answered=1, applicable=_applicable(db, assessment.id)) in progress


def _applicable(db, assessment_id) -> int:
    evaluation = assessments.evaluate(db, assessment_id)
    return sum(1 for r in evaluation.result.questions.values() if r.applies and r.max is not None)


def test_only_one_dimension_is_drawn_at_a_time(db) -> None:
    profile = Profile(headcount_band="50-249", production_site=True, tertiary_area_1000m2=True)
    company = companies.save_company(db, None, "C", profile)
    assessment = assessments.start_assessment(db, company.id, "rse-performance-globale")
    at = app("diagnostic", company_id=company.id, assessment_id=assessment.id)
    questionnaire = questionnaires.questionnaire_of(db.uow, assessment)
    first_dimension = {q.id for q in questionnaire.dimensions[0].questions}
    keys = {w.key.split("-", 2)[2] for w in list(at.radio) + list(at.get("pills")) if w.key and w.key.startswith("q-")}
    assert keys and keys <= first_dimension


def test_na_is_offered_only_where_allowed(db) -> None:
    company = companies.save_company(db, None, "C", Profile(headcount_band="11-19"))
    assessment = assessments.start_assessment(db, company.id, "rse-performance-globale")
    questionnaire = questionnaires.questionnaire_of(db.uow, assessment)
    at = app("diagnostic", company_id=company.id, assessment_id=assessment.id, dim="qual")
    checked = []
    for radio in at.radio:
        if not radio.key or not radio.key.startswith("q-"):
            continue
        question = questionnaire.questions[radio.key.split("-", 2)[2]]
        assert ("Non concerné (N/A)" in radio.options) == question.allow_na
        checked.append(question.allow_na)
    assert True in checked and False in checked  # the dimension has both kinds


def test_a_question_disappears_when_it_stops_applying(db) -> None:
    # env.audit-energetique applies when env.energie-niveau (a filter, not scored) is in
    # [entre-2-75-et-23-6, plus-de-23-6, a-verifier]: not under 2.75 GWh
    company = companies.save_company(db, None, "Transports", Profile(headcount_band="1-10"))
    assessment = assessments.start_assessment(db, company.id, "rse-performance-globale")
    questionnaire = questionnaires.questionnaire_of(db.uow, assessment)
    filter_id, dependant = "env.energie-niveau", "env.audit-energetique"
    answers.record_answer(db, questionnaire, assessment.id, filter_id, "plus-de-23-6")
    answers.record_answer(db, questionnaire, assessment.id, dependant, "audit-et-plan")
    row = assessments.evaluate(db, assessment.id).result.questions[dependant]
    assert row.applies and row.counted and row.value == 3  # "audit-et-plan" scores 3
    answers.record_answer(db, questionnaire, assessment.id, filter_id, "moins-de-2-75")
    result = assessments.evaluate(db, assessment.id).result
    assert not result.questions[dependant].applies and not result.questions[dependant].counted
    # in the page, the env tab no longer draws the hidden question
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.session_state["company_id"], at.session_state["assessment_id"] = company.id, assessment.id
    at.session_state["dim"] = "env"
    at.run()
    at.switch_page("app_pages/diagnostic.py").run()
    assert not at.exception
    keys = [w.key for w in at.radio if w.key]
    assert f"q-{assessment.id}-{filter_id}" in keys
    assert f"q-{assessment.id}-{dependant}" not in keys
    answers.record_answer(db, questionnaire, assessment.id, filter_id, "a-verifier")
    at.run()
    assert f"q-{assessment.id}-{dependant}" in [w.key for w in at.radio if w.key]


def test_plan_add_recommendation_and_edit_actions(db) -> None:
    company, assessment = demo.create_demo(db)
    at = app("plan", company_id=company.id, assessment_id=assessment.id)
    before = len(actions.list_actions(db, assessment.id))
    add = next(b for b in at.button if b.label == t("plan.add", "fr"))
    add.click().run()
    no_unexpected_error(at)
    plan = actions.list_actions(db, assessment.id)
    assert len(plan) == before + 1 and plan[-1].recommendation_id is not None
    # the table's edits, as the editor reports them
    ids = [a.id for a in plan]
    problems = actions.apply_action_edits(
        db, assessment.id, plan,
        {"edited_rows": {0: {"owner": "Léa", "status": "done", "due_date": "2027-01-31"}},
         "added_rows": [{"title": "Former l’équipe au tri", "status": "todo"}, {"title": "  "}],
         "deleted_rows": [1]},
    )  # fmt: skip
    assert problems == ["plan.title_required"]
    after = actions.list_actions(db, assessment.id)
    assert after[0].owner == "Léa" and after[0].status == "done" and str(after[0].due_date) == "2027-01-31"
    assert ids[1] not in [a.id for a in after]
    assert after[-1].title == "Former l’équipe au tri"


def test_followup_compares_two_assessments(db) -> None:
    company, _ = demo.create_demo(db)
    at = app("followup", company_id=company.id)
    no_unexpected_error(at)
    assert t("followup.compare", "fr") in texts(at)
    assert len(at.get("plotly_chart")) == 1
    assert t("followup.went_up", "fr") in texts(at)


def test_language_switch_translates_the_pages(db) -> None:
    at = app()
    control = at.get("button_group")[0]
    control.set_value("en").run()
    assert at.session_state["lang"] == "en"
    assert t("home.title", "en") in texts(at)
    at.switch_page("app_pages/results.py").run()
    assert t("empty.no_company", "en") in texts(at)


def test_results_and_plan_offer_the_three_exports(db) -> None:
    company, assessment = demo.create_demo(db)
    for page in ("results", "plan"):
        at = app(page, company_id=company.id, assessment_id=assessment.id)
        labels = {b.proto.label for b in at.get("download_button")}
        assert labels == {t("export.pdf", "fr"), t("export.xlsx", "fr"), t("export.json", "fr")}


def test_company_page_offers_the_import(db) -> None:
    at = app("company")
    assert t("import.title", "fr") in [e.label for e in at.expander]


def test_help_toggle_shows_each_question_help(db) -> None:
    company = companies.save_company(db, None, "C", Profile(headcount_band="11-19"))
    assessment = assessments.start_assessment(db, company.id, "rse-performance-globale")
    questionnaire = questionnaires.questionnaire_of(db.uow, assessment)
    first = questionnaire.dimensions[0].questions[0]
    at = app("diagnostic", company_id=company.id, assessment_id=assessment.id)
    assert first.help.fr not in texts(at)
    at.toggle(key="show-help").set_value(True).run()
    assert first.help.fr in texts(at)


# --- local mode: the workspace page, other workspaces out of reach, the English catalogue ------------------


def test_the_workspace_page_shows_the_local_space_its_members_and_the_audit_of_earlier_actions(db) -> None:
    at = app("company")
    at.text_input[0].input("Atelier Lefèvre")
    at.button[0].click().run()  # form submit
    no_unexpected_error(at)
    [company] = companies.list_companies(db)
    minutes = questionnaires.shipped_questionnaire("rse-flash")[0].model.estimated_minutes  # 15
    flash = next(b for b in at.button if b.label == t("company.choice_flash", "fr", minutes=minutes))
    flash.click().run()
    no_unexpected_error(at)
    [assessment] = assessments.list_assessments(db, company.id)

    at.switch_page("app_pages/workspace.py").run()  # after a run, only a page of the navigation can be opened
    no_unexpected_error(at)
    assert at.title[0].value == t("workspace.title", "fr", name=plain("Espace local"))
    shown = texts(at)
    assert t("workspace.your_role", "fr", role=t("role.owner", "fr")) in shown
    # the members: the local owner, alone, as owner
    assert t("workspace.members", "fr") in [h.value for h in at.header]
    members = [m.value for m in at.markdown if m.value.endswith(f"** · {t('role.owner', 'fr')}")]
    assert len(members) == 1, shown
    assert not [b for b in at.button if b.key and b.key.startswith("remove-")], "nobody else to remove"
    # local mode: no sign-in, so no invitation links; said, and no form
    assert t("workspace.local_no_invites", "fr") in [e.value for e in at.info]
    assert t("workspace.invite", "fr") not in [b.label for b in at.button]
    # the audit log lists what was just done, newest first, with its CSV export
    assert t("workspace.audit", "fr") in [h.value for h in at.header]
    log = at.dataframe[0].value
    rows = list(zip(log[t("workspace.col_action", "fr")], log[t("workspace.col_target", "fr")], strict=True))
    assert rows == [
        (t("audit.action.assessment.create", "fr"), t("audit.target.assessment", "fr", id=assessment.id)),
        (t("audit.action.company.create", "fr"), t("audit.target.company", "fr", id=company.id)),
    ]
    assert list(log[t("workspace.col_detail", "fr")])[-1] == "Atelier Lefèvre"
    assert t("workspace.audit_export", "fr") in {b.proto.label for b in at.get("download_button")}


def test_the_local_owner_is_named_as_such_among_the_members(db) -> None:
    at = app("workspace")
    assert f"**{plain(t('workspace.local_owner', 'fr'))}** · {t('role.owner', 'fr')}" in [m.value for m in at.markdown]


def other_workspace(db):
    """A company and an assessment in a workspace the local owner is no member of (made by the operator)."""
    operator = workspaces.operator_context(db.uow)
    workspace, _ = workspaces.create_workspace(operator, "Autre", owner_email="")
    company = companies.save_company(operator, None, "Secret SA", Profile(), workspace_id=workspace.id)
    return company, assessments.start_assessment(operator, company.id, "rse-flash")


def opened(page: str, **params: int) -> AppTest:
    """The app opened from a link carrying `params` (?c=…&a=…), then on `page`."""
    at = AppTest.from_file(str(APP), default_timeout=60)
    for key, value in params.items():
        at.query_params[key] = str(value)
    at.run()
    if page != "home":
        at.switch_page(f"app_pages/{page}.py").run()
    no_unexpected_error(at)
    return at


def seen(at: AppTest) -> tuple:
    """Everything the page shows or keeps of the place: texts, sidebar choices, session and URL."""
    choices = [(s.key, s.options, s.value) for s in at.sidebar.selectbox]
    place = (at.session_state["company_id"], at.session_state["assessment_id"])
    return texts(at), [b.label for b in at.button], choices, place, dict(at.query_params)


def test_another_workspaces_ids_in_the_url_are_as_unknown_as_a_missing_one(db) -> None:
    mine = companies.save_company(db, None, "Mon atelier", Profile())
    my_assessment = assessments.start_assessment(db, mine.id, "rse-flash")
    other, other_assessment = other_workspace(db)
    missing = 999_999
    # the link of one's own company does open it: the URL is read
    at = opened("company", c=mine.id)
    assert at.session_state["company_id"] == mine.id
    for page in PAGES:
        links = [
            ({"c": other.id}, {"c": missing}),
            ({"c": other.id, "a": other_assessment.id}, {"c": missing, "a": missing}),
            ({"c": mine.id, "a": other_assessment.id}, {"c": mine.id, "a": missing}),
        ]
        for theirs, nothing in links:
            at = opened(page, **theirs)
            assert seen(at) == seen(opened(page, **nothing)), (page, theirs)
            assert at.session_state["assessment_id"] in (None, my_assessment.id)
            assert "Secret SA" not in texts(at) and not any("Secret SA" in str(s.options) for s in at.sidebar.selectbox)
            assert [s.options for s in at.sidebar.selectbox if s.key == "sidebar-company"] == [["Mon atelier"]]


def test_the_workspace_page_reads_in_english(db) -> None:
    at = app()
    at.get("button_group")[0].set_value("en").run()  # the sidebar's language control
    assert at.session_state["lang"] == "en"
    at.switch_page("app_pages/workspace.py").run()
    no_unexpected_error(at)
    title = t("workspace.title", "en", name=plain("Espace local"))
    assert title != t("workspace.title", "fr", name=plain("Espace local"))
    assert at.title[0].value == title
    assert t("workspace.your_role", "en", role=t("role.owner", "en")) in texts(at)
    assert t("workspace.local_no_invites", "en") in [e.value for e in at.info]
    assert t("workspace.audit_empty", "en") in [c.value for c in at.caption]  # nothing done yet
