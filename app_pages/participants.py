"""Participants: open the assessment to respondent groups, make their links, follow who answered."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from diagnostic import settings
from diagnostic.core.errors import DomainError
from diagnostic.core.roles import Permission
from diagnostic.i18n import error_text, format_date
from diagnostic.labels import group_name
from diagnostic.services import companies as company_service
from diagnostic.services import participation
from diagnostic.services.context import Context
from diagnostic.services.participation import GroupProgress, Participation
from ui import state
from ui.state import t
from ui.text import plain

ISSUED = "issued_links"  # group id -> the link just made, shown once


def _act(action: Callable[..., object], *args: object, **kwargs: object) -> object | None:
    """Run a use case; a refusal is said in the user's words and changes nothing."""
    try:
        return action(*args, **kwargs)
    except DomainError as refused:
        st.session_state["participants_error"] = error_text(refused, state.lang())
    except ValueError:
        st.session_state["participants_error"] = t("participants.bad_value")
    return None


def _changed(key: str, action: Callable[..., object], ctx: Context, assessment_id: int, field: str, *ids: int) -> None:
    """A setting changed on screen (widget callback): save it; a refusal is said and the widget is
    set back to the stored value on the next run."""
    _act(action, ctx, assessment_id, *ids, **{field: st.session_state.get(key)})


def _not_open(ctx: Context, assessment_id: int, editable: bool) -> None:
    st.markdown(t("participants.explain"))
    with st.form("open-participation"):
        k = st.number_input(
            t("participants.k"), min_value=participation.K_MIN, max_value=participation.K_MAX, value=participation.K_DEFAULT,
            help=t("participants.k_help"),
        )  # fmt: skip
        comment_k = st.number_input(
            t("participants.comment_k"), min_value=participation.K_MIN, max_value=participation.COMMENT_K_MAX,
            value=participation.COMMENT_K_DEFAULT, help=t("participants.comment_k_help"),
        )  # fmt: skip
        if st.form_submit_button(t("participants.open"), type="primary", disabled=not editable):
            _act(participation.open_participation, ctx, assessment_id, int(k), int(comment_k))
            st.rerun()


def _settings(ctx: Context, assessment_id: int, found: Participation, editable: bool) -> None:
    campaign = found.campaign
    with st.expander(t("participants.settings"), icon=":material/tune:"):
        if found.launched:
            st.caption(t("participants.k_fixed", k=campaign.k, comment_k=campaign.comment_k))
        else:
            left, right = st.columns(2)
            k = left.number_input(
                t("participants.k"), participation.K_MIN, participation.K_MAX, campaign.k, key="set-k", disabled=not editable
            )
            comment_k = right.number_input(
                t("participants.comment_k"), participation.K_MIN, participation.COMMENT_K_MAX, campaign.comment_k,
                key="set-comment-k", disabled=not editable,
            )  # fmt: skip
            if (k, comment_k) != (campaign.k, campaign.comment_k) and st.button(t("participants.save_k"), disabled=not editable):
                _act(participation.update_settings, ctx, assessment_id, k=int(k), comment_k=int(comment_k))
                st.rerun()
        state.set_widget("set-share", campaign.share_results)
        st.toggle(
            t("participants.share"), key="set-share", help=t("participants.share_help"), disabled=not editable,
            on_change=_changed, args=("set-share", participation.update_settings, ctx, assessment_id, "share_results"),
        )  # fmt: skip
        if found.closed:
            st.info(t("participants.closed_on", date=format_date(campaign.closed_on, state.lang(), "long")))
            if st.button(t("participants.reopen"), disabled=not editable):
                _act(participation.set_closed, ctx, assessment_id, False)
                st.rerun()
        elif st.button(t("participants.close"), help=t("participants.close_help"), disabled=not editable):
            _act(participation.set_closed, ctx, assessment_id, True)
            st.rerun()


def _new_link(ctx: Context, assessment_id: int, progress: GroupProgress, editable: bool, closed: bool) -> None:
    group = progress.group
    # a new form (empty fields) after each link made; a refused one keeps what was typed
    made = st.session_state.setdefault("links_made", {}).get(group.id, 0)
    with st.form(f"link-{group.id}-{made}", border=False):
        left, middle, right = st.columns([3, 2, 2], vertical_alignment="bottom")
        locked = not editable or closed
        if group.anonymous:
            uses = left.number_input(t("participants.max_uses"), min_value=0, max_value=participation.MAX_USES_LIMIT, value=0,
                                     help=t("participants.max_uses_help"), disabled=locked)  # fmt: skip
            name = ""
        else:
            name = left.text_input(
                t("participants.new_person"), max_chars=200, placeholder=t("participants.person_placeholder"), disabled=locked
            )
            uses = 0
        days = middle.number_input(
            t("participants.expires_days"), min_value=1, max_value=participation.EXPIRY_MAX_DAYS,
            value=participation.EXPIRY_DEFAULT_DAYS, disabled=locked,
        )  # fmt: skip
        label = t("participants.make_group_link") if group.anonymous else t("participants.make_named_link")
        if right.form_submit_button(label, disabled=locked, icon=":material/link:"):
            issued = _act(
                participation.create_link, ctx, assessment_id, group.id, name=name, expires_days=int(days),
                max_uses=int(uses) or None,
            )  # fmt: skip
            if isinstance(issued, participation.IssuedLink):
                st.session_state.setdefault(ISSUED, {})[group.id] = (issued.link.name, issued.url_at(_base()))
                st.session_state["links_made"][group.id] = made + 1
            st.rerun()


