"""Diagnostic: one dimension at a time, each answer saved as it is given."""

import streamlit as st
from sqlalchemy.exc import DBAPIError

from diagnostic import services
from diagnostic.errors import StorageUnavailable
from ui import live, state
from ui.questions import ERRORS, SHOWN, render_question
from ui.state import t
from ui.text import plain

lang = state.lang()
repo = state.repo()

st.title(t("diag.title"))
for message in st.session_state.pop("flash_messages", []):
    st.success(message)

company, assessment = state.require_assessment()

questionnaire = services.questionnaire_of(repo, assessment)
st.caption(f"{plain(company.name)} · {questionnaire.model.title.get(lang)} · {t('diag.saved_note')}")


def screen_is_stale() -> bool:
    """Does the database hold other answers or comments than those this screen shows?"""
    answers, comments = services.load_answers(repo, assessment.id)
    shown = st.session_state.get(SHOWN, {})
    prefix_q, prefix_c = f"q-{assessment.id}-", f"c-{assessment.id}-"
    for key, value in shown.items():
        if key.startswith(prefix_q):
            stored = answers.get(key[len(prefix_q) :])
            if (stored.value if stored else None) != value:
                return True
        elif key.startswith(prefix_c) and comments.get(key[len(prefix_c) :], "") != value:
            return True
    return False


live.watch(assessment.id, screen_is_stale)
live.show_notice()


@st.fragment
def dimension_view(dimension_id: str) -> None:
    """Only this fragment reruns when an answer changes: the other dimensions are not drawn."""
    try:
        answers, comments = services.load_answers(repo, assessment.id)
    except (DBAPIError, StorageUnavailable):
        # The database went away: say why the last answer was not saved, draw nothing that could
        # look saved; the page redraws itself when the database answers again (ui/live.py).
        for message in st.session_state.pop(ERRORS, {}).values():
            st.error(message, icon=":material/error:")
        st.error(t("error.database"), icon=":material/cloud_off:")
        st.session_state[live.OUTAGE] = True
        return
    applies = services.applicable_questions(questionnaire, company.profile, answers)
    applicable = [q for q, ok in applies.items() if ok and questionnaire.questions[q].scored]
    answered = sum(1 for q in applicable if q in answers)
    st.progress(answered / len(applicable) if applicable else 0.0, text=t("diag.progress", answered=answered, applicable=len(applicable)))

    dimension = questionnaire.dimension_by_id[dimension_id]
    if dimension.description:
        st.caption(dimension.description.get(lang))
    shown = [q for q in dimension.questions if applies[q.id]]
    in_dim = [q for q in shown if q.scored]
    st.caption(t("diag.dimension_progress", answered=sum(1 for q in in_dim if q.id in answers), applicable=len(in_dim)))
    if not shown:
        st.info(t("diag.no_question"))
    show_help = st.toggle(t("diag.show_help"), key="show-help", help=t("diag.show_help_hint"))
    for number, question in enumerate(shown, start=1):
        with st.container(border=True):
            render_question(
                questionnaire, question, number, answers.get(question.id), comments.get(question.id, ""), assessment.id, show_help
            )


# One dimension at a time. A pills selector rather than tabs: cheaper to redraw, wraps on a phone,
# and bound to the URL (?dim=env) so that a reload comes back to the same dimension.
titles = {d.id: d.title.get(lang) for d in questionnaire.dimensions}
chosen = st.pills(
    t("diag.dimension"), list(titles), format_func=titles.__getitem__, default=questionnaire.dimensions[0].id,
    required=True, key="dim", bind="query-params",
)
with st.container(key="questions"):
    dimension_view(chosen or questionnaire.dimensions[0].id)

st.divider()
left, right = st.columns(2)
with left:
    if assessment.status == "completed":
        st.success(t("diag.completed"))
        if st.button(t("diag.reopen")):
            repo.update_assessment(assessment.id, status="in_progress")
            st.rerun()
    elif st.button(t("diag.finish")):
        repo.update_assessment(assessment.id, status="completed")
        st.rerun()
with right:
    st.page_link("app_pages/results.py", label=t("diag.see_results"), icon=":material/radar:")
