"""Suivi: the company's assessments over time, a comparison of two, and the action plans' progress.

Numbers and dates in the page's language (diagnostic.i18n, Babel); tables are static (st.table) so that
long dimension names wrap and every column shows on a phone.
"""

import pandas as pd
import streamlit as st

from diagnostic.core.comparison import comparable_questions, compare
from diagnostic.i18n import format_date, format_number, format_score
from diagnostic.labels import answer_label
from diagnostic.services import actions as action_service
from diagnostic.services import assessments as assessment_service
from diagnostic.services.context import Context
from ui import state
from ui.charts import history_figure
from ui.state import t
from ui.text import authored_label, plain


def main(ctx: Context) -> None:
    lang = ctx.lang

    st.title(t("followup.title"))
    company = state.current_company(ctx)
    if company is None:
        st.info(t("empty.no_company"))
        st.page_link("app_pages/company.py", label=t("empty.go_company"), icon=":material/business:")
        st.stop()

    assessments = assessment_service.list_assessments(ctx, company.id)
    if not assessments:
        st.info(t("empty.no_assessment"))
        st.page_link("app_pages/company.py", label=t("empty.go_company"), icon=":material/business:")
        st.stop()

    evaluations = [e for e in (assessment_service.evaluate(ctx, a.id) for a in assessments) if e is not None]
    if not evaluations:  # all deleted between the two reads
        st.info(t("empty.no_assessment"))
        st.stop()
    first_q = evaluations[-1].questionnaire
    titles = {d.id: d.title.get(lang) for d in first_q.dimensions}
    st.caption(plain(company.name))


    def signed(delta: float | None) -> str:
        """+14 / -3 / 0 as the page's language writes numbers; "—" when one side has no score."""
        if delta is None:
            return "—"
        text = format_number(delta, lang, 0)
        if text in ("0", "-0"):
            return "0"
        return text if text.startswith("-") else f"+{text}"


    st.header(t("followup.history"))
    points = []
    # one row per score and one column per assessment (few columns: it fits a phone); a dimension an
    # assessment's questionnaire does not have shows "—"
    overall, level = t("followup.overall"), t("followup.level")
    names = [overall, level] + [titles[d.id] for d in first_q.dimensions]
    cells: list[dict[str, str]] = []
    for e in evaluations:
        moment = e.assessment.created_at
        column = {overall: format_score(e.result.overall, lang), level: e.result.level.label.get(lang) if e.result.level else "—"}
        points.append((moment, overall, e.result.overall))
        for d in e.result.dimensions:
            name = titles.get(d.id, d.id)
            points.append((moment, name, d.score))
            column[name] = format_score(d.score, lang)
            if name not in names:
                names.append(name)
        cells.append(column)
    if len(evaluations) > 1:
        st.plotly_chart(history_figure(points, lang, ""), config={"displayModeBar": False}, key="history")
    else:
        st.info(t("followup.only_one"))
    dates = [format_date(e.assessment.created_at, lang, "medium").replace(" ", "\u00a0") for e in evaluations]  # one line each
    columns = [f"{d} ({i + 1})" if dates.count(d) > 1 else d for i, d in enumerate(dates)]
    st.table(
        pd.DataFrame([[name, *(c.get(name, "—") for c in cells)] for name in names], columns=[t("diag.dimension"), *columns]),
        hide_index=True,
    )

    if len(evaluations) > 1:
        st.header(t("followup.compare"))
        labels = state.unique_labels(
            {e.assessment.id: f"{format_date(e.assessment.created_at, lang, 'medium')} · {e.questionnaire.model.title.get(lang)}" for e in evaluations}
        )
        ids = [e.assessment.id for e in evaluations]
        left, right = st.columns(2)
        before_id = left.selectbox(t("followup.before"), ids, index=len(ids) - 2, format_func=labels.__getitem__)
        after_id = right.selectbox(t("followup.after"), ids, index=len(ids) - 1, format_func=labels.__getitem__)
        before = next(e for e in evaluations if e.assessment.id == before_id)
        after = next(e for e in evaluations if e.assessment.id == after_id)
        comparable = comparable_questions(before.questionnaire, after.questionnaire)
        moved = compare(before.result, after.result, comparable)
        if before.questionnaire.content_hash != after.questionnaire.content_hash:
            st.caption(
                t(
                    "followup.other_version",
                    before=f"{before.questionnaire.id} {before.questionnaire.version}",
                    after=f"{after.questionnaire.id} {after.questionnaire.version}",
                    changed=len([q for q in after.questionnaire.questions if q not in comparable]),
                )
            )
        comparison = [
            {
                t("results.col_dimension"): titles.get(c.dimension, c.dimension),
                t("followup.before"): format_score(c.before, lang),
                t("followup.after"): format_score(c.after, lang),
                t("followup.delta"): signed(c.delta),
            }
            for c in moved.dimensions
        ]
        st.table(pd.DataFrame(comparison), hide_index=True)

        if not moved.went_up and not moved.went_down:
            st.caption(t("followup.nothing_changed"))
        up_col, down_col = st.columns(2)
        for side, title_key, items in ((up_col, "followup.went_up", moved.went_up), (down_col, "followup.went_down", moved.went_down)):
            with side:
                st.markdown(f"**{t(title_key)}** ({len(items)})")
                for change in items[:10]:
                    qid = change.question
                    question = after.questionnaire.questions[qid]
                    old_value = before.answers[qid].value
                    new_value = after.answers[qid].value
                    st.markdown(
                        f"- {authored_label(question.text.get(lang))}  \n  {plain(answer_label(before.questionnaire, qid, old_value, lang))} → "
                        f"**{plain(answer_label(after.questionnaire, qid, new_value, lang))}**"
                    )

    st.header(t("followup.actions"))
    any_action = False
    for e in reversed(evaluations):
        actions = action_service.list_actions(ctx, e.assessment.id)
        if not actions:
            continue
        any_action = True
        done = sum(1 for a in actions if a.status == "done")
        st.progress(done / len(actions), text=f"{format_date(e.assessment.created_at, lang, 'medium')} — {t('plan.progress', done=done, total=len(actions))}")
    if not any_action:
        st.caption(t("followup.no_actions"))


if __name__ == "__main__":
    main(state.context())
