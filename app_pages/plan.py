"""Plan d'action: the plan first, as cards (whole title, status, owner, due date) edited one at a
time in a form, then the ranked recommendations (quick wins apart) to pick into it.

The same layout serves a phone and a wide screen. Every write is a compare-and-set against what the
card or the form showed (services.apply_action_form / apply_action_edits).
"""

import logging
from typing import Any

import streamlit as st

from diagnostic.core import limits
from diagnostic.core.roles import Permission
from diagnostic.i18n import format_date, format_number
from diagnostic.labels import ACTION_STATUSES, status_label
from diagnostic.services import actions as action_service
from diagnostic.services import assessments as assessment_service
from diagnostic.services import companies as company_service
from diagnostic.services.context import Context
from ui import live, state
from ui.aid_panels import aid_hints
from ui.exports import download_buttons
from ui.practice_panels import practice_hints
from ui.questions import failure_message
from ui.state import t
from ui.text import authored, authored_label, plain


def main(ctx: Context) -> None:
    lang = ctx.lang

    st.title(t("plan.title"))
    company, assessment = state.require_assessment(ctx)
    editable = company_service.may(ctx, Permission.EDIT, company.id)

    evaluation = assessment_service.evaluate(ctx, assessment.id)
    if evaluation is None:  # deleted (or out of reach) since require_assessment read it
        st.info(t("empty.no_assessment"))
        st.page_link("app_pages/company.py", label=t("empty.go_company"), icon=":material/business:")
        st.stop()
    questionnaire = evaluation.questionnaire
    titles = {d.id: d.title.get(lang) for d in questionnaire.dimensions}
    actions = action_service.list_actions(ctx, assessment.id)
    in_plan = {a.recommendation_id for a in actions if a.recommendation_id}
    recommendations = evaluation.result.recommendations
    priorities = {r.id: r.priority for r in recommendations}

    SHOWN = 8  # recommendations per group before "show the others"
    SHOWN_ACTIONS = 12  # action cards before "show the others"
    FIELDS = ("title", "owner", "due_date", "status", "notes")
    EDIT = "plan_edit"  # the open form: {"assessment", "id", "shown": the action the form was filled in with, "problem"}
    NEW_FIELDS = ("title", "owner", "due_date")
    BADGES = {
        "todo": ("gray", ":material/radio_button_unchecked:"),
        "in_progress": ("blue", ":material/pending:"),
        "done": ("green", ":material/check_circle:"),
        "dropped": ("orange", ":material/block:"),
    }
    RECOMMENDATIONS_ANCHOR = "recommandations"
    NBSP = "\u00a0"  # keeps "30 nov. 2026" on one line
    log = logging.getLogger("autodiag")


    def widget(field: str) -> str:
        return f"plan-edit-{field}"


    def new_widget(field: str) -> str:
        return f"plan-new-{field}"


    def normal(field: str, value: Any) -> str:
        """A field's value as the form compares it (no owner and an empty owner are the same)."""
        if field == "due_date":
            return str(value)[:10] if value else ""
        return str(value or "").strip()


    def fill_form(action, fields=FIELDS) -> None:
        """Put the stored values of `fields` into the form's widgets (drawn in the next run)."""
        for field in fields:
            value = getattr(action, field)
            st.session_state[widget(field)] = value if field in ("due_date", "status") else (value or "")


    def stored_action(action_id: int):
        return next((a for a in action_service.list_actions(ctx, assessment.id) if a.id == action_id), None)


    # --- callbacks: each one catches its failure and says it (decision 37) ---------------------------


    @state.guarded
    def start_edit(action) -> None:
        st.session_state[EDIT] = {"assessment": assessment.id, "id": action.id, "shown": action}
        fill_form(action)


    @state.guarded
    def cancel_edit() -> None:
        st.session_state.pop(EDIT, None)


    @state.guarded
    def save_edit() -> None:
        edit = st.session_state.get(EDIT)
        if edit is None:
            return
        shown = edit["shown"]
        values = {field: st.session_state.get(widget(field)) for field in FIELDS}
        try:
            problems = action_service.apply_action_form(ctx, assessment.id, shown, values)
            stored = stored_action(shown.id) if "plan.conflict" in problems else None
        except Exception as exc:  # never shown as saved when it is not; the form keeps what was typed
            log.exception("action not saved")
            edit["problem"] = failure_message(exc)
            return
        if not problems:
            st.session_state.pop(EDIT, None)
            st.session_state.plan_message = t("plan.edited")
        elif "plan.gone" in problems or ("plan.conflict" in problems and stored is None):
            st.session_state.pop(EDIT, None)
            st.session_state.plan_error = t("plan.gone")
        elif "plan.conflict" in problems:
            # the other person's values come into the form; what this person changed elsewhere stays typed
            fill_form(stored, [f for f in FIELDS if normal(f, getattr(stored, f)) != normal(f, getattr(shown, f))])
            edit["shown"] = stored
            edit["problem"] = t("plan.form_conflict")
        else:  # too long, bad date, no title: refused, the text stays in the form to correct
            edit["problem"] = "  \n".join(t(p) for p in problems)


    @state.guarded
    def delete_edit() -> None:
        edit = st.session_state.get(EDIT)
        if edit is None:
            return
        shown = edit["shown"]
        try:
            problems = action_service.apply_action_edits(ctx, assessment.id, [shown], {"deleted_rows": [0]})
            stored = stored_action(shown.id) if problems else None
        except Exception as exc:
            log.exception("action not deleted")
            edit["problem"] = failure_message(exc)
            return
        if problems and stored is not None:  # changed meanwhile: show it as it is now, delete again if need be
            fill_form(stored)
            edit["shown"] = stored
            edit["problem"] = t("plan.delete_conflict")
        else:
            st.session_state.pop(EDIT, None)
            st.session_state.plan_message = t("plan.deleted")


    @state.guarded
    def create_action(shown: list) -> None:
        values = {field: st.session_state.get(new_widget(field)) for field in NEW_FIELDS}
        try:
            problems = action_service.apply_action_edits(ctx, assessment.id, shown, {"added_rows": [{**values, "status": "todo"}]})
        except Exception as exc:
            log.exception("action not created")
            st.session_state.plan_new_error = failure_message(exc)
            return
        if problems:  # the text stays in the form to correct
            st.session_state.plan_new_error = "  \n".join(t(p) for p in problems)
            return
        for field in NEW_FIELDS:
            st.session_state[new_widget(field)] = None if field == "due_date" else ""
        st.session_state.plan_message = t("plan.created")


    def add_to_plan(rec) -> None:
        try:
            action_service.add_from_recommendation(ctx, assessment.id, rec)
        except Exception as exc:
            log.exception("action not added")
            st.session_state.recommendation_error = failure_message(exc)
        else:
            st.session_state.plan_message = t("plan.added")


    # --- the plan -------------------------------------------------------------------------------------


    def meta_line(action) -> str:
        color, icon = BADGES.get(action.status, BADGES["todo"])
        colon = f"{NBSP}:" if lang == "fr" else ":"  # French puts a (no-break) space before a colon
        parts = [
            f":{color}-badge[{icon} {status_label(action.status, lang)}]",
            f"{t('plan.col_owner')}{colon} {plain(action.owner) if action.owner else '—'}",
            f"{t('plan.col_due')}{colon} {format_date(action.due_date, lang, 'medium').replace(' ', NBSP)}",
        ]
        if action.recommendation_id in priorities:
            parts.append(t("plan.from_priority", priority=format_number(priorities[action.recommendation_id], lang, 2)))
        return " · ".join(parts)


    def edit_form(action, edit: dict) -> None:
        shown = edit["shown"]
        problem = edit.pop("problem", None)
        if problem:
            st.warning(problem, icon=":material/warning:")
        elif any(normal(f, getattr(action, f)) != normal(f, getattr(shown, f)) for f in FIELDS):
            st.info(t("plan.changed_meanwhile"), icon=":material/group:")
        with st.form(f"edit-form-{action.id}", border=False):
            st.text_area(t("plan.col_action"), key=widget("title"), max_chars=limits.ACTION_TITLE, height="content")
            owner_col, due_col, status_col = st.columns(3)  # side by side on a wide screen, stacked on a phone
            owner_col.text_input(t("plan.col_owner"), key=widget("owner"), max_chars=limits.ACTION_OWNER)
            due_col.date_input(
                t("plan.col_due"), value=None, key=widget("due_date"), min_value=limits.FIRST_DATE,
                max_value=limits.LAST_DATE, format="DD/MM/YYYY", help=t("plan.due_help"),
            )  # fmt: skip
            status_col.selectbox(
                t("plan.col_status"), list(ACTION_STATUSES), key=widget("status"), format_func=lambda s: status_label(s, lang)
            )
            st.text_area(t("plan.col_notes"), key=widget("notes"), max_chars=limits.ACTION_NOTES, height="content")
            with st.container(horizontal=True):
                st.form_submit_button(t("plan.save"), type="primary", icon=":material/save:", on_click=save_edit)
                st.form_submit_button(t("plan.cancel"), on_click=cancel_edit)
                st.form_submit_button(t("plan.delete"), icon=":material/delete:", on_click=delete_edit)


    def action_card(action, edit: dict | None) -> None:
        with st.container(border=True, key=f"action-{action.id}"):
            if edit is not None and edit["id"] == action.id:
                edit_form(action, edit)
                return
            st.markdown(f"**{plain(action.title)}**")
            st.markdown(meta_line(action))
            if action.notes:
                notes = action.notes if len(action.notes) <= 300 else action.notes[:300].rstrip() + "…"
                st.caption(plain(notes))
            st.button(t("plan.edit"), key=f"edit-{action.id}", on_click=start_edit, args=(action,), icon=":material/edit:",
                      disabled=not editable)


    live.watch(ctx, assessment.id, lambda: action_service.plan_digest(action_service.list_actions(ctx, assessment.id)) != action_service.plan_digest(actions))
    live.show_notice()
    if "plan_message" in st.session_state:
        st.toast(st.session_state.pop("plan_message"))

    edit = st.session_state.get(EDIT)
    if edit is not None and edit["assessment"] != assessment.id:
        edit = None
        st.session_state.pop(EDIT, None)
    elif edit is not None and edit["id"] not in {a.id for a in actions}:  # deleted by someone else meanwhile
        edit = None
        st.session_state.pop(EDIT, None)
        st.session_state.plan_error = t("plan.gone")

    st.header(t("plan.actions"))
    done = sum(1 for a in actions if a.status == "done")
    if actions:
        st.progress(done / len(actions), text=t("plan.progress", done=done, total=len(actions)))
        st.caption(t("plan.cards_help"))
        to_add = sum(1 for r in recommendations if r.id not in in_plan)
        if to_add:
            st.markdown(f"[{t('plan.to_recommendations', count=to_add)}](#{RECOMMENDATIONS_ANCHOR})")
    else:
        st.info(t("plan.empty_below"))
    if "plan_error" in st.session_state:
        st.warning(st.session_state.pop("plan_error"), icon=":material/warning:")

    show_all_actions = len(actions) > SHOWN_ACTIONS and st.toggle(t("plan.more", count=len(actions) - SHOWN_ACTIONS), key="all-actions")
    for index, action in enumerate(actions):
        if show_all_actions or index < SHOWN_ACTIONS or (edit is not None and edit["id"] == action.id):
            action_card(action, edit)

    with st.expander(t("plan.new"), icon=":material/add_task:"):
        if "plan_new_error" in st.session_state:
            st.warning(st.session_state.pop("plan_new_error"), icon=":material/warning:")
        with st.form("new-action", border=False):
            st.text_area(t("plan.col_action"), key=new_widget("title"), max_chars=limits.ACTION_TITLE, height=90)
            owner_col, due_col = st.columns(2)
            owner_col.text_input(t("plan.col_owner"), key=new_widget("owner"), max_chars=limits.ACTION_OWNER)
            due_col.date_input(
                t("plan.col_due"), value=None, key=new_widget("due_date"), min_value=limits.FIRST_DATE,
                max_value=limits.LAST_DATE, format="DD/MM/YYYY", help=t("plan.due_help"),
            )  # fmt: skip
            st.form_submit_button(t("plan.create"), type="primary", icon=":material/add_task:", on_click=create_action, args=(actions,),
                                  disabled=not editable)

    # --- the recommendations to pick from ----------------------------------------------------------------

    st.header(t("plan.recommendations"), anchor=RECOMMENDATIONS_ANCHOR)
    st.caption(t("plan.priority_help"))
    if not recommendations:
        st.info(t("plan.none") if evaluation.answers else t("empty.no_answers"))
    if "recommendation_error" in st.session_state:
        st.warning(st.session_state.pop("recommendation_error"), icon=":material/warning:")


    def recommendation_card(rec) -> None:
        with st.container(border=True):
            text_col, button_col = st.columns([5, 1], vertical_alignment="center")
            with text_col:
                st.markdown(authored(rec.text.get(lang)))
                question = questionnaire.questions[rec.question]
                st.caption(
                    f"{authored_label(titles[rec.dimension])} · {t('plan.col_effort')} {'●' * rec.effort}{'○' * (3 - rec.effort)} · "
                    f"{t('plan.col_impact')} {'●' * rec.impact}{'○' * (3 - rec.impact)} · {t('plan.col_priority')} "
                    f"{format_number(rec.priority, lang, 2)}  \n{authored_label(question.text.get(lang))}"
                )
                practice_hints(ctx, company.id, rec.question, rec.dimension)  # what other members of its networks did
                aid_hints(ctx, company.profile, rec.question, rec.dimension)  # public schemes that fund it
            with button_col:
                if rec.id in in_plan:
                    st.button(t("plan.already"), key=f"in-{rec.id}", disabled=True, icon=":material/check:")
                else:
                    st.button(t("plan.add"), key=f"add-{rec.id}", on_click=add_to_plan, args=(rec,), icon=":material/add:",
                              disabled=not editable)


    for quick, title_key, help_key in ((True, "plan.quick_wins", "plan.quick_wins_help"), (False, "plan.projects", "plan.projects_help")):
        items = [r for r in recommendations if r.quick_win == quick]
        if not items:
            continue
        st.markdown(f"### {t(title_key)} ({len(items)})")
        st.caption(t(help_key))
        show_all = len(items) > SHOWN and st.toggle(t("plan.more", count=len(items) - SHOWN), key=f"all-{quick}")
        for rec in items if show_all else items[:SHOWN]:
            recommendation_card(rec)

    st.divider()
    download_buttons(ctx, assessment.id, company.name, assessment.created_at.date().isoformat())


if __name__ == "__main__":
    main(state.context())
