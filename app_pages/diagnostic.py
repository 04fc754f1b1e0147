"""Diagnostic: one dimension at a time, each answer saved as it is given."""

import json
import re

import streamlit as st
from sqlalchemy.exc import DBAPIError

from diagnostic.core.conditions import applicability
from diagnostic.core.errors import StorageUnavailable
from diagnostic.core.roles import NotFound, Permission
from diagnostic.services import answers as answers_service
from diagnostic.services import assessments as assessment_service
from diagnostic.services import coaching as coaching_service
from diagnostic.services import companies as company_service
from diagnostic.services import evidence as evidence_service
from diagnostic.services import participation as participation_service
from diagnostic.services.context import Context
from diagnostic.services.questionnaires import questionnaire_of
from ui import coaching as coaching_ui
from ui import live, state
from ui.questions import ERRORS, SHOWN, render_question
from ui.state import t
from ui.text import authored, authored_label, plain


def main(ctx: Context) -> None:
    lang = ctx.lang

    st.title(t("diag.title"))
    for message in st.session_state.pop("flash_messages", []):
        st.success(message)

    company, assessment = state.require_assessment(ctx)

    questionnaire = questionnaire_of(ctx.uow, assessment)
    # who answers: the signed-in person, or in local mode the respondent named on the assessment
    who = assessment.respondent if ctx.actor.local else ctx.actor.label
    editable = company_service.may(ctx, Permission.EDIT, company.id)
    if not editable:
        st.info(t("access.read_only"), icon=":material/visibility:")
    st.caption(f"{plain(company.name)} · {questionnaire.model.title.get(lang)} · {t('diag.saved_note')}")
    if participation_service.is_open(ctx, assessment.id):
        # the answers here are the official ones: the consensus page agrees them from the groups'
        with st.container(horizontal=True, vertical_alignment="center", key="participation-hint"):
            st.caption(t("diag.participation_open"))
            st.page_link("app_pages/consensus.py", label=t("participants.see_consensus"), icon=":material/handshake:")


    def screen_is_stale() -> bool:
        """Does the database hold other answers or comments than those this screen shows?"""
        answers, comments = assessment_service.split_answers(answers_service.load_answers(ctx, assessment.id))
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


    live.watch(ctx, assessment.id, screen_is_stale)
    live.show_notice()


    DIMENSIONS = [d.id for d in questionnaire.dimensions]
    PILLS = "dim-pills-"  # + the open dimension: a new selector for each (see dimension_view)
    SCROLL = "diag_scroll"  # where to bring the screen once the next run has drawn it (a CSS selector)
    TOP = ".st-key-dim-nav"


    def open_dimension() -> str:
        """The open dimension: the session's (an id, or a title from an older link), else the first one.

        A dimension that this questionnaire does not have (a link made for another assessment) is
        dropped from the session and the URL.
        """
        wanted = st.session_state.get("dim")
        if wanted in questionnaire.dimension_by_id:
            return wanted
        for dimension in questionnaire.dimensions:
            if wanted in (dimension.title.fr, dimension.title.en):
                return dimension.id
        if wanted is not None:
            st.session_state.dim = None
            state.sync_url()
        return DIMENSIONS[0]


    def question_selector(question_id: str) -> str:
        """The CSS class Streamlit gives the container of a question (key "question-<id>")."""
        return ".st-key-" + re.sub(r"[^a-zA-Z0-9_-]", "-", f"question-{question_id}")


    @state.guarded
    def go_to(dimension_id: str, target: str = TOP) -> None:
        """Open a dimension (one entry in the browser's history) and bring `target` to the top of the screen."""
        st.session_state.dim = dimension_id
        st.session_state[SCROLL] = target
        state.sync_url()


    @state.guarded
    def picked(key: str) -> None:
        chosen = st.session_state.get(key)
        if chosen is not None:  # a click on the open pill changes nothing
            st.session_state.dim = chosen
            state.sync_url()


    def scroll_into_view() -> None:
        """Bring the element asked for by the last action to the top of the screen, once.

        Streamlit keeps the scroll position across runs, so a dimension opened from the bottom of the
        previous one would open in its middle; no Streamlit element scrolls, and a `#anchor` link cannot
        also open another dimension (nor can the server set the URL's hash). The script waits (up to 5 s)
        for the element to be drawn; the selector is ours, made of [a-zA-Z0-9_.-] only.
        """
        target = st.session_state.pop(SCROLL, None)
        if target is None:
            return
        st.session_state["diag_scrolls"] = nonce = st.session_state.get("diag_scrolls", 0) + 1  # a new script each time
        st.html(
            f"""<script>/* {nonce} */ (() => {{
      const selector = {json.dumps(target)}, until = Date.now() + 5000;
      const go = () => {{
        const element = document.querySelector(selector);
        if (!element) {{ if (Date.now() < until) setTimeout(go, 50); return; }}
        element.style.scrollMarginTop = "4rem";  // below Streamlit's header
        element.scrollIntoView({{block: "start"}});
      }};
      go();
    }})();</script>""",
            unsafe_allow_javascript=True,
        )


    def coaching_notes() -> dict[str, coaching_service.NoteView]:
        """The consultant's notes, as the actor may read them (a client: the shared ones only)."""
        try:
            return coaching_service.notes(ctx, assessment.id)
        except NotFound:  # deleted meanwhile: the page says so at its next run
            return {}


    def evidence_on_answers() -> dict[str, tuple[int, str]]:
        """question id -> (pieces of evidence, status), for the answers that have some."""
        try:
            return evidence_service.summary(ctx, assessment.id)
        except NotFound:
            return {}


    @st.fragment
    def dimension_view() -> None:
        """The dimension selector, the open dimension and its steps.

        Only this fragment reruns when an answer changes or another dimension opens: the rest of the
        page and the sidebar are not drawn again.
        """
        try:
            answers, comments = assessment_service.split_answers(answers_service.load_answers(ctx, assessment.id))
            notes = coaching_notes()
            backed = evidence_on_answers()
        except (DBAPIError, StorageUnavailable):
            # The database went away: say why the last answer was not saved, draw nothing that could
            # look saved; the page redraws itself when the database answers again (ui/live.py).
            for message in st.session_state.pop(ERRORS, {}).values():
                st.error(message, icon=":material/error:")
            st.error(t("error.database"), icon=":material/cloud_off:")
            st.session_state[live.OUTAGE] = True
            return
        applies = applicability(questionnaire, company.profile, answers)
        # what counts for completion, as for the progress bar: the applicable scored questions
        counted = {d.id: [q.id for q in d.questions if applies[q.id] and q.scored] for d in questionnaire.dimensions}
        done = {d: sum(1 for q in ids if q in answers) for d, ids in counted.items()}
        unanswered = next(((d, q) for d, ids in counted.items() for q in ids if q not in answers), None)
        dimension_id = open_dimension()
        number = DIMENSIONS.index(dimension_id)

        def label(option: str) -> str:
            title = authored_label(questionnaire.dimension_by_id[option].title.get(lang))
            count = len(counted[option])
            if not count:
                return title
            return f"{title} ✓" if done[option] == count else f"{title} · {done[option]}/{count}"

        # One dimension at a time, chosen in one row of pills that scrolls sideways when the titles do
        # not fit (60 px high on a phone as on a desktop), with a completion mark on each; the arrows
        # beside it open the previous and next dimensions and show that the row goes on.
        # Each dimension gets its own selector, whose default is that dimension: a selector set from the
        # session could send its former value back with a request made before it was redrawn (a fragment
        # timer's), which read as a click and opened the former dimension again.
        last = len(DIMENSIONS) - 1
        with st.container(horizontal=True, vertical_alignment="bottom", key="dim-nav"):
            st.pills(
                t("diag.dimension"), DIMENSIONS, format_func=label, key=PILLS + dimension_id, default=dimension_id,
                required=True, wrap=False, width="stretch", on_change=picked, args=(PILLS + dimension_id,),
            )  # fmt: skip
            st.button(
                "←", key="dim-back", help=t("diag.previous_dimension"), disabled=number == 0,
                on_click=go_to, args=(DIMENSIONS[max(number - 1, 0)],),
            )  # fmt: skip
            st.button(
                "→", key="dim-forward", help=t("diag.next_dimension"), disabled=number == last,
                on_click=go_to, args=(DIMENSIONS[min(number + 1, last)],),
            )  # fmt: skip
        total, answered = sum(len(ids) for ids in counted.values()), sum(done.values())
        with st.container(horizontal=True, vertical_alignment="center", key="dim-progress"):
            st.progress(answered / total if total else 0.0, text=t("diag.progress", answered=answered, applicable=total))
            if unanswered is not None:
                st.button(
                    t("diag.next_unanswered"), key="next-unanswered", icon=":material/arrow_downward:",
                    on_click=go_to, args=(unanswered[0], question_selector(unanswered[1])),
                )  # fmt: skip

        with st.container(key="questions"):
            dimension = questionnaire.dimension_by_id[dimension_id]
            if dimension.description:
                st.caption(authored(dimension.description.get(lang)))
            shown = [q for q in dimension.questions if applies[q.id]]
            status = {"answered": done[dimension_id], "applicable": len(counted[dimension_id])}
            st.caption(t("diag.dimension_status", number=number + 1, count=len(DIMENSIONS), **status))
            if not shown:
                st.info(t("diag.no_question"))
            show_help = st.toggle(t("diag.show_help"), key="show-help", help=t("diag.show_help_hint"))
            opened_module = None
            for position, question in enumerate(shown, start=1):
                if question.module is not None and question.module != opened_module:
                    # a sector module's questions come last in their dimension, under its name
                    module = questionnaire.module_by_id[question.module]
                    st.subheader(t("diag.module", title=plain(module.title.get(lang))), anchor=False)
                    if module.description:
                        st.caption(plain(module.description.get(lang)))
                opened_module = question.module
                with st.container(border=True, key=f"question-{question.id}"):
                    render_question(
                        ctx, who, questionnaire, question, position, answers.get(question.id), comments.get(question.id, ""),
                        assessment.id, show_help, editable,
                    )
                    coaching_ui.note_caption(notes.get(question.id))
                    if question.id in backed:
                        count, backing = backed[question.id]
                        st.caption(":material/attach_file: " + t("evidence.on_question", count=count, status=t(f"evidence.status.{backing}")))

        # the way on, at the bottom of the dimension: forward on the right, back (when there is one) on the left
        with st.container(horizontal=True, horizontal_alignment="distribute" if number else "right", key="dim-steps"):
            if number > 0:
                st.button(t("diag.previous_dimension"), key="dim-previous", on_click=go_to, args=(DIMENSIONS[number - 1],))
            if number < last:
                following = DIMENSIONS[number + 1]
                st.button(t("diag.next_dimension"), key="dim-next", type="primary", on_click=go_to, args=(following,))
            elif unanswered is not None:
                st.button(
                    t("diag.next_unanswered"), key="next-unanswered-end", type="primary", icon=":material/arrow_upward:",
                    on_click=go_to, args=(unanswered[0], question_selector(unanswered[1])),
                )  # fmt: skip
            else:
                st.caption(t("diag.all_answered"))
        scroll_into_view()


    dimension_view()

    st.divider()
    left, right = st.columns(2)
    with left:
        if assessment.status == "completed":
            st.success(t("diag.completed"))
            if st.button(t("diag.reopen"), disabled=not editable):
                assessment_service.set_status(ctx, assessment.id, completed=False)
                st.rerun()
        elif st.button(t("diag.finish"), disabled=not editable):
            assessment_service.set_status(ctx, assessment.id, completed=True)
            st.rerun()
    with right:
        st.page_link("app_pages/results.py", label=t("diag.see_results"), icon=":material/radar:")


if __name__ == "__main__":
    main(state.context())
