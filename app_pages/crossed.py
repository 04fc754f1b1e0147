"""Regards croisés: how each respondent group sees the company, side by side.

Everything drawn comes from one `participation.crossed_views` call per run: the consolidation has
already applied the anonymity rules (a group under its threshold has no figure, and is left out of
"all others", of the spread and of the divergences); this page only names, formats and draws.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from diagnostic.core.consolidation import OTHERS_ID, Consolidation, Divergence, GroupView, QuestionStats
from diagnostic.core.loading import LoadedQuestionnaire
from diagnostic.core.markup import to_plain
from diagnostic.core.schema import MaturityQuestion, NumberQuestion, TextQuestion, YesNoQuestion
from diagnostic.i18n import format_number, format_percent, format_score
from diagnostic.labels import SPECIAL_LABELS, YES_NO
from diagnostic.labels import group_name as default_group_name
from diagnostic.services import participation
from diagnostic.services.context import Context
from ui import state
from ui.crossed_charts import group_radar, heat_map, wrap
from ui.state import t
from ui.text import authored_label, plain

TABLE_ROWS = 10  # divergences in the table before "show the others"
LIST_ITEMS = 5  # the largest blind spots, and hidden strengths, listed apart
KIND_KEYS = {
    "blind_spot": "crossed.kind.blind_spot",
    "hidden_strength": "crossed.kind.hidden_strength",
    "spread": "crossed.kind.spread",
}


def group_name(view: GroupView) -> str:
    """The group's own name, its default name, or "all others" (as typed: escape it for Markdown)."""
    if view.id == OTHERS_ID:
        return t("crossed.others")
    return default_group_name(view.key, view.label, state.lang())


def not_open() -> None:
    """What the page says for an assessment not opened to groups (the Consensus page says the same)."""
    st.info(t("crossed.not_open"))
    st.page_link("app_pages/participants.py", label=t("crossed.go_participants"), icon=":material/group_add:")
    st.stop()


def level(value: float | None, lang: str) -> str:
    return format_number(value, lang, 1) if value is not None else "—"


def distribution_text(questionnaire: LoadedQuestionnaire, question_id: str, stats: QuestionStats, lang: str) -> str:
    """The answers given, each with how many gave it: "2 (1) · 3 (2) · Je ne sais pas (1)"."""
    question = questionnaire.questions[question_id]
    parts = []
    for answer, count in stats.distribution.items():
        if not count:
            continue
        if answer in SPECIAL_LABELS:
            label = SPECIAL_LABELS[answer][lang]
        elif isinstance(question, MaturityQuestion):
            label = answer
        elif isinstance(question, YesNoQuestion):
            label = YES_NO[answer][lang]
        else:
            label = to_plain(questionnaire.option_label(question, answer, lang))
        parts.append(f"{label} ({count})")
    return " · ".join(parts) or "—"


def who_answered(consolidation: Consolidation) -> None:
    st.header(t("crossed.who"))
    lines = []
    for view in consolidation.groups:
        if not view.respondents and not view.shown:
            continue  # a group nobody answered in yet: nothing to say about it
        mode = t("crossed.anonymous") if view.anonymous else t("crossed.named")
        line = f"- **{plain(group_name(view))}** · {mode} · {t('crossed.respondents', count=view.respondents)}"
        if not view.shown:
            line += f" · *{t('crossed.not_enough', k=consolidation.k)}*"
        lines.append(line)
    if lines:
        st.markdown("\n".join(lines))
    if consolidation.others is not None:
        st.caption(t("crossed.others_line", count=consolidation.others.respondents))


