"""Label readiness in words (the page and the PDF): a condition's status and reason, a framework's
summary line, in the reader's language (catalogue keys readiness.*). Plain text: the page escapes it
for Markdown, the PDF for its paragraphs. The words never say a label would be obtained."""

from __future__ import annotations

import math

from diagnostic.core.loading import LoadedQuestionnaire
from diagnostic.core.markup import to_plain
from diagnostic.core.readiness import (
    MET,
    MISSING,
    NOT_APPLICABLE,
    NOT_ASSESSED,
    TO_CHECK,
    AnswerCheck,
    ConditionCheck,
    ReadinessReport,
)
from diagnostic.core.schema import MaturityQuestion, MultipleQuestion, SingleQuestion, YesNoQuestion
from diagnostic.i18n import format_number, format_percent, t
from diagnostic.labels import answer_label

STATUS_KEYS = {
    MET: "readiness.status.met", MISSING: "readiness.status.missing", NOT_ASSESSED: "readiness.status.not_assessed",
    TO_CHECK: "readiness.status.to_check", NOT_APPLICABLE: "readiness.status.not_applicable",
}  # fmt: skip
LISTED = 3  # questions named in a reason; the others are counted
STATUS_MARKS = {MET: "✓", MISSING: "✗", NOT_ASSESSED: "?", TO_CHECK: "☐", NOT_APPLICABLE: "–"}
REASON_KEYS = {
    reason: f"readiness.reason.{reason}"
    for reason in (
        "answer_met", "answer_below", "dont_know", "unanswered", "absent", "not_applicable", "na", "score_met",
        "score_below", "no_score", "dimensions_below", "every_dimension_met", "theme_unanswered", "legal_met",
        "legal_unmet", "legal_unanswered", "size_unknown", "not_for_size", "sector_unknown", "sector_excluded",
        "sector_ok", "company",
    )
}  # fmt: skip


def _separator(lang: str) -> str:
    return "; " if lang == "en" else " ; "  # French sets a space before the semicolon


def _score(value: object, lang: str) -> str:
    return format_number(float(value), lang, 0) if isinstance(value, (int, float)) else "—"


def _question(questionnaire: LoadedQuestionnaire, question_id: str, lang: str) -> str:
    question = questionnaire.questions.get(question_id)
    return to_plain(question.text.get(lang)) if question is not None else question_id


def expected(check: AnswerCheck, questionnaire: LoadedQuestionnaire, lang: str) -> str:
    """What an answer must be, in the question's own words ("2 — Formalisé or better", "No")."""
    question = questionnaire.questions[check.question]
    if check.in_ is not None:
        return " / ".join(to_plain(answer_label(questionnaire, check.question, v, lang)) for v in check.in_)
    low = check.min or 0
    if isinstance(question, MaturityQuestion):
        return t(
            "readiness.or_better", lang, answer=to_plain(answer_label(questionnaire, question.id, math.ceil(low), lang))
        )
    if isinstance(question, SingleQuestion):  # the least of the options that meet it, "or better"
        good = sorted((o for o in questionnaire.options(question) if o.score >= low), key=lambda o: o.score)
        return t("readiness.or_better", lang, answer=to_plain(good[0].label.get(lang))) if good else "—"
    if isinstance(question, YesNoQuestion):
        fitting = [v for v, score in (("yes", question.scores.yes), ("no", question.scores.no)) if score >= low]
        return " / ".join(answer_label(questionnaire, question.id, v, lang) for v in fitting)
    if isinstance(question, MultipleQuestion):
        return t("readiness.score_at_least", lang, target=format_number(low, lang, 1))
    return format_number(low, lang, 1)


def reason_text(report: ReadinessReport, check: ConditionCheck, questionnaire: LoadedQuestionnaire, lang: str) -> str:
    """Why the condition of `report` has its status, in data terms and the reader's words."""
    key = REASON_KEYS[check.reason]
    c = check.condition.check
    names = {d.id: to_plain(d.title.get(lang)) for d in questionnaire.dimensions}
    if check.reason in ("answer_met", "answer_below") and isinstance(c, AnswerCheck):
        answer = to_plain(answer_label(questionnaire, c.question, check.value, lang))
        return t(key, lang, answer=answer, expected=expected(c, questionnaire, lang))
    if check.reason == "unanswered" and isinstance(c, AnswerCheck):
        return t(key, lang, question=_question(questionnaire, c.question, lang))
    if check.reason in ("score_met", "score_below", "every_dimension_met"):
        return t(key, lang, score=_score(check.value, lang), target=_score(check.target, lang))
    if check.reason == "no_score":
        return t(key, lang)
    if check.reason == "dimensions_below":
        below = check.value if isinstance(check.value, list) else []
        return t(key, lang, target=_score(check.target, lang), dimensions=", ".join(names.get(d, d) for d in below))
    if check.reason == "theme_unanswered":
        share = float(check.value) if isinstance(check.value, (int, float)) else 0.0
        return t(key, lang, share=format_percent(share, lang))
    if check.reason in ("legal_unmet", "legal_unanswered"):
        shown = [_question(questionnaire, q, lang) for q in check.questions[:LISTED]]
        rest = len(check.questions) - LISTED
        more = [t("readiness.and_more", lang, count=rest)] if rest > 0 else []
        return t(key, lang, count=len(check.questions), questions=_separator(lang).join([*shown, *more]))
    if check.reason == "not_for_size":
        size = next((b for b in report.framework.size_bands if b.id == check.value), None)
        return t(key, lang, size=size.name.get(lang) if size else str(check.value))
    if check.reason in ("sector_excluded", "sector_ok"):
        return t(key, lang, sector=str(check.value))
    return t(key, lang)


def size_text(report: ReadinessReport, lang: str) -> str | None:
    """The company's size category as the framework reads it, or None when it has no size bands."""
    if not report.framework.size_bands:
        return None
    if report.size is None:
        return t("readiness.size_unknown", lang)
    return t("readiness.size", lang, size=report.size.name.get(lang))


def summary_text(report: ReadinessReport, lang: str) -> str:
    """ "x necessary conditions met out of y; n missing; m to check by you; k not assessed"."""
    parts = [t("readiness.summary_met", lang, count=report.count(MET), total=report.counted)]
    for status, key in ((MISSING, "readiness.summary_missing"), (TO_CHECK, "readiness.summary_to_check"),
                        (NOT_ASSESSED, "readiness.summary_not_assessed")):  # fmt: skip
        if report.count(status):
            parts.append(t(key, lang, count=report.count(status)))
    return _separator(lang).join(parts)


def level_lines(report: ReadinessReport, lang: str) -> list[str]:
    """One line per level of the framework: its necessary conditions all met, or what is missing."""
    lines = []
    for level in report.levels:
        name = level.level.name.get(lang)
        if level.total and level.met == level.total:
            lines.append(t("readiness.level_all_met", lang, level=name, count=level.total))
        else:
            lines.append(
                t(
                    "readiness.level_open",
                    lang,
                    level=name,
                    met=level.met,
                    total=level.total,
                    missing=level.missing,
                    open=level.open,
                )
            )
    return lines
