"""Comparer: 2 to 6 companies of the workspace side by side — radars overlaid, scores per dimension,
and the questions where they differ most."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from diagnostic.core.errors import DomainError
from diagnostic.core.portfolio import DIFFERING_LIMIT
from diagnostic.core.roles import NotFound
from diagnostic.i18n import error_text, format_percent, format_score
from diagnostic.labels import answer_label
from diagnostic.services import assessments as assessment_service
from diagnostic.services import portfolio as portfolio_service
from diagnostic.services.assessments import Evaluation
from diagnostic.services.context import Context
from diagnostic.services.portfolio import COMPARE_MAX, Comparison
from ui import state
from ui.compare_charts import compare_radar
from ui.state import t
from ui.text import authored_label, plain


def _assessments(ctx: Context, chosen: list[int], latest: dict[int, int], names: dict[int, str]) -> list[int]:
    """The assessment compared for each chosen company: its latest, unless another is picked."""
    picked = []
    with st.expander(t("compare.assessments"), icon=":material/history:"):
        for company_id in chosen:
            labels = state.assessment_labels(reversed(assessment_service.list_assessments(ctx, company_id)))
            if not labels:
                continue
            key = f"compare-assessment-{company_id}"
            if st.session_state.get(key) not in labels:
                st.session_state[key] = latest[company_id] if latest.get(company_id) in labels else next(iter(labels))
            picked.append(
                st.selectbox(
                    t("compare.assessment_of", company=plain(names[company_id])),
                    list(labels),
                    key=key,
                    format_func=labels.__getitem__,
                )  # fmt: skip
            )
    return picked


def _dimension_titles(comparison: Comparison, lang: str) -> dict[str, str]:
    titles: dict[str, str] = {}
    for evaluation in comparison.evaluations:
        for dimension in evaluation.questionnaire.dimensions:
            titles.setdefault(dimension.id, dimension.title.get(lang))
    return titles


def _scores(evaluation: Evaluation) -> dict[str, float | None]:
    return {d.id: d.score for d in evaluation.result.dimensions}


def _radar(comparison: Comparison, who: dict[int, str], titles: dict[str, str]) -> None:
    st.header(t("compare.radar"), anchor=False)
    series = []
    for evaluation in comparison.evaluations:
        scores = _scores(evaluation)
        series.append((who[evaluation.assessment.id], [scores.get(d) for d in comparison.dimensions]))
    figure = compare_radar([titles[d] for d in comparison.dimensions], series)
    st.plotly_chart(figure, config={"displayModeBar": False}, key="compare-radar")


def _score_table(comparison: Comparison, who: dict[int, str], titles: dict[str, str], lang: str) -> None:
    st.header(t("compare.scores"), anchor=False)
    heads = [plain(who[e.assessment.id]) for e in comparison.evaluations]
    lines = []
    for dimension in comparison.dimensions:
        lines.append(
            [
                authored_label(titles[dimension]),
                *(format_score(_scores(e).get(dimension), lang) for e in comparison.evaluations),
            ]
        )
    lines.append(
        [
            f"**{t('compare.overall')}**",
            *(f"**{format_score(e.result.overall, lang)}**" for e in comparison.evaluations),
        ]
    )
    lines.append(
        [
            t("compare.level"),
            *(
                authored_label(e.result.level.label.get(lang)) if e.result.level else "—"
                for e in comparison.evaluations
            ),
        ]
    )
    lines.append([t("compare.coverage"), *(format_percent(e.result.coverage, lang) for e in comparison.evaluations)])
    st.table(pd.DataFrame(lines, columns=[t("compare.dimension"), *heads]), hide_index=True)


def _differing(comparison: Comparison, who: dict[int, str], lang: str) -> None:
    st.header(t("compare.differ"), anchor=False)
    if not comparison.differing:
        st.caption(t("compare.no_differ"))
        return
    st.caption(t("compare.differ_caption", limit=DIFFERING_LIMIT))
    # one block per question (a table of long questions and several answers scrolls sideways on a phone)
    for rank, spread in enumerate(comparison.differing):
        qid = spread.question
        text = next(
            e.questionnaire.questions[qid].text.get(lang)
            for e in comparison.evaluations
            if qid in e.questionnaire.questions
        )
        lines = []
        for e in comparison.evaluations:
            given = e.answers.get(qid)
            known = given is not None and qid in e.questionnaire.questions
            shown = plain(answer_label(e.questionnaire, qid, given.value, lang)) if known and given else "—"
            lines.append(f"- **{plain(who[e.assessment.id])}** : {shown}")
        with st.container(border=True, key=f"compare-differ-{rank}"):
            st.markdown(f"**{authored_label(text)}**")
            st.caption(f"{t('compare.spread')} : {format_score(100 * spread.spread, lang)}")
            st.markdown("\n".join(lines))


def main(ctx: Context) -> None:
    lang = ctx.lang
    st.title(t("compare.title"))
    st.caption(t("compare.caption"))
    offered = portfolio_service.comparable(ctx)
    if len(offered) < 2:
        st.info(t("compare.need_two"))
        st.page_link("app_pages/company.py", label=t("empty.go_company"), icon=":material/business:")
        return
    names = state.unique_labels({c.id: c.name for c, _ in offered})
    chosen = st.multiselect(
        t("compare.companies"), list(names), key="compare-companies", format_func=names.__getitem__,
        max_selections=COMPARE_MAX, placeholder=t("compare.companies_placeholder"), help=t("compare.companies_help"),
    )  # fmt: skip
    if len(chosen) < 2:
        st.info(t("compare.pick_two"), icon=":material/compare:")
        return
    latest = {c.id: a.id for c, a in offered}
    picked = _assessments(ctx, chosen, latest, names)
    try:
        comparison = portfolio_service.compare(ctx, picked)
    except (DomainError, NotFound) as refused:  # a company deleted meanwhile, or out of reach
        st.error(error_text(refused, lang), icon=":material/error:")
        return
    company_of = {e.assessment.id: e.company.id for e in comparison.evaluations}
    who = {assessment_id: names.get(company_id, "") for assessment_id, company_id in company_of.items()}
    titles = _dimension_titles(comparison, lang)
    _radar(comparison, who, titles)
    _score_table(comparison, who, titles, lang)
    _differing(comparison, who, lang)


if __name__ == "__main__":
    main(state.context())
