"""The good-practice library on screen: a practice's card and the search filters (shared with the
network's page, app_pages/practices.py), the member company's section (publish, its own practices,
the library), and the hints beside a recommendation.

`practice_hints` is called once per recommendation: the practices it ranks are read once per run
of the page (`_hint_source`), not once per call.
"""

from __future__ import annotations

import streamlit as st

from diagnostic.core.errors import DomainError
from diagnostic.core.practices import (
    CONTACT_MAX,
    EFFORT_KEYS,
    EFFORTS,
    SECTION_KEYS,
    SECTIONS,
    STATUS_KEYS,
    TEXT_MAX,
    TITLE_MAX,
    PracticeInput,
    PracticeView,
)
from diagnostic.core.schema import HEADCOUNT_BANDS
from diagnostic.i18n import error_text, format_date, headcount_label
from diagnostic.services import practices as practice_service
from diagnostic.services.context import Context
from ui.state import lang, t
from ui.text import plain

FLASH = "practice_flash"  # a message to show after the rerun that follows a change
_HINTS = "_practice_hint_source"  # (the run's Context, company id, HintSource): read once per run


def flash(message: str) -> None:
    st.session_state[FLASH] = message


def show_flash() -> None:
    message = st.session_state.pop(FLASH, None)
    if message:
        st.success(message, icon=":material/check_circle:")


def effort_label(effort: int) -> str:
    return f"{'●' * effort}{'○' * (3 - effort)} {t(EFFORT_KEYS[effort])}" if effort in EFFORT_KEYS else str(effort)


def sector_label(section: str | None) -> str:
    return f"{section} — {t(SECTION_KEYS[section])}" if section in SECTION_KEYS else t("practice.any_sector")


def status_label(status: str) -> str:
    return t(STATUS_KEYS[status]) if status in STATUS_KEYS else status


def practice_card(p: PracticeView, *, show_status: bool = False) -> None:
    """One practice: title, member, effort, sector, size, what was done and its results, the
    dimensions and questions it concerns, the contact when the member agreed to one."""
    links = practice_service.links()
    here = lang()
    with st.container(border=True):
        st.markdown(f"**{plain(p.title)}**")
        meta = [p.member_name or t("practice.member_left"), effort_label(p.effort)]
        if p.sector:
            meta.append(sector_label(p.sector))
        if p.size:
            meta.append(headcount_label(p.size, here))
        meta.append(format_date(p.published_at or p.submitted_at, here, "medium"))
        st.caption(plain(" · ".join(meta)))
        if show_status:
            st.markdown(t("practice.status_line", status=status_label(p.status)))
            if p.moderation_note:
                st.markdown(t("practice.note_line", note=plain(p.moderation_note)))
        st.markdown(plain(p.done))
        if p.results:
            st.markdown(t("practice.results_line", results=plain(p.results)))
        if p.dimension_ids:
            st.caption(t("practice.dimensions_linked", names=plain(", ".join(links.dimension_label(d, here) for d in p.dimension_ids))))
        for qid in p.question_ids:
            st.caption(f":material/help: {plain(links.question_label(qid, here))}")
        if p.contact:
            st.markdown(f":material/mail: {t('practice.contact_line', contact=plain(p.contact))}")


def search_filters(key: str) -> tuple[str, str | None, str | None, int | None]:
    """The library's search: words, dimension, NAF section, effort (None: any)."""
    links = practice_service.links()
    here = lang()
    text = st.text_input(t("practice.search"), key=f"{key}-text", max_chars=200, placeholder=t("practice.search_hint"))
    left, middle, right = st.columns(3)
    dimension = left.selectbox(
        t("practice.filter_dimension"), [None, *links.dimension_ids], key=f"{key}-dimension",
        format_func=lambda d: t("practice.any_dimension") if d is None else links.dimension_label(d, here),
    )  # fmt: skip
    sector = middle.selectbox(
        t("practice.filter_sector"), [None, *SECTIONS], key=f"{key}-sector", format_func=sector_label
    )
    effort = right.selectbox(
        t("practice.filter_effort"), [None, *EFFORTS], key=f"{key}-effort",
        format_func=lambda e: t("practice.any_effort") if e is None else effort_label(e),
    )  # fmt: skip
    return text, dimension, sector, effort


def search_results(ctx: Context, network_id: int, key: str) -> None:
    text, dimension, sector, effort = search_filters(key)
    found = practice_service.search(ctx, network_id, text, dimension, sector, effort)
    st.caption(t("practice.found", count=len(found)))
    for p in found:
        practice_card(p)


# --- the member's side ----------------------------------------------------------------------------------


