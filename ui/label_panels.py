"""A network's label on screen: the pieces the network's page (app_pages/label.py) and the member's
section (`member_section`, on the member's "Réseaux" page) share: criteria checks, the evaluation
snapshot, the decision, the timeline, the decision letter's download button."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import streamlit as st

from diagnostic.core.errors import DomainError
from diagnostic.core.label import (
    APPLICATION_STATUS_KEYS,
    CHECK_KEYS,
    DECISION_KEYS,
    RECOMMENDATION_KEYS,
    STEP_KEYS,
    CriterionCheck,
    LabelDefinition,
)
from diagnostic.core.roles import NotAllowed, NotFound, Permission
from diagnostic.i18n import error_text, format_date, format_percent, format_score
from diagnostic.services import assessments as assessment_service
from diagnostic.services import companies as company_service
from diagnostic.services import labels as label_service
from diagnostic.services.context import Context
from diagnostic.services.labels import LabelApplicationRecord, LabelEventRecord
from diagnostic.services.questionnaires import shipped_questionnaires
from ui import state
from ui.state import t
from ui.text import authored_label, plain

ERROR = "label_error"  # a refusal said on the next run, in the user's words


def act(action: Callable[..., Any], *args: Any, **kwargs: Any) -> Any | None:
    """Run a use case; a refusal is kept to be said at the top of the section and changes nothing."""
    try:
        return action(*args, **kwargs)
    except (DomainError, NotFound, NotAllowed) as refused:
        st.session_state[ERROR] = error_text(refused, state.lang())
    return None


def show_error() -> None:
    message = st.session_state.pop(ERROR, None)
    if message:
        st.error(message, icon=":material/error:")


def who(actor: str) -> str:
    return t("label.local_actor") if actor in ("", "local") else plain(actor)


def _value(check: CriterionCheck, lang: str) -> str:
    if check.status == "not_measurable":
        return t("label.check.not_measurable_yet")
    if check.kind == "min_coverage":
        return f"{format_percent(_number(check.value), lang)} / ≥ {format_percent(_number(check.target), lang)}"
    if check.kind == "dimension_floor":
        return f"{format_score(_number(check.value), lang)} / ≥ {format_score(_number(check.target), lang)}"
    if check.kind == "critical_met":
        return ", ".join(check.detail or []) or "—"
    return f"{_level_name(check.value, lang)} / ≥ {_level_name(check.target, lang)}"


def _level_name(level_id: object, lang: str) -> str:
    """A level's name in the reader's language (the evaluation keeps its id)."""
    for questionnaire in shipped_questionnaires():
        for level in questionnaire.model.results.levels:
            if level.id == level_id:
                return authored_label(level.label.get(lang))
    return str(level_id or "—")


def _number(value: object) -> float | None:
    return float(value) if isinstance(value, (int, float)) else None


def checks_table(checks: list[CriterionCheck]) -> None:
    """The label's criteria as checked: met / not met / not measurable yet, with what was measured."""
    lang = state.lang()
    rows = [
        {
            t("label.col.criterion"): plain(c.label.get(lang) or c.id)
            + ("" if c.blocking else f" ({t('label.letter.not_blocking')})"),
            t("label.col.status"): t(CHECK_KEYS[c.status]),
            t("label.col.measured"): _value(c, lang),
        }
        for c in checks
    ]
    st.table(rows)
    if any(c.status == "not_measurable" for c in checks):
        st.caption(t("label.letter.not_measurable_note"))


def criteria_list(definition: LabelDefinition) -> None:
    lang = state.lang()
    lines = [f"- {plain(c.label.get(lang))}" + ("" if c.blocking else f" ({t('label.letter.not_blocking')})") for c in definition.criteria]
    st.markdown("\n".join(lines))
    st.caption(
        t(
            "label.rules",
            years=definition.validity_years,
            days=definition.renewal_notice_days,
            quorum=definition.committee.quorum,
        )
    )


def snapshot(evaluation: dict[str, Any]) -> None:
    """The results the member shared when applying: overall, level, coverage, one score per dimension."""
    lang = state.lang()
    level = evaluation.get("level_label") or {}
    left, middle, right = st.columns(3)
    left.metric(t("label.snapshot.overall"), format_score(evaluation.get("overall"), lang))
    middle.metric(t("label.snapshot.level"), level.get(lang, "—"))
    right.metric(t("label.snapshot.coverage"), format_percent(evaluation.get("coverage"), lang))
    rows = [
        {t("label.col.dimension"): plain(d["title"].get(lang, d["id"])), t("label.col.score"): format_score(d.get("score"), lang)}
        for d in evaluation.get("dimensions", [])
    ]
    if rows:
        st.table(rows)


def timeline(events: list[LabelEventRecord]) -> None:
    lang = state.lang()
    lines = []
    for e in events:
        detail = ""
        if e.step == "decided" and e.detail:
            detail = f" : {t(DECISION_KEYS[e.detail])}"
        elif e.step == "reviewed" and e.detail:
            detail = f" : {t(RECOMMENDATION_KEYS[e.detail])}"
        elif e.step == "withdrawn" and e.detail == "member_left":
            detail = f" : {t('label.step.member_left')}"
        lines.append(f"- {format_date(e.at, lang, 'medium')} · {t(STEP_KEYS[e.step])}{detail} · {who(e.actor)}")
    st.markdown("\n".join(lines) or "—")