def dimension_heat_map(questionnaire: LoadedQuestionnaire, views: list[GroupView], lang: str) -> None:
    """Dimensions down, groups across: a phone has room for a few groups, not for every dimension."""
    st.header(t("crossed.heatmap"))
    rows = [wrap(to_plain(d.title.get(lang)), 22) for d in questionnaire.dimensions]
    values: list[list[float | None]] = []
    texts: list[list[str]] = []
    for dimension in questionnaire.dimensions:
        scores = [v.result.dimension(dimension.id).score if v.result is not None else None for v in views]
        values.append(scores)
        texts.append([format_score(s, lang) if s is not None else "—" for s in scores])
    columns = [wrap(group_name(v), 12) for v in views]
    figure = heat_map(rows, columns, values, texts, 100)
    st.plotly_chart(figure, config={"displayModeBar": False}, key="crossed-dimensions")
    st.caption(t("crossed.heatmap_help"))


def questions_of_dimension(
    questionnaire: LoadedQuestionnaire, consolidation: Consolidation, views: list[GroupView], assessment_id: int, lang: str
) -> None:
    st.header(t("crossed.questions"))
    dimensions = [d.id for d in questionnaire.dimensions]
    titles = {d.id: authored_label(d.title.get(lang)) for d in questionnaire.dimensions}
    chosen = st.selectbox(t("crossed.dimension"), dimensions, format_func=titles.__getitem__, key=f"crossed-dim-{assessment_id}")
    dimension = questionnaire.dimension_by_id[chosen or dimensions[0]]
    numbered = [
        (number, q) for number, q in enumerate(dimension.questions, start=1)
        if not isinstance(q, TextQuestion) and any(q.id in v.questions for v in views)
    ]  # fmt: skip
    if not numbered:
        st.info(t("crossed.no_question_stats"))
        return

    # the heat map: the questions by their number (too long for an axis; the table names them), the
    # groups across; only the questions on the level scale are in `spread` (an unscored number's
    # mean is a raw figure, not a level: no colour for it)
    values: list[list[float | None]] = []
    texts: list[list[str]] = []
    for _, question in numbered:
        means = [
            stats.mean if stats is not None and question.id in consolidation.spread else None
            for stats in (v.questions.get(question.id) for v in views)
        ]
        values.append(means)
        texts.append([level(mean, lang) for mean in means])
    rows = [f"Q{number}" for number, _ in numbered]
    columns = [wrap(group_name(v), 12) for v in views]
    st.plotly_chart(heat_map(rows, columns, values, texts, 4), config={"displayModeBar": False}, key="crossed-questions")
    st.caption(t("crossed.questions_help"))

    table = []
    for number, question in numbered:
        unit = ""
        if isinstance(question, NumberQuestion) and question.id not in consolidation.spread and question.unit:
            unit = f" {to_plain(question.unit.get(lang))}"
        for view in views:
            stats = view.questions.get(question.id)
            if stats is None:
                continue
            low, high = level(stats.minimum, lang), level(stats.maximum, lang)
            table.append(
                {
                    t("crossed.col_question"): f"Q{number}. {to_plain(question.text.get(lang))}",
                    t("crossed.col_group"): group_name(view),
                    t("crossed.col_answers"): stats.answers,
                    t("crossed.col_mean"): level(stats.mean, lang) + (unit if stats.mean is not None else ""),
                    t("crossed.col_median"): level(stats.median, lang) + (unit if stats.median is not None else ""),
                    t("crossed.col_range"): "—" if stats.minimum is None else f"{low} – {high}{unit}",
                    t("crossed.col_dont_know"): format_percent(stats.dont_know / stats.answers, lang) if stats.answers else "—",
                    t("crossed.col_distribution"): distribution_text(questionnaire, question.id, stats, lang),
                }
            )
    question_column = st.column_config.TextColumn(width="medium")  # the other columns show on a phone too
    st.dataframe(
        pd.DataFrame(table), hide_index=True, key=f"crossed-stats-{assessment_id}",
        column_config={t("crossed.col_question"): question_column},
    )  # fmt: skip