def practice_form(key: str, company_sector: str | None, company_size: str | None, initial: PracticeView | None = None,
                  disabled: bool = False) -> PracticeInput | None:  # fmt: skip
    """The form to publish (or edit) a practice; what was filled in when it is sent, else None."""
    links = practice_service.links()
    here = lang()
    with st.form(key, enter_to_submit=False):
        title = st.text_input(t("practice.field_title"), value=initial.title if initial else "", max_chars=TITLE_MAX)
        done = st.text_area(t("practice.field_done"), value=initial.done if initial else "", max_chars=TEXT_MAX,
                            help=t("practice.field_done_help"))  # fmt: skip
        results = st.text_area(t("practice.field_results"), value=initial.results if initial else "", max_chars=TEXT_MAX,
                               help=t("practice.field_results_help"))  # fmt: skip
        effort = st.radio(t("practice.field_effort"), EFFORTS, index=(initial.effort if initial else 2) - 1,
                          format_func=effort_label, horizontal=True)  # fmt: skip
        dimensions = st.multiselect(
            t("practice.field_dimensions"), links.dimension_ids, default=list(initial.dimension_ids) if initial else [],
            format_func=lambda d: links.dimension_label(d, here),
        )  # fmt: skip
        questions = st.multiselect(
            t("practice.field_questions"), links.question_ids, default=list(initial.question_ids) if initial else [],
            format_func=lambda q: f"{links.dimension_label(links.dimension_of[q], here)} · {links.question_label(q, here)}",
            help=t("practice.field_questions_help"),
        )  # fmt: skip
        left, right = st.columns(2)
        sectors = [None, *SECTIONS]
        sector = left.selectbox(
            t("practice.field_sector"), sectors, index=sectors.index(initial.sector) if initial and initial.sector in sectors else 0,
            format_func=lambda s: t("practice.company_sector", sector=company_sector or "—") if s is None else sector_label(s),
        )  # fmt: skip
        sizes = [None, *HEADCOUNT_BANDS]
        size = right.selectbox(
            t("practice.field_size"), sizes, index=sizes.index(initial.size) if initial and initial.size in sizes else 0,
            format_func=lambda s: t("practice.company_size", size=headcount_label(company_size, here)) if s is None
            else headcount_label(s, here),
        )  # fmt: skip
        may_contact = st.checkbox(t("practice.may_contact"), value=bool(initial and initial.contact))
        contact = st.text_input(t("practice.field_contact"), value=initial.contact if initial else "", max_chars=CONTACT_MAX,
                                help=t("practice.field_contact_help"))  # fmt: skip
        sent = st.form_submit_button(
            t("practice.send_edit") if initial else t("practice.send"), type="primary", icon=":material/send:", disabled=disabled
        )
    if not sent:
        return None
    return PracticeInput(title, done, results, effort, tuple(questions), tuple(dimensions), sector, size, may_contact, contact)


def _own_practice(ctx: Context, p: PracticeView, sector: str | None, size: str | None) -> None:
    practice_card(p, show_status=True)
    if not p.editable:
        return
    with st.expander(t("practice.edit"), icon=":material/edit:"):
        st.caption(t("practice.edit_help"))
        given = practice_form(f"practice-edit-{p.id}", sector, size, initial=p)
        if given is not None:
            try:
                practice_service.edit(ctx, p.id, given)
            except DomainError as exc:
                st.error(error_text(exc, lang()), icon=":material/error:")
            else:
                flash(t("practice.sent"))
                st.rerun()
    if p.status != "withdrawn" and st.button(t("practice.withdraw"), key=f"practice-withdraw-{p.id}", icon=":material/undo:"):
        try:
            practice_service.withdraw(ctx, p.id)
        except DomainError as exc:
            st.error(error_text(exc, lang()), icon=":material/error:")
        else:
            flash(t("practice.withdrawn_done"))
            st.rerun()


def member_section(ctx: Context, company_id: int) -> None:
    """For each network of the company: publish a practice, the company's own practices (status,
    moderation note), the network's library. Nothing when the company belongs to no network."""
    memberships = practice_service.networks_of(ctx, company_id)
    if not memberships:
        return
    editable = practice_service.may_publish(ctx, company_id)
    show_flash()
    for member in memberships:
        network_id = member.network_id
        st.subheader(t("practice.member_title", network=plain(member.network_name)))
        st.caption(t("practice.member_intro"))
        with st.expander(t("practice.publish_new"), icon=":material/add:"):
            if not editable:
                st.caption(t("practice.read_only"))
            # a fresh (empty) form after each practice sent; the same one, as typed, after a refusal
            sent = f"practice-sent-{network_id}-{company_id}"
            form = f"practice-new-{network_id}-{company_id}-{st.session_state.get(sent, 0)}"
            given = practice_form(form, member.company_sector, member.company_size, disabled=not editable)
            if given is not None:
                try:
                    practice_service.publish(ctx, network_id, company_id, given)
                except DomainError as exc:
                    st.error(error_text(exc, lang()), icon=":material/error:")
                else:
                    st.session_state[sent] = st.session_state.get(sent, 0) + 1
                    flash(t("practice.sent"))
                    st.rerun()
        mine = practice_service.own(ctx, network_id, company_id)
        st.markdown(f"**{t('practice.own', count=len(mine))}**")
        for p in mine:
            _own_practice(ctx, p, member.company_sector, member.company_size)
        with st.expander(t("practice.browse"), icon=":material/menu_book:"):
            search_results(ctx, network_id, f"practice-browse-{network_id}-{company_id}")


# --- beside a recommendation ------------------------------------------------------------------------------


def _hint_source(ctx: Context, company_id: int) -> practice_service.HintSource:
    """The company's hint source, read once per run of the page (each run has a Context of its own)."""
    cached = st.session_state.get(_HINTS)
    if cached is not None and cached[0] is ctx and cached[1] == company_id:
        return cached[2]
    source = practice_service.hint_source(ctx, company_id)
    st.session_state[_HINTS] = (ctx, company_id, source)
    return source


def practice_hints(ctx: Context, company_id: int, question_id: str | None, dimension_id: str | None) -> None:
    """"Ce que font d’autres membres du réseau" for one recommendation: one folded block with the
    matching practices of other members (nothing when none matches), so that a plan stays readable.
    Not to be drawn inside an expander (Streamlit does not nest them)."""
    found = _hint_source(ctx, company_id).for_question(question_id, dimension_id)
    if not found:
        return
    with st.expander(f":material/diversity_3: {t('practice.hints_title')} ({len(found)})"):
        for p in found:
            practice_card(p)
