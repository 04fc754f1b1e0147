"""Plan d'action: ranked recommendations (quick wins apart), picked into an editable action plan."""

import logging

import pandas as pd
import streamlit as st

from diagnostic import limits, services
from diagnostic.labels import ACTION_STATUSES, status_label
from ui import live, state
from ui.exports import download_buttons
from ui.questions import failure_message
from ui.state import t

lang = state.lang()
repo = state.repo()

st.title(t("plan.title"))
company, assessment = state.require_assessment()

evaluation = services.evaluate(repo, assessment.id)
questionnaire = evaluation.questionnaire
titles = {d.id: d.title.get(lang) for d in questionnaire.dimensions}
actions = repo.list_actions(assessment.id)
in_plan = {a.recommendation_id for a in actions if a.recommendation_id}

st.subheader(t("plan.recommendations"))
st.caption(t("plan.priority_help"))
recommendations = evaluation.result.recommendations
if not recommendations:
    st.info(t("plan.none") if evaluation.answers else t("empty.no_answers"))


SHOWN = 8


def add_to_plan(rec) -> None:
    try:
        repo.add_action(assessment.id, rec.text.get(lang), recommendation_id=rec.id, question_id=rec.question)
    except Exception as exc:
        logging.getLogger("autodiag").exception("action not added")
        st.session_state.plan_error = failure_message(exc)
    else:
        st.session_state.plan_message = t("plan.added")


def recommendation_card(rec) -> None:
    with st.container(border=True):
        text_col, button_col = st.columns([5, 1], vertical_alignment="center")
        with text_col:
            st.markdown(rec.text.get(lang))
            question = questionnaire.questions[rec.question]
            st.caption(
                f"{titles[rec.dimension]} · {t('plan.col_effort')} {'●' * rec.effort}{'○' * (3 - rec.effort)} · "
                f"{t('plan.col_impact')} {'●' * rec.impact}{'○' * (3 - rec.impact)} · {t('plan.col_priority')} "
                f"{rec.priority:.2f}  \n{question.text.get(lang)}"
            )
        with button_col:
            if rec.id in in_plan:
                st.button(t("plan.already"), key=f"in-{rec.id}", disabled=True, icon=":material/check:")
            else:
                st.button(t("plan.add"), key=f"add-{rec.id}", on_click=add_to_plan, args=(rec,), icon=":material/add:")


for quick, title_key, help_key in ((True, "plan.quick_wins", "plan.quick_wins_help"), (False, "plan.projects", "plan.projects_help")):
    items = [r for r in recommendations if r.quick_win == quick]
    if not items:
        continue
    st.markdown(f"#### {t(title_key)} ({len(items)})")
    st.caption(t(help_key))
    show_all = len(items) > SHOWN and st.toggle(t("plan.more", count=len(items) - SHOWN), key=f"all-{quick}")
    for rec in items if show_all else items[:SHOWN]:
        recommendation_card(rec)

if "plan_message" in st.session_state:
    st.toast(st.session_state.pop("plan_message"))

st.subheader(t("plan.actions"))
st.caption(t("plan.actions_help"))
done = sum(1 for a in actions if a.status == "done")
if actions:
    st.progress(done / len(actions), text=t("plan.progress", done=done, total=len(actions)))
else:
    st.info(t("plan.empty_actions"))

COLUMNS = ["title", "owner", "due_date", "status", "notes"]
# A new editor whenever the stored plan changes (here or on another screen): the editor's pending
# edits always refer to the rows it was drawn with.
editor_key = f"actions-{assessment.id}-{services.plan_digest(actions)}-{lang}"
frame = pd.DataFrame(
    [{"id": a.id, "title": a.title, "owner": a.owner, "due_date": a.due_date, "status": a.status, "notes": a.notes} for a in actions],
    columns=["id", *COLUMNS],
)
frame["due_date"] = pd.to_datetime(frame["due_date"]).dt.date


def save_edits(shown: list, key: str) -> None:
    """Apply the editor's changes to the database as soon as they are made."""
    try:
        problems = services.apply_action_edits(repo, assessment.id, shown, st.session_state[key])
    except Exception as exc:  # never shown as saved when it is not
        logging.getLogger("autodiag").exception("plan not saved")
        problems = []
        st.session_state.plan_error = failure_message(exc)
    if problems:
        st.session_state.plan_error = "  \n".join(t(p) for p in problems)


live.watch(assessment.id, lambda: services.plan_digest(repo.list_actions(assessment.id)) != services.plan_digest(actions))
live.show_notice()


st.data_editor(
    frame,
    key=editor_key,
    on_change=save_edits,
    args=(actions, editor_key),
    num_rows="dynamic",
    hide_index=True,
    column_order=COLUMNS,
    column_config={
        "title": st.column_config.TextColumn(t("plan.col_action"), width="large", required=True, max_chars=limits.ACTION_TITLE),
        "owner": st.column_config.TextColumn(t("plan.col_owner"), max_chars=limits.ACTION_OWNER),
        "due_date": st.column_config.DateColumn(
            t("plan.col_due"), format="DD/MM/YYYY", min_value=limits.FIRST_DATE, max_value=limits.LAST_DATE
        ),
        "status": st.column_config.SelectboxColumn(
            t("plan.col_status"), options=list(ACTION_STATUSES), required=True, default="todo",
            format_func=lambda s: status_label(s, lang),
        ),
        "notes": st.column_config.TextColumn(t("plan.col_notes"), max_chars=limits.ACTION_NOTES),
    },
)
if "plan_error" in st.session_state:
    st.warning(st.session_state.pop("plan_error"))

st.divider()
download_buttons(assessment.id, company.name, assessment.created_at.date().isoformat())
