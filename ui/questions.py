"""The widget of one question: answer, help, per-level descriptions, N/A, don't know, comment.

Every change is written to the database in the widget's callback, as it is given.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal, Protocol, TypedDict

import streamlit as st
from sqlalchemy.exc import DBAPIError

from diagnostic.core import limits, markup
from diagnostic.core.answers import Answer
from diagnostic.core.errors import Conflict, DomainError, Gone, StorageUnavailable
from diagnostic.core.loading import LoadedQuestionnaire
from diagnostic.core.roles import NotAllowed
from diagnostic.core.schema import (
    AnyQuestion,
    MaturityQuestion,
    MultipleQuestion,
    NumberQuestion,
    SingleQuestion,
    TextQuestion,
    YesNoQuestion,
)
from diagnostic.core.values import DONT_KNOW, NA
from diagnostic.i18n import error_text
from diagnostic.labels import SPECIAL_LABELS, YES_NO
from diagnostic.services import answers as answer_service
from diagnostic.services.context import Context
from ui import state
from ui.state import t
from ui.text import authored, authored_label, plain

ERRORS = "question_errors"
NOTICES = "question_notices"
SHOWN = "shown_values"  # "q-<assessment>-<question>" -> the stored value the screen last drew (compare-and-set)
GENERATION = "widget_generation"  # renewed answer widgets after a save the database could not take
log = logging.getLogger("autodiag")


class _Hidden(TypedDict, total=False):
    """The label's visibility, when the question is already written above its widget."""

    label_visibility: Literal["visible", "hidden", "collapsed"]


class _Callback(TypedDict):
    """What every answer widget is given: its save and whether it can change."""

    on_change: Callable[..., None]
    args: tuple[Any, ...]
    disabled: bool


class Saver(Protocol):
    """Where a question's widgets write: the assessment's answers, or one respondent's."""

    def answer(self, question_id: str, value: Any, shown: Any) -> Any: ...
    def comment(self, question_id: str, text: str, shown: str) -> str: ...


@dataclass(frozen=True)
class AssessmentSaver:
    """The assessment's own answers, compare-and-set against what the screen showed."""

    ctx: Context
    questionnaire: LoadedQuestionnaire
    assessment_id: int
    who: str

    def answer(self, question_id: str, value: Any, shown: Any) -> Any:
        return answer_service.record_answer(
            self.ctx, self.questionnaire, self.assessment_id, question_id, value, answered_by=self.who, shown=shown
        )

    def comment(self, question_id: str, text: str, shown: str) -> str:
        return answer_service.record_comment(self.ctx, self.assessment_id, question_id, text, answered_by=self.who, shown=shown)


def _specials(question: AnyQuestion) -> list[str]:
    return ([NA] if question.allow_na else []) + ([DONT_KNOW] if question.allow_dont_know else [])


def _shown() -> dict[str, Any]:
    return st.session_state.setdefault(SHOWN, {})


def widget_states(question: AnyQuestion, key: str, value: Any) -> dict[str, Any]:
    """What each widget of a question holds when `value` is the stored answer."""
    if isinstance(question, MultipleQuestion):
        return {key: value if isinstance(value, list) else ([value] if value in (NA, DONT_KNOW) else [])}
    if isinstance(question, NumberQuestion):
        states: dict[str, Any] = {key: float(value) if isinstance(value, (int, float)) else None}
        if _specials(question):
            states[key + "-special"] = value if value in (NA, DONT_KNOW) else None
        return states
    if isinstance(question, TextQuestion):
        return {key: value if isinstance(value, str) else ""}
    return {key: value}


def widget_key(base: str) -> str:
    """The key of a question's answer widget: `base` ("q-<assessment>-<question>"), renewed after each
    save the database could not take (GENERATION)."""
    generation = st.session_state.get(GENERATION, 0)
    return f"{base}~{generation}" if generation else base


def sync_widgets(question: AnyQuestion, base: str, value: Any) -> None:
    """Draw the stored answer: set the widgets when they are new or someone changed the answer.

    Widgets are left alone when the stored value is the one already shown, so that a rerun does
    not undo what the person is typing; a new session (a reconnection after a server restart)
    starts from the database, never from what the browser still displayed.
    """
    shown = _shown()
    key = widget_key(base)
    if key in st.session_state and base in shown and shown[base] == value:
        return
    for widget, state_value in widget_states(question, key, value).items():
        st.session_state[widget] = state_value
    shown[base] = value


def failure_message(exc: BaseException) -> str:
    if isinstance(exc, StorageUnavailable):
        return t("save.busy") if exc.busy else t("save.unreachable")
    if isinstance(exc, DBAPIError):
        return t("save.unreachable")
    if isinstance(exc, Gone):
        return t("save.gone")
    if isinstance(exc, NotAllowed):  # the role changed while the page was open
        return t("access.not_allowed")
    return t("save.failed")


