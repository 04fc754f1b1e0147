"""Entreprise: create, choose and edit a company and its profile; start or open an assessment."""

from pathlib import Path

import streamlit as st
from pydantic import ValidationError

from diagnostic import limits, services
from diagnostic.errors import InputRefused
from diagnostic.exports.assessment_json import ImportRefused
from diagnostic.i18n import format_date, headcount_label
from diagnostic.profile import Profile
from diagnostic.schema import HEADCOUNT_BANDS
from ui import state
from ui.state import t
from ui.text import plain

lang = state.lang()
repo = state.repo()
NEW = -1

st.title(t("company.title"))
for message in st.session_state.pop("flash_messages", []):
    st.success(message)

companies = repo.list_companies()
company = state.current_company()
names = {NEW: t("company.new")} | state.unique_labels({c.id: c.name for c in companies})


@state.guarded
def pick_company() -> None:
    chosen = st.session_state.get("company-select")
    if chosen is None:
        return
    if chosen == NEW:
        st.session_state.creating_company = True
    else:
        st.session_state.creating_company = False
        state.select_company(chosen)


# The company changes only on a deliberate pick (on_change), never by reading the widget back.
creating = st.session_state.get("creating_company", False) or company is None
state.set_widget("company-select", NEW if creating else company.id)
st.selectbox(t("company.select"), list(names), key="company-select", format_func=names.__getitem__, on_change=pick_company)
chosen = NEW if creating else company.id
editing = None if creating else company


def yes_no_unknown(label: str, value: bool | None, key: str) -> bool | None:
    options = [None, True, False]
    labels = {None: t("company.unknown"), True: t("diag.yes"), False: t("diag.no")}
    return st.radio(label, options, index=options.index(value), format_func=lambda v: labels[v], horizontal=True, key=key)


profile = editing.profile if editing else Profile()
with st.form(f"company-form-{chosen}", border=True):
    st.subheader(t("company.form_edit") if editing else t("company.form_new"))
    name = st.text_input(t("company.name"), value=editing.name if editing else "", max_chars=limits.COMPANY_NAME)
    left, right = st.columns(2)
    with left:
        sector = st.text_input(t("company.sector"), value=profile.sector or "", help=t("company.sector_help"), max_chars=10)
        bands = [None, *HEADCOUNT_BANDS]
        band = st.selectbox(
            t("company.headcount"), bands, index=bands.index(profile.headcount_band),
            format_func=lambda b: headcount_label(b, lang), help=t("company.headcount_help"),
        )
        sites = st.number_input(t("company.sites"), min_value=1, max_value=limits.SITES, value=profile.sites, step=1)
    with right:
        production = yes_no_unknown(t("company.production_site"), profile.production_site, f"prod-{chosen}")
        tertiary = yes_no_unknown(t("company.tertiary"), profile.tertiary_area_1000m2, f"tert-{chosen}")
    notes = st.text_area(t("company.notes"), value=editing.notes if editing else "", height=80, max_chars=limits.COMPANY_NOTES)
    submitted = st.form_submit_button(t("company.save") if editing else t("company.create"), type="primary")

if submitted:
    try:
        new_profile = Profile(
            headcount_band=band, sector=sector or None, sites=int(sites) if sites else None,
            production_site=production, tertiary_area_1000m2=tertiary,
        )
    except ValidationError:
        st.error(t("company.sector_invalid", value=plain(sector)))
    else:
        try:
            saved = services.save_company(repo, editing.id if editing else None, name, new_profile, notes)
        except InputRefused as refused:
            st.error(t(refused.message_key, details=plain(refused.details)))
        else:
            if editing:
                messages = [t("company.saved")]
                if new_profile != editing.profile:
                    messages.append(t("company.profile_changed"))
                st.session_state.flash_messages = messages
                st.rerun()
            created = saved
            state.select_company(created.id)
            st.session_state.creating_company = False
            st.session_state.flash_messages = [t("company.created", name=plain(created.name))]
            st.rerun()

if editing is not None:
    st.subheader(t("company.assessments"))
    assessments = repo.list_assessments(editing.id)
    if not assessments:
        st.caption(t("company.no_assessments"))
    for assessment in reversed(assessments):
        questionnaire = services.questionnaire_of(repo, assessment)
        answered = len(services.load_answers(repo, assessment.id)[0])
        line = t(
            "company.assessment_line",
            label=plain(assessment.label) if assessment.label else f"n° {assessment.id}",
            questionnaire=questionnaire.model.title.get(lang),
            date=format_date(assessment.created_at, lang),
            status=t("status." + assessment.status),
            answered=answered,
        )
        left, right = st.columns([5, 1], vertical_alignment="center")
        left.markdown(("**▶** " if assessment.id == st.session_state.get("assessment_id") else "") + line)
        if right.button(t("company.open"), key=f"open-{assessment.id}"):
            state.select_assessment(assessment.id)
            st.switch_page("app_pages/diagnostic.py")

    with st.form(f"new-assessment-{editing.id}"):
        st.markdown(f"**{t('company.new_assessment')}**")
        questionnaires = services.shipped_questionnaires()
        for path, _ in services.questionnaire_problems():  # an author's broken file must not go unnoticed
            st.warning(t("company.questionnaire_skipped", file=plain(Path(path).name)), icon=":material/warning:")
        q_ids = [q.id for q in questionnaires]
        titles = {q.id: f"{q.model.title.get(lang)} ({len(q.questions)} questions)" for q in questionnaires}
        questionnaire_id = st.selectbox(t("company.questionnaire"), q_ids, format_func=lambda i: titles[i])
        respondent = st.text_input(t("company.respondent"), max_chars=limits.RESPONDENT)
        if st.form_submit_button(t("company.start"), type="primary"):
            assessment = services.start_assessment(repo, editing.id, questionnaire_id, respondent=respondent.strip())
            state.select_assessment(assessment.id)
            st.session_state.flash_messages = [t("company.started")]
            st.switch_page("app_pages/diagnostic.py")

with st.expander(t("import.title"), icon=":material/upload_file:"):
    st.caption(t("import.help"))
    upload = st.file_uploader(t("import.file"), type=["json"], key="import-file")
    if upload is not None:
        try:
            plan, matches = services.prepare_import(repo, upload.getvalue())
        except ImportRefused as refused:
            st.error(t(refused.message_key, details=refused.details))
        else:
            document = plan.document
            st.info(
                t(
                    "import.summary", company=plain(document.company.name), questionnaire=plan.questionnaire.model.title.get(lang),
                    answers=sum(1 for v, _ in plan.answers.values() if v is not None), actions=len(document.actions),
                )
            )
            if plan.dropped:
                st.warning(t("import.dropped", count=len(plan.dropped)))
                st.dataframe([{"question": q, "": reason} for q, reason in plan.dropped], hide_index=True)
            target = None
            if matches:
                choices = [None] + [c.id for c in matches]
                labels = {None: t("import.new_company")} | {
                    c.id: t("import.existing", name=plain(c.name), date=format_date(c.created_at, lang)) for c in matches
                }
                target = st.radio(t("import.match"), choices, format_func=labels.__getitem__, key="import-target")
            if st.button(t("import.confirm"), type="primary", key="import-confirm"):
                imported = services.apply_import(repo, plan, target)
                state.select_company(imported.company_id)
                state.select_assessment(imported.id)
                st.session_state.flash_messages = [t("import.done")]
                st.session_state.pop("import-file", None)
                st.rerun()
