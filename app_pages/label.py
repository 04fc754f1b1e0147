"""Label: a network's own label, the network's side. Its label and criteria (a lead picks the label
file), the members' applications by status, one application (the member's shared results, the
criteria checks, the review, the votes, the decision, the timeline) and the labels due for renewal."""

from __future__ import annotations

import streamlit as st

from diagnostic.core.label import (
    APPLICATION_STATUS_KEYS,
    DECISION_KEYS,
    RECOMMENDATION_KEYS,
    RECOMMENDATIONS,
    VALIDITY_KEYS,
    VOTES,
)
from diagnostic.i18n import format_date
from diagnostic.services import labels as label_service
from diagnostic.services.context import Context
from diagnostic.services.labels import ApplicationDetail, NetworkLabel
from ui import label_panels as panels
from ui import state
from ui.state import t
from ui.text import plain

STATUS_ORDER = ("submitted", "reviewed", "decided", "withdrawn")


def _choose_network(ctx: Context, found: list[NetworkLabel]) -> NetworkLabel:
    ids = [n.network.id for n in found]
    if len(found) == 1:
        return found[0]
    default = ids.index(ctx.workspace_id) if ctx.workspace_id in ids else 0
    names = {n.network.id: plain(n.network.name) for n in found}
    chosen = st.selectbox(t("label.page.network"), ids, index=default, format_func=names.__getitem__, key="label-network")
    return next(n for n in found if n.network.id == chosen)


def _label_section(ctx: Context, network: NetworkLabel) -> None:
    lang = state.lang()
    st.header(t("label.page.the_label"))
    if network.definition is not None:
        st.markdown(f"**{plain(network.definition.name.get(lang))}** · {t('label.version', version=network.definition.version)}")
        st.caption(plain(network.definition.description.get(lang)))
        panels.criteria_list(network.definition)
    else:
        st.info(t("label.page.no_label"))
    if network.may_configure:
        choices = {d.id: f"{d.name.get(lang)} ({d.id}, {d.version})" for d in label_service.definitions()}
        options: list[str | None] = [None, *choices]
        current = network.network.label_id if network.network.label_id in choices else None
        with st.form(f"label-configure-{network.network.id}"):
            picked = st.selectbox(
                t("label.page.pick"), options, index=options.index(current),
                format_func=lambda i: t("label.page.none") if i is None else choices[i],
            )  # fmt: skip
            if st.form_submit_button(t("label.page.save_label")):
                if panels.act(label_service.configure, ctx, network.network.id, picked) is not None:
                    st.session_state["label_done"] = t("label.page.saved")
                st.rerun()


def _review_form(ctx: Context, found: ApplicationDetail) -> None:
    lang = state.lang()
    mine = found.my_review
    template = mine.checklist if mine else found.checklist_template()
    app_id = found.application.id
    # once someone reviewed, another reviewer's (or the lead's) empty form folds away
    folded = bool(found.reviews) and mine is None
    with st.expander(t("label.review.add_yours")) if folded else st.container(), st.form(f"label-review-{app_id}"):
        st.markdown(f"**{t('label.review.title')}**")
        if mine is not None:
            st.caption(t("label.review.replaces"))
        answers = {None: t("label.review.open"), True: t("label.check.met"), False: t("label.check.unmet")}
        lines = {}
        for check in found.checks:
            line = template.get(check.id, {})
            ok = st.radio(
                plain(check.label.get(lang) or check.id), list(answers), index=list(answers).index(line.get("ok")),
                format_func=answers.__getitem__, horizontal=True, key=f"review-{app_id}-{check.id}",
            )  # fmt: skip
            note = st.text_input(
                t("label.review.line_comment"), value=line.get("comment", ""), key=f"review-{app_id}-{check.id}-comment",
                max_chars=label_service.TEXT_MAX,
            )  # fmt: skip
            lines[check.id] = {"ok": ok, "comment": note}
        comment = st.text_area(t("label.review.comment"), value=mine.comment if mine else "", max_chars=label_service.TEXT_MAX)
        recommendation = st.radio(
            t("label.review.recommendation"), RECOMMENDATIONS, format_func=lambda r: t(RECOMMENDATION_KEYS[r]),
            index=RECOMMENDATIONS.index(mine.recommendation) if mine else 0, horizontal=True,
        )  # fmt: skip
        if st.form_submit_button(t("label.review.submit"), type="primary"):
            if panels.act(label_service.review, ctx, app_id, lines, comment, recommendation) is not None:
                st.session_state["label_done"] = t("label.review.saved")
            st.rerun()


