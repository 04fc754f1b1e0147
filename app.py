"""Autodiag RSE — composition root: page config, who is acting, the context handed to the pages,
the sidebar (language, workspace, company, assessment) and the navigation.

Pages are `main(ctx)` functions in app_pages/ (each file ends with `main(state.context())`);
nothing below reads or writes the database but through the services.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from urllib.parse import urlsplit

import streamlit as st
from sqlalchemy.exc import OperationalError
from streamlit.runtime.scriptrunner import get_script_run_ctx

from diagnostic import logs, metrics
from diagnostic.core.errors import StorageUnavailable
from diagnostic.core.roles import NotAllowed, NotFound, Permission, Role, allowed
from diagnostic.services import assessments, companies, demo, workspaces
from diagnostic.services.context import Context
from diagnostic.services.workspaces import WorkspaceRecord
from ui import session, state
from ui.state import t

st.set_page_config(page_title="Autodiag RSE", page_icon=":material/eco:", layout="wide", initial_sidebar_state="auto")
state.init()
log = logging.getLogger("autodiag")


@state.guarded
def _pick(key: str, select: Callable[[Context, int | None], None], ctx: Context, ids: list[int]) -> None:
    """A deliberate choice in a selector; an emptied selector (Escape, the clear cross) changes nothing.

    Neither does a value that is not one of the ids: after a language switch the browser sends the
    selector's former label back once, which Streamlit hands over as the value (it opened an
    assessment named after that label).
    """
    chosen = st.session_state.get(key)
    if chosen in ids:
        select(ctx, chosen)


def _pick_workspace(ctx: Context, workspace_id: int | None) -> None:
    if st.session_state.get("workspace_id") != workspace_id:
        st.session_state.workspace_id = workspace_id
        state.select_company(ctx, None)


def language_switch() -> None:
    lang = st.segmented_control(
        t("sidebar.language"), ["fr", "en"], default=state.lang(), format_func=lambda x: x.upper(), required=True
    )
    if lang and lang != state.lang():
        st.session_state.lang = lang
        state.sync_url()
        st.rerun()


def current_workspace(ctx: Context, mine: list[tuple[WorkspaceRecord, str]]) -> int | None:
    """The workspace worked in, kept in the session and the URL (`w`): the current company's when a
    link or a reload names a company of another of the actor's workspaces; else, for a first visit
    to a page of a network (or of a company) from a workspace of the other kind, the first of that
    kind; else the first one."""
    kinds = {w.id: w.kind for w, _ in mine}
    chosen = st.session_state.get("workspace_id")
    if chosen not in kinds:
        path = urlsplit(st.context.url or "").path.rstrip("/").rsplit("/", 1)[-1]
        network_page = path in {url for *_, url in NETWORK_PAGES}
        fitting = [w for w, kind in kinds.items() if (kind == "network") == network_page]
        chosen = fitting[0] if fitting and path else next(iter(kinds), None)
    ctx.workspace_id = chosen
    company = state.current_company(ctx)
    if company is not None and company.workspace_id in kinds and company.workspace_id != chosen:
        chosen = company.workspace_id
    if st.session_state.get("workspace_id") != chosen:
        st.session_state.workspace_id = chosen
        state.sync_url()
    return chosen


def workspace_choice(ctx: Context, mine: list[tuple[WorkspaceRecord, str]]) -> None:
    """The workspace chooser in the sidebar, when the actor belongs to several."""
    ids = [w.id for w, _ in mine]
    if len(mine) > 1:
        names = state.unique_labels({w.id: w.name for w, _ in mine})
        state.set_widget("sidebar-workspace", ctx.workspace_id)
        st.selectbox(
            t("sidebar.workspace"), ids, key="sidebar-workspace", format_func=names.__getitem__,
            on_change=_pick, args=("sidebar-workspace", _pick_workspace, ctx, ids),
        )  # fmt: skip


def sidebar(ctx: Context, network: bool = False) -> None:
    with st.sidebar:
        st.markdown(f"### :material/eco: {t('app.title')}")
        st.caption(t("app.tagline"))
        language_switch()
        if not ctx.actor.local:
            st.caption(t("auth.signed_in_as", who=ctx.actor.label))
            st.button(t("auth.sign_out"), on_click=st.logout, icon=":material/logout:", key="sign-out")
        if network:  # a network's workspace holds no company: its members live in their own
            return

        company = state.current_company(ctx)
        listed = [c for c in companies.list_companies(ctx) if ctx.workspace_id in (None, c.workspace_id)]
        if company is not None and company.id not in {c.id for c in listed}:
            listed.append(company)  # a link to a company of another of the actor's workspaces
        if listed:
            names = state.unique_labels({c.id: c.name for c in listed})
            # The choice changes only by a deliberate pick (on_change), never by reading the widget
            # back on a later run; the widget is set from the session before it is drawn.
            state.set_widget("sidebar-company", company.id if company else None)
            st.selectbox(
                t("sidebar.company"), list(names), key="sidebar-company", format_func=names.__getitem__,
                placeholder=t("sidebar.choose_company"), index=list(names).index(company.id) if company else None,
                on_change=_pick, args=("sidebar-company", state.select_company, ctx, list(names)),
            )  # fmt: skip
        else:
            st.caption(t("sidebar.none_company"))

        if company is not None:
            found = assessments.list_assessments(ctx, company.id)
            current = state.current_assessment(ctx)
            if found:
                labels = state.assessment_labels(reversed(found))
                state.set_widget("sidebar-assessment", current.id if current else None)
                st.selectbox(
                    t("sidebar.assessment"), list(labels), key="sidebar-assessment", format_func=labels.__getitem__,
                    placeholder=t("sidebar.choose_assessment"), index=list(labels).index(current.id) if current else None,
                    on_change=_pick, args=("sidebar-assessment", state.select_assessment, ctx, list(labels)),
                )  # fmt: skip
            else:
                st.caption(t("sidebar.none_assessment"))


# The pages of a company's or a consultancy's workspace (a consultancy also has its portfolio). One
# flat list: Streamlit 1.67 draws navigation sections as headers inside its list (axe: "list").
PAGES = [
    ("app_pages/home.py", "nav.home", ":material/home:", "accueil"),
    ("app_pages/company.py", "nav.company", ":material/business:", "entreprise"),
    ("app_pages/participants.py", "nav.participants", ":material/diversity_3:", "participants"),
    ("app_pages/diagnostic.py", "nav.diagnostic", ":material/checklist:", "diagnostic"),
    ("app_pages/coaching.py", "nav.coaching", ":material/co_present:", "seance"),
    ("app_pages/evidence.py", "nav.evidence", ":material/attach_file:", "preuves"),
    ("app_pages/vsme.py", "nav.vsme", ":material/table_chart:", "vsme"),
    ("app_pages/crossed.py", "nav.crossed", ":material/compare_arrows:", "regards-croises"),
    ("app_pages/consensus.py", "nav.consensus", ":material/handshake:", "consensus"),
    ("app_pages/results.py", "nav.results", ":material/radar:", "resultats"),
    ("app_pages/plan.py", "nav.plan", ":material/task_alt:", "plan"),
    ("app_pages/readiness.py", "nav.readiness", ":material/verified:", "preparation-labels"),
    ("app_pages/followup.py", "nav.followup", ":material/timeline:", "suivi"),
    ("app_pages/memberships.py", "nav.memberships", ":material/hub:", "reseaux"),
]
PORTFOLIO_PAGES = [
    ("app_pages/portfolio.py", "nav.portfolio", ":material/work:", "portefeuille"),
    ("app_pages/compare.py", "nav.compare", ":material/stacked_bar_chart:", "comparer"),
]
# The pages of a network's workspace: its members live in their own workspaces.
NETWORK_PAGES = [
    ("app_pages/network.py", "nav.network", ":material/hub:", "reseau"),
    ("app_pages/label.py", "nav.label", ":material/workspace_premium:", "label"),
    ("app_pages/practices.py", "nav.practices", ":material/lightbulb:", "pratiques"),
]
WORKSPACE_PAGE = ("app_pages/workspace.py", "nav.workspace", ":material/groups:", "espace")


def respondent_run() -> None:
    """A respondent's link: their questionnaire and nothing else (no sidebar, no navigation)."""
    session.respondent_context()
    page = st.Page("app_pages/respond.py", title=t("respond.tab"), icon=":material/checklist:", default=True)
    navigation = st.navigation([page], position="hidden")
    st.set_page_config(page_title=f"{t('respond.tab')} · {t('app.title')}", initial_sidebar_state="collapsed")
    navigation.run()


