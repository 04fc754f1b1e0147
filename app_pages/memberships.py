"""Réseaux: the networks the current company belongs to, its consent to share its results with each,
the anonymous benchmarks it gets in return, joining with a code and leaving.

Give to get: a network sees a member's results only while the member shares them, and a member
sees a network's benchmark only while it shares.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd
import streamlit as st

from diagnostic.core.benchmark import BENCHMARK_MIN, Benchmark, Figures
from diagnostic.core.errors import DomainError
from diagnostic.core.roles import Permission
from diagnostic.i18n import error_text, format_date, format_score
from diagnostic.services import companies as company_service
from diagnostic.services import networks
from diagnostic.services.context import Context
from diagnostic.services.networks import Membership
from ui import label_panels, practice_panels, state
from ui.state import t
from ui.text import plain

JOINED = "membership_joined"  # the network just joined, to say so once


def figures_table(figures: Figures, titles: Mapping[str, str]) -> None:
    lang = state.lang()
    rows = [(t("benchmark.overall"), figures.overall)] + [(titles.get(d, d), q) for d, q in figures.dimensions.items()]
    st.table(pd.DataFrame([
        {t("benchmark.col_dimension"): name, t("benchmark.col_q1"): format_score(q.q1, lang),
         t("benchmark.col_median"): format_score(q.median, lang), t("benchmark.col_q3"): format_score(q.q3, lang),
         t("benchmark.col_n"): q.n}
        for name, q in rows if q is not None
    ]))  # fmt: skip


def benchmark_part(found: Benchmark | None) -> None:
    if found is None or found.figures.empty:
        count = found.figures.contributors if found else 0
        st.caption(t("benchmark.too_few", min=BENCHMARK_MIN, count=count))
        return
    titles = found.titles
    st.markdown(f"**{t('benchmark.network_title', network=plain(found.network))}**")
    figures_table(found.figures, titles)
    if found.section is not None and found.sector_figures is not None:
        if found.sector_figures.empty:
            st.caption(t("benchmark.sector_too_few", section=found.section, min=BENCHMARK_MIN))
        else:
            st.markdown(f"**{t('benchmark.sector_title', section=found.section)}**")
            figures_table(found.sector_figures, titles)


def network_card(ctx: Context, company_id: int, m: Membership, found: Benchmark | None, editable: bool) -> None:
    lang = state.lang()
    member = m.member
    with st.container(border=True):
        st.header(m.network, anchor=False)
        st.caption(t("membership.joined", date=format_date(member.joined_on, lang)))
        if member.consent_changed_at is not None:
            who = t("membership.local_owner") if member.consent_by in ("", "local") else member.consent_by  # local mode
            st.caption(
                t("membership.consent_changed", date=format_date(member.consent_changed_at, lang), who=plain(who))
            )
        shares = st.toggle(
            t("membership.share"), value=member.shares, disabled=not editable, key=f"share-{m.network_id}",
            help=t("membership.share_help"),
        )  # fmt: skip
        if editable and shares != member.shares:
            networks.set_consent(ctx, company_id, m.network_id, shares)
            st.rerun()
        if member.shares:
            benchmark_part(found)
        else:
            st.info(t("membership.give_to_get"), icon=":material/handshake:")
        if editable:
            with st.popover(t("membership.leave"), icon=":material/logout:"):
                st.markdown(t("membership.leave_sure", network=plain(m.network)))
                if st.button(t("membership.leave_confirm"), key=f"leave-{m.network_id}", type="primary"):
                    networks.leave(ctx, company_id, m.network_id)
                    st.rerun()


def join_form(ctx: Context, company_id: int) -> None:
    st.header(t("membership.join"))
    st.caption(t("membership.join_help"))
    with st.form("join-network", border=True, clear_on_submit=True):
        code = st.text_input(t("membership.code"), max_chars=200, type="password")
        if st.form_submit_button(t("membership.join_button"), type="primary", icon=":material/hub:"):
            try:
                joined = networks.join(ctx, company_id, code)
            except DomainError as exc:
                st.error(error_text(exc, state.lang()), icon=":material/error:")
            else:  # said on the next run, above the list that now shows the network
                st.session_state[JOINED] = joined.network
                st.rerun()


def main(ctx: Context) -> None:
    st.title(t("membership.title"))
    company = state.current_company(ctx)
    if company is None:
        st.info(t("empty.no_company"))
        st.page_link("app_pages/company.py", label=t("empty.go_company"), icon=":material/business:")
        return
    st.caption(plain(company.name))
    just_joined = st.session_state.pop(JOINED, None)
    if just_joined:
        st.success(t("membership.joined_now", network=plain(just_joined)), icon=":material/check_circle:")
    editable = company_service.may(ctx, Permission.EDIT, company.id)
    joined = networks.member_networks(ctx, company.id)
    if not joined:
        st.info(t("membership.none"), icon=":material/hub:")
    else:
        st.markdown(t("membership.intro"))
        benchmarks = {b.network_id: b for b in networks.benchmark_for(ctx, company.id)}
        for m in joined:
            network_card(ctx, company.id, m, benchmarks.get(m.network_id), editable)
        label_panels.member_section(ctx, company.id)  # the networks' labels: apply, follow, the decision letter
        practice_panels.member_section(ctx, company.id)  # publish a practice, browse the networks' libraries
    if editable:
        join_form(ctx, company.id)


if __name__ == "__main__":
    main(state.context())