def _who_label(by: str, who: str) -> str:
    # in local mode every screen writes under the assessment's respondent name: naming it would
    # tell a person that they changed the answer themselves
    return by if by and by != who else t("save.someone")


def _save(saver: Saver, questionnaire: LoadedQuestionnaire, assessment_id: int, question_id: str, widget: str, who: str) -> None:
    """Widget callback: save the answer, or put the widgets back to the stored answer and say why."""
    question = questionnaire.questions[question_id]
    base = f"q-{assessment_id}-{question_id}"
    if widget not in (widget_key(base), widget_key(base) + "-special"):
        return  # a widget of before a failed save still sends the value it showed: not a new click
    shown = _shown().get(base)
    value = st.session_state.get(widget)
    errors = st.session_state.setdefault(ERRORS, {})
    notices = st.session_state.setdefault(NOTICES, {})
    errors.pop(question_id, None)
    notices.pop(question_id, None)

    def restore(stored: Any) -> None:
        for name, state_value in widget_states(question, widget_key(base), stored).items():
            st.session_state[name] = state_value
        _shown()[base] = stored

    def renew_widgets() -> None:
        # The page may not draw the questions while the database is away (the Diagnostic page draws
        # none): the browser then keeps the refused value and sends it with every later request,
        # which would save it, unasked, once the database is back. New widgets leave it behind.
        st.session_state[GENERATION] = st.session_state.get(GENERATION, 0) + 1

    if isinstance(value, list):
        specials = [v for v in value if v in (NA, DONT_KNOW)]
        if specials and len(value) > 1:
            errors[question_id] = t("diag.exclusive_error", option=SPECIAL_LABELS[specials[0]][state.lang()])
            restore(shown)
            return
        value = specials[0] if specials else value
    try:
        stored = saver.answer(question_id, value, shown)
    except Conflict as conflict:
        errors[question_id] = t("save.conflict", who=plain(_who_label(conflict.by, who)))
        restore(conflict.current)
    except ValueError as exc:
        exclusive = next((o for o in questionnaire.options(question) if o.exclusive and o.id in (value or [])), None)
        if exclusive is not None:
            errors[question_id] = t("diag.exclusive_error", option=authored_label(exclusive.label.get(state.lang())))
        else:
            errors[question_id] = t("diag.invalid", error=error_text(exc, state.lang()) if isinstance(exc, DomainError) else str(exc))
        restore(shown)
    except NotAllowed as exc:
        errors[question_id] = failure_message(exc)
        restore(shown)
    except (Gone, StorageUnavailable) as exc:
        errors[question_id] = failure_message(exc)
        renew_widgets()
        restore(shown)
    except DomainError as exc:  # a respondent's link withdrawn or closed meanwhile: say so in its words
        errors[question_id] = error_text(exc, state.lang())
        restore(shown)
    except Exception as exc:  # the screen must never show as saved what is not saved
        log.exception("answer not saved")
        errors[question_id] = failure_message(exc)
        renew_widgets()
        restore(shown)
    else:
        if isinstance(value, list) and stored != (value or None):
            notices[question_id] = t("save.merged", who=t("save.someone"))
        restore(stored)


def _save_comment(saver: Saver, question_id: str, key: str, who: str) -> None:
    shown = _shown().get(key, "")
    mine = (st.session_state.get(key) or "").strip()
    errors = st.session_state.setdefault(ERRORS, {})
    errors.pop(question_id, None)
    try:
        stored = saver.comment(question_id, mine, shown)
    except Conflict as conflict:
        errors[question_id] = t("save.conflict_comment", who=plain(_who_label(conflict.by, who)), mine=plain(mine))
        stored = conflict.current
    except ValueError:
        errors[question_id] = t("save.comment_too_long", max=f"{limits.COMMENT:,}".replace(",", "\u202f"))
        stored = shown
    except DomainError as exc:
        errors[question_id] = error_text(exc, state.lang())
        stored = shown
    except Exception as exc:
        log.exception("comment not saved")
        errors[question_id] = failure_message(exc)
        stored = shown
    st.session_state[key] = stored
    _shown()[key] = stored


def help_markdown(question: AnyQuestion, lang: str) -> str:
    parts = [authored(question.help.get(lang))] if question.help else []
    if question.critical:
        parts.append(authored(question.critical.reason.get(lang), lead="⚖ "))
    refs = question.references
    found = [
        f"ISO 26000 {', '.join(refs.iso26000)}" if refs.iso26000 else "",
        f"VSME {', '.join(refs.vsme)}" if refs.vsme else "",
        f"ODD/SDG {', '.join(map(str, refs.sdg))}" if refs.sdg else "",
        "; ".join(refs.law),
    ]
    found = [f for f in found if f]
    if found:
        parts.append(f"*{t('diag.references')} : " + markup.escape_markdown(" · ".join(found)) + "*")
    return "\n\n".join(parts)


