"""Entreprise: create or choose a company; once it exists, its next step first (the flash or the full
diagnostic), then its assessments (open, delete), its profile, and erasing it; import a file."""

import json
import re
import unicodedata
from pathlib import Path

import streamlit as st
from pydantic import ValidationError

from diagnostic.core import limits
from diagnostic.core.errors import InputRefused
from diagnostic.core.loading import LoadedQuestionnaire
from diagnostic.core.profile import REGION_CODES, Profile
from diagnostic.core.roles import Permission
from diagnostic.core.schema import HEADCOUNT_BANDS
from diagnostic.exports.assessment_json import ImportRefused
from diagnostic.i18n import error_text, format_date, headcount_label, message_text
from diagnostic.services import answers as answers_service
from diagnostic.services import assessments as assessment_service
from diagnostic.services import companies as company_service
from diagnostic.services import demo, transfer
from diagnostic.services.assessments import AssessmentRecord, CompanyRecord
from diagnostic.services.context import Context
from diagnostic.services.questionnaires import (
    questionnaire_of,
    questionnaire_problems,
    shipped_questionnaires,
)
from ui import state
from ui.aid_panels import region_label
from ui.state import t
from ui.text import plain


def company_json(ctx: Context, company_id: int) -> bytes:
    """Everything stored about the company (right of access and portability), built when clicked."""
    return json.dumps(transfer.export_company(ctx, company_id), ensure_ascii=False, indent=2).encode("utf-8")