def decision(application: LabelApplicationRecord) -> None:
    """The decision as the member reads it: what, when, until when, on which conditions or reasons."""
    lang = state.lang()
    if application.decision is None or application.decided_on is None:
        return
    said = t(DECISION_KEYS[application.decision]) + " · " + format_date(application.decided_on, lang)
    if application.valid_until is not None:
        said += " · " + t("label.valid_until", date=format_date(application.valid_until, lang))
    {"granted": st.success, "deferred": st.warning}.get(application.decision, st.error)(said)
    if application.conditions:
        st.markdown(f"**{t('label.letter.conditions')}**")
        st.text(application.conditions)
    if application.reason:
        st.markdown(f"**{t('label.letter.reasons')}**")
        st.text(application.reason)


def letter_button(ctx: Context, application_id: int) -> None:
    """The decision letter, built when the button is clicked (in Streamlit's download thread, on a
    unit of work of its own), in the user's language."""
    lang = state.lang()
    st.download_button(
        t("label.letter.download"),
        data=lambda: label_service.letter(ctx.fresh(), application_id, lang),
        file_name=f"label-decision-{application_id}.pdf",
        mime="application/pdf",
        icon=":material/picture_as_pdf:",
        on_click="ignore",
        key=f"label-letter-{application_id}",
    )


def _state_message(status: label_service.LabelStatus) -> None:
    lang = state.lang()
    current = status.current
    if current is None or current.valid_until is None:
        st.info(t("label.member.no_label"))
        return
    until = format_date(current.valid_until, lang)
    if status.state == "valid":
        st.success(t("label.member.valid", date=until), icon=":material/verified:")
    elif status.state == "renewal_due":
        st.warning(t("label.member.renewal_due", date=until), icon=":material/update:")
    else:
        st.error(t("label.member.expired", date=until), icon=":material/event_busy:")


def _apply_form(ctx: Context, company_id: int, status: label_service.LabelStatus) -> None:
    definition = status.definition
    assert definition is not None
    network_id = status.membership.network_id
    completed = [
        a for a in assessment_service.list_assessments(ctx, company_id)
        if a.status == "completed" and a.questionnaire_id == definition.questionnaire
    ]  # fmt: skip
    if not completed:
        st.info(t("label.member.no_completed"))
        return
    labels = state.assessment_labels(completed)
    chosen = st.selectbox(
        t("label.member.choose_assessment"), list(labels), format_func=labels.__getitem__, index=len(labels) - 1,
        key=f"label-assessment-{network_id}",
    )  # fmt: skip
    checks = act(label_service.precheck, ctx, network_id, company_id, chosen)
    if checks is None:
        show_error()
        return
    st.markdown(f"**{t('label.member.precheck')}**")
    checks_table(checks)
    blocking = [c for c in checks if c.blocks]
    if blocking:
        st.warning(t("label.member.precheck_unmet", count=len(blocking)))
    st.info(t("label.member.share_notice", network=status.membership.network_name), icon=":material/share:")
    editable = company_service.may(ctx, Permission.EDIT, company_id)
    if st.button(t("label.member.apply"), type="primary", key=f"label-apply-{network_id}", disabled=not editable):
        if act(label_service.apply, ctx, network_id, company_id, chosen) is not None:
            st.session_state["label_done"] = t("label.member.applied")
        st.rerun()


def member_section(ctx: Context, company_id: int) -> None:
    """The company's labels, one block per network it belongs to that runs a label: the label now
    (valid until / renewal due / expired), applying, the application's timeline and the decision,
    and the decision letter."""
    show_error()
    done = st.session_state.pop("label_done", None)
    if done:
        st.success(done)
    statuses = act(label_service.label_status, ctx, company_id)
    if statuses is None:
        show_error()
        return
    if not statuses:
        return
    lang = state.lang()
    editable = company_service.may(ctx, Permission.EDIT, company_id)
    st.subheader(t("label.member.title"))
    for status in statuses:
        with st.container(border=True):
            name = status.definition.name.get(lang) if status.definition else status.membership.label_id
            st.markdown(f"**{plain(status.membership.network_name)}** · {plain(name or '')}")
            _state_message(status)
            pending = status.open
            if pending is not None:
                st.info(t("label.member.pending", date=format_date(pending.applied_on, lang), status=t(APPLICATION_STATUS_KEYS[pending.status])))
                timeline(label_service.detail(ctx, pending.id).events)
                if st.button(t("label.member.withdraw"), key=f"label-withdraw-{pending.id}", disabled=not editable):
                    act(label_service.withdraw, ctx, pending.id)
                    st.rerun()
            elif status.definition is not None and status.state != "valid":
                with st.expander(t("label.member.apply_title"), expanded=status.current is None, icon=":material/workspace_premium:"):
                    _apply_form(ctx, company_id, status)
            decided = next((a for a in status.applications if a.status == "decided"), None)
            if decided is not None:
                st.markdown(f"**{t('label.member.last_decision')}**")
                decision(decided)
                with st.expander(t("label.timeline")):
                    timeline(label_service.detail(ctx, decided.id).events)
                letter_button(ctx, decided.id)
