"""Résultats: score and level, radar with target and previous overlays, the rules behind the level."""

import pandas as pd
import streamlit as st

from diagnostic.core.benchmark import Figures
from diagnostic.core.reading import NOT_FILLED, SCORED, read
from diagnostic.core.roles import Permission
from diagnostic.core.scoring import DimensionResult
from diagnostic.evidence_words import lacking_sentence, rule_sentence
from diagnostic.i18n import format_date, format_percent, format_score
from diagnostic.services import assessments as assessment_service
from diagnostic.services import companies as company_service
from diagnostic.services import networks as network_service
from diagnostic.services.context import Context
from diagnostic.services.evidence_scores import evidence_score
from ui import state
from ui.charts import radar_figure
from ui.exports import download_buttons
from ui.state import t
from ui.text import authored, authored_label, plain


def benchmark_choice(ctx: Context, company_id: int) -> tuple[str, Figures, str] | None:
    """The benchmark drawn on the radar, chosen among the networks the company shares with (and their
    sector benchmarks): (legend, figures, caption), or None. Nothing is offered below the threshold."""
    offered: dict[str, tuple[str, Figures, str]] = {}
    for b in network_service.benchmark_for(ctx, company_id):
        if b.figures.dimensions:
            caption = t("benchmark.caption", count=b.figures.contributors, network=plain(b.network))
            offered[f"n{b.network_id}"] = (t("benchmark.legend", network=b.network), b.figures, caption)
        if b.sector_figures is not None and b.sector_figures.dimensions:
            caption = t("benchmark.caption_sector", count=b.sector_figures.contributors, network=plain(b.network), section=b.section)
            offered[f"s{b.network_id}"] = (t("benchmark.legend_sector", network=b.network, section=b.section), b.sector_figures, caption)
    if not offered:
        return None
    chosen = st.selectbox(
        t("benchmark.compare"), [None, *offered], format_func=lambda k: offered[k][0] if k else t("benchmark.compare_none"),
        key="benchmark-choice", help=t("benchmark.compare_help"), index=1,  # the first network's, shown at once
    )  # fmt: skip
    return offered[chosen] if chosen else None