def _votes(ctx: Context, found: ApplicationDetail) -> None:
    app_id = found.application.id
    tally = found.tally
    st.markdown(f"**{t('label.votes.title')}**")
    st.markdown(t("label.votes.tally", granted=tally["granted"], deferred=tally["deferred"], refused=tally["refused"], quorum=found.quorum or "—"))
    if found.votes:
        st.markdown("\n".join(
            f"- {panels.who(v.voter)} · {t(DECISION_KEYS[v.vote])}" + (f" — {plain(v.reason)}" if v.reason else "")
            for v in found.votes
        ))  # fmt: skip
    if not (found.may_vote and found.open):
        return
    if not found.reviews:
        st.info(t("label.votes.after_review"))
        return
    mine = found.my_vote
    with st.form(f"label-vote-{app_id}"):
        vote = st.radio(
            t("label.votes.yours"), VOTES, format_func=lambda v: t(DECISION_KEYS[v]),
            index=VOTES.index(mine.vote) if mine else 0, horizontal=True,
        )  # fmt: skip
        reason = st.text_area(t("label.votes.reason"), value=mine.reason if mine else "", max_chars=label_service.TEXT_MAX)
        if st.form_submit_button(t("label.votes.submit")):
            if panels.act(label_service.vote, ctx, app_id, vote, reason) is not None:
                st.session_state["label_done"] = t("label.votes.saved")
            st.rerun()


def _decision_form(ctx: Context, found: ApplicationDetail) -> None:
    app_id = found.application.id
    outcome = found.outcome
    st.markdown(f"**{t('label.decide.title')}**")
    if outcome is None:
        st.info(t("label.decide.waiting", quorum=found.quorum or "—"))
        return
    st.markdown(t("label.decide.outcome", outcome=t(DECISION_KEYS[outcome])))
    reasons = found.majority_reasons()
    with st.form(f"label-decide-{app_id}"):
        conditions = ""  # asked only when the majority defers: a grant has none
        if outcome == "deferred":
            conditions = st.text_area(
                t("label.decide.conditions"), value=reasons, max_chars=label_service.TEXT_MAX, help=t("label.decide.conditions_help"),
            )  # fmt: skip
        reason = st.text_area(t("label.decide.reason"), value=reasons if outcome == "refused" else "", max_chars=label_service.TEXT_MAX)
        if st.form_submit_button(t("label.decide.submit"), type="primary"):
            if panels.act(label_service.decide, ctx, app_id, conditions, reason) is not None:
                st.session_state["label_done"] = t("label.decide.saved")
            st.rerun()


def _application(ctx: Context, application_id: int) -> None:
    found = panels.act(label_service.detail, ctx, application_id)
    if found is None:
        panels.show_error()
        return
    lang = state.lang()
    application = found.application
    st.subheader(plain(application.company_name))
    st.caption(
        t("label.page.applied", date=format_date(application.applied_on, lang), who=panels.who(application.applied_by))
        + " · " + t(APPLICATION_STATUS_KEYS[application.status]) + " · " + t("label.version", version=application.label_version)
    )  # fmt: skip
    panels.decision(application)
    st.markdown(f"**{t('label.snapshot.title')}**")
    panels.snapshot(application.evaluation)
    st.markdown(f"**{t('label.page.criteria')}**")
    panels.checks_table(found.checks)
    if found.reviews:
        st.markdown(f"**{t('label.review.list')}**")
        for r in found.reviews:
            st.markdown(f"- {panels.who(r.reviewer)} · {t(RECOMMENDATION_KEYS[r.recommendation])}" + (f" — {plain(r.comment)}" if r.comment else ""))
    if found.may_review and found.open:
        _review_form(ctx, found)
    _votes(ctx, found)
    if found.may_vote and found.open and found.reviews:
        _decision_form(ctx, found)
    st.markdown(f"**{t('label.timeline')}**")
    panels.timeline(found.events)
    if application.status == "decided":
        panels.letter_button(ctx, application.id)


def _renewals(ctx: Context, network_id: int) -> None:
    lang = state.lang()
    st.header(t("label.page.renewals"))
    due = panels.act(label_service.renewals, ctx, network_id) or []
    if not due:
        st.caption(t("label.page.no_renewal"))
        return
    st.table([
        {
            t("label.col.member"): plain(r.application.company_name),
            t("label.col.valid_until"): format_date(r.application.valid_until, lang),
            t("label.col.status"): t(VALIDITY_KEYS[r.state]),
        }
        for r in due
    ])  # fmt: skip


def main(ctx: Context) -> None:
    st.title(t("label.page.title"))
    panels.show_error()
    done = st.session_state.pop("label_done", None)
    if done:
        st.success(done, icon=":material/check_circle:")
    found = label_service.networks(ctx)
    if not found:
        st.info(t("label.page.no_network"))
        st.stop()
    network = _choose_network(ctx, found)
    _label_section(ctx, network)

    st.header(t("label.page.applications"))
    applications = panels.act(label_service.applications, ctx, network.network.id) or []
    if not applications:
        st.caption(t("label.page.no_application"))
    else:
        lang = state.lang()
        counts = " · ".join(
            f"{t(APPLICATION_STATUS_KEYS[s])} : {sum(1 for a in applications if a.status == s)}" for s in STATUS_ORDER
        )
        st.caption(counts)
        ordered = sorted(applications, key=lambda a: (STATUS_ORDER.index(a.status), -a.id))
        names = {
            a.id: f"{plain(a.company_name)} · {t(APPLICATION_STATUS_KEYS[a.status])} · {format_date(a.applied_on, lang, 'medium')}"
            for a in ordered
        }
        chosen = st.selectbox(t("label.page.choose_application"), list(names), format_func=names.__getitem__, key="label-application")
        with st.container(border=True):
            _application(ctx, chosen)
    _renewals(ctx, network.network.id)


if __name__ == "__main__":
    main(state.context())
