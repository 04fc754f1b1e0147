"""Consensus: the company's official answer set, agreed from the groups' answers.

It is the assessment's own answers: the score, the plan and the exports read it. Each question shows
the groups' consolidated value (the proposal) and how far apart the groups were; validating another
value needs a reason (participation.settle says so). A viewer sees everything and changes nothing.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from diagnostic.core import limits
from diagnostic.core.errors import DomainError
from diagnostic.core.loading import LoadedQuestionnaire
from diagnostic.core.roles import NotAllowed, NotFound, Permission
from diagnostic.core.schema import (
    AnyQuestion,
    MaturityQuestion,
    MultipleQuestion,
    NumberQuestion,
    TextQuestion,
    YesNoQuestion,
)
from diagnostic.core.values import DONT_KNOW, NA
from diagnostic.i18n import error_text, format_number
from diagnostic.labels import SPECIAL_LABELS, answer_label
from diagnostic.services import companies as company_service
from diagnostic.services import participation
from diagnostic.services.context import Context
from diagnostic.services.participation import Consensus
from ui import state
from ui.state import t
from ui.text import authored_label, plain

SAVED = "consensus_saved"  # what the last action did, said once after the rerun that shows it


def _specials(question: AnyQuestion) -> list[str]:
    return ([NA] if question.allow_na else []) + ([DONT_KNOW] if question.allow_dont_know else [])


def _label(questionnaire: LoadedQuestionnaire, question_id: str, value: Any, lang: str) -> str:
    """An answer in words, for Markdown (questionnaire texts follow the markup rule)."""
    return authored_label(answer_label(questionnaire, question_id, value, lang))


def _choices(questionnaire: LoadedQuestionnaire, question: AnyQuestion) -> list[Any]:
    """The possible answers of a maturity, yes/no or single-choice question, specials last."""
    specials = _specials(question)
    if isinstance(question, YesNoQuestion):
        return ["yes", "no", *specials]
    if isinstance(question, MaturityQuestion):
        return [s.value for s in questionnaire.model.maturity_scale] + specials
    return [o.id for o in questionnaire.options(question)] + specials


def _value_widget(questionnaire: LoadedQuestionnaire, question: AnyQuestion, default: Any, key: str, disabled: bool) -> Any:
    """The answer chosen in the form, as settle takes it; pre-set to `default`."""
    lang = state.lang()
    label = t("consensus.value")

    def named(value: Any) -> str:
        return answer_label(questionnaire, question.id, value, lang)

    if isinstance(question, MultipleQuestion):
        options = [o.id for o in questionnaire.options(question)] + _specials(question)
        chosen = default if isinstance(default, list) else [default] if default is not None else []
        picked = st.multiselect(
            label, options, default=[c for c in chosen if c in options], format_func=named, key=key, disabled=disabled
        )
        specials = [p for p in picked if p in (NA, DONT_KNOW)]
        if len(picked) == 1 and specials:
            return specials[0]
        return picked or None  # a special with options is refused by settle, in words
    if isinstance(question, NumberQuestion):
        number = float(default) if isinstance(default, int | float) and not isinstance(default, bool) else None
        value = st.number_input(
            label, value=number, key=key, disabled=disabled, placeholder=t("diag.number_placeholder"),
            min_value=float(question.minimum) if question.minimum is not None else None,
            max_value=float(question.maximum) if question.maximum is not None else None,
        )  # fmt: skip
        specials = _specials(question)
        if specials:
            special = st.pills(
                label, specials, default=default if default in specials else None, key=key + "-special",
                format_func=lambda s: SPECIAL_LABELS[s][lang], label_visibility="collapsed", disabled=disabled,
            )  # fmt: skip
            if special:
                return special
        return value
    options = _choices(questionnaire, question)
    index = options.index(default) if default in options else None
    return st.selectbox(label, options, index=index, format_func=named, key=key, disabled=disabled)


def _question(ctx: Context, found: Consensus, question: AnyQuestion, number: int, editable: bool) -> None:
    lang = ctx.lang
    views = found.views
    questionnaire, consolidation = views.questionnaire, views.consolidation
    assessment_id = views.assessment.id
    qid = question.id
    proposal = consolidation.prefill.get(qid)
    official = found.official.get(qid)
    note = found.notes.get(qid)

    with st.container(border=True):
        st.markdown(f"**{number}. {authored_label(question.text.get(lang))}**")
        if qid in consolidation.prefill:
            lines = [t("consensus.proposal", value=_label(questionnaire, qid, proposal, lang))]
        else:
            lines = [t("consensus.no_proposal")]
        if qid in consolidation.spread:
            low, high = (format_number(end, lang, 1) for end in consolidation.spread[qid])
            lines[0] += f" ({t('consensus.spread', low=low, high=high)})"
        if official is not None and official.value is not None:
            lines.append(t("consensus.official", value=_label(questionnaire, qid, official.value, lang)))
        if note is not None:
            agreed = t("consensus.agreed_reason", reason=plain(note.reason)) if note.reason else t("consensus.agreed")
            lines.append(f":material/check_circle: {agreed}")
        else:
            lines.append(f"*{t('consensus.not_agreed')}*")
        st.markdown("  \n".join(lines))
        saved = st.session_state.get(SAVED)
        if isinstance(saved, tuple) and saved[0] == qid:
            st.session_state.pop(SAVED)
            st.success(saved[1], icon=":material/check:")

        default = proposal if qid in consolidation.prefill else official.value if official is not None else None
        with st.form(f"consensus-{assessment_id}-{qid}", border=False):
            left, right = st.columns(2)  # side by side on a wide screen, one under the other on a phone
            with left:
                value = _value_widget(questionnaire, question, default, f"consensus-v-{assessment_id}-{qid}", not editable)
            reason = right.text_input(
                t("consensus.reason"), key=f"consensus-r-{assessment_id}-{qid}", max_chars=limits.COMMENT, disabled=not editable
            )
            if st.form_submit_button(t("consensus.validate"), disabled=not editable):
                try:
                    participation.settle(ctx, assessment_id, qid, value, reason)
                except (DomainError, NotAllowed, NotFound, ValueError) as refused:
                    st.error(error_text(refused, lang), icon=":material/error:")
                else:
                    st.session_state[SAVED] = (qid, t("consensus.saved"))
                    st.rerun()


def main(ctx: Context) -> None:
    lang = ctx.lang

    st.title(t("consensus.title"))
    company, assessment = state.require_assessment(ctx)
    found = participation.consensus(ctx, assessment.id)
    if found is None:
        st.info(t("crossed.not_open"))
        st.page_link("app_pages/participants.py", label=t("crossed.go_participants"), icon=":material/group_add:")
        st.stop()
        return
    questionnaire, consolidation = found.views.questionnaire, found.views.consolidation
    editable = company_service.may(ctx, Permission.EDIT, company.id)
    st.caption(f"{plain(company.name)} · {authored_label(questionnaire.model.title.get(lang))}")
    st.markdown(t("consensus.intro"))
    if not editable:
        st.info(t("access.read_only"), icon=":material/visibility:")

    proposed = consolidation.prefill
    agreed = sum(1 for qid in proposed if found.settled(qid))
    st.markdown(t("consensus.summary", agreed=agreed, proposed=len(proposed)))
    accepted = st.session_state.get(SAVED)
    if isinstance(accepted, tuple) and accepted[0] is None:
        st.session_state.pop(SAVED)
        st.success(accepted[1], icon=":material/check:")
    remaining = any(not found.settled(qid) for qid in proposed)
    if st.button(
        t("consensus.accept_all"), type="primary", help=t("consensus.accept_help"), disabled=not editable or not remaining,
        key=f"consensus-accept-{assessment.id}",
    ):  # fmt: skip
        try:
            count = participation.accept_proposals(ctx, assessment.id)
        except (DomainError, NotAllowed, NotFound, ValueError) as refused:
            st.error(error_text(refused, lang), icon=":material/error:")
        else:
            st.session_state[SAVED] = (None, t("consensus.accepted", count=count))
            st.rerun()

    dimensions = [d.id for d in questionnaire.dimensions]
    titles = {d.id: authored_label(d.title.get(lang)) for d in questionnaire.dimensions}
    chosen = st.selectbox(t("consensus.dimension"), dimensions, format_func=titles.__getitem__, key=f"consensus-dim-{assessment.id}")
    dimension = questionnaire.dimension_by_id[chosen or dimensions[0]]
    numbered = [
        (number, q) for number, q in enumerate(dimension.questions, start=1)
        if not isinstance(q, TextQuestion)
        and (q.id in proposed or (q.id in found.official and found.official[q.id].value is not None))
    ]  # fmt: skip
    if not numbered:
        st.info(t("consensus.no_question"))
    for number, question in numbered:
        _question(ctx, found, question, number, editable)


if __name__ == "__main__":
    main(state.context())