def main(ctx: Context) -> None:
    lang = ctx.lang

    st.title(t("results.title"))
    company, assessment = state.require_assessment(ctx)

    evaluation = assessment_service.evaluate(ctx, assessment.id)
    if evaluation is None:  # deleted (or out of reach) since require_assessment read it
        st.info(t("empty.no_assessment"))
        st.page_link("app_pages/company.py", label=t("empty.go_company"), icon=":material/business:")
        st.stop()
    result = evaluation.result
    questionnaire = evaluation.questionnaire
    st.caption(f"{plain(company.name)} · {questionnaire.model.title.get(lang)} · {format_date(assessment.created_at, lang)}")
    if result.overall is None:
        st.info(t("empty.no_answers"))
        st.page_link("app_pages/diagnostic.py", label=t("empty.go_diagnostic"), icon=":material/checklist:")
        st.stop()

    titles = {d.id: d.title.get(lang) for d in questionnaire.dimensions}
    if questionnaire.model.modules:
        opened = [questionnaire.module_by_id[m].title.get(lang) for m in result.modules]
        st.caption(t("results.modules", modules=", ".join(plain(m) for m in opened)) if opened else t("results.no_module"))
    previous = assessment_service.previous_assessment(ctx, assessment)
    previous_eval = assessment_service.evaluate(ctx, previous.id) if previous else None

    download_buttons(ctx, assessment.id, company.name, assessment.created_at.date().isoformat())

    reading = read(questionnaire, result)


    def dimension_link(dimension_id: str, label: str, help_key: str, icon: str) -> None:
        """A link (a real one: it opens in a new tab too) to the Diagnostic page open on a dimension,
        named by its id in the URL parameter "dim". A page link never wraps: short labels, the
        dimension in the tooltip."""
        params = {"lang": lang, "c": str(company.id), "a": str(assessment.id), "dim": dimension_id}
        st.page_link(
            "app_pages/diagnostic.py", label=label, icon=icon, query_params=params,
            help=t(help_key, dimension=authored_label(titles[dimension_id])),
        )


    if reading.provisional:
        with st.container(border=True, key="provisional"):
            st.warning(
                t(
                    "results.provisional", unanswered=reading.unanswered, applicable=reading.applicable,
                    coverage=format_percent(result.coverage, lang), threshold=round(100 * reading.threshold),
                ),
                icon=":material/hourglass_top:",
            )
            if reading.first_unanswered_dimension is not None:
                first = reading.first_unanswered_dimension
                dimension_link(first, t("results.first_unanswered"), "results.first_unanswered_help", ":material/edit_note:")

    score_col, level_col, coverage_col = st.columns(3)
    score_col.metric(
        t("results.overall_provisional" if reading.provisional else "results.overall"), f"{format_score(result.overall)}/100"
    )
    # the evidence-backed score, under the declared one, when the questionnaire has an evidence rule
    backed = evidence_score(ctx, evaluation)
    if backed is not None:
        backed_score = f"{format_score(backed.result.overall)}/100"
        score_col.metric(t("evscore.title"), backed_score, help=rule_sentence(backed.rule, lang))
        backed_level = authored_label(backed.result.level.label.get(lang)) if backed.result.level else "—"
        score_col.caption(f"{lacking_sentence(len(backed.lacking), lang)} {t('evscore.level', level=backed_level)}")
    # no level when even the first one is not reached (a dimension under its floor): "—", as in the PDF
    level, by_score = result.level, result.level_by_score
    level_col.metric(
        t("results.level_provisional" if reading.provisional else "results.level"),
        f"{result.level_rank} · {authored_label(level.label.get(lang))}" if level else "—",
    )
    coverage_col.metric(t("results.coverage"), format_percent(result.coverage, lang))
    # a level's description speaks of every dimension: it is shown only for a confirmed result
    if level and level.description and not reading.provisional:
        st.markdown(authored(level.description.get(lang), lead=f"**{authored_label(level.label.get(lang))}** — "))
    if result.capped_by_critical and level and by_score:  # capped: both levels exist
        st.warning(t("results.capped", level=authored_label(level.label.get(lang)), by_score=authored_label(by_score.label.get(lang))))

    radar_col, side_col = st.columns([3, 2])
    with radar_col:
        st.header(t("results.radar"))
        previous_label = t("results.previous", date=format_date(previous.created_at, lang)) if previous else None
        overlay = benchmark_choice(ctx, company.id)
        figure = radar_figure(
            questionnaire, result, lang, targets=assessment.targets,
            previous=previous_eval.result if previous_eval else None, previous_label=previous_label,
            benchmark=overlay[1].dimensions if overlay else None, benchmark_label=overlay[0] if overlay else None,
        )
        st.plotly_chart(figure, config={"displayModeBar": False}, key="radar")
        if overlay:
            st.caption(overlay[2])
        if reading.not_filled:
            st.caption(t("results.radar_gaps"))

    with side_col:
        if reading.strengths or reading.weaknesses:
            for heading, ids in (("results.strengths", reading.strengths), ("results.weaknesses", reading.weaknesses)):
                st.header(t(heading))
                for dimension_id in ids:
                    st.markdown(f"- **{plain(titles[dimension_id])}** — {format_score(result.dimension(dimension_id).score)}/100")
                if not ids:
                    st.markdown("- —")
        else:
            st.header(t("results.strengths") + " / " + t("results.weaknesses"))
            st.info(t("results.none_stands_out"))
        if reading.not_filled:
            st.caption(t("results.not_filled_list", dims=", ".join(authored_label(titles[d]) for d in reading.not_filled)))


    def shown_score(d: DimensionResult) -> str:
        """A dimension's score, or in words why it has none (never a 0 it does not have)."""
        kind = reading.states[d.id]
        if kind == SCORED:
            return format_score(d.score)
        return t("results.not_filled") if kind == NOT_FILLED else t("results.not_concerned")

    st.header(t("results.by_dimension"))
    rows = []
    for d in result.dimensions:
        before = previous_eval.result.dimension(d.id).score if previous_eval else None
        group = questionnaire.dimension_by_id[d.id].group
        rows.append(
            {
                **({t("results.col_group"): questionnaire.group_by_id[group].title.get(lang) if group else "—"} if questionnaire.model.groups else {}),
                t("results.col_dimension"): titles[d.id] if d.weight > 0 else t("results.weight_zero", dimension=titles[d.id]),
                t("results.col_score"): shown_score(d),
                **({t("evscore.col_score"): shown_score(backed.result.dimension(d.id))} if backed else {}),
                t("results.col_coverage"): format_percent(d.coverage, lang),
                t("results.col_target"): format_score(assessment.targets.get(d.id)),
                t("results.col_previous"): format_score(before),
                t("results.col_confidence"): (
                    "—" if reading.states[d.id] != SCORED
                    else t("results.low_confidence") if d.low_confidence else t("results.ok_confidence")
                ),
            }
        )
    st.dataframe(pd.DataFrame(rows), hide_index=True)
    settings = questionnaire.model.results
    st.caption(
        t("results.low_confidence_help", coverage=round(100 * settings.low_coverage), dont_know=round(100 * settings.high_dont_know))
    )
    st.caption(t("results.score_method"))
    st.caption(t("results.overall_method_pooled" if settings.overall == "pooled" else "results.overall_method_dimensions"))
    if result.groups:
        st.header(t("results.by_group"))
        st.dataframe(
            pd.DataFrame(
                [
                    {t("results.col_group"): questionnaire.group_by_id[g.id].title.get(lang), t("results.col_score"): format_score(g.score)}
                    for g in result.groups
                ]
            ),
            hide_index=True,
        )


    st.header(t("results.critical"))
    cap = next((lv for lv in questionnaire.model.results.levels if lv.id == questionnaire.model.results.critical_cap), None)
    for qid in reading.critical_unmet:
        question = questionnaire.questions[qid]
        assert question.critical is not None  # reading.critical_unmet lists critical questions only
        st.error(authored(question.critical.reason.get(lang), lead=f"**{authored_label(question.text.get(lang))}**  \n"))
    if reading.critical_unanswered:
        count = len(reading.critical_unanswered)
        head = t("results.critical_unanswered_one") if count == 1 else t("results.critical_unanswered_many", count=count)
        items = "\n".join(f"- {authored_label(questionnaire.questions[qid].text.get(lang))}" for qid in reading.critical_unanswered)
        why = t("results.critical_unanswered_why", cap=authored_label(cap.label.get(lang)) if cap else "—")
        st.warning(f"**{head}**\n\n{items}\n\n{why}", icon=":material/gavel:")
        first_critical = result.questions[reading.critical_unanswered[0]].dimension
        dimension_link(first_critical, t("results.answer_critical"), "results.answer_critical_help", ":material/gavel:")
    if reading.legal_all_clear:
        st.success(t("results.no_critical"))

    with st.expander(t("results.rules"), expanded=False):
        st.markdown(t("results.rules_intro", cap=authored_label(cap.label.get(lang)) if cap else "—"))
        rule_rows = []
        for check in result.level_checks:
            if check.reached:
                verdict = t("results.rule_yes")
            elif not check.overall_ok:
                verdict = t("results.rule_no_overall")
            else:
                verdict = t("results.rule_no_floor", dims=", ".join(titles[d] for d in check.dimensions_below_floor))
            rule_rows.append(
                {
                    t("results.rule_level"): f"{check.rank} · {check.level.label.get(lang)}",
                    t("results.rule_threshold"): f"{check.level.min_overall:g}",
                    t("results.rule_floor"): "—" if check.level.min_dimension is None else f"{check.level.min_dimension:g}",
                    t("results.rule_reached"): verdict,
                }
            )
        st.dataframe(pd.DataFrame(rule_rows), hide_index=True)

    with st.expander(t("results.targets")):
        st.caption(t("results.targets_help"))
        editable = company_service.may(ctx, Permission.EDIT, company.id)
        with st.form("targets"):
            columns = st.columns(2)
            chosen: dict[str, float] = {}
            for index, dim in enumerate(questionnaire.dimensions):
                with columns[index % 2]:
                    chosen[dim.id] = st.slider(
                        titles[dim.id], 0, 100, int(assessment.targets.get(dim.id, 60)), step=5, key=f"target-{assessment.id}-{dim.id}",
                        disabled=not editable,
                    )
            if st.form_submit_button(t("results.targets_save"), type="primary", disabled=not editable):
                assessment_service.set_targets(ctx, assessment.id, chosen)
                st.toast(t("results.targets_saved"))
                st.rerun()


if __name__ == "__main__":
    main(state.context())
