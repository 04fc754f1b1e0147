"""The current language, company and assessment, kept in the session and in the URL.

The URL (?lang=fr&c=3&a=7) makes a reload or a restarted server come back to the same place.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Iterable

import streamlit as st
from sqlalchemy.exc import DBAPIError

from diagnostic.errors import StorageUnavailable
from diagnostic.i18n import LANGS, format_date
from diagnostic.i18n import t as translate
from diagnostic.storage.database import database_url, get_engine
from diagnostic.storage.repository import AssessmentRecord, CompanyRecord, Repository


@st.cache_resource(show_spinner=False)
def _repository(url: str) -> Repository:
    return Repository(get_engine(url))


def repo() -> Repository:
    return _repository(database_url())


def _int_param(name: str) -> int | None:
    value = st.query_params.get(name)
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def init() -> None:
    """Read the URL into the session once, and write the session back into the URL."""
    if "lang" not in st.session_state:
        lang = st.query_params.get("lang", "fr")
        st.session_state.lang = lang if lang in LANGS else "fr"
    if "company_id" not in st.session_state:
        st.session_state.company_id = _int_param("c")
    if "assessment_id" not in st.session_state:
        st.session_state.assessment_id = _int_param("a")
    sync_url()


def sync_url() -> None:
    wanted = {"lang": st.session_state.lang}
    if st.session_state.get("company_id") is not None:
        wanted["c"] = str(st.session_state.company_id)
    if st.session_state.get("assessment_id") is not None:
        wanted["a"] = str(st.session_state.assessment_id)
    # only our own keys: other parameters (the open dimension of the diagnostic) stay
    for key in ("lang", "c", "a"):
        if key in wanted and st.query_params.get(key) != wanted[key]:
            st.query_params[key] = wanted[key]
        elif key not in wanted and key in st.query_params:
            del st.query_params[key]


def lang() -> str:
    return st.session_state.get("lang", "fr")


def t(key: str, **values: object) -> str:
    return translate(key, lang(), **values)


def guarded(callback: Callable[..., None]) -> Callable[..., None]:
    """A widget callback that never shows Streamlit's English error box: a failure is logged and
    told in the user's language at the top of the page (callbacks run outside app.py's handler)."""

    @functools.wraps(callback)
    def run(*args: object, **kwargs: object) -> None:
        try:
            callback(*args, **kwargs)
        except (DBAPIError, StorageUnavailable):
            logging.getLogger("autodiag").exception("callback failed")
            st.session_state[CALLBACK_ERROR] = t("error.database")
        except Exception:
            logging.getLogger("autodiag").exception("callback failed")
            st.session_state[CALLBACK_ERROR] = t("error.unexpected")

    return run


CALLBACK_ERROR = "callback_error"


def show_callback_error() -> None:
    message = st.session_state.pop(CALLBACK_ERROR, None)
    if message:
        st.error(message, icon=":material/error:")


def set_widget(key: str, value: object) -> None:
    """Show `value` in the widget `key` (drawn later in this run) unless it already shows it."""
    if st.session_state.get(key) != value:
        st.session_state[key] = value


def unique_labels(labels: dict[int, str]) -> dict[int, str]:
    """The same labels, with the id added to those that two items share (a choice must be unambiguous)."""
    seen: dict[str, int] = {}
    for label in labels.values():
        seen[label] = seen.get(label, 0) + 1
    return {i: f"{label} · n° {i}" if seen[label] > 1 else label for i, label in labels.items()}


def assessment_labels(assessments: Iterable[AssessmentRecord]) -> dict[int, str]:
    """One distinct label per assessment: its name or questionnaire, its date and status."""
    from diagnostic.services import shipped_questionnaires

    titles = {q.id: q.model.title.get(lang()) for q in shipped_questionnaires()}
    return unique_labels(
        {
            a.id: f"{a.label or titles.get(a.questionnaire_id, a.questionnaire_id)} · "
            f"{format_date(a.created_at, lang())} ({t('status.' + a.status)})"
            for a in assessments
        }
    )


def select_company(company_id: int | None) -> None:
    if company_id is not None:
        st.session_state.creating_company = False
    if st.session_state.get("company_id") != company_id:
        st.session_state.company_id = company_id
        st.session_state.assessment_id = None
        if company_id is not None:
            assessments = repo().list_assessments(company_id)
            if assessments:
                st.session_state.assessment_id = assessments[-1].id
    sync_url()


def select_assessment(assessment_id: int | None) -> None:
    st.session_state.assessment_id = assessment_id
    sync_url()


def current_company() -> CompanyRecord | None:
    company_id = st.session_state.get("company_id")
    if company_id is None:
        return None
    company = repo().get_company(company_id)
    if company is None:  # deleted meanwhile, or a stale link
        st.session_state.company_id = None
        st.session_state.assessment_id = None
        sync_url()
    return company


def current_assessment() -> AssessmentRecord | None:
    assessment_id = st.session_state.get("assessment_id")
    company_id = st.session_state.get("company_id")
    if assessment_id is None:
        return None
    assessment = repo().get_assessment(assessment_id)
    if assessment is None or assessment.company_id != company_id:
        st.session_state.assessment_id = None
        sync_url()
        return None
    return assessment


def require_assessment() -> tuple[CompanyRecord, AssessmentRecord]:
    """The current company and assessment, or a message saying what to do first (and stop)."""
    company = current_company()
    assessment = current_assessment() if company is not None else None
    if company is None or assessment is None:
        st.info(t("empty.no_company") if company is None else t("empty.no_assessment"))
        st.page_link("app_pages/company.py", label=t("empty.go_company"), icon=":material/business:")
        st.stop()
    return company, assessment  # type: ignore[return-value]
