"""The respondent's view, opened by an invitation link and nothing else: the group's questions,
the progress, each answer saved as it is given, a thank-you page.

No sidebar, no company, no other assessment: the link's key is the whole authority
(diagnostic/services/respondents.py); an id in the address is answered as an id that does not exist.
"""

from __future__ import annotations

import streamlit as st

from diagnostic.core.answers import Answer
from diagnostic.core.conditions import applicability
from diagnostic.core.consolidation import Consolidation
from diagnostic.core.errors import DomainError
from diagnostic.i18n import error_text
from diagnostic.labels import group_name
from diagnostic.services import respondents
from diagnostic.services.context import Context
from ui import state
from ui.questions import render_question
from ui.state import t
from ui.text import authored, authored_label, plain

KEY = "respondent_key"  # the key this session answers with (a group link becomes the respondent's own)
DONE = "respondent_done"  # the shared result shown once after sending (None: not shared)
PARAM = "repondre"
FOREIGN_IDS = ("c", "a")  # a company or an assessment named in the address


class _Saver:
    """A respondent's answers: no compare-and-set (one person per key)."""

    def __init__(self, ctx: Context, key: str):
        self.ctx, self.key = ctx, key

    def answer(self, question_id: str, value: object, shown: object) -> object:
        return respondents.answer(self.ctx, self.key, question_id, value)

    def comment(self, question_id: str, text: str, shown: str) -> str:
        return respondents.comment(self.ctx, self.key, question_id, text)


def wanted_key() -> str | None:
    """The key of the address, or the one this session already answers with."""
    return st.query_params.get(PARAM) or st.session_state.get(KEY)


def _language() -> None:
    lang = st.segmented_control(
        t("sidebar.language"), ["fr", "en"], default=state.lang(), format_func=str.upper, required=True, key="respond-lang"
    )
    if lang and lang != state.lang():
        st.session_state.lang = lang
        state.sync_url()
        st.rerun()


def _enter(ctx: Context, key: str) -> respondents.RespondentView | None:
    try:
        if st.session_state.get(KEY) == key:
            return respondents.view(ctx, key)
        found = respondents.enter(ctx, key)
    except DomainError as refused:
        if st.session_state.get(DONE, False) is not False and refused.code in ("respond.invalid", "respond.done"):
            return None  # sent in this session: the thank-you page below
        (st.success if refused.code in ("respond.done", "respond.closed") else st.error)(error_text(refused, state.lang()))
        st.stop()
    st.session_state[KEY] = found.key
    if st.query_params.get(PARAM) != found.key:
        st.query_params[PARAM] = found.key  # a reload comes back to this respondent, not a new one
    return found


def _thanks(shared: Consolidation | None) -> None:
    st.success(t("respond.done"), icon=":material/favorite:")
    if shared is None:
        st.caption(t("respond.thanks_note"))
        return
    st.subheader(t("respond.shared_title"), anchor=False)
    shown = [g for g in shared.groups if g.shown and g.result is not None]
    if not shown:
        st.info(t("respond.shared_none"))
        return
    for group in shown:
        name = group_name(group.key, group.label, state.lang())
        overall = group.result.overall if group.result else None
        st.metric(plain(name), "—" if overall is None else f"{overall:.0f} / 100", help=t("respond.shared_help", count=group.respondents))


def main(ctx: Context) -> None:
    _language()
    key = wanted_key()
    if key is None:
        if DONE in st.session_state:  # sent in this session
            _thanks(st.session_state[DONE])
        else:
            st.error(t("respond.invalid"))
        return
    if any(name in st.query_params for name in FOREIGN_IDS):
        # whatever the id, it is not this link's to open: the words of an id that does not exist
        st.warning(t("access.not_found"), icon=":material/search_off:")
    found = _enter(ctx, key)
    if found is None:
        _thanks(st.session_state.get(DONE))
        return
    lang = ctx.lang
    questionnaire = found.questionnaire
    group = group_name(found.group.key, found.group.label, lang)
    st.title(t("respond.title", company=plain(found.company_name)))
    st.caption(t("respond.intro", group=plain(group)))
    if found.group.anonymous:
        st.info(t("respond.anonymous", k=found.k), icon=":material/visibility_off:")
    else:
        st.info(t("respond.named"), icon=":material/badge:")

    applies = applicability(questionnaire, found.profile, found.answers)
    asked = [q for q in found.asked if applies.get(q, True)]
    counted = [q for q in asked if questionnaire.questions[q].scored]
    answered = sum(1 for q in counted if q in found.answers)
    st.progress(answered / len(counted) if counted else 0.0, text=t("diag.progress", answered=answered, applicable=len(counted)))

    by_dimension = [(d, [q for q in d.questions if q.id in set(asked)]) for d in questionnaire.dimensions]
    by_dimension = [(d, qs) for d, qs in by_dimension if qs]
    ids = [d.id for d, _ in by_dimension]
    if not ids:
        st.info(t("diag.no_question"))
        return
    opened = st.session_state.get("respond-dim")
    opened = opened if opened in ids else ids[0]
    number = ids.index(opened)
    titles = {d.id: authored_label(d.title.get(lang)) for d, _ in by_dimension}
    chosen = st.selectbox(t("diag.dimension"), ids, index=number, format_func=titles.__getitem__, key=f"respond-pick-{opened}")
    if chosen != opened:
        st.session_state["respond-dim"] = chosen
        st.rerun()
    dimension, questions = by_dimension[number]
    if dimension.description:
        st.caption(authored(dimension.description.get(lang)))
    show_help = st.toggle(t("diag.show_help"), key="show-help", help=t("diag.show_help_hint"))
    saver = _Saver(ctx, found.key)
    for position, question in enumerate(questions, start=1):
        if not applies.get(question.id, True):
            continue
        with st.container(border=True, key=f"question-{question.id}"):
            answer = found.answers.get(question.id)
            render_question(
                ctx, "", questionnaire, question, position,
                None if answer is None else Answer(answer), found.comments.get(question.id, ""),
                0, show_help, not found.closed, saver=saver,
            )  # fmt: skip

    with st.container(horizontal=True, horizontal_alignment="distribute", key="respond-steps"):
        if number > 0 and st.button(t("diag.previous_dimension"), key="respond-previous"):
            st.session_state["respond-dim"] = ids[number - 1]
            st.rerun()
        if number < len(ids) - 1 and st.button(t("diag.next_dimension"), key="respond-next", type="primary"):
            st.session_state["respond-dim"] = ids[number + 1]
            st.rerun()
    st.divider()
    missing = len(counted) - answered
    if missing:
        st.caption(t("respond.missing", count=missing))
    if st.button(t("respond.send"), type="primary", key="respond-send", icon=":material/send:"):
        try:
            st.session_state[DONE] = respondents.complete(ctx, found.key)
        except DomainError as refused:
            st.error(error_text(refused, lang))
            return
        st.session_state.pop(KEY, None)
        del st.query_params[PARAM]
        st.rerun()


if __name__ == "__main__":
    main(state.context())