def run() -> None:
    logs.clear()
    logs.bind(request_id=uuid.uuid4().hex[:16], session_id=_session_id())
    if session.is_respondent():
        respondent_run()
        return
    ctx = session.context()
    if ctx is None:  # shared mode, nobody signed in
        session.sign_in_page()
        return
    session.accept_pending_invitation(ctx)
    mine = workspaces.my_workspaces(ctx)  # read once per run: the sidebar and the navigation use it
    if not mine:
        session.no_access_page(ctx)
        return
    ctx.workspace_id = current_workspace(ctx, mine)
    logs.bind(workspace_id=ctx.workspace_id, user_id=ctx.actor.user_id)
    kind = next((w.kind for w, _ in mine if w.id == ctx.workspace_id), "consultancy")
    if kind == "network":
        shown = list(NETWORK_PAGES)
    else:  # the portfolio after the home page, in a consultancy
        shown = [PAGES[0], *(PORTFOLIO_PAGES if kind == "consultancy" else []), *PAGES[1:]]
    if any(allowed(Role(role), Permission.READ_AUDIT) or allowed(Role(role), Permission.MANAGE_MEMBERS) for _, role in mine):
        shown.append(WORKSPACE_PAGE)
    by_path = {path: st.Page(path, title=t(key), icon=icon, url_path=url) for path, key, icon, url in shown}
    pages = list(by_path.values())
    home = pages[0]
    # Streamlit serves its default page at "/" only: "/" is a hidden page that sends to the first page,
    # so that every page, the home page included, has one address that works.
    root = st.Page(
        lambda: st.switch_page(home, query_params=st.query_params.to_dict()),
        title=t("nav.home"), url_path="racine", default=True, visibility="hidden",
    )  # fmt: skip
    navigation = st.navigation([root, *pages], expanded=True)
    wanted = st.session_state.pop("open_page", None)  # a page of another workspace's kind, asked before the switch
    if wanted in by_path:
        st.switch_page(by_path[wanted])
    # each page its own title in the browser tab and for screen readers (WCAG 2.4.2)
    st.set_page_config(page_title=f"{navigation.title} · {t('app.title')}")
    with st.sidebar:
        workspace_choice(ctx, mine)
    sidebar(ctx, network=kind == "network")
    if navigation.url_path:  # not on "/": it only sends on to /accueil, where the message is shown
        session.show_invitation_message()
    state.show_callback_error()
    if navigation.url_path not in ("accueil", "entreprise", "espace") and demo.is_demo(state.current_company(ctx)):
        st.info(t("demo.banner_short"), icon=":material/school:")
    started = time.perf_counter()
    navigation.run()
    took = time.perf_counter() - started
    metrics.page_run(navigation.url_path, took)
    log.info("page run", extra={"page": navigation.url_path, "ms": round(1000 * took, 1)})


def _session_id() -> str | None:
    found = get_script_run_ctx()
    return found.session_id if found is not None else None


try:
    run()
except (OperationalError, StorageUnavailable):
    metrics.ERRORS.labels(kind="database").inc()
    log.exception("database error")
    st.error(t("error.database"))
except NotFound:  # a stale link, or another workspace's id: the same words
    st.warning(t("access.not_found"), icon=":material/search_off:")
except NotAllowed:
    st.error(t("access.not_allowed"), icon=":material/lock:")
except Exception:  # never a traceback in front of a client; the log keeps it for us
    metrics.ERRORS.labels(kind="unexpected").inc()
    log.exception("unexpected error")
    st.error(t("error.unexpected"))
