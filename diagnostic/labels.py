"""Human-readable labels of answers and statuses, in French or English."""

from __future__ import annotations

from diagnostic.core.answers import AnswerValue
from diagnostic.core.loading import LoadedQuestionnaire
from diagnostic.core.schema import MaturityQuestion, MultipleQuestion, NumberQuestion, SingleQuestion, YesNoQuestion
from diagnostic.core.values import DONT_KNOW, NA

SPECIAL_LABELS = {
    NA: {"fr": "Non concerné (N/A)", "en": "Not applicable (N/A)"},
    DONT_KNOW: {"fr": "Je ne sais pas", "en": "Don't know"},
}
YES_NO = {"yes": {"fr": "Oui", "en": "Yes"}, "no": {"fr": "Non", "en": "No"}}


def answer_label(questionnaire: LoadedQuestionnaire, question_id: str, value: AnswerValue | None, lang: str) -> str:
    """What the answer says, as a reader sees it ("3 — Déployé & mesuré", "Oui", "Papier, Métal")."""
    if value is None:
        return "—"
    if isinstance(value, str) and value in SPECIAL_LABELS:
        return SPECIAL_LABELS[value][lang]
    question = questionnaire.questions[question_id]
    if isinstance(question, MaturityQuestion):
        level = next(s for s in questionnaire.model.maturity_scale if s.value == value)
        return f"{value} — {level.label.get(lang)}"
    if isinstance(question, YesNoQuestion):
        return YES_NO[str(value)][lang]
    if isinstance(question, SingleQuestion):
        return questionnaire.option_label(question, str(value), lang)
    if isinstance(question, MultipleQuestion):
        values = value if isinstance(value, list) else [str(value)]
        return ", ".join(questionnaire.option_label(question, v, lang) for v in values) or "—"
    if isinstance(question, NumberQuestion):
        unit = f" {question.unit.get(lang)}" if question.unit else ""
        number = f"{value:g}" if isinstance(value, float) else str(value)
        return number + unit
    return str(value)

ACTION_STATUSES = ("todo", "in_progress", "done", "dropped")
STATUS_LABELS = {
    "todo": {"fr": "À faire", "en": "To do"},
    "in_progress": {"fr": "En cours", "en": "In progress"},
    "done": {"fr": "Fait", "en": "Done"},
    "dropped": {"fr": "Abandonné", "en": "Dropped"},
}


def status_label(status: str, lang: str) -> str:
    return STATUS_LABELS.get(status, {"fr": status, "en": status})[lang]
