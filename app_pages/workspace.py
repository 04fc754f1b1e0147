"""Espace de travail: members and their roles, invitation links, and the audit log (owners and admins)."""

from __future__ import annotations

import streamlit as st

from diagnostic import settings
from diagnostic.core.roles import NotAllowed, Role, roles_for
from diagnostic.exports.audit import audit_csv
from diagnostic.i18n import catalogue, format_date
from diagnostic.services import companies as company_service
from diagnostic.services import workspaces
from diagnostic.services.context import Context
from ui import state
from ui.state import t
from ui.text import plain


def actor_label(actor: str) -> str:
    """Who, in words: the implicit owner of local mode and the command line are named in the user's language."""
    return {"local": t("workspace.local_owner"), "ligne de commande": t("audit.operator")}.get(actor, actor)


def action_label(action: str) -> str:
    key = "audit.action." + action
    return t(key) if key in catalogue(state.lang()) else action


def target_label(target: str) -> str:
    kind, _, number = target.partition(":")
    key = "audit.target." + kind
    return t(key, id=number) if number and key in catalogue(state.lang()) else target


def members_section(ctx: Context, workspace_id: int, manage: bool) -> None:
    st.header(t("workspace.members"))
    names = {c.id: c.name for c in company_service.list_companies(ctx)}
    for member in workspaces.members(ctx, workspace_id):
        with st.container(border=True, horizontal=True, vertical_alignment="center"):
            scope = ", ".join(plain(names.get(i, f"n° {i}")) for i in member.company_ids)
            st.markdown(f"**{plain(member.user_label or t('workspace.local_owner'))}** · {t('role.' + member.role)}"
                        + (f" · {scope}" if scope else ""))  # fmt: skip
            if manage and member.user_id != ctx.actor.user_id:
                if st.button(t("workspace.remove"), key=f"remove-{member.user_id}", icon=":material/person_remove:"):
                    try:
                        workspaces.remove_member(ctx, workspace_id, member.user_id)
                    except NotAllowed:
                        st.error(t("workspace.cannot_remove"))
                    else:
                        st.rerun()


def invitations_section(ctx: Context, workspace_id: int, kind: str) -> None:
    st.header(t("workspace.invitations"))
    if settings.mode() == settings.LOCAL:
        st.info(t("workspace.local_no_invites"), icon=":material/info:")
        return
    names = {c.id: c.name for c in company_service.list_companies(ctx) if c.workspace_id == workspace_id}
    # a network has label reviewers and a committee, not consultants nor company managers; elsewhere the reverse
    roles = [r.value for r in roles_for(kind)]
    default = "consultant" if "consultant" in roles else "viewer"
    with st.form("invite", border=True):
        role = st.selectbox(t("workspace.role"), roles, index=roles.index(default), format_func=lambda r: t("role." + r))
        chosen = st.multiselect(t("workspace.companies"), list(names), format_func=names.__getitem__,
                                help=t("workspace.companies_help"))  # fmt: skip
        email = st.text_input(t("workspace.email"), max_chars=320, help=t("workspace.email_help"))
        days = st.number_input(t("workspace.days"), min_value=1, max_value=workspaces.MAX_INVITATION_DAYS, value=7)
        if st.form_submit_button(t("workspace.invite"), type="primary", icon=":material/link:"):
            try:
                issued = workspaces.invite(
                    ctx, workspace_id, role, tuple(chosen) if role == Role.COMPANY_MANAGER else (), email, int(days)
                )
            except NotAllowed:
                st.error(t("access.not_allowed"))
            except ValueError:
                st.error(t("workspace.invite_invalid"))
            else:
                st.success(t("workspace.link_once"))
                st.code(f"{settings.public_url(st.context.url)}/?invite={issued.token}", language=None)
    for invitation in reversed(workspaces.invitations(ctx, workspace_id)):
        from datetime import UTC, datetime

        state_now = invitation.state(datetime.now(UTC))
        with st.container(horizontal=True, vertical_alignment="center"):
            st.markdown(
                f"n° {invitation.id} · {t('role.' + invitation.role)} · {plain(invitation.email) or '—'} · "
                f"{t('invite.state.' + state_now)} · {t('workspace.expires', date=format_date(invitation.expires_at, ctx.lang))}"
            )
            if state_now == "pending" and st.button(t("workspace.revoke"), key=f"revoke-{invitation.id}"):
                workspaces.revoke_invitation(ctx, workspace_id, invitation.id)
                st.rerun()


def audit_section(ctx: Context, workspace_id: int) -> None:
    st.header(t("workspace.audit"))
    events = workspaces.audit_log(ctx, workspace_id)
    if not events:
        st.caption(t("workspace.audit_empty"))
        return
    st.dataframe(
        [{t("workspace.col_at"): e.at.strftime("%Y-%m-%d %H:%M"), t("workspace.col_actor"): actor_label(e.actor),
          t("workspace.col_action"): action_label(e.action), t("workspace.col_target"): target_label(e.target),
          t("workspace.col_detail"): e.detail}
         for e in events],
        hide_index=True, width="stretch",
    )  # fmt: skip
    st.download_button(t("workspace.audit_export"), lambda: audit_csv(events).encode("utf-8-sig"), file_name="journal-audit.csv",
                       mime="text/csv", on_click="ignore",
                       icon=":material/download:")  # fmt: skip


def main(ctx: Context) -> None:
    mine = dict((w.id, (w, role)) for w, role in workspaces.my_workspaces(ctx))
    if ctx.workspace_id not in mine:
        st.info(t("access.not_found"))
        return
    workspace, role = mine[ctx.workspace_id]
    st.title(t("workspace.title", name=plain(workspace.name)))
    st.caption(t("workspace.your_role", role=t("role." + role)))
    manage = Role(role) in (Role.OWNER, Role.ADMIN)
    members_section(ctx, workspace.id, manage)
    if manage:
        invitations_section(ctx, workspace.id, workspace.kind)
        audit_section(ctx, workspace.id)



if __name__ == "__main__":
    main(state.context())
