"""Résultats: score and level, radar with target and previous overlays, the rules behind the level."""

import pandas as pd
import streamlit as st

from diagnostic import services
from diagnostic.charts import radar_figure
from diagnostic.i18n import format_date, format_percent, format_score
from ui import state
from ui.exports import download_buttons
from ui.state import t
from ui.text import plain

lang = state.lang()
repo = state.repo()

st.title(t("results.title"))
company, assessment = state.require_assessment()

evaluation = services.evaluate(repo, assessment.id)
result = evaluation.result
questionnaire = evaluation.questionnaire
st.caption(f"{plain(company.name)} · {questionnaire.model.title.get(lang)} · {format_date(assessment.created_at, lang)}")
if result.overall is None:
    st.info(t("empty.no_answers"))
    st.page_link("app_pages/diagnostic.py", label=t("empty.go_diagnostic"), icon=":material/checklist:")
    st.stop()

titles = {d.id: d.title.get(lang) for d in questionnaire.dimensions}
previous = services.previous_assessment(repo, assessment)
previous_eval = services.evaluate(repo, previous.id) if previous else None

download_buttons(assessment.id, company.name, assessment.created_at.date().isoformat())

score_col, level_col, coverage_col = st.columns(3)
score_col.metric(t("results.overall"), f"{format_score(result.overall)}/100")
level_col.metric(t("results.level"), f"{result.level_rank} · {result.level.label.get(lang)}")
coverage_col.metric(t("results.coverage"), format_percent(result.coverage))
if result.level.description:
    st.markdown(f"**{result.level.label.get(lang)}** — {result.level.description.get(lang)}")
if result.capped_by_critical:
    st.warning(t("results.capped", level=result.level.label.get(lang), by_score=result.level_by_score.label.get(lang)))

radar_col, side_col = st.columns([3, 2])
with radar_col:
    st.subheader(t("results.radar"))
    previous_label = t("results.previous", date=format_date(previous.created_at, lang)) if previous else None
    figure = radar_figure(
        questionnaire, result, lang, targets=assessment.targets,
        previous=previous_eval.result if previous_eval else None, previous_label=previous_label,
    )
    st.plotly_chart(figure, config={"displayModeBar": False}, key="radar")

scored = sorted((d for d in result.dimensions if d.score is not None), key=lambda d: d.score, reverse=True)
with side_col:
    st.subheader(t("results.strengths"))
    for d in scored[:3]:
        st.markdown(f"- **{titles[d.id]}** — {format_score(d.score)}/100")
    st.subheader(t("results.weaknesses"))
    for d in list(reversed(scored))[:3]:
        st.markdown(f"- **{titles[d.id]}** — {format_score(d.score)}/100")

st.subheader(t("results.by_dimension"))
rows = []
for d in result.dimensions:
    before = previous_eval.result.dimension(d.id).score if previous_eval else None
    rows.append(
        {
            t("results.col_dimension"): titles[d.id],
            t("results.col_score"): format_score(d.score),
            t("results.col_coverage"): format_percent(d.coverage),
            t("results.col_target"): format_score(assessment.targets.get(d.id)),
            t("results.col_previous"): format_score(before),
            t("results.col_confidence"): t("results.low_confidence") if d.low_confidence else t("results.ok_confidence"),
        }
    )
st.dataframe(pd.DataFrame(rows), hide_index=True)
settings = questionnaire.model.results
st.caption(
    t("results.low_confidence_help", coverage=round(100 * settings.low_coverage), dont_know=round(100 * settings.high_dont_know))
)
st.caption(t("results.score_method"))


st.subheader(t("results.critical"))
if result.critical_unmet:
    for qid in result.critical_unmet:
        question = questionnaire.questions[qid]
        st.error(f"**{question.text.get(lang)}**  \n{question.critical.reason.get(lang)}")
else:
    st.success(t("results.no_critical"))
if result.critical_unanswered:
    st.markdown(f"**{t('results.critical_unanswered')}**")
    for qid in result.critical_unanswered:
        st.markdown(f"- {questionnaire.questions[qid].text.get(lang)}")

with st.expander(t("results.rules"), expanded=False):
    cap = next((lv for lv in questionnaire.model.results.levels if lv.id == questionnaire.model.results.critical_cap), None)
    st.markdown(t("results.rules_intro", cap=cap.label.get(lang) if cap else "—"))
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
    with st.form("targets"):
        columns = st.columns(2)
        chosen = {}
        for index, d in enumerate(questionnaire.dimensions):
            with columns[index % 2]:
                chosen[d.id] = st.slider(
                    titles[d.id], 0, 100, int(assessment.targets.get(d.id, 60)), step=5, key=f"target-{assessment.id}-{d.id}"
                )
        if st.form_submit_button(t("results.targets_save"), type="primary"):
            repo.update_assessment(assessment.id, targets={k: float(v) for k, v in chosen.items()})
            st.toast(t("results.targets_saved"))
            st.rerun()
