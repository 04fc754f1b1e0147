"""Bonnes pratiques: a network's good-practice library, as its lead, moderators and viewers see it.

Everyone of the network's workspace searches the published practices (words, dimension, NAF
section, effort) and downloads what they may see (CSV, Excel); the moderators (owner, admin) also
have the queue of practices awaiting moderation: publish, or reject with a note the member reads.
The members' own side is on their company (ui/practice_panels.member_section).
"""

import streamlit as st

from diagnostic.core.errors import DomainError
from diagnostic.core.practices import TEXT_MAX, PracticeView
from diagnostic.i18n import error_text
from diagnostic.services import practices as practice_service
from diagnostic.services.context import Context
from ui import state
from ui.practice_panels import flash, practice_card, search_results, show_flash
from ui.state import t
from ui.text import plain


def moderation_queue(ctx: Context, waiting: list[PracticeView]) -> None:
    if not waiting:
        st.info(t("practice.queue_empty"), icon=":material/task_alt:")
    for p in waiting:
        practice_card(p)
        with st.form(f"practice-moderate-{p.id}", enter_to_submit=False):
            note = st.text_area(t("practice.note"), max_chars=TEXT_MAX, help=t("practice.note_help"))
            left, right = st.columns(2)
            publish = left.form_submit_button(t("practice.publish"), type="primary", icon=":material/check:", width="stretch")
            reject = right.form_submit_button(t("practice.reject"), icon=":material/block:", width="stretch")
        if publish or reject:
            try:
                practice_service.moderate(ctx, p.id, publish, note)
            except DomainError as exc:
                st.error(error_text(exc, ctx.lang), icon=":material/error:")
            else:
                flash(t("practice.published_done") if publish else t("practice.rejected_done"))
                st.rerun()


def downloads(ctx: Context, network_id: int, name: str) -> None:
    """The library as CSV and Excel, built when clicked (in Streamlit's thread: a unit of work of its own)."""
    slug = "-".join("".join(c if c.isalnum() else " " for c in name.lower()).split())[:60] or "reseau"
    left, right = st.columns(2)
    left.download_button(
        t("practice.export_csv"), data=lambda: practice_service.export_csv(ctx.fresh(), network_id),
        file_name=f"{t('practice.file_name')}-{slug}.csv", mime="text/csv", on_click="ignore", icon=":material/download:",
    )  # fmt: skip
    right.download_button(
        t("practice.export_xlsx"), data=lambda: practice_service.export_xlsx(ctx.fresh(), network_id),
        file_name=f"{t('practice.file_name')}-{slug}.xlsx", on_click="ignore", icon=":material/download:",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )  # fmt: skip


def library_section(ctx: Context, network_id: int, name: str) -> None:
    search_results(ctx, network_id, f"practice-library-{network_id}")
    st.divider()
    downloads(ctx, network_id, name)


def main(ctx: Context) -> None:
    st.title(t("practice.title"))
    networks = practice_service.networks(ctx)
    if not networks:
        st.info(t("practice.no_network"), icon=":material/info:")
        st.stop()
    names = state.unique_labels({n.id: n.name for n in networks})
    ids = list(names)
    network_id = ctx.workspace_id if ctx.workspace_id in ids else ids[0]
    if len(ids) > 1 and ctx.workspace_id not in ids:  # the sidebar's workspace is no network: choose here
        network_id = st.selectbox(t("practice.network"), ids, format_func=names.__getitem__, key="practice-network")
    st.caption(t("practice.intro", network=plain(names[network_id])))
    show_flash()

    if not practice_service.may_moderate(ctx, network_id):
        library_section(ctx, network_id, names[network_id])
        return
    waiting = practice_service.queue(ctx, network_id)
    library_tab, queue_tab = st.tabs([t("practice.tab_library"), t("practice.tab_queue", count=len(waiting))])
    with library_tab:
        library_section(ctx, network_id, names[network_id])
    with queue_tab:
        moderation_queue(ctx, waiting)

if __name__ == "__main__":
    main(state.context())
