"""Autodiag RSE — entry point: page config, sidebar (language, company, assessment), navigation."""

from __future__ import annotations

import logging
from collections.abc import Callable

import streamlit as st
from sqlalchemy.exc import OperationalError

from diagnostic import services
from diagnostic.core.errors import StorageUnavailable
from ui import state
from ui.state import t

st.set_page_config(page_title="Autodiag RSE", page_icon=":material/eco:", layout="wide", initial_sidebar_state="auto")
state.init()
log = logging.getLogger("autodiag")


@state.guarded
def _pick(key: str, select: Callable[[int | None], None], ids: list[int]) -> None:
    """A deliberate choice in a selector; an emptied selector (Escape, the clear cross) changes nothing.

    Neither does a value that is not one of the ids: after a language switch the browser sends the
    selector's former label back once, which Streamlit hands over as the value (it opened an
    assessment named after that label).
    """
    chosen = st.session_state.get(key)
    if chosen in ids:
        select(chosen)


def sidebar() -> None:
    with st.sidebar:
        st.markdown(f"### :material/eco: {t('app.title')}")
        st.caption(t("app.tagline"))
        lang = st.segmented_control(
            t("sidebar.language"), ["fr", "en"], default=state.lang(), format_func=lambda x: x.upper(), required=True
        )
        if lang and lang != state.lang():
            st.session_state.lang = lang
            state.sync_url()
            st.rerun()

        repo = state.repo()
        companies = repo.list_companies()
        company = state.current_company()
        if companies:
            names = state.unique_labels({c.id: c.name for c in companies})
            # The choice changes only by a deliberate pick (on_change), never by reading the widget
            # back on a later run; the widget is set from the session before it is drawn.
            state.set_widget("sidebar-company", company.id if company else None)
            st.selectbox(
                t("sidebar.company"), list(names), key="sidebar-company", format_func=names.__getitem__,
                placeholder=t("sidebar.choose_company"), index=list(names).index(company.id) if company else None,
                on_change=_pick, args=("sidebar-company", state.select_company, list(names)),
            )
        else:
            st.caption(t("sidebar.none_company"))

        if company is not None:
            assessments = repo.list_assessments(company.id)
            current = state.current_assessment()
            if assessments:
                labels = state.assessment_labels(reversed(assessments))
                state.set_widget("sidebar-assessment", current.id if current else None)
                st.selectbox(
                    t("sidebar.assessment"), list(labels), key="sidebar-assessment", format_func=labels.__getitem__,
                    placeholder=t("sidebar.choose_assessment"), index=list(labels).index(current.id) if current else None,
                    on_change=_pick, args=("sidebar-assessment", state.select_assessment, list(labels)),
                )
            else:
                st.caption(t("sidebar.none_assessment"))


PAGES = [
    ("app_pages/home.py", "nav.home", ":material/home:", "accueil"),
    ("app_pages/company.py", "nav.company", ":material/business:", "entreprise"),
    ("app_pages/diagnostic.py", "nav.diagnostic", ":material/checklist:", "diagnostic"),
    ("app_pages/results.py", "nav.results", ":material/radar:", "resultats"),
    ("app_pages/plan.py", "nav.plan", ":material/task_alt:", "plan"),
    ("app_pages/followup.py", "nav.followup", ":material/timeline:", "suivi"),
]

try:
    pages = [st.Page(path, title=t(key), icon=icon, url_path=url) for path, key, icon, url in PAGES]
    home = pages[0]
    # Streamlit serves its default page at "/" only: "/" is a hidden page that sends to /accueil,
    # so that every page, the home page included, has one address that works.
    root = st.Page(
        lambda: st.switch_page(home, query_params=st.query_params.to_dict()),
        title=t("nav.home"), url_path="racine", default=True, visibility="hidden",
    )
    navigation = st.navigation([root, *pages])
    # each page its own title in the browser tab and for screen readers (WCAG 2.4.2)
    st.set_page_config(page_title=f"{navigation.title} · {t('app.title')}")
    sidebar()
    state.show_callback_error()
    if navigation.url_path not in ("accueil", "entreprise") and services.is_demo(state.current_company()):
        st.info(t("demo.banner_short"), icon=":material/school:")
    navigation.run()
except (OperationalError, StorageUnavailable):
    log.exception("database error")
    st.error(t("error.database"))
except Exception:  # never a traceback in front of a client; the log keeps it for us
    log.exception("unexpected error")
    st.error(t("error.unexpected"))
