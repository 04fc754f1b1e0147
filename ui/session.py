"""Who is acting in this browser session: the local owner, or the person signed in with OpenID Connect.

The identity is the provider's issuer + subject (st.user.iss, st.user.sub), never the e-mail alone;
rights are read from our database at each use case (diagnostic/services/access.py).
"""

from __future__ import annotations

import logging

import streamlit as st

from diagnostic import settings
from diagnostic.services import workspaces
from diagnostic.services.context import Actor, Context
from diagnostic.storage.database import database_url, get_engine
from diagnostic.storage.uow import SqlUnitOfWork
from ui import state
from ui.state import t

log = logging.getLogger("autodiag")
ACTOR = "_actor"  # (identity, Actor) of this session
INVITE_COOKIE = "autodiag_invite"  # set by serve.py from ?invite=, so the link survives the sign-in round trip


def _unit_of_work() -> SqlUnitOfWork:
    return SqlUnitOfWork(get_engine(database_url()))


def _identity() -> tuple[str, str, str, str] | None:
    if not st.user.is_logged_in:
        return None
    return (str(st.user.get("iss") or ""), str(st.user.get("sub") or ""), str(st.user.get("email") or ""),
            str(st.user.get("name") or ""))  # fmt: skip


def _actor(uow: SqlUnitOfWork) -> Actor | None:
    """The session's actor (kept in the session: the sign-in write happens once per session)."""
    if settings.mode() == settings.LOCAL:
        identity: tuple[str, ...] = ("local",)
    else:
        signed = _identity()
        if signed is None:
            return None
        identity = signed
    cached = st.session_state.get(ACTOR)
    if cached is not None and cached[0] == identity:
        return cached[1]
    if identity == ("local",):
        actor = workspaces.local_actor(uow)
    else:
        actor = workspaces.signed_in_actor(uow, *identity)
    st.session_state[ACTOR] = (identity, actor)
    return actor


def context() -> Context | None:
    """This run's context; None when nobody is signed in (shared mode): the sign-in page is drawn."""
    uow = _unit_of_work()
    actor = _actor(uow)
    if actor is None:
        return None
    ctx = Context(uow, actor, state.lang())
    st.session_state[state.CONTEXT] = ctx
    return ctx


RESPONDENT = Actor(user_id=None, label="")  # no account and no grant: only their link's key opens anything


def is_respondent() -> bool:
    """Does this browser session answer through a respondent link (now, or earlier in the session)?"""
    return bool(st.query_params.get("repondre")) or "respondent_key" in st.session_state or "respondent_done" in st.session_state


def respondent_context() -> Context:
    ctx = Context(_unit_of_work(), RESPONDENT, state.lang())
    st.session_state[state.CONTEXT] = ctx
    return ctx


def sign_in_page() -> None:
    """Shared mode, nobody signed in: what the app is, and the one thing to do."""
    if "auth" not in st.secrets:
        st.error(t("auth.not_configured"))
        return
    st.title(t("app.title"))
    st.markdown(t("auth.intro"))
    if st.query_params.get("invite") or st.context.cookies.get(INVITE_COOKIE):
        st.info(t("auth.invited"), icon=":material/mail:")
    st.button(t("auth.sign_in"), type="primary", on_click=st.login, icon=":material/login:")


def accept_pending_invitation(ctx: Context) -> None:
    """An invitation link opened (now, or before signing in: the cookie) becomes a membership."""
    from_url = st.query_params.get("invite")
    token = from_url or st.context.cookies.get(INVITE_COOKIE)
    if not token or ctx.actor.local or st.session_state.get("_invite_done") == token:
        return
    st.session_state["_invite_done"] = token
    if from_url:
        del st.query_params["invite"]
    try:
        workspace = workspaces.accept_invitation(
            ctx, token, email=str(st.user.get("email") or ""), email_verified=st.user.get("email_verified")  # type: ignore[arg-type]
        )
    except workspaces.InvitationRefused as refused:
        # a link kept in the cookie and already used by this person is no news
        if from_url or not workspaces.my_workspaces(ctx):
            st.session_state["_invite_message"] = ("error", t(refused.code))
        return
    st.session_state["_invite_message"] = ("success", t("invite.accepted", workspace=workspace.name))
    st.session_state.workspace_id = workspace.id  # open the workspace just joined


def show_invitation_message() -> None:
    message = st.session_state.pop("_invite_message", None)
    if message:
        kind, text = message
        (st.success if kind == "success" else st.error)(text)


def no_access_page(ctx: Context) -> None:
    """Signed in, member of nothing: say so, and take an invitation link."""
    st.title(t("app.title"))
    show_invitation_message()
    st.warning(t("auth.no_access", who=ctx.actor.label), icon=":material/lock:")
    link = st.text_input(t("auth.paste_link"), key="pasted-invite", max_chars=500)
    if st.button(t("auth.use_link"), type="primary"):
        token = link.strip().rsplit("invite=", 1)[-1].split("&", 1)[0]
        st.session_state.pop("_invite_done", None)
        try:
            workspace = workspaces.accept_invitation(
                ctx, token, email=str(st.user.get("email") or ""), email_verified=st.user.get("email_verified")  # type: ignore[arg-type]
            )
        except workspaces.InvitationRefused as refused:
            st.error(t(refused.code))
        else:
            st.session_state["_invite_message"] = ("success", t("invite.accepted", workspace=workspace.name))
            st.session_state.workspace_id = workspace.id
            st.rerun()
    st.button(t("auth.sign_out"), on_click=st.logout, icon=":material/logout:")
