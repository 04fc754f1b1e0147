"""Préparation aux labels: per label or rating (AFNOR Engagé RSE, EcoVadis, B Corp), the NECESSARY
conditions read from the assessment's answers: a summary line, the missing conditions first with
what to do, then those to check by the company, those not assessed, and the met ones folded; the
disclaimer and the sources with their last-checked date. Never "you would get the label".

One column of bordered blocks, no table: it reads the same on a phone (390 px)."""

from __future__ import annotations

import streamlit as st

from diagnostic.core.readiness import (
    MET,
    MISSING,
    NOT_APPLICABLE,
    NOT_ASSESSED,
    TO_CHECK,
    ConditionCheck,
    ReadinessReport,
)
from diagnostic.core.recommendations import RankedRecommendation
from diagnostic.i18n import format_date, format_score
from diagnostic.readiness_text import STATUS_KEYS, STATUS_MARKS, level_lines, reason_text, size_text, summary_text
from diagnostic.services import readiness as readiness_service
from diagnostic.services.context import Context
from diagnostic.services.readiness import ReadinessView
from ui import state
from ui.state import t
from ui.text import authored, plain

SUGGESTIONS = 2  # recommendations shown under a missing condition: the first ones by priority


def _suggestions(check: ConditionCheck, view: ReadinessView, shown: set[str]) -> list[RankedRecommendation]:
    """The diagnostic's first recommendations (by priority) on the questions the condition reads,
    each shown once per framework (several conditions may read the same questions)."""
    wanted = set(check.questions)
    found = [r for r in view.evaluation.result.recommendations if r.question in wanted and r.id not in shown][
        :SUGGESTIONS
    ]
    shown.update(r.id for r in found)
    return found


def _condition(
    report: ReadinessReport, check: ConditionCheck, view: ReadinessView, shown: set[str] | None = None
) -> bool:
    """One condition in a bordered block, with what to do when `shown` (the recommendations already
    shown) is given; True when it showed a recommendation of the diagnostic."""
    lang = state.lang()
    condition = check.condition
    suggested = False
    with st.container(border=True):
        mark = STATUS_MARKS[check.status]
        st.markdown(f"{mark} **{plain(condition.text.get(lang))}** · {t(STATUS_KEYS[check.status])}")
        st.caption(plain(reason_text(report, check, view.evaluation.questionnaire, lang)))
        if shown is not None:
            for rec in _suggestions(check, view, shown):
                st.markdown(authored(rec.text.get(lang), lead=f"*{plain(t('readiness.suggestion'))}* "))
                suggested = True
            if condition.todo is not None:
                st.markdown(plain(t("readiness.what_to_do", todo=condition.todo.get(lang))))
        st.caption(plain(t("readiness.basis", basis=condition.basis.get(lang))))
    return suggested


def _framework(report: ReadinessReport, view: ReadinessView) -> None:
    lang = state.lang()
    framework = report.framework
    st.header(plain(framework.name.get(lang)))
    st.markdown(f"**{plain(summary_text(report, lang))}**")
    st.warning(plain(framework.disclaimer.get(lang)), icon=":material/info:")
    size = size_text(report, lang)
    if size is not None:
        st.markdown(plain(size))
        if framework.size_note is not None:
            st.caption(plain(framework.size_note.get(lang)))
    if report.levels:
        st.markdown(f"**{t('readiness.levels_title')}**")
        st.markdown("\n".join(f"- {plain(line)}" for line in level_lines(report, lang)))
    if report.themes:
        st.markdown(f"**{t('readiness.themes_title')}**")
        lines = []
        for theme in report.themes:
            name = theme.theme.name.get(lang)
            if theme.score is None:
                lines.append(t("readiness.theme_unassessed", theme=name))
            else:
                lines.append(
                    t(
                        "readiness.theme_line",
                        theme=name,
                        score=format_score(theme.score, lang),
                        target=format_score(theme.theme.min, lang),
                    )
                )
        st.markdown("\n".join(f"- {plain(line)}" for line in lines))

    missing = report.with_status(MISSING)
    st.markdown(f"### {t('readiness.missing_title')}")
    if not missing:
        st.success(t("readiness.none_missing"), icon=":material/check_circle:")
        if report.all_met:
            st.info(t("readiness.all_met_note", publisher=plain(framework.publisher)))
    shown: set[str] = set()
    suggested = False
    for check in missing:
        suggested = _condition(report, check, view, shown) or suggested
    if suggested:
        st.page_link("app_pages/plan.py", label=t("readiness.see_plan"), icon=":material/add_task:")
    for status, title in ((TO_CHECK, "readiness.to_check_title"), (NOT_ASSESSED, "readiness.not_assessed_title")):
        found = report.with_status(status)
        if found:
            st.markdown(f"### {t(title)}")
            for check in found:
                _condition(report, check, view, shown if status == TO_CHECK else None)
    for status, title in ((MET, "readiness.met_title"), (NOT_APPLICABLE, "readiness.not_applicable_title")):
        found = report.with_status(status)
        if found:
            with st.expander(t(title, count=len(found))):
                for check in found:
                    _condition(report, check, view)

    st.caption(t("readiness.sources", date=format_date(framework.last_checked, lang)))
    st.markdown("\n".join(f"- [{plain(source.title)}]({source.url})" for source in framework.sources))


def main(ctx: Context) -> None:
    lang = ctx.lang
    st.title(t("readiness.title"))
    company, assessment = state.require_assessment(ctx)
    view = readiness_service.readiness_view(ctx, assessment.id)
    if view is None:  # deleted (or out of reach) since require_assessment read it
        st.info(t("empty.no_assessment"))
        st.page_link("app_pages/company.py", label=t("empty.go_company"), icon=":material/business:")
        st.stop()
    questionnaire = view.evaluation.questionnaire
    st.caption(
        f"{plain(company.name)} · {questionnaire.model.title.get(lang)} · {format_date(assessment.created_at, lang)}"
    )
    st.markdown(t("readiness.intro"))
    if not view.evaluation.answers:
        st.info(t("empty.no_answers"))
        st.page_link("app_pages/diagnostic.py", label=t("empty.go_diagnostic"), icon=":material/checklist:")
        st.stop()
    names = [plain(report.framework.name.get(lang)) for report in view.reports]
    for tab, report in zip(st.tabs(names), view.reports, strict=True):
        with tab:
            _framework(report, view)


if __name__ == "__main__":
    main(state.context())
