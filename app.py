"""Autodiag RSE — entry point: page config, sidebar (language, company, assessment), navigation."""

from __future__ import annotations

import logging

import streamlit as st
from sqlalchemy.exc import OperationalError

from diagnostic.i18n import format_date
from diagnostic.services import shipped_questionnaires
from ui import state
from ui.state import t

st.set_page_config(page_title="Autodiag RSE", page_icon=":material/eco:", layout="wide", initial_sidebar_state="auto")
state.init()
log = logging.getLogger("autodiag")


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
            ids = [c.id for c in companies]
            names = {c.id: c.name for c in companies}
            chosen = st.selectbox(
                t("sidebar.company"), ids, index=ids.index(company.id) if company else None,
                format_func=lambda i: names[i], placeholder=t("sidebar.choose_company"),
            )
            if chosen is not None and (company is None or chosen != company.id):
                state.select_company(chosen)
                st.rerun()
        else:
            st.caption(t("sidebar.none_company"))

        if company is not None:
            assessments = repo.list_assessments(company.id)
            current = state.current_assessment()
            if assessments:
                titles = {q.id: q.model.title.get(state.lang()) for q in shipped_questionnaires()}
                labels = {
                    a.id: f"{titles.get(a.questionnaire_id, a.questionnaire_id)} · "
                    f"{format_date(a.created_at, state.lang())} ({t('status.' + a.status)})"
                    for a in assessments
                }
                ids = [a.id for a in reversed(assessments)]
                chosen = st.selectbox(
                    t("sidebar.assessment"), ids, index=ids.index(current.id) if current else None,
                    format_func=lambda i: labels[i], placeholder=t("sidebar.choose_assessment"),
                )
                if chosen is not None and (current is None or chosen != current.id):
                    state.select_assessment(chosen)
                    st.rerun()
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
    navigation = st.navigation(
        [st.Page(path, title=t(key), icon=icon, url_path=url, default=(url == "accueil")) for path, key, icon, url in PAGES]
    )
    sidebar()
    navigation.run()
except OperationalError:
    log.exception("database error")
    st.error(t("error.database"))
except Exception:  # never a traceback in front of a client; the log keeps it for us
    log.exception("unexpected error")
    st.error(t("error.unexpected"))
