"""The coaching session's widgets: the consultant's note on one answer (text, shared or private, checked
with the client), what the client reads of it, and the large type of the presenting view.

Every change is saved in the widget's callback, as on the Diagnostic page.
"""

from __future__ import annotations

import json
import logging

import streamlit as st

from diagnostic.core.errors import Conflict, DomainError, Gone, StorageUnavailable
from diagnostic.core.roles import NotAllowed, NotFound
from diagnostic.i18n import error_text, format_date
from diagnostic.services import coaching as coaching_service
from diagnostic.services.coaching import NoteView
from diagnostic.services.context import Context
from ui import state
from ui.questions import failure_message
from ui.state import t
from ui.text import plain

ERRORS = "coaching_errors"  # question id -> why the last change of its note was not saved
SHOWN = "coaching_shown"  # widget key -> the stored value the screen last drew
log = logging.getLogger("autodiag")

# The presenting view is read from a few metres away on a shared screen: larger type in its container
# only (key "coaching-present"), a little less on a phone so that a level's caption still fits.
PRESENTING_CSS = """<style>
.st-key-coaching-present p, .st-key-coaching-present li, .st-key-coaching-present label,
.st-key-coaching-present [data-testid="stCaptionContainer"] { font-size: 1.3rem; line-height: 1.5; }
.st-key-coaching-present [data-testid="stWidgetLabel"] p { font-size: 1.6rem; }
.st-key-coaching-present button p { font-size: 1.2rem; }
.st-key-coaching-present [data-testid="stMarkdownContainer"] p > strong:only-child { font-size: 1.8rem; line-height: 1.3; }
.st-key-coaching-present [data-testid="stCheckbox"] input + div, .st-key-coaching-present [data-testid="stCheckbox"] span { transform: scale(1.3); }
@media (max-width: 640px) {
  .st-key-coaching-present p, .st-key-coaching-present li, .st-key-coaching-present label,
  .st-key-coaching-present [data-testid="stCaptionContainer"] { font-size: 1.1rem; }
  .st-key-coaching-present [data-testid="stWidgetLabel"] p { font-size: 1.25rem; }
  .st-key-coaching-present [data-testid="stMarkdownContainer"] p > strong:only-child { font-size: 1.35rem; }
}
</style>"""


def presenting_style() -> None:
    """The presenting view's type sizes (once per run: Streamlit forgets what a run did not draw)."""
    st.html(PRESENTING_CSS)


def scroll_to_top(selector: str) -> None:
    """Bring the question to the top of the screen after "previous" or "next": Streamlit keeps the
    scroll position, which would open the next question at its bottom. A new script each time (the
    nonce), waiting up to 5 s for the element; the selector is ours ([a-z.-] only)."""
    st.session_state["coaching_scrolls"] = nonce = st.session_state.get("coaching_scrolls", 0) + 1
    st.html(
        f"""<script>/* {nonce} */ (() => {{
  const until = Date.now() + 5000;
  const go = () => {{
    const element = document.querySelector({json.dumps(selector)});
    if (!element) {{ if (Date.now() < until) setTimeout(go, 50); return; }}
    element.style.scrollMarginTop = "4rem";
    element.scrollIntoView({{block: "start"}});
  }};
  go();
}})();</script>""",
        unsafe_allow_javascript=True,
    )


def who_label(who: str) -> str:
    """Who checked or wrote, in words ("" for the local owner: in local mode there is nobody else)."""
    return "" if who in ("", "local") else who


def checked_text(note: NoteView | None) -> str:
    """ "Checked with the client on 3 March 2026 (by Claire)", or "" when the answer is not marked."""
    if note is None or note.checked_on is None:
        return ""
    day = format_date(note.checked_on, state.lang())
    who = who_label(note.checked_by)
    return t("coaching.checked_by", day=day, who=plain(who)) if who else t("coaching.checked_on", day=day)


def note_caption(note: NoteView | None) -> None:
    """What is noted on a question, read-only, under it: the note (a private one says so: only a coach
    is ever given one) and the checked mark. Nothing when there is neither."""
    if note is None:
        return
    parts = []
    if note.text:
        lead = t("coaching.shared_note_lead") if note.shared else t("coaching.private_note_lead")
        parts.append(f"{lead} {plain(note.text)}")
    if note.checked:
        parts.append(":material/task_alt: " + checked_text(note))
    if parts:
        st.caption("  \n".join(parts))


