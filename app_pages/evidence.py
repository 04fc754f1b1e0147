"""Preuves: the evidence behind each answer — files and links, who added them, who verified them.

An overview of the answered questions with their status (declared, evidence attached, verified), then
one question at a time: its answer, its pieces of evidence (download, verify, remove) and the forms to
attach a file or a link. A file is judged on its content by the service; a refusal says why and keeps
nothing. Whoever may only view the company reads and downloads.
"""

import pandas as pd
import streamlit as st

from diagnostic.core.errors import DomainError, Gone, StorageUnavailable
from diagnostic.core.evidence import ATTACHED, DECLARED, MAX_BYTES, STATUSES, VERIFIED, status
from diagnostic.core.roles import NotAllowed, NotFound, Permission
from diagnostic.i18n import error_text, format_date
from diagnostic.labels import answer_label
from diagnostic.services import answers as answers_service
from diagnostic.services import assessments as assessment_service
from diagnostic.services import companies as company_service
from diagnostic.services import evidence as evidence_service
from diagnostic.services.context import Context
from diagnostic.services.questionnaires import questionnaire_of
from ui import state
from ui.questions import failure_message
from ui.state import t
from ui.text import authored, authored_label, plain

CURRENT = "evidence-question"
FILTER = "evidence-filter"
FLASH = "evidence_flash"  # (kind, text) shown once after an action
ICONS = {
    DECLARED: ":material/radio_button_unchecked:",
    ATTACHED: ":material/attach_file:",
    VERIFIED: ":material/verified:",
}


def _message(exc: BaseException, lang: str) -> str:
    """A refusal in the user's words: the service's reason, or what the storage said."""
    if isinstance(exc, DomainError) and not isinstance(exc, (StorageUnavailable, Gone, NotAllowed)):
        return error_text(exc, lang)
    return failure_message(exc)


def _flash(kind: str, text: str) -> None:
    st.session_state[FLASH] = (kind, text)


def _item(ctx: Context, record: evidence_service.EvidenceRecord, editable: bool, verifier: bool) -> None:
    lang = ctx.lang
    with st.container(border=True):
        if record.kind == "file":
            st.markdown(
                f":material/description: **{plain(record.file_name)}** · {record.size / 1024:,.0f} Ko".replace(
                    ",", "\u202f"
                )
            )
        else:
            st.markdown(f":material/link: [{plain(record.url)}]({record.url})")
        if record.description:
            st.markdown(plain(record.description))
        # in local mode one person uses the app: "by local" would say nothing
        named = not ctx.actor.local
        added = format_date(record.added_at, lang)
        st.caption(
            t("evidence.added_by", who=record.added_by, date=added) if named else t("evidence.added_on", date=added)
        )
        if record.verified_at is not None:
            on = format_date(record.verified_at, lang)
            st.caption(
                t("evidence.verified_by", who=record.verified_by, date=on)
                if named
                else t("evidence.verified_on", date=on)
            )
        with st.container(horizontal=True):
            if record.kind == "file":
                st.download_button(
                    t("evidence.download"), data=lambda: evidence_service.download(ctx, record.id).content,
                    file_name=record.file_name, mime=record.media_type, key=f"evidence-dl-{record.id}",
                    icon=":material/download:", on_click="ignore",
                )  # fmt: skip
            if verifier:
                label = t("evidence.unverify") if record.verified_at else t("evidence.verify")
                if st.button(label, key=f"evidence-verify-{record.id}", icon=":material/verified:"):
                    try:
                        evidence_service.set_verified(ctx, record.id, record.verified_at is None)
                        _flash(
                            "success",
                            t("evidence.verified_done")
                            if record.verified_at is None
                            else t("evidence.unverified_done"),
                        )
                    except Exception as exc:  # noqa: BLE001 — shown to the user in their language
                        _flash("error", _message(exc, ctx.lang))
                    st.rerun()
            if editable and st.button(
                t("evidence.remove"), key=f"evidence-remove-{record.id}", icon=":material/delete:"
            ):
                try:
                    evidence_service.remove(ctx, record.id)
                    _flash("success", t("evidence.removed"))
                except Exception as exc:  # noqa: BLE001
                    _flash("error", _message(exc, ctx.lang))
                st.rerun()