def divergences(questionnaire: LoadedQuestionnaire, consolidation: Consolidation, lang: str) -> None:
    st.header(t("crossed.divergences"))
    st.caption(t("crossed.divergences_help"))
    found = consolidation.divergences
    if not found:
        st.info(t("crossed.no_divergence"))
        return

    def question_text(d: Divergence) -> str:
        return authored_label(questionnaire.questions[d.question_id].text.get(lang))

    def table(divergences: list[Divergence]) -> None:
        rows = [
            {
                t("crossed.col_question"): question_text(d),
                t("crossed.col_group"): plain(group_name(consolidation.group(d.group_id))),
                t("crossed.col_kind"): t(KIND_KEYS[d.kind]),
                t("crossed.col_size"): format_number(d.size, lang, 1),
            }
            for d in divergences
        ]
        st.table(pd.DataFrame(rows), hide_index=True)

    # the largest first: the first ones in view, the others a click away
    table(found[:TABLE_ROWS])
    if len(found) > TABLE_ROWS:
        with st.expander(t("crossed.more_divergences", count=len(found) - TABLE_ROWS)):
            table(found[TABLE_ROWS:])
    blind, hidden = st.columns(2)
    lists = ((blind, "crossed.blind_spots", "blind_spot"), (hidden, "crossed.hidden_strengths", "hidden_strength"))
    for column, heading, kind in lists:
        with column:
            st.subheader(t(heading))
            items = [
                "- " + t(
                    "crossed.item", count=round(d.size, 1), question=question_text(d),
                    group=plain(group_name(consolidation.group(d.group_id))), size=format_number(d.size, lang, 1),
                )
                for d in found if d.kind == kind
            ][:LIST_ITEMS]  # fmt: skip
            st.markdown("\n".join(items) if items else t("crossed.none"))


def comments(questionnaire: LoadedQuestionnaire, consolidation: Consolidation, lang: str) -> None:
    """Each group's comments and free texts, when its rules allow: no name, no order of arrival."""
    st.header(t("crossed.comments"))
    st.caption(t("crossed.comments_help", k=consolidation.comment_k))
    any_shown = False
    for view in consolidation.shown:
        if not view.comments_shown:
            st.caption(t("crossed.comments_hidden", group=plain(group_name(view)), k=consolidation.comment_k))
            continue
        if not view.comments:
            continue
        any_shown = True
        count = sum(len(items) for items in view.comments.values())
        with st.expander(f"{plain(group_name(view))} ({count})", icon=":material/forum:"):
            for question_id, items in view.comments.items():
                text = authored_label(questionnaire.questions[question_id].text.get(lang))
                st.markdown(f"**{text}**\n\n" + "\n".join(f"- {plain(item)}" for item in items))
    if not any_shown:
        st.caption(t("crossed.no_comments"))


def main(ctx: Context) -> None:
    lang = ctx.lang

    st.title(t("crossed.title"))
    company, assessment = state.require_assessment(ctx)
    views = participation.crossed_views(ctx, assessment.id)
    if views is None:
        not_open()
        return
    questionnaire, consolidation = views.questionnaire, views.consolidation
    st.caption(f"{plain(company.name)} · {authored_label(questionnaire.model.title.get(lang))}")
    st.markdown(t("crossed.intro", k=consolidation.k))

    who_answered(consolidation)
    shown = consolidation.shown
    if not shown:
        st.info(t("crossed.nothing_shown"))
        return

    st.header(t("crossed.radar"))
    polygons = [(group_name(v), v.result) for v in shown if v.result is not None]
    figure = group_radar(questionnaire, polygons, lang, targets=assessment.targets, target_label=t("results.target"))
    st.plotly_chart(figure, config={"displayModeBar": False}, key="crossed-radar")

    rows = shown + ([consolidation.others] if consolidation.others is not None else [])
    dimension_heat_map(questionnaire, rows, lang)
    questions_of_dimension(questionnaire, consolidation, rows, assessment.id, lang)
    divergences(questionnaire, consolidation, lang)
    comments(questionnaire, consolidation, lang)


if __name__ == "__main__":
    main(state.context())