def shared_note(note: NoteView | None, with_mark: bool = True) -> None:
    """The presenting view: the shared note, in a box, and the checked mark (`with_mark`); a private
    note is never drawn here."""
    if note is not None and note.shared and note.text:
        st.info(f"**{t('coaching.shared_note')}**  \n{plain(note.text)}", icon=":material/forum:")
    if with_mark and note is not None and note.checked:
        st.caption(":material/task_alt: " + checked_text(note))


def _shown() -> dict[str, object]:
    return st.session_state.setdefault(SHOWN, {})


def _sync(key: str, stored: object) -> None:
    """Draw the stored value unless the widget already shows it (a rerun must not undo typing)."""
    shown = _shown()
    if key in st.session_state and key in shown and shown[key] == stored:
        return
    st.session_state[key] = stored
    shown[key] = stored


def _keys(assessment_id: int, question_id: str) -> tuple[str, str, str]:
    return f"note-{assessment_id}-{question_id}", f"share-{assessment_id}-{question_id}", f"checked-{assessment_id}-{question_id}"


def _failed(question_id: str, exc: Exception) -> None:
    if isinstance(exc, (NotAllowed, Gone, StorageUnavailable)):
        message = failure_message(exc)
    elif isinstance(exc, NotFound):
        message = t("save.gone")
    elif isinstance(exc, DomainError):
        message = error_text(exc, state.lang())
    else:
        log.exception("coaching note not saved")
        message = failure_message(exc)
    st.session_state.setdefault(ERRORS, {})[question_id] = message


def _save_note(ctx: Context, assessment_id: int, question_id: str) -> None:
    """Callback of the note and of its "shared" toggle: save both; on a refusal, keep what was typed
    in the field (nothing is lost) and say why."""
    key, share_key, _ = _keys(assessment_id, question_id)
    shown = str(_shown().get(key, ""))
    mine = st.session_state.get(key) or ""
    errors = st.session_state.setdefault(ERRORS, {})
    errors.pop(question_id, None)
    try:
        saved = coaching_service.save_note(ctx, assessment_id, question_id, mine, bool(st.session_state.get(share_key)), shown=shown)
    except Conflict as conflict:
        errors[question_id] = t("coaching.conflict", who=plain(who_label(conflict.by) or t("save.someone")), mine=plain(mine))
        st.session_state[key] = _shown()[key] = conflict.current
    except Exception as exc:  # the screen must never show as saved what is not saved
        _failed(question_id, exc)
    else:
        stored = saved.text if saved else ""
        st.session_state[key] = _shown()[key] = stored
        if saved is not None:
            st.session_state[share_key] = _shown()[share_key] = saved.shared


def _save_checked(ctx: Context, assessment_id: int, question_id: str) -> None:
    _, _, check_key = _keys(assessment_id, question_id)
    wanted = bool(st.session_state.get(check_key))
    st.session_state.setdefault(ERRORS, {}).pop(question_id, None)
    try:
        saved = coaching_service.set_checked(ctx, assessment_id, question_id, wanted)
    except Exception as exc:
        _failed(question_id, exc)
        st.session_state[check_key] = _shown()[check_key] = not wanted
    else:
        st.session_state[check_key] = _shown()[check_key] = saved is not None and saved.checked


def note_editor(ctx: Context, assessment_id: int, question_id: str, note: NoteView | None, *, with_text: bool = True) -> None:
    """A coach's widgets on one answer: the note, whether the client sees it, and the checked mark.

    `with_text` False (the presenting view) draws the checked mark only: the note's field, which may
    hold a private note, is not drawn at all on a shared screen."""
    key, share_key, check_key = _keys(assessment_id, question_id)
    args = (ctx, assessment_id, question_id)
    if with_text:
        _sync(key, note.text if note else "")
        _sync(share_key, note.shared if note else False)
        st.text_area(
            t("coaching.note"), key=key, max_chars=coaching_service.NOTE_MAX, placeholder=t("coaching.note_placeholder"),
            help=t("coaching.note_help"), on_change=state.guarded(_save_note), args=args,
        )  # fmt: skip
    _sync(check_key, bool(note and note.checked))
    with st.container(horizontal=True, vertical_alignment="center"):
        if with_text:
            st.toggle(t("coaching.share"), key=share_key, help=t("coaching.share_help"), on_change=state.guarded(_save_note), args=args)
        st.checkbox(t("coaching.checked"), key=check_key, on_change=state.guarded(_save_checked), args=args)
    if note is not None and note.checked:
        st.caption(":material/task_alt: " + checked_text(note))
    error = st.session_state.get(ERRORS, {}).get(question_id)
    if error:
        st.error(error, icon=":material/error:")
