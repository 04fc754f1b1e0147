"""Human-readable labels of answers and statuses, in French or English (texts: the catalogues, keys label.*)."""

from __future__ import annotations

from diagnostic.core.answers import AnswerValue
from diagnostic.core.loading import LoadedQuestionnaire
from diagnostic.core.schema import MaturityQuestion, MultipleQuestion, NumberQuestion, SingleQuestion, YesNoQuestion
from diagnostic.core.values import DONT_KNOW, NA
from diagnostic.i18n import LANGS, t


def _by_lang(key: str) -> dict[str, str]:
    return {lang: t(key, lang) for lang in LANGS}


SPECIAL_KEYS = {NA: "label.na", DONT_KNOW: "label.dont_know"}
YES_NO_KEYS = {"yes": "label.yes", "no": "label.no"}
# value -> {lang: label}, read from the catalogues, for the screens that read SPECIAL_LABELS[value][lang]
SPECIAL_LABELS = {value: _by_lang(key) for value, key in SPECIAL_KEYS.items()}
YES_NO = {value: _by_lang(key) for value, key in YES_NO_KEYS.items()}


def answer_label(questionnaire: LoadedQuestionnaire, question_id: str, value: AnswerValue | None, lang: str) -> str:
    """What the answer says, as a reader sees it ("3 — Déployé & mesuré", "Oui", "Papier, Métal")."""
    if value is None:
        return "—"
    if isinstance(value, str) and value in SPECIAL_KEYS:
        return t(SPECIAL_KEYS[value], lang)
    question = questionnaire.questions[question_id]
    if isinstance(question, MaturityQuestion):
        level = next(s for s in questionnaire.model.maturity_scale if s.value == value)
        return f"{value} — {level.label.get(lang)}"
    if isinstance(question, YesNoQuestion):
        return t(YES_NO_KEYS[str(value)], lang)
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
STATUS_LABELS = {status: _by_lang(f"label.status.{status}") for status in ACTION_STATUSES}


def status_label(status: str, lang: str) -> str:
    """The status as a reader sees it ("À faire", "Done"); an unknown status as it is."""
    return t(f"label.status.{status}", lang) if status in ACTION_STATUSES else status


def group_name(key: str, label: str, lang: str) -> str:
    """A respondent group's name: the label given for the assessment, else the group's default name."""
    return label or t(f"group.{key}", lang)
