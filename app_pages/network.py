"""Réseau: a network's dashboard — its members and their consent, levels, scores by dimension,
progress, common weaknesses and plans, the anonymous benchmark, join codes and groups.

Every figure comes from the service (diagnostic/services/networks.py, the read model): a sharing
member's latest completed assessment, never an answer or a comment of a member.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd
import streamlit as st

from diagnostic.core.benchmark import BENCHMARK_MIN, Figures
from diagnostic.core.errors import DomainError
from diagnostic.core.roles import Role
from diagnostic.i18n import error_text, format_date, format_percent, format_score, headcount_label
from diagnostic.services import networks, workspaces
from diagnostic.services.context import Context
from diagnostic.services.networks import Dashboard, GroupView, MemberView
from ui import state
from ui.network_charts import dimensions_figure, levels_figure, period_label, progress_figure
from ui.state import t
from ui.text import plain

CHART = {"displayModeBar": False}
CODE_STATES = {
    "pending": "network.code_state_pending", "used": "network.code_state_used", "revoked": "network.code_state_revoked",
    "expired": "network.code_state_expired",
}  # fmt: skip


def _refused(exc: DomainError) -> None:
    st.error(error_text(exc, state.lang()), icon=":material/error:")


def overview(board: Dashboard) -> None:
    lang = state.lang()
    members, sharing = len(board.members), board.sharing
    assessed = sharing - board.without_assessment
    a, b, c = st.columns(3)
    a.metric(t("network.members_count"), members)
    b.metric(t("network.sharing_count"), sharing)
    c.metric(t("network.assessed_count"), assessed)
    if not sharing:
        st.info(t("network.nobody_shares"), icon=":material/visibility_off:")
        return
    if board.levels:
        st.header(t("network.levels"))
        st.plotly_chart(levels_figure(board.levels, lang), config=CHART, key="levels")
    if board.without_assessment:
        st.caption(t("network.without_assessment", count=board.without_assessment))
    if board.dimensions:
        st.header(t("network.dimensions"))
        st.plotly_chart(dimensions_figure(board.dimensions), config=CHART, key="dimensions")
    if board.progress:
        st.header(t("network.progress"))
        st.plotly_chart(progress_figure(board.progress, lang), config=CHART, key="progress")
        st.caption(t("network.progress_help"))
        st.table(pd.DataFrame([
            {t("network.col_period"): period_label(p, lang), t("network.col_median"): format_score(p.median, lang),
             t("network.col_assessments"): p.assessments}
            for p in board.progress
        ]))  # fmt: skip


def benchmark_table(figures: Figures, titles: dict[str, str]) -> None:
    lang = state.lang()
    rows = [(t("network.overall"), figures.overall)] + [(titles.get(d, d), q) for d, q in figures.dimensions.items()]
    st.table(pd.DataFrame([
        {t("benchmark.col_dimension"): name, t("benchmark.col_q1"): format_score(q.q1, lang),
         t("benchmark.col_median"): format_score(q.median, lang), t("benchmark.col_q3"): format_score(q.q3, lang),
         t("benchmark.col_n"): q.n}
        for name, q in rows if q is not None
    ]))  # fmt: skip


def benchmark(board: Dashboard) -> None:
    st.header(t("network.benchmark"))
    st.caption(t("benchmark.method", min=BENCHMARK_MIN))
    if board.benchmark.empty:
        st.info(
            t("benchmark.too_few", min=BENCHMARK_MIN, count=board.benchmark.contributors), icon=":material/group_off:"
        )
        return
    benchmark_table(board.benchmark, {d.id: d.title for d in board.dimensions})


def frequent(board: Dashboard) -> None:
    if board.weaknesses:
        st.header(t("network.weaknesses"))
        st.caption(t("network.weaknesses_help"))
        st.table(
            pd.DataFrame(
                [{t("network.col_question"): w.text, t("network.col_members"): w.count} for w in board.weaknesses]
            )
        )
    if board.recommendations:
        st.header(t("network.recommendations"))
        st.caption(t("network.recommendations_help"))
        st.table(
            pd.DataFrame(
                [
                    {t("network.col_recommendation"): r.text, t("network.col_members"): r.count}
                    for r in board.recommendations
                ]
            )
        )


def member_row(m: MemberView) -> dict[str, object]:
    lang = state.lang()
    c, r = m.company, m.result
    return {
        t("network.col_member"): c.name,
        t("network.col_sector"): c.sector or "—",
        t("network.col_size"): headcount_label(c.headcount_band, lang),
        t("network.col_joined"): format_date(c.member.joined_on, lang, "medium"),
        t("network.col_shares"): t("network.yes") if m.shares else t("network.no"),
        t("network.col_completed"): format_date(r.completed_at, lang, "medium") if r else "—",
        t("network.col_overall"): format_score(r.overall, lang) if r else "—",
        t("network.col_level"): (f"{r.level_rank} · {r.level}" if r.level else t("network.no_level")) if r else "—",
        t("network.col_coverage"): format_percent(r.coverage, lang) if r else "—",
    }


def members(ctx: Context, board: Dashboard, lead: bool) -> None:
    st.header(t("network.members"))
    if not board.members:
        st.info(t("network.no_members"))
    else:
        st.dataframe(pd.DataFrame([member_row(m) for m in board.members]), hide_index=True, width="stretch")
        st.caption(t("network.members_help"))
    if not lead or not board.members:
        return
    names = state.unique_labels({m.id: m.company.name for m in board.members})
    with st.form("remove-member", border=True):
        chosen = st.selectbox(t("network.remove_which"), list(names), format_func=names.__getitem__, index=None)
        sure = st.checkbox(t("network.remove_sure"))
        if st.form_submit_button(t("network.remove"), icon=":material/person_remove:"):
            if chosen is None or not sure:
                st.warning(t("network.remove_confirm"))
            else:
                networks.remove_member(ctx, board.network.id, chosen)
                st.rerun()


def join_codes(ctx: Context, network_id: int) -> None:
    lang = state.lang()
    st.header(t("network.codes"))
    st.caption(t("network.codes_help"))
    with st.form("join-code", border=True):
        note = st.text_input(t("network.code_note"), max_chars=networks.NOTE_MAX, help=t("network.code_note_help"))
        days = st.number_input(
            t("network.code_days"), min_value=1, max_value=networks.JOIN_CODE_MAX_DAYS, value=networks.JOIN_CODE_DAYS
        )
        if st.form_submit_button(t("network.code_make"), type="primary", icon=":material/key:"):
            try:
                issued = networks.make_join_code(ctx, network_id, note, int(days))
            except DomainError as exc:
                _refused(exc)
            else:
                st.success(t("network.code_once"))
                st.code(issued.token, language=None)
    now = datetime.now(UTC)
    for code in reversed(networks.join_codes(ctx, network_id)):
        state_now = code.state(now)
        with st.container(horizontal=True, vertical_alignment="center"):
            st.markdown(
                f"n° {code.id} · {plain(code.note) or '—'} · {t(CODE_STATES[state_now])} · "
                f"{t('network.code_expires', date=format_date(code.expires_at, lang, 'medium'))}"
            )
            if state_now == "pending" and st.button(t("network.code_revoke"), key=f"revoke-code-{code.id}"):
                networks.revoke_join_code(ctx, network_id, code.id)
                st.rerun()


def group_section(ctx: Context, board: Dashboard, view: GroupView, lead: bool) -> None:
    names = {m.id: m.company.name for m in board.members}
    with st.container(border=True):
        level = view.level
        st.subheader(view.group.name)
        if not view.members:
            st.caption(t("network.group_empty"))
        elif level.established:
            st.markdown(t("network.group_level", level=f"{level.rank} · {plain(view.level_name or '—')}"))
        else:
            who = ", ".join(plain(names.get(i, str(i))) for i in level.missing)
            st.warning(t("network.group_not_established", members=who), icon=":material/hourglass_top:")
        for member_id, reason in view.reasons.items():
            if reason.next_level is None:
                st.markdown(t("network.group_top", member=plain(names.get(member_id, ""))))
                continue
            lines = [t("network.held_back", member=plain(names.get(member_id, "")), level=plain(reason.next_level))]
            if reason.overall_short:
                lines.append("- " + t("network.held_back_overall"))
            if reason.dimensions:
                lines.append(
                    "- " + t("network.held_back_dimensions", dimensions=", ".join(plain(d) for d in reason.dimensions))
                )
            for text in reason.critical:
                lines.append("- " + t("network.held_back_critical", question=plain(text)))
            st.markdown("\n".join(lines))
        if view.members:
            st.caption(" · ".join(plain(m.company.name) for m in view.members))
        if not lead:
            return
        group_id = view.group.id
        inside = set(view.group.member_ids)
        can_join = {m.id: m.company.name for m in board.members if m.shares and m.id not in inside}
        left, right = st.columns(2)
        with left.form(f"group-add-{group_id}", border=False):
            chosen = st.selectbox(
                t("network.group_add_which"), list(can_join), format_func=can_join.__getitem__, index=None
            )
            if st.form_submit_button(t("network.group_add"), icon=":material/group_add:") and chosen is not None:
                try:
                    networks.add_to_group(ctx, board.network.id, group_id, chosen)
                except DomainError as exc:
                    _refused(exc)
                else:
                    st.rerun()
        with right.form(f"group-remove-{group_id}", border=False):
            present = {i: names.get(i, str(i)) for i in view.group.member_ids}
            out = st.selectbox(
                t("network.group_remove_which"), list(present), format_func=present.__getitem__, index=None
            )
            if st.form_submit_button(t("network.group_remove"), icon=":material/group_remove:") and out is not None:
                networks.remove_from_group(ctx, board.network.id, group_id, out)
                st.rerun()
        if st.button(t("network.group_delete"), key=f"group-delete-{group_id}", icon=":material/delete:"):
            networks.delete_group(ctx, board.network.id, group_id)
            st.rerun()


def groups(ctx: Context, board: Dashboard, lead: bool) -> None:
    st.header(t("network.groups"))
    st.caption(t("network.groups_help"))
    for view in board.groups:
        group_section(ctx, board, view, lead)
    if lead:
        with st.form("group-create", border=True):
            name = st.text_input(t("network.group_name"), max_chars=networks.GROUP_NAME_MAX)
            if st.form_submit_button(t("network.group_create"), icon=":material/add:"):
                try:
                    networks.create_group(ctx, board.network.id, name)
                except DomainError as exc:
                    _refused(exc)
                else:
                    st.rerun()


def main(ctx: Context) -> None:
    mine = {w.id: (w, role) for w, role in workspaces.my_workspaces(ctx)}
    found = mine.get(ctx.workspace_id) if ctx.workspace_id is not None else None
    if found is None or found[0].kind != "network":
        st.title(t("network.title_none"))
        st.info(t("network.not_a_network"), icon=":material/hub:")
        return
    workspace, role = found
    board = networks.dashboard(ctx, workspace.id)
    lead = Role(role) in (Role.OWNER, Role.ADMIN)
    st.title(t("network.title", name=plain(workspace.name)))
    st.caption(t("network.intro"))
    overview(board)
    benchmark(board)
    frequent(board)
    members(ctx, board, lead)
    if lead:
        join_codes(ctx, workspace.id)
    groups(ctx, board, lead)


if __name__ == "__main__":
    main(state.context())
