"""The widget of one question: answer, help, per-level descriptions, N/A, don't know, comment.

Every change is written to the database in the widget's callback, as it is given.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from diagnostic import services
from diagnostic.answers import Answer
from diagnostic.labels import SPECIAL_LABELS, YES_NO
from diagnostic.loading import LoadedQuestionnaire
from diagnostic.schema import (
    AnyQuestion,
    MaturityQuestion,
    MultipleQuestion,
    NumberQuestion,
    SingleQuestion,
    TextQuestion,
    YesNoQuestion,
)
from diagnostic.values import DONT_KNOW, NA
from ui import state
from ui.state import t

ERRORS = "question_errors"


def _specials(question: AnyQuestion) -> list[str]:
    return ([NA] if question.allow_na else []) + ([DONT_KNOW] if question.allow_dont_know else [])


def _save(questionnaire: LoadedQuestionnaire, assessment_id: int, question_id: str, key: str) -> None:
    value = st.session_state.get(key)
    errors = st.session_state.setdefault(ERRORS, {})
    errors.pop(question_id, None)
    if isinstance(value, list):
        specials = [v for v in value if v in (NA, DONT_KNOW)]
        if specials and len(value) > 1:
            errors[question_id] = t("diag.exclusive_error", option=SPECIAL_LABELS[specials[0]][state.lang()])
            return
        value = specials[0] if specials else value
    try:
        services.record_answer(state.repo(), questionnaire, assessment_id, question_id, value, answered_by=_who())
    except ValueError as exc:
        message = str(exc)
        question = questionnaire.questions[question_id]
        exclusive = next((o for o in questionnaire.options(question) if o.exclusive and o.id in (value or [])), None)
        if exclusive is not None:
            message = t("diag.exclusive_error", option=exclusive.label.get(state.lang()))
        else:
            message = t("diag.invalid", error=message)
        errors[question_id] = message


def _save_comment(assessment_id: int, question_id: str, key: str) -> None:
    state.repo().save_comment(assessment_id, question_id, (st.session_state.get(key) or "").strip(), answered_by=_who())


def _who() -> str:
    assessment = state.current_assessment()
    return assessment.respondent if assessment else ""


def _index(options: list[Any], value: Any) -> int | None:
    return options.index(value) if value in options else None


def help_markdown(question: AnyQuestion, lang: str) -> str:
    parts = [question.help.get(lang)] if question.help else []
    if question.critical:
        parts.append(f"⚖ {question.critical.reason.get(lang)}")
    refs = question.references
    found = [
        f"ISO 26000 {', '.join(refs.iso26000)}" if refs.iso26000 else "",
        f"VSME {', '.join(refs.vsme)}" if refs.vsme else "",
        f"ODD/SDG {', '.join(map(str, refs.sdg))}" if refs.sdg else "",
        "; ".join(refs.law),
    ]
    found = [f for f in found if f]
    if found:
        parts.append(f"*{t('diag.references')} : " + " · ".join(found) + "*")
    return "\n\n".join(parts)


def render_question(
    questionnaire: LoadedQuestionnaire,
    question: AnyQuestion,
    number: int,
    answer: Answer | None,
    comment: str,
    assessment_id: int,
    show_help: bool = False,
) -> None:
    lang = state.lang()
    key = f"q-{assessment_id}-{question.id}"
    value = answer.value if answer else None
    callback = {"on_change": _save, "args": (questionnaire, assessment_id, question.id, key)}
    specials = _specials(question)

    # The question is the label of its answer widget (fewer elements per rerun); its help is drawn
    # under it when the dimension's "show the help" toggle is on (tooltips do not open on a phone).
    label = f"**{number}. {question.text.get(lang)}**"
    if question.critical:
        label += f" :red[({t('diag.critical')})]"
    if show_help and (question.help or question.critical):
        st.markdown(label)
        st.caption(help_markdown(question, lang))
        label = question.text.get(lang)
        hidden = {"label_visibility": "collapsed"}
    else:
        hidden = {}
    if isinstance(question, MaturityQuestion):
        scale = {s.value: s for s in questionnaire.model.maturity_scale}
        options: list[Any] = [0, 1, 2, 3, 4, *specials]
        captions = [
            (question.levels[o].get(lang) if question.levels else scale[o].description.get(lang)) if isinstance(o, int) else ""
            for o in options
        ]
        st.radio(
            label, options, index=_index(options, value), key=key, captions=captions, **hidden,
            format_func=lambda o: f"{o} · {scale[o].label.get(lang)}" if isinstance(o, int) else SPECIAL_LABELS[o][lang],
            **callback,
        )
    elif isinstance(question, YesNoQuestion):
        options = ["yes", "no", *specials]
        st.radio(
            label, options, index=_index(options, value), key=key, horizontal=True, **hidden,
            format_func=lambda o: YES_NO[o][lang] if o in YES_NO else SPECIAL_LABELS[o][lang], **callback,
        )
    elif isinstance(question, SingleQuestion):
        choices = questionnaire.options(question)
        labels = {o.id: o.label.get(lang) for o in choices} | {s: SPECIAL_LABELS[s][lang] for s in specials}
        options = [o.id for o in choices] + specials
        st.radio(label, options, index=_index(options, value), key=key, format_func=labels.__getitem__, **hidden, **callback)
    elif isinstance(question, MultipleQuestion):
        choices = questionnaire.options(question)
        labels = {o.id: o.label.get(lang) for o in choices} | {s: SPECIAL_LABELS[s][lang] for s in specials}
        selected = value if isinstance(value, list) else ([value] if value in specials else [])
        st.pills(
            label, [o.id for o in choices] + specials, selection_mode="multi", default=selected, key=key,
            format_func=labels.__getitem__, **hidden, **callback,
        )
    elif isinstance(question, NumberQuestion):
        unit = f" ({question.unit.get(lang)})" if question.unit else ""
        left, right = st.columns([2, 3])
        with left:
            st.number_input(
                label + unit, min_value=question.minimum, max_value=question.maximum,
                value=float(value) if isinstance(value, (int, float)) else None, key=key,
                placeholder=t("diag.number_placeholder"), **hidden, **callback,
            )
        if specials:
            with right:
                st.pills(
                    label, specials, key=key + "-special", default=value if value in specials else None,
                    format_func=lambda s: SPECIAL_LABELS[s][lang], label_visibility="collapsed",
                    on_change=_save, args=(questionnaire, assessment_id, question.id, key + "-special"),
                )
    elif isinstance(question, TextQuestion):
        st.text_area(label, value=value if isinstance(value, str) else "", key=key, **hidden, **callback)

    error = st.session_state.get(ERRORS, {}).get(question.id)
    if error:
        st.error(error)
    comment_key = f"c-{assessment_id}-{question.id}"
    st.text_input(
        t("diag.comment"), value=comment, key=comment_key, placeholder=t("diag.comment_placeholder"),
        label_visibility="collapsed", on_change=_save_comment, args=(assessment_id, question.id, comment_key),
    )