def main(ctx: Context) -> None:
    lang = ctx.lang
    NEW = -1
    SPACES = re.compile(r"[\s\u00a0\u202f]")  # allowed between the digits of a number of sites: 1 200
    DELETE_COMPANY = "confirm-delete-company"  # session keys: the id whose deletion is being confirmed
    DELETE_ASSESSMENT = "confirm-delete-assessment"
    DEMO_PAGES = [  # what the example is for
        ("app_pages/results.py", "nav.results", ":material/radar:"),
        ("app_pages/plan.py", "nav.plan", ":material/task_alt:"),
        ("app_pages/followup.py", "nav.followup", ":material/timeline:"),
    ]

    st.title(t("company.title"))
    for message in st.session_state.pop("flash_messages", []):
        st.success(message)

    companies = [c for c in company_service.list_companies(ctx) if ctx.workspace_id in (None, c.workspace_id)]
    company = state.current_company(ctx)
    may_create = company_service.may(ctx, Permission.CREATE_COMPANY)
    names = ({NEW: t("company.new")} if may_create else {}) | state.unique_labels({c.id: c.name for c in companies})
    if not names:  # a viewer or a company manager of a workspace without a company yet
        st.info(t("company.none_visible"))
        st.stop()


    @state.guarded
    def pick_company() -> None:
        chosen = st.session_state.get("company-select")
        if chosen is None:
            return
        if chosen == NEW:
            st.session_state.creating_company = True
        else:
            st.session_state.creating_company = False
            state.select_company(ctx, chosen)


    # The company changes only on a deliberate pick (on_change), never by reading the widget back.
    creating = may_create and (st.session_state.get("creating_company", False) or company is None)
    if company is None and not creating:
        state.select_company(ctx, next(iter(names)))
        company = state.current_company(ctx)
    editing = None if creating else company
    assert creating or editing is not None
    chosen = NEW if editing is None else editing.id
    state.set_widget("company-select", chosen)
    st.selectbox(t("company.select"), list(names), key="company-select", format_func=names.__getitem__, on_change=pick_company)
    may_edit = editing is not None and company_service.may(ctx, Permission.EDIT, editing.id)
    may_delete = editing is not None and company_service.may(ctx, Permission.DELETE, editing.id)


    # --- the demo ----------------------------------------------------------------------------------


    @state.guarded
    def reset_demo() -> None:
        demo_company, demo_assessment = demo.reset_demo(ctx)
        state.select_company(ctx, demo_company.id)
        state.select_assessment(ctx, demo_assessment.id)
        st.session_state.flash_messages = [t("demo.reset_done")]


    @state.guarded
    def own_company() -> None:
        st.session_state.creating_company = True


    if editing is not None and demo.is_demo(editing):
        st.info(t("demo.banner"), icon=":material/school:")
        for column, (path, key, icon) in zip(st.columns(3), DEMO_PAGES, strict=True):
            column.page_link(path, label=t(key), icon=icon, width="stretch")
        if may_create:
            left, right = st.columns(2)
            left.button(t("demo.own_company"), on_click=own_company, type="primary", icon=":material/add_business:", width="stretch")
            right.button(t("demo.reset"), help=t("demo.reset_help"), on_click=reset_demo, icon=":material/restart_alt:", width="stretch")


    # --- the next step: two clear choices ------------------------------------------------------------


    def choice_label(questionnaire: LoadedQuestionnaire, shortest: bool, longest: bool) -> str:
        title = questionnaire.model.title.get(lang)
        minutes = questionnaire.model.estimated_minutes
        if minutes is None:
            return title
        if shortest:
            return t("company.choice_flash", minutes=minutes)
        if longest:
            return t("company.choice_full", minutes=minutes)
        return t("company.choice_other", title=title, minutes=minutes)


    def next_step(company: CompanyRecord, first: bool) -> None:
        """Start the flash or the full diagnostic, then answer it on the Diagnostic page."""
        questionnaires = sorted(shipped_questionnaires(), key=lambda q: len(q.core_questions))  # flash first
        with st.container(border=True):
            st.header(t("company.next_step") if first else t("company.new_assessment"))
            st.caption(t("company.next_step_help"))
            for path, _ in questionnaire_problems():  # an author's broken file must not go unnoticed
                st.warning(t("company.questionnaire_skipped", file=plain(Path(path).name)), icon=":material/warning:")
            started = None
            with st.form(f"start-{company.id}", border=False, enter_to_submit=False):
                respondent = st.text_input(t("company.respondent_optional"), max_chars=limits.RESPONDENT, key=f"respondent-{company.id}")
                columns = st.columns(max(1, len(questionnaires)))
                for index, (column, questionnaire) in enumerate(zip(columns, questionnaires, strict=False)):
                    label = choice_label(questionnaire, index == 0 and len(questionnaires) > 1, index == len(questionnaires) - 1)
                    with column:
                        if st.form_submit_button(
                            label, key=f"start-{company.id}-{questionnaire.id}", type="primary" if index == 0 else "secondary",
                            icon=":material/bolt:" if index == 0 else ":material/checklist:", width="stretch",
                        ):  # fmt: skip
                            started = questionnaire.id
                        st.caption(
                            t(
                                "company.choice_detail_modules" if questionnaire.model.modules else "company.choice_detail",
                                count=len(questionnaire.core_questions), title=questionnaire.model.title.get(lang),
                            )
                        )
        if started is not None:
            assessment = assessment_service.start_assessment(ctx, company.id, started, respondent=(respondent or "").strip())
            state.select_assessment(ctx, assessment.id)
            st.session_state.flash_messages = [t("company.started")]
            state.switch_page("app_pages/diagnostic.py")


    # --- the assessments: open, delete ---------------------------------------------------------------


    def assessment_name(assessment: AssessmentRecord) -> str:
        return plain(assessment.label) if assessment.label else f"n° {assessment.id}"


    def assessment_line(assessment: AssessmentRecord) -> str:
        return t(
            "company.assessment_line",
            label=assessment_name(assessment),
            questionnaire=questionnaire_of(ctx.uow, assessment).model.title.get(lang),
            date=format_date(assessment.created_at, lang),
            status=t("status." + assessment.status),
            answered=len(assessment_service.split_answers(answers_service.load_answers(ctx, assessment.id))[0]),
        )


    @state.guarded
    def ask_to_delete(key: str, row_id: int) -> None:
        st.session_state.pop(DELETE_COMPANY, None)
        st.session_state.pop(DELETE_ASSESSMENT, None)
        st.session_state[key] = row_id


    def close_confirmation() -> None:
        st.session_state.pop(DELETE_COMPANY, None)
        st.session_state.pop(DELETE_ASSESSMENT, None)
        for key in [k for k in st.session_state if str(k).startswith("delete-company-name-")]:
            del st.session_state[key]  # a name typed for a deletion never stays to confirm the next one


    def assessments_list(company: CompanyRecord) -> None:
        st.header(t("company.assessments"))
        assessments = assessment_service.list_assessments(ctx, company.id)
        if not assessments:
            st.caption(t("company.no_assessments"))
        for assessment in reversed(assessments):
            with st.container(border=True):
                text, open_column, delete_column = st.columns([6, 2, 3], vertical_alignment="center")
                text.markdown(("**▶** " if assessment.id == st.session_state.get("assessment_id") else "") + assessment_line(assessment))
                if open_column.button(t("company.open"), key=f"open-{assessment.id}", icon=":material/open_in_new:", width="stretch"):
                    state.select_assessment(ctx, assessment.id)
                    state.switch_page("app_pages/diagnostic.py")
                if may_delete:
                    delete_column.button(
                        t("company.delete_assessment"), key=f"delete-{assessment.id}", icon=":material/delete:", type="tertiary",
                        on_click=ask_to_delete, args=(DELETE_ASSESSMENT, assessment.id), width="stretch",
                    )  # fmt: skip


    @st.dialog(t("company.delete_assessment_title"), on_dismiss=close_confirmation)
    def confirm_delete_assessment(assessment: AssessmentRecord) -> None:
        erasure = assessment_service.assessment_erasure(ctx, assessment.id)
        if erasure is None:
            close_confirmation()
            st.session_state.flash_messages = [t("company.already_deleted")]
            st.rerun()
        line = assessment_line(assessment)
        st.markdown(t("company.delete_assessment_body", line=line, answers=erasure.answers, actions=erasure.actions))
        left, right = st.columns(2)
        if left.button(t("company.delete_confirm"), key="delete-assessment-yes", type="primary", icon=":material/delete_forever:", width="stretch"):
            deleted = assessment_service.delete_assessment(ctx, assessment.id)
            close_confirmation()
            if st.session_state.get("assessment_id") == assessment.id:
                remaining = assessment_service.list_assessments(ctx, assessment.company_id)
                state.select_assessment(ctx, remaining[-1].id if remaining else None)
            st.session_state.flash_messages = [
                t("company.assessment_deleted", label=assessment_name(assessment), answers=deleted.answers, actions=deleted.actions)
                if deleted else t("company.already_deleted")
            ]  # fmt: skip
            st.rerun()
        if right.button(t("company.cancel"), key="delete-assessment-no", width="stretch"):
            close_confirmation()
            st.rerun()


    def same_name(typed: str, name: str) -> bool:
        def norm(text: str) -> str:
            return unicodedata.normalize("NFC", text).strip().casefold()

        return bool(typed.strip()) and norm(typed) == norm(name)


    @st.dialog(t("company.delete_company_title"), on_dismiss=close_confirmation)
    def confirm_delete_company(company: CompanyRecord) -> None:
        erasure = company_service.company_erasure(ctx, company.id)
        if erasure is None:
            close_confirmation()
            st.session_state.flash_messages = [t("company.already_deleted")]
            st.rerun()
        st.warning(
            t("company.delete_company_body", name=plain(company.name), assessments=erasure.assessments, answers=erasure.answers, actions=erasure.actions),
            icon=":material/warning:",
        )
        with st.form(f"delete-company-{company.id}", border=False, enter_to_submit=False):
            typed = st.text_input(t("company.delete_type_name", name=plain(company.name)), key=f"delete-company-name-{company.id}")
            left, right = st.columns(2)
            delete = left.form_submit_button(t("company.delete_confirm"), type="primary", icon=":material/delete_forever:", width="stretch")
            cancel = right.form_submit_button(t("company.cancel"), width="stretch")
        if cancel:
            close_confirmation()
            st.rerun()
        if delete:
            if not same_name(typed or "", company.name):
                st.error(t("company.delete_name_mismatch"), icon=":material/error:")
                return
            deleted = company_service.delete_company(ctx, company.id)
            close_confirmation()
            state.select_company(ctx, None)
            st.session_state.flash_messages = [
                t("company.company_deleted", name=plain(deleted.company), assessments=deleted.assessments, answers=deleted.answers, actions=deleted.actions)
                if deleted else t("company.already_deleted")
            ]  # fmt: skip
            st.rerun()


    # --- the profile: errors under their field, nothing kept silently ---------------------------------


    def field_key(field: str, chosen: int) -> str:
        return f"company-{field}-{chosen}"


    def errors_key(chosen: int) -> str:
        return f"company-errors-{chosen}"


    def parse_sites(text: str) -> int | None:
        """The number of sites typed ("" is not given; spaces between digits allowed); ValueError otherwise."""
        digits = SPACES.sub("", text or "")
        if not digits:
            return None
        if not (digits.isascii() and digits.isdigit()) or len(digits) > 9:
            raise ValueError(text)
        return int(digits)


    def refusal(refused: InputRefused) -> str:
        return t(refused.message_key, details=plain(refused.details))


    @state.guarded
    def save_profile(company_id: int | None, chosen: int) -> None:
        """Check every field, each error under its own field; save only when all are right."""
        value = lambda field: st.session_state.get(field_key(field, chosen))  # noqa: E731
        name, sector, notes = value("name") or "", (value("sector") or "").strip(), value("notes") or ""
        errors: dict[str, str] = {}
        try:
            company_service.clean_company_fields(name, "")  # the name alone
        except InputRefused as refused:
            errors["name"] = refusal(refused)
        try:
            company_service.clean_company_fields("-", notes)  # the notes alone
        except InputRefused as refused:
            errors["notes"] = refusal(refused)
        sites = None
        try:
            sites = parse_sites(value("sites") or "")
        except ValueError:
            errors["sites"] = t("company.sites_invalid")
        profile = None
        try:
            profile = Profile(
                headcount_band=value("band"), sector=sector or None, sites=sites,
                production_site=value("production"), tertiary_area_1000m2=value("tertiary"), region=value("region"),
            )  # fmt: skip
        except ValidationError as error:
            for problem in error.errors():
                field = str(problem["loc"][0]) if problem["loc"] else ""
                if field == "sites":
                    errors["sites"] = t("company.sites_invalid")
                else:
                    errors["sector"] = t("company.sector_invalid", value=plain(sector))
        st.session_state[errors_key(chosen)] = errors
        if errors or profile is None:
            return
        before = company_service.get_company(ctx, company_id) if company_id is not None else None
        try:
            saved = company_service.save_company(ctx, company_id, name, profile, notes)
        except InputRefused as refused:  # checked above; a rule added later still lands under a field
            errors["notes" if refused.message_key == "company.notes_invalid" else "name"] = refusal(refused)
            return
        st.session_state.pop(errors_key(chosen), None)
        if company_id is not None:
            messages = [t("company.saved")]
            if before is not None and profile != before.profile:
                messages.append(t("company.profile_changed"))
            st.session_state.flash_messages = messages
            return
        state.select_company(ctx, saved.id)
        st.session_state.creating_company = False
        st.session_state.flash_messages = [t("company.created", name=plain(saved.name))]


    def yes_no_unknown(label: str, value: bool | None, key: str, locked: bool) -> None:
        options = [None, True, False]
        labels = {None: t("company.unknown"), True: t("diag.yes"), False: t("diag.no")}
        st.radio(label, options, index=options.index(value), format_func=lambda v: labels[v], horizontal=True, key=key, disabled=locked)


    def profile_form(editing: CompanyRecord | None, chosen: int) -> None:
        errors: dict[str, str] = st.session_state.get(errors_key(chosen), {})
        profile = editing.profile if editing else Profile()

        def error(field: str) -> None:
            if field in errors:
                st.error(errors[field], icon=":material/error:")

        locked = not (may_edit if editing else may_create)  # a viewer reads the profile, changes nothing
        with st.form(f"company-form-{chosen}", border=editing is None, enter_to_submit=False):
            if editing is None:
                st.header(t("company.form_new"))
            st.text_input(t("company.name"), value=editing.name if editing else "", max_chars=limits.COMPANY_NAME, key=field_key("name", chosen), disabled=locked)
            error("name")
            left, right = st.columns(2)
            with left:
                st.text_input(
                    t("company.sector"), value=profile.sector or "", help=t("company.sector_help"), max_chars=10, key=field_key("sector", chosen), disabled=locked
                )
                error("sector")
                bands = [None, *HEADCOUNT_BANDS]
                st.selectbox(
                    t("company.headcount"), bands, index=bands.index(profile.headcount_band),
                    format_func=lambda b: headcount_label(b, lang), help=t("company.headcount_help"), key=field_key("band", chosen), disabled=locked,
                )  # fmt: skip
                st.text_input(
                    t("company.sites"), value=str(profile.sites) if profile.sites else "", max_chars=12,
                    placeholder=t("company.sites_placeholder"), key=field_key("sites", chosen), disabled=locked,
                )  # fmt: skip
                error("sites")
            with right:
                yes_no_unknown(t("company.production_site"), profile.production_site, field_key("production", chosen), locked)
                yes_no_unknown(t("company.tertiary"), profile.tertiary_area_1000m2, field_key("tertiary", chosen), locked)
                regions = [None, *REGION_CODES]  # optional: it picks the regional aid schemes shown beside the plan
                st.selectbox(
                    t("company.region"), regions, index=regions.index(profile.region), format_func=region_label,
                    help=t("company.region_help"), key=field_key("region", chosen), disabled=locked,
                )  # fmt: skip
            st.text_area(
                t("company.notes"), value=editing.notes if editing else "", height=80, max_chars=limits.COMPANY_NOTES, key=field_key("notes", chosen), disabled=locked
            )
            error("notes")
            if errors:
                st.warning(t("company.form_has_errors"), icon=":material/warning:")
            st.form_submit_button(
                t("company.save") if editing else t("company.create"), type="primary",
                on_click=save_profile, args=(editing.id if editing else None, chosen),
                disabled=locked,
            )  # fmt: skip


    # --- the page --------------------------------------------------------------------------------------

    if editing is None:
        profile_form(None, chosen)
    else:
        if may_edit:
            next_step(editing, first=not assessment_service.list_assessments(ctx, editing.id))
        assessments_list(editing)
        profile_errors = bool(st.session_state.get(errors_key(chosen)))
        with st.expander(t("company.profile_section"), expanded=profile_errors, icon=":material/tune:"):
            profile_form(editing, chosen)

    if may_create:
        with st.expander(t("import.title"), icon=":material/upload_file:"):
            st.caption(t("import.help"))
            upload = st.file_uploader(t("import.file"), type=["json"], key="import-file")
            if upload is not None:
                try:
                    plan, matches = transfer.prepare_import(ctx, upload.getvalue())
                except ImportRefused as refused:  # why, and what and where, in the user's language
                    st.error(error_text(refused, lang))
                else:
                    document = plan.document
                    assert document.company is not None  # prepare_import refuses a file without one
                    st.info(
                        t(
                            "import.summary", company=plain(document.company.name), questionnaire=plan.questionnaire.model.title.get(lang),
                            answers=sum(1 for v, _ in plan.answers.values() if v is not None), actions=len(document.actions),
                        )
                    )
                    if plan.dropped:
                        st.warning(t("import.dropped", count=len(plan.dropped)))
                        rows = [{"question": q, "": message_text(reason.message, lang)} for q, reason in plan.dropped]
                        st.dataframe(rows, hide_index=True)
                    target = None
                    if matches:
                        choices = [None] + [c.id for c in matches]
                        labels = {None: t("import.new_company")} | {
                            c.id: t("company.import_into_demo", name=plain(c.name))
                            if demo.is_demo(c)
                            else t("import.existing", name=plain(c.name), date=format_date(c.created_at, lang))
                            for c in matches
                        }
                        target = st.radio(t("import.match"), choices, format_func=labels.__getitem__, key="import-target")
                    if st.button(t("import.confirm"), type="primary", key="import-confirm"):
                        imported = transfer.apply_import(ctx, plan, target)
                        state.select_company(ctx, imported.company_id)
                        state.select_assessment(ctx, imported.id)
                        st.session_state.flash_messages = [t("import.done")]
                        st.session_state.pop("import-file", None)
                        st.rerun()

    if editing is not None:
        with st.expander(t("company.data_section"), icon=":material/database:"):
            st.caption(t("company.data_help"))
            st.download_button(
                t("company.data_export"), data=lambda: company_json(ctx.fresh(), editing.id),
                file_name=f"autodiag-rse-{editing.id}-donnees.json", mime="application/json",
                icon=":material/download:", key=f"export-company-{editing.id}",
            )  # fmt: skip

    if editing is not None and may_delete:
        with st.expander(t("company.danger_zone"), icon=":material/delete:"):
            st.caption(t("company.danger_help"))
            st.button(
                t("company.delete_company"), key=f"delete-company-{editing.id}", icon=":material/delete_forever:",
                on_click=ask_to_delete, args=(DELETE_COMPANY, editing.id),
            )  # fmt: skip

    # At most one confirmation is open, drawn last; it stays open across reruns until confirmed,
    # cancelled or dismissed (the session remembers which).
    if editing is not None and st.session_state.get(DELETE_COMPANY) == editing.id:
        confirm_delete_company(editing)
    elif editing is not None and st.session_state.get(DELETE_ASSESSMENT) is not None:
        pending = assessment_service.get_assessment(ctx, st.session_state[DELETE_ASSESSMENT])
        if pending is not None and pending.company_id == editing.id:
            confirm_delete_assessment(pending)
        else:
            close_confirmation()


if __name__ == "__main__":
    main(state.context())