def _base() -> str:
    """The app's address for the links: the configured one, else the one this page was opened at."""
    return settings.public_url(st.context.url)


def _group(ctx: Context, assessment_id: int, progress: GroupProgress, k: int, editable: bool, closed: bool) -> None:
    group = progress.group
    name = group_name(group.key, group.label, state.lang())
    mode = t("participants.anonymous") if group.anonymous else t("participants.named")
    with st.container(border=True, key=f"group-{group.key}"):
        st.subheader(f"{plain(name)} · {mode}", anchor=False)
        with st.container(horizontal=True, key=f"progress-{group.key}"):  # one row, on a phone too
            st.metric(t("participants.invited" if not group.anonymous else "participants.opened"), progress.invited)
            st.metric(t("participants.started"), progress.started)
            st.metric(t("participants.completed"), progress.completed)
        if group.anonymous and progress.completed < k:
            st.caption(t("participants.below_k", k=k, count=progress.completed))
        issued = st.session_state.get(ISSUED, {}).pop(group.id, None)
        if issued is not None:
            person, url = issued
            st.success(t("participants.link_for", name=plain(person)) if person else t("participants.group_link"), icon=":material/link:")
            st.code(url, language=None)
            st.caption(t("participants.shown_once"))
        if not group.anonymous and progress.people:
            rows = [
                {
                    t("participants.person"): p.link.name,
                    t("participants.state"): t(f"participants.state_{p.state}"),
                    t("participants.answered"): p.answered,
                    t("participants.last_used"): format_date(p.link.last_used_on, state.lang(), "medium") if p.link.last_used_on else "—",
                    t("participants.link_state"): t(f"participants.link_{progress.link_states[p.link.id]}"),
                }
                for p in progress.people
            ]
            st.dataframe(rows, hide_index=True, width="stretch")
            waiting = [p for p in progress.people if p.state != "completed" and p.link.revoked_at is None]
            if waiting and editable and not closed:
                names = {p.link.id: p.link.name for p in waiting}
                chosen = st.selectbox(t("participants.waiting_person"), list(names), format_func=names.__getitem__, key=f"person-{group.id}")
                actions = st.container(horizontal=True)
                if actions.button(t("participants.remind"), key=f"remind-{group.id}", help=t("participants.remind_help")):
                    renewed = _act(participation.renew_link, ctx, assessment_id, chosen)
                    if isinstance(renewed, participation.IssuedLink):
                        st.session_state.setdefault(ISSUED, {})[group.id] = (renewed.link.name, renewed.url_at(_base()))
                    st.rerun()
                if actions.button(t("participants.revoke"), key=f"revoke-{group.id}"):
                    _act(participation.revoke_link, ctx, assessment_id, chosen)
                    st.rerun()
        elif group.anonymous and progress.links:
            for link in progress.links:
                left, right = st.columns([5, 2], vertical_alignment="center")
                limit = f" / {link.max_uses}" if link.max_uses else ""
                left.caption(
                    t("participants.group_link_line", created=format_date(link.created_on, state.lang(), "medium"),
                      expires=format_date(link.expires_at, state.lang(), "medium"), uses=f"{link.uses}{limit}",
                      state=t(f"participants.link_{progress.link_states[link.id]}"))
                )  # fmt: skip
                if progress.link_states[link.id] == "active" and editable and right.button(t("participants.revoke"), key=f"revoke-link-{link.id}"):
                    _act(participation.revoke_link, ctx, assessment_id, link.id)
                    st.rerun()
        with st.expander(t("participants.rename")):
            # set from the database at each run: a refused change shows the stored value again
            state.set_widget(f"label-{group.id}", group.label)
            st.text_input(
                t("participants.group_label"), max_chars=100, key=f"label-{group.id}", placeholder=t(f"group.{group.key}"),
                disabled=not editable,
                on_change=_changed, args=(f"label-{group.id}", participation.update_group, ctx, assessment_id, "label", group.id),
            )  # fmt: skip
            state.set_widget(f"anon-{group.id}", group.anonymous)
            st.toggle(
                t("participants.anonymous_toggle"), key=f"anon-{group.id}", help=t("participants.anonymous_help"),
                disabled=not editable or bool(progress.links),
                on_change=_changed, args=(f"anon-{group.id}", participation.update_group, ctx, assessment_id, "anonymous", group.id),
            )  # fmt: skip
        _new_link(ctx, assessment_id, progress, editable, closed)


def main(ctx: Context) -> None:
    st.title(t("participants.title"))
    company, assessment = state.require_assessment(ctx)
    editable = company_service.may(ctx, Permission.EDIT, company.id)
    st.caption(t("participants.caption", company=plain(company.name)))
    if settings.mode() == settings.LOCAL:
        st.info(t("participants.local_mode"), icon=":material/computer:")
    error = st.session_state.pop("participants_error", None)
    if error:
        st.error(error, icon=":material/error:")
    found = participation.participation(ctx, assessment.id)
    if found is None:
        _not_open(ctx, assessment.id, editable)
        return
    st.markdown(t("participants.how"))
    _settings(ctx, assessment.id, found, editable)
    st.header(t("participants.groups"), anchor=False)
    for progress in found.groups:
        _group(ctx, assessment.id, progress, found.campaign.k, editable, found.closed)
    left, right = st.columns(2)
    left.page_link("app_pages/crossed.py", label=t("participants.see_crossed"), icon=":material/compare_arrows:")
    right.page_link("app_pages/consensus.py", label=t("participants.see_consensus"), icon=":material/handshake:")


if __name__ == "__main__":
    main(state.context())
