"""Portefeuille: every company of the workspace with its latest result, plan progress and next
follow-up; reminders on top; one click on a row opens the company's results.

Fast with hundreds of companies: the scores come from the read model (nothing is scored on a rerun),
the table is one st.dataframe (no widget per row), filters and sorting are pure functions.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd
import streamlit as st

from diagnostic.core.errors import DomainError
from diagnostic.core.portfolio import (
    NO_ASSESSMENT,
    Filters,
    FollowUp,
    PortfolioRow,
    Reminders,
    SortKey,
    filtered,
    follow_up_state,
    reminders,
    sorted_rows,
)
from diagnostic.core.roles import NotAllowed, NotFound, Permission
from diagnostic.i18n import error_text, format_date
from diagnostic.services import companies as company_service
from diagnostic.services import portfolio as portfolio_service
from diagnostic.services.context import Context
from diagnostic.services.questionnaires import shipped_questionnaires
from ui import state
from ui.state import t
from ui.text import plain

SHOWN = "portfolio_shown"  # the company ids of the table's rows, as last drawn
OPENED = "portfolio_opened"  # how many times a row opened a company: the table's key changes each time
REMINDER_NAMES = 8  # names listed per reminder line before "and N more"

STATUS_KEYS = {
    "in_progress": "portfolio.status_in_progress",
    "completed": "portfolio.status_completed",
    NO_ASSESSMENT: "portfolio.status_none",
}
SORT_KEYS = {
    SortKey.NAME: "portfolio.sort_name",
    SortKey.SCORE: "portfolio.sort_score",
    SortKey.LEVEL: "portfolio.sort_level",
    SortKey.COVERAGE: "portfolio.sort_coverage",
    SortKey.LATE: "portfolio.sort_late",
    SortKey.ACTIVITY: "portfolio.sort_activity",
    SortKey.FOLLOW_UP: "portfolio.sort_follow_up",
}
FOLLOW_UP_KEYS = {FollowUp.OVERDUE: "portfolio.follow_overdue", FollowUp.SOON: "portfolio.follow_soon"}


def _table_key() -> str:
    return f"portfolio-table-{st.session_state.get(OPENED, 0)}"


def _open_selected(ctx: Context) -> None:
    """A row was clicked (the table's selection, read before the table is drawn again): make its
    company and latest assessment the current ones and open its results (its company page when it
    has no assessment). The row is found in the ids of the table the person clicked."""
    picked = st.session_state.get(_table_key())
    rows = list(picked["selection"]["rows"]) if picked else []
    shown: list[tuple[int, int | None]] = st.session_state.get(SHOWN, [])
    if not rows or not 0 <= rows[0] < len(shown):
        return
    company_id, assessment_id = shown[rows[0]]
    st.session_state[OPENED] = st.session_state.get(OPENED, 0) + 1  # back here later: nothing selected
    state.select_company(ctx, company_id)
    if assessment_id is not None:
        state.select_assessment(ctx, assessment_id)
    state.switch_page("app_pages/results.py" if assessment_id is not None else "app_pages/company.py")


def _names(rows: list[PortfolioRow], lang: str, detail: bool = False, late: bool = False) -> str:
    parts = []
    for row in rows[:REMINDER_NAMES]:
        extra = ""
        if detail:
            extra = f" ({format_date(row.next_follow_up, lang, 'medium')})"
        elif late:
            extra = f" ({row.actions_late})"
        parts.append(plain(row.name) + extra)
    if len(rows) > REMINDER_NAMES:
        parts.append(t("portfolio.more", count=len(rows) - REMINDER_NAMES))
    return ", ".join(parts)


def _reminders(found: Reminders, lang: str) -> None:
    with st.container(border=True, key="portfolio-reminders"):
        st.header(t("portfolio.reminders"), anchor=False)
        if found.empty:
            st.caption(t("portfolio.no_reminder"))
        if found.overdue:
            st.markdown(
                ":material/event_busy: " + t("portfolio.overdue", companies=_names(found.overdue, lang, detail=True))
            )
        if found.soon:
            st.markdown(":material/event: " + t("portfolio.soon", companies=_names(found.soon, lang, detail=True)))
        if found.late_actions:
            st.markdown(
                ":material/schedule: "
                + t("portfolio.late_actions", companies=_names(found.late_actions, lang, late=True))
            )


def _filters(rows: list[PortfolioRow]) -> tuple[Filters, SortKey, bool]:
    levels = {r.level: (r.level_rank or 0, r.level_label or r.level) for r in rows if r.level}
    level_ids = sorted(levels, key=lambda level: levels[level])
    search = st.text_input(
        t("portfolio.search"), key="portfolio-search", placeholder=t("portfolio.search_placeholder"), max_chars=200
    )
    left, middle, right = st.columns(3)
    statuses = left.multiselect(
        t("portfolio.filter_status"), list(STATUS_KEYS), key="portfolio-status", format_func=lambda s: t(STATUS_KEYS[s])
    )
    chosen_levels = middle.multiselect(
        t("portfolio.filter_level"), level_ids, key="portfolio-level", format_func=lambda level: str(levels[level][1])
    )
    sort = right.selectbox(
        t("portfolio.sort"), list(SORT_KEYS), key="portfolio-sort", format_func=lambda k: t(SORT_KEYS[k])
    )
    toggles = st.container(horizontal=True, key="portfolio-toggles")
    late_only = toggles.toggle(t("portfolio.late_only"), key="portfolio-late")
    follow_up_due = toggles.toggle(t("portfolio.follow_up_due"), key="portfolio-due")
    descending = toggles.toggle(t("portfolio.descending"), key="portfolio-descending")
    chosen = Filters(frozenset(statuses), frozenset(chosen_levels), late_only, follow_up_due, search)
    return chosen, SortKey(sort), descending


def _whole(value: float | None) -> int | None:
    """A score (0..100) rounded once, at display: half to even on the float's exact value, as
    Babel's format_score does on the other pages."""
    return None if value is None else round(value)


def _frame(rows: list[PortfolioRow], lang: str, today: date) -> pd.DataFrame:
    """The table, built column by column (500 rows: each text is translated once, not per row)."""
    # the short name of a questionnaire ("Performance Globale" of "Diagnostic RSE — Performance Globale")
    titles = {q.id: q.model.title.get(lang).split(" — ")[-1] for q in shipped_questionnaires()}
    statuses = {status: t(key) for status, key in STATUS_KEYS.items()}
    follow_words = {follow: t(key) for follow, key in FOLLOW_UP_KEYS.items()}
    days: dict[date, str] = {}

    def latest(r: PortfolioRow) -> str:
        if r.assessment_id is None or r.assessment_created is None:
            return "—"
        day = r.assessment_created.date()
        if day not in days:
            days[day] = format_date(day, lang, "medium")
        return f"{days[day]} · {r.assessment_label or titles.get(r.questionnaire_id or '', r.questionnaire_id or '')}"

    def follow(r: PortfolioRow) -> str:
        state_ = follow_up_state(r.next_follow_up, today)
        return follow_words[state_] if state_ in follow_words else ""

    columns = {
        "portfolio.col_name": [r.name for r in rows],
        "portfolio.col_sector": [r.sector or "—" for r in rows],
        "portfolio.col_assessment": [latest(r) for r in rows],
        "portfolio.col_status": [statuses[r.status or NO_ASSESSMENT] for r in rows],
        "portfolio.col_score": [_whole(r.overall) for r in rows],
        "portfolio.col_level": [r.level_label or "—" for r in rows],
        "portfolio.col_coverage": [_whole(None if r.coverage is None else 100 * r.coverage) for r in rows],
        "portfolio.col_actions": [f"{r.actions_done} / {r.actions_total}" if r.actions_total else "—" for r in rows],
        "portfolio.col_late": [r.actions_late for r in rows],
        "portfolio.col_activity": [r.last_activity.date() for r in rows],
        "portfolio.col_follow_up": [r.next_follow_up for r in rows],
        "portfolio.col_follow_up_state": [follow(r) for r in rows],
    }
    return pd.DataFrame({t(key): values for key, values in columns.items()})


def _columns(lang: str) -> dict[str, Any]:
    percent = "%d %%" if lang == "fr" else "%d%%"
    day = "DD/MM/YYYY"  # how both French and British English write a short date
    return {
        t("portfolio.col_name"): st.column_config.TextColumn(),
        t("portfolio.col_sector"): st.column_config.TextColumn(width="small"),
        t("portfolio.col_assessment"): st.column_config.TextColumn(width="medium"),
        t("portfolio.col_status"): st.column_config.TextColumn(width="small"),
        t("portfolio.col_score"): st.column_config.NumberColumn(format="%d", width="small"),
        t("portfolio.col_level"): st.column_config.TextColumn(width="small"),
        t("portfolio.col_coverage"): st.column_config.NumberColumn(format=percent, width="small"),
        t("portfolio.col_actions"): st.column_config.TextColumn(width="small"),
        t("portfolio.col_late"): st.column_config.NumberColumn(format="%d", width="small"),
        t("portfolio.col_activity"): st.column_config.DateColumn(format=day, width="small"),
        t("portfolio.col_follow_up"): st.column_config.DateColumn(format=day, width="small"),
        t("portfolio.col_follow_up_state"): st.column_config.TextColumn(width="small"),
    }


def _follow_up(ctx: Context, rows: list[PortfolioRow], lang: str) -> None:
    """The date of the next follow-up of one company (the current one by default)."""
    st.header(t("portfolio.follow_up_header"), anchor=False)
    message = st.session_state.pop("portfolio_message", None)
    if message:
        kind, text = message
        (st.success if kind == "ok" else st.error)(
            text, icon=":material/check:" if kind == "ok" else ":material/error:"
        )
    by_id = {r.company_id: r for r in rows}
    names = state.unique_labels({r.company_id: r.name for r in rows})
    current = st.session_state.get("company_id")
    if st.session_state.get("portfolio-follow-company") not in by_id:
        st.session_state["portfolio-follow-company"] = current if current in by_id else rows[0].company_id
    left, right = st.columns([3, 2], vertical_alignment="bottom")
    company_id = left.selectbox(
        t("portfolio.follow_up_company"), list(names), key="portfolio-follow-company", format_func=names.__getitem__
    )
    row = by_id[company_id]
    editable = company_service.may(ctx, Permission.EDIT, company_id)
    day = right.date_input(
        t("portfolio.follow_up_date"), value=row.next_follow_up, key=f"portfolio-follow-{company_id}", format="DD/MM/YYYY",
        help=t("portfolio.follow_up_help"), disabled=not editable,
    )  # fmt: skip
    if not editable:
        st.caption(t("portfolio.read_only"))
    if st.button(
        t("portfolio.follow_up_save"), disabled=not editable, icon=":material/event:", key="portfolio-follow-save"
    ):
        chosen = day if isinstance(day, date) else None
        try:
            portfolio_service.set_next_follow_up(ctx, company_id, chosen)
        except (DomainError, NotAllowed, NotFound) as refused:
            st.session_state["portfolio_message"] = ("error", error_text(refused, lang))
        else:
            name = plain(row.name)
            said = (
                t("portfolio.follow_up_saved", company=name, date=format_date(chosen, lang))
                if chosen
                else t("portfolio.follow_up_cleared", company=name)
            )
            st.session_state["portfolio_message"] = ("ok", said)
        st.rerun()


def main(ctx: Context) -> None:
    lang = ctx.lang
    _open_selected(ctx)
    st.title(t("portfolio.title"))
    state.show_callback_error()
    rows = portfolio_service.portfolio(ctx)
    if not rows:
        st.info(t("portfolio.empty"), icon=":material/work:")
        st.page_link("app_pages/company.py", label=t("empty.go_company"), icon=":material/business:")
        return
    today = date.today()
    _reminders(reminders(rows, today), lang)
    st.caption(t("portfolio.caption"))
    chosen, sort, descending = _filters(rows)
    shown = sorted_rows(filtered(rows, chosen, today), sort, descending)
    st.caption(t("portfolio.shown", shown=len(shown), total=len(rows)))
    if shown:
        st.session_state[SHOWN] = [(r.company_id, r.assessment_id) for r in shown]
        st.dataframe(
            _frame(shown, lang, today), key=_table_key(), on_select="rerun", selection_mode="single-row",
            hide_index=True, width="stretch", column_config=_columns(lang),
        )  # fmt: skip
    else:
        st.session_state[SHOWN] = []
        st.info(t("portfolio.none_match"))
    _follow_up(ctx, rows, lang)


if __name__ == "__main__":
    main(state.context())
