"""Séance: a consultant goes through the answers with the client, one question at a time.

Two views. Preparing (the default): filters, a question picker, the question with its help and the
levels of its scale, the answer (saved as on the Diagnostic page), the consultant's note, whether the
client sees it, and "checked with the client". Presenting, for a screen the client sees: large type,
the question, its answer and the shared note only; a private note is not drawn at all.

Everyone who may see the assessment may open the page: a company manager or a viewer (the client)
reads the shared notes and the checked marks, never a field to write them (the service never gives
them a private note).
"""

import streamlit as st

from diagnostic.core.conditions import applicability
from diagnostic.core.roles import NotFound, Permission
from diagnostic.core.schema import AnyQuestion
from diagnostic.services import answers as answers_service
from diagnostic.services import assessments as assessment_service
from diagnostic.services import coaching as coaching_service
from diagnostic.services import companies as company_service
from diagnostic.services.context import Context
from diagnostic.services.questionnaires import questionnaire_of
from ui import coaching as coaching_ui
from ui import state
from ui.questions import render_question
from ui.state import t
from ui.text import authored_label, plain

CURRENT = "coaching_question"  # the question open on the page (its id)
PRESENTING = "coaching-presenting"
DIMENSION = "coaching-dimension"  # the dimension filter ("" for every dimension)
UNCHECKED = "coaching-unchecked"  # only the answers not checked yet
PICKER = "coaching-picker"
SCROLL = "coaching_scroll"  # set by "previous" and "next": bring the question to the top once drawn
ALL = ""


def main(ctx: Context) -> None:
    lang = ctx.lang
    st.title(t("coaching.title"))
    company, assessment = state.require_assessment(ctx)
    questionnaire = questionnaire_of(ctx.uow, assessment)
    # who answers: the signed-in person, or in local mode the respondent named on the assessment
    who = assessment.respondent if ctx.actor.local else ctx.actor.label
    editable = company_service.may(ctx, Permission.EDIT, company.id)
    coach = coaching_service.is_coach(ctx, company.id)
    try:
        notes = coaching_service.notes(ctx, assessment.id)
        checked, applicable = coaching_service.progress(ctx, assessment.id)
    except NotFound:  # deleted since the sidebar read it
        st.info(t("empty.no_assessment"))
        st.stop()
    answers, comments = assessment_service.split_answers(answers_service.load_answers(ctx, assessment.id))

    st.caption(f"{plain(company.name)} · {authored_label(questionnaire.model.title.get(lang))}")
    if not coach:
        st.info(t("coaching.client_view"), icon=":material/visibility:")
    presenting = st.toggle(t("coaching.presenting"), key=PRESENTING, help=t("coaching.presenting_help"), persist_state="session")

    # the questions that apply to the company, in the questionnaire's order, numbered in their dimension
    applies = applicability(questionnaire, company.profile, answers)
    dimension_of: dict[str, str] = {}
    number: dict[str, int] = {}
    for dimension in questionnaire.dimensions:
        shown = [q for q in dimension.questions if applies[q.id]]
        for position, question in enumerate(shown, start=1):
            dimension_of[question.id], number[question.id] = dimension.id, position
    order = list(dimension_of)

    def filters() -> None:
        dimensions = [ALL] + [d.id for d in questionnaire.dimensions if any(dimension_of[q] == d.id for q in order)]
        with st.container(horizontal=True, vertical_alignment="bottom"):
            st.selectbox(
                t("coaching.filter_dimension"), dimensions, key=DIMENSION, persist_state="session",
                format_func=lambda d: authored_label(questionnaire.dimension_by_id[d].title.get(lang)) if d else t("coaching.all_dimensions"),
            )  # fmt: skip
            st.checkbox(t("coaching.filter_unchecked"), key=UNCHECKED, persist_state="session")

    if not presenting:
        filters()
    wanted = st.session_state.get(DIMENSION) or ALL
    only_unchecked = bool(st.session_state.get(UNCHECKED))
    listed = [
        q for q in order
        if (wanted == ALL or dimension_of[q] == wanted) and not (only_unchecked and q in notes and notes[q].checked)
    ]  # fmt: skip

    st.progress(checked / applicable if applicable else 0.0, text=t("coaching.progress", checked=checked, applicable=applicable))
    if not listed:
        st.info(t("coaching.none_left") if only_unchecked else t("coaching.no_question"))
        return

    # the open question: the one chosen, or when the filters leave it out (just checked, another
    # dimension), the next one they keep
    current = st.session_state.get(CURRENT)
    if current not in listed:
        after = order.index(current) if current in order else -1
        current = next((q for q in listed if order.index(q) > after), listed[0])
        st.session_state[CURRENT] = current
    index = listed.index(current)

    def go(question_id: str) -> None:
        st.session_state[CURRENT] = question_id
        st.session_state[SCROLL] = True

    def picked() -> None:
        chosen = st.session_state.get(PICKER)
        if chosen is not None:
            st.session_state[CURRENT] = chosen

    def title(question: AnyQuestion) -> str:
        note = notes.get(question.id)
        mark = " ✓" if note is not None and note.checked else ""
        return f"{number[question.id]}. {authored_label(question.text.get(lang))}{mark}"

    if not presenting:
        state.set_widget(PICKER, current)
        st.selectbox(
            t("coaching.question"), listed, key=PICKER, on_change=picked,
            format_func=lambda q: title(questionnaire.questions[q]),
        )  # fmt: skip

    question = questionnaire.questions[current]
    note = notes.get(current)
    dimension_title = authored_label(questionnaire.dimension_by_id[dimension_of[current]].title.get(lang))
    if presenting:
        coaching_ui.presenting_style()
    with st.container(key="coaching-present" if presenting else "coaching-prepare"):
        st.caption(t("coaching.position", dimension=dimension_title, index=index + 1, count=len(listed)))
        # "questions": the key under which serve.py draws question labels bold, as on the Diagnostic page
        with st.container(border=True, key="questions"):
            render_question(
                ctx, who, questionnaire, question, number[current], answers.get(current), comments.get(current, ""),
                assessment.id, show_help=True, editable=editable,
            )  # fmt: skip
            if presenting:
                # the shared note and the mark only: the note's field (maybe private) is not drawn
                coaching_ui.shared_note(note, with_mark=not coach)
                if coach:
                    coaching_ui.note_editor(ctx, assessment.id, current, note, with_text=False)
            elif coach:
                coaching_ui.note_editor(ctx, assessment.id, current, note)
            else:
                coaching_ui.shared_note(note)
        with st.container(horizontal=True, horizontal_alignment="distribute", key="coaching-steps"):
            st.button(
                t("coaching.previous"), key="coaching-previous", icon=":material/arrow_back:", disabled=index == 0,
                on_click=go, args=(listed[max(index - 1, 0)],),
            )  # fmt: skip
            st.button(
                t("coaching.next"), key="coaching-next", icon=":material/arrow_forward:", icon_position="right",
                type="primary", disabled=index == len(listed) - 1, on_click=go, args=(listed[min(index + 1, len(listed) - 1)],),
            )  # fmt: skip
    if st.session_state.pop(SCROLL, False):
        coaching_ui.scroll_to_top(".st-key-coaching-present" if presenting else ".st-key-coaching-prepare")


if __name__ == "__main__":
    main(state.context())