def render_question(
    ctx: Context,
    who: str,
    questionnaire: LoadedQuestionnaire,
    question: AnyQuestion,
    number: int,
    answer: Answer | None,
    comment: str,
    assessment_id: int,
    show_help: bool = False,
    editable: bool = True,
    saver: Saver | None = None,
) -> None:
    """One question's widgets; `editable` False (a viewer) shows the answer without letting it change.

    They write to the assessment's answers, or where `saver` says (a respondent's answers)."""
    lang = state.lang()
    base = f"q-{assessment_id}-{question.id}"
    key = widget_key(base)
    value = answer.value if answer else None
    saver = saver or AssessmentSaver(ctx, questionnaire, assessment_id, who)
    callback: _Callback = {"on_change": _save, "args": (saver, questionnaire, assessment_id, question.id, key, who), "disabled": not editable}
    specials = _specials(question)
    sync_widgets(question, base, value)

    # The question is the label of its answer widget (fewer elements per rerun); its help is drawn
    # under it when the dimension's "show the help" toggle is on (tooltips do not open on a phone).
    # the label is also the radio group's accessible name, read aloud Markdown marks and all: only
    # what Markdown would misread is escaped, and serve.py draws question labels bold
    label = f"{number}. {authored_label(question.text.get(lang))}"
    if question.critical:
        label += f" ({t('diag.critical')})"
    if show_help and (question.help or question.critical):
        st.markdown(f"**{label}**")
        st.caption(help_markdown(question, lang))
        label = authored_label(question.text.get(lang))
        hidden: _Hidden = {"label_visibility": "collapsed"}
    else:
        hidden = {}
    if isinstance(question, MaturityQuestion):
        scale = {s.value: s for s in questionnaire.model.maturity_scale}
        steps: list[Literal[0, 1, 2, 3, 4]] = [0, 1, 2, 3, 4]
        options: list[Any] = [*steps, *specials]
        captions = [
            authored_label(question.levels[o].get(lang) if question.levels else scale[o].description.get(lang)) for o in steps
        ] + [""] * len(specials)
        st.radio(
            label, options, index=None, key=key, captions=captions, **hidden,
            format_func=lambda o: f"{o} · {authored_label(scale[o].label.get(lang))}" if isinstance(o, int) else SPECIAL_LABELS[o][lang],
            **callback,
        )
    elif isinstance(question, YesNoQuestion):
        options = ["yes", "no", *specials]
        st.radio(
            label, options, index=None, key=key, horizontal=True, **hidden,
            format_func=lambda o: YES_NO[o][lang] if o in YES_NO else SPECIAL_LABELS[o][lang], **callback,
        )
    elif isinstance(question, SingleQuestion):
        choices = questionnaire.options(question)
        labels = {o.id: authored_label(o.label.get(lang)) for o in choices} | {s: SPECIAL_LABELS[s][lang] for s in specials}
        options = [o.id for o in choices] + specials
        st.radio(label, options, index=None, key=key, format_func=labels.__getitem__, **hidden, **callback)
    elif isinstance(question, MultipleQuestion):
        choices = questionnaire.options(question)
        labels = {o.id: authored_label(o.label.get(lang)) for o in choices} | {s: SPECIAL_LABELS[s][lang] for s in specials}
        st.pills(
            label, [o.id for o in choices] + specials, selection_mode="multi", key=key,
            format_func=labels.__getitem__, **hidden, **callback,
        )
    elif isinstance(question, NumberQuestion):
        unit = f" ({authored_label(question.unit.get(lang))})" if question.unit else ""
        left, right = st.columns([2, 3])
        with left:
            st.number_input(
                label + unit, min_value=question.minimum, max_value=question.maximum,
                value=None, key=key,
                placeholder=t("diag.number_placeholder"), **hidden, **callback,
            )
        if specials:
            with right:
                st.pills(
                    label, specials, key=key + "-special",
                    format_func=lambda s: SPECIAL_LABELS[s][lang], label_visibility="collapsed",
                    on_change=_save, args=(saver, questionnaire, assessment_id, question.id, key + "-special", who),
                    disabled=not editable,
                )
    elif isinstance(question, TextQuestion):
        st.text_area(label, key=key, max_chars=limits.TEXT_ANSWER, **hidden, **callback)

    error = st.session_state.get(ERRORS, {}).get(question.id)
    if error:
        st.error(error, icon=":material/error:")
    notice = st.session_state.get(NOTICES, {}).pop(question.id, None)
    if notice:
        st.info(notice)
    comment_key = f"c-{assessment_id}-{question.id}"
    if comment_key not in st.session_state or _shown().get(comment_key) != comment:
        st.session_state[comment_key] = comment
        _shown()[comment_key] = comment
    st.text_input(
        t("diag.comment"), key=comment_key, placeholder=t("diag.comment_placeholder"), max_chars=limits.COMMENT,
        label_visibility="collapsed", on_change=_save_comment, args=(saver, question.id, comment_key, who),
        disabled=not editable,
    )