def _forms(ctx: Context, assessment_id: int, question_id: str) -> None:
    file_tab, link_tab = st.tabs([t("evidence.add_file"), t("evidence.add_link")])
    with file_tab, st.form(f"evidence-file-{question_id}", clear_on_submit=True, border=False):
        upload = st.file_uploader(
            t("evidence.file"), key=f"evidence-upload-{question_id}",
            max_upload_size=MAX_BYTES // (1024 * 1024),
            help=t("evidence.file_help", max_mb=MAX_BYTES // (1024 * 1024)),
        )  # fmt: skip
        description = st.text_input(
            t("evidence.description"), key=f"evidence-file-description-{question_id}", max_chars=500
        )
        if st.form_submit_button(t("evidence.submit_file"), icon=":material/upload:"):
            if upload is None:
                _flash("error", t("evidence.no_file"))
            else:
                try:
                    evidence_service.attach_file(
                        ctx, assessment_id, question_id, upload.name, upload.getvalue(), description
                    )
                    _flash("success", t("evidence.added"))
                except Exception as exc:  # noqa: BLE001
                    _flash("error", _message(exc, ctx.lang))
            st.rerun()
    with link_tab, st.form(f"evidence-link-{question_id}", clear_on_submit=True, border=False):
        url = st.text_input(t("evidence.link"), key=f"evidence-url-{question_id}", placeholder="https://")
        description = st.text_input(
            t("evidence.description"), key=f"evidence-link-description-{question_id}", max_chars=500
        )
        if st.form_submit_button(t("evidence.submit_link"), icon=":material/add_link:"):
            try:
                evidence_service.attach_link(ctx, assessment_id, question_id, url, description)
                _flash("success", t("evidence.added"))
            except Exception as exc:  # noqa: BLE001
                _flash("error", _message(exc, ctx.lang))
            st.rerun()


def main(ctx: Context) -> None:
    lang = ctx.lang
    st.title(t("evidence.title"))
    company, assessment = state.require_assessment(ctx)
    questionnaire = questionnaire_of(ctx.uow, assessment)
    editable = company_service.may(ctx, Permission.EDIT, company.id)
    verifier = evidence_service.may_verify(ctx, assessment.id)
    try:
        found = evidence_service.list_evidence(ctx, assessment.id)
    except NotFound:  # deleted since the sidebar read it
        st.info(t("empty.no_assessment"))
        st.stop()
    answers, _ = assessment_service.split_answers(answers_service.load_answers(ctx, assessment.id))
    st.caption(f"{plain(company.name)} · {authored_label(questionnaire.model.title.get(lang))}")
    st.markdown(t("evidence.intro"))
    if FLASH in st.session_state:
        kind, text = st.session_state.pop(FLASH)
        (st.success if kind == "success" else st.error)(
            text, icon=":material/check:" if kind == "success" else ":material/error:"
        )

    # the answered questions (a value given), in the questionnaire's order
    rows = []
    for dimension in questionnaire.dimensions:
        for question in dimension.questions:
            if question.id in answers:
                shown = status(r.verified_at for r in found.get(question.id, []))
                rows.append((question.id, dimension, question, shown))
    if not rows:
        st.info(t("evidence.none_answered"))
        return
    counts = {s: sum(1 for *_, shown in rows if shown == s) for s in STATUSES}
    with st.container(horizontal=True):
        st.metric(t("evidence.count_answered"), len(rows), border=True)
        st.metric(t("evidence.count_attached"), counts[ATTACHED] + counts[VERIFIED], border=True)
        st.metric(t("evidence.count_verified"), counts[VERIFIED], border=True)
    if not verifier:
        st.caption(t("evidence.verifier_only"))

    with st.expander(t("evidence.overview"), icon=":material/table:"):
        table = pd.DataFrame(
            [
                {
                    t("evidence.col_question"): authored_label(q.text.get(lang)),
                    t("evidence.col_dimension"): authored_label(d.title.get(lang)),
                    t("evidence.col_status"): t(f"evidence.status.{shown}"),
                    t("evidence.col_pieces"): len(found.get(q.id, [])),
                }
                for _, d, q, shown in rows
            ]
        )
        st.dataframe(table, hide_index=True, width="stretch")

    chosen_status = st.segmented_control(
        t("evidence.filter"), [None, *STATUSES], key=FILTER,
        format_func=lambda s: t(f"evidence.status.{s}") if s else t("evidence.all"),
    )  # fmt: skip
    offered = [qid for qid, _, _, shown in rows if chosen_status is None or shown == chosen_status]
    if not offered:
        st.info(t("evidence.none_in_filter"))
        return
    by_id = {qid: (d, q, shown) for qid, d, q, shown in rows}
    asked = st.query_params.get("q")
    if asked in offered and CURRENT not in st.session_state:
        st.session_state[CURRENT] = asked
    if st.session_state.get(CURRENT) not in offered:
        st.session_state[CURRENT] = offered[0]
    question_id = st.selectbox(
        t("evidence.question"), offered, key=CURRENT,
        format_func=lambda qid: authored_label(by_id[qid][1].text.get(lang)),
    )  # fmt: skip
    dimension, question, shown = by_id[question_id]
    st.header(authored_label(question.text.get(lang)), anchor=False)
    st.caption(
        f"{authored_label(dimension.title.get(lang))} · {t('evidence.answer')} : {plain(answer_label(questionnaire, question_id, answers[question_id].value, lang))}"
    )
    st.markdown(f"{ICONS[shown]} **{t(f'evidence.status.{shown}')}**")
    if question.help:
        with st.expander(t("evidence.question_help"), icon=":material/help:"):
            st.markdown(authored(question.help.get(lang)))
    for record in found.get(question_id, []):
        _item(ctx, record, editable, verifier)
    if editable:
        _forms(ctx, assessment.id, question_id)


if __name__ == "__main__":
    main(state.context())
