"""The current language, company and assessment, kept in the session and in the URL.

The URL (?lang=fr&c=3&a=7&dim=env) makes a reload or a restarted server come back to the same place;
it is written once per change, so that one navigation is one entry of the browser's history.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Iterable

import streamlit as st
from sqlalchemy.exc import DBAPIError
from streamlit.errors import StreamlitAPIException

from diagnostic.core.errors import StorageUnavailable
from diagnostic.core.roles import NotAllowed
from diagnostic.i18n import LANGS, format_date
from diagnostic.i18n import t as translate
from diagnostic.services import assessments, companies
from diagnostic.services.context import Context
from diagnostic.services.questionnaires import shipped_questionnaires
from diagnostic.storage.records import AssessmentRecord, CompanyRecord


def _int_param(name: str) -> int | None:
    value = st.query_params.get(name)
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


URL_KEYS = ("lang", "w", "c", "a", "dim")
URL_SEEN = "url_seen"  # our part of the URL as this session last wrote or read it
SESSION_KEYS = {"lang": "lang", "workspace_id": "w", "company_id": "c", "assessment_id": "a", "dim": "dim"}  # session key -> URL key


def _url_place() -> dict[str, object]:
    """What the URL says: language, workspace (when no company names it), company, assessment, open
    dimension (missing or wrong: the default)."""
    lang = st.query_params.get("lang", "fr")
    lang = lang if lang in LANGS else "fr"
    company = _int_param("c")
    return {
        "lang": lang, "w": _int_param("w") if company is None else None, "c": company, "a": _int_param("a"),
        "dim": st.query_params.get("dim") or None,
    }  # fmt: skip


def _session_place() -> dict[str, object]:
    place = {name: st.session_state.get(key) for key, name in SESSION_KEYS.items()}
    place["lang"] = place["lang"] or "fr"
    if place["c"] is not None:  # a company names its workspace: one parameter less, one history entry less
        place["w"] = None
    return place


def init() -> None:
    """Read the URL into the session: once, and again when the URL changed by itself (Back, Forward,
    a link that carries a place); otherwise the session is the truth and is written into the URL.

    A URL without any of our parameters is no place: `st.switch_page` empties the URL unless it is
    given parameters (see `switch_page` below), and the first entry of a visit may have none.
    """
    place = _url_place()
    seen = st.session_state.get(URL_SEEN)
    carries_a_place = any(name in st.query_params for name in URL_KEYS)
    if seen is not None and place != seen and carries_a_place:  # Back, Forward, or a link with a place
        for key, name in SESSION_KEYS.items():
            st.session_state[key] = place[name]
    else:  # what the session does not know yet (its first run) comes from the URL
        for key, name in SESSION_KEYS.items():
            if key not in st.session_state:
                st.session_state[key] = place[name]
    st.session_state[URL_SEEN] = place
    sync_url()


def sync_url() -> None:
    """Write the place into the URL, in one go and only when it changed.

    Each write of the URL is one entry in the browser's history (Streamlit pushes it), so writing
    key by key made one navigation three or four entries, and Back seemed to do nothing.
    """
    wanted = _session_place()
    if wanted == _url_place():
        st.session_state[URL_SEEN] = wanted
        return
    ours = {name: str(wanted[name]) for name in URL_KEYS if wanted[name] is not None}
    # parameters that are not ours stay as they are
    others = {key: st.query_params.get_all(key) for key in st.query_params if key not in URL_KEYS}
    try:
        st.query_params.from_dict({**ours, **others})
    except StreamlitAPIException:  # another parameter is bound to a widget: ours one by one, as before
        for name in URL_KEYS:
            if name in ours and st.query_params.get(name) != ours[name]:
                st.query_params[name] = ours[name]
            elif name not in ours and name in st.query_params:
                del st.query_params[name]
    st.session_state[URL_SEEN] = wanted


def switch_page(page: str) -> None:
    """`st.switch_page` keeping the place in the URL: one entry in the browser's history, not three
    (without `query_params`, Streamlit empties the URL, then the place is written back)."""
    st.switch_page(page, query_params={name: st.query_params.get_all(name) for name in st.query_params})


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
        except NotAllowed:
            st.session_state[CALLBACK_ERROR] = t("access.not_allowed")
        except Exception:
            logging.getLogger("autodiag").exception("callback failed")
            st.session_state[CALLBACK_ERROR] = t("error.unexpected")

    return run


CALLBACK_ERROR = "callback_error"
CONTEXT = "_context"  # the Context app.py built for this run (who acts, language, unit of work)


def context() -> Context:
    """The context of this run, for a page file run by st.navigation (`main(state.context())`)."""
    return st.session_state[CONTEXT]


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
    titles = {q.id: q.model.title.get(lang()) for q in shipped_questionnaires()}
    return unique_labels(
        {
            a.id: f"{a.label or titles.get(a.questionnaire_id, a.questionnaire_id)} · "
            f"{format_date(a.created_at, lang())} ({t('status.' + a.status)})"
            for a in assessments
        }
    )


def select_company(ctx: Context, company_id: int | None) -> None:
    forget_current_company(ctx)
    if company_id is not None:
        st.session_state.creating_company = False
    if st.session_state.get("company_id") != company_id:
        st.session_state.company_id = company_id
        st.session_state.dim = None
        _set_assessment(None)
        if company_id is not None:
            found = assessments.list_assessments(ctx, company_id)
            if found:
                _set_assessment(found[-1].id)
    sync_url()


def select_assessment(ctx: Context, assessment_id: int | None) -> None:
    _set_assessment(assessment_id)
    sync_url()


def _set_assessment(assessment_id: int | None) -> None:
    """Another assessment opens on its first dimension, not on the one last used in another."""
    if st.session_state.get("assessment_id") != assessment_id:
        st.session_state.dim = None
    st.session_state.assessment_id = assessment_id


def current_company(ctx: Context) -> CompanyRecord | None:
    """The company of the session, read once per run; None when there is none or it is out of
    reach (deleted meanwhile, a stale link, another workspace's id: all the same)."""
    company_id = st.session_state.get("company_id")
    if company_id is None:
        return None
    cached = _run_cache(ctx).get(("company", company_id))
    if isinstance(cached, CompanyRecord):
        return cached
    company = companies.get_company(ctx, company_id)
    _run_cache(ctx)[("company", company_id)] = company
    if company is None:
        st.session_state.company_id = None
        _set_assessment(None)
        sync_url()
    return company


def current_assessment(ctx: Context) -> AssessmentRecord | None:
    assessment_id = st.session_state.get("assessment_id")
    company_id = st.session_state.get("company_id")
    if assessment_id is None:
        return None
    assessment = assessments.get_assessment(ctx, assessment_id)
    if assessment is None or assessment.company_id != company_id:
        _set_assessment(None)
        sync_url()
        return None
    return assessment


def require_assessment(ctx: Context) -> tuple[CompanyRecord, AssessmentRecord]:
    """The current company and assessment, or a message saying what to do first (and stop)."""
    company = current_company(ctx)
    assessment = current_assessment(ctx) if company is not None else None
    if company is None or assessment is None:
        st.info(t("empty.no_company") if company is None else t("empty.no_assessment"))
        st.page_link("app_pages/company.py", label=t("empty.go_company"), icon=":material/business:")
        st.stop()
    return company, assessment


def _run_cache(ctx: Context) -> dict[object, object]:
    """Reads shared by the sidebar, the banner and the page within one run (one context per run)."""
    cache = getattr(ctx, "_run_cache", None)
    if cache is None:
        cache = {}
        object.__setattr__(ctx, "_run_cache", cache)
    return cache


def forget_current_company(ctx: Context) -> None:
    """After the company changed in this run (saved, renamed, deleted): read it again."""
    _run_cache(ctx).clear()
