"""Answers and comments, saved one by one as they are given (compare-and-set against the screen).

Single answers are not written to the audit log: each answer row keeps who gave it and when, and
an audit line per click would double the cost of the most frequent write (docs/decisions.md).
"""

from __future__ import annotations

from typing import Any, TypeGuard

from diagnostic.core import limits
from diagnostic.core.answers import check_question, check_value
from diagnostic.core.errors import Conflict, Gone
from diagnostic.core.loading import LoadedQuestionnaire
from diagnostic.core.roles import NotAllowed, NotFound, Permission
from diagnostic.core.schema import MultipleQuestion
from diagnostic.services import access
from diagnostic.services.context import Context
from diagnostic.services.questionnaires import questionnaire_of
from diagnostic.storage.records import AnswerEdit, AnswerRecord
from diagnostic.storage.uow import UnitOfWork

SHOWN_UNKNOWN: Any = object()  # the caller does not know what the screen showed: no check


def _edit(
    ctx: Context, assessment_id: int, question_id: str, edit: Any, answered_by: str
) -> AnswerRecord | None:
    """One compare-and-set in the actor's edit scope; NotAllowed for what is only seen, NotFound
    (Gone for the pages: deleted meanwhile) for what is not there."""

    def work(uow: UnitOfWork) -> AnswerRecord | None:
        held = access.grants(ctx)
        try:
            return uow.answers.edit(held.scope(Permission.EDIT), assessment_id, question_id, edit, answered_by=answered_by)
        except Gone:
            if uow.assessments.get(held.scope(Permission.VIEW), assessment_id) is not None:
                raise NotAllowed(Permission.EDIT) from None
            raise

    return ctx.uow.run(work)


def record_answer(
    ctx: Context,
    questionnaire: LoadedQuestionnaire,
    assessment_id: int,
    question_id: str,
    value: Any,
    answered_by: str = "",
    shown: Any = SHOWN_UNKNOWN,
) -> Any:
    """Check then save one answer as it is given; None clears it. Returns the value now stored.

    `shown` is the value the screen showed before this change (None: no answer). When someone else
    changed the answer meanwhile, nothing is written and Conflict carries their value — except for
    a multiple choice, merged option by option: what this person ticked or unticked is applied to
    the other's selection.
    """
    new_value = None if value is None or value == [] else check_value(questionnaire, question_id, value)
    multiple = isinstance(questionnaire.questions[question_id], MultipleQuestion)

    def edit(old: AnswerRecord | None) -> AnswerEdit:
        stored = old.value if old else None
        comment = old.comment if old else ""
        if shown is SHOWN_UNKNOWN or stored == shown:
            return AnswerEdit(new_value, comment)
        if multiple and _is_selection(stored) and _is_selection(shown) and _is_selection(new_value):
            merged = merge_selection(stored, shown, new_value)
            return AnswerEdit(check_value(questionnaire, question_id, merged) if merged else None, comment)
        raise Conflict(stored, old.answered_by if old else "")

    saved = _edit(ctx, assessment_id, question_id, edit, answered_by)
    return saved.value if saved else None


def _is_selection(value: Any) -> TypeGuard[list[str] | None]:
    return value is None or isinstance(value, list)


def merge_selection(stored: list[str] | None, shown: list[str] | None, chosen: list[str] | None) -> list[str]:
    """Apply the options ticked and unticked since `shown` to the `stored` selection, in order."""
    stored, shown, chosen = stored or [], shown or [], chosen or []
    added = [o for o in chosen if o not in shown]
    removed = {o for o in shown if o not in chosen}
    return [o for o in stored if o not in removed] + [o for o in added if o not in stored]


def record_comment(
    ctx: Context, assessment_id: int, question_id: str, comment: str, answered_by: str = "", shown: Any = SHOWN_UNKNOWN
) -> str:
    """Save the comment of one answer unless someone else changed it since `shown` (then Conflict)."""
    comment = comment.strip()
    if len(comment) > limits.COMMENT:
        raise ValueError(f"comment longer than {limits.COMMENT} characters")
    with ctx.uow:  # a comment belongs to a question of the assessment's questionnaire
        try:
            assessment, _ = access.assessment(ctx, assessment_id)
        except NotFound:
            assessment = None  # refused below, as an answer would be
        if assessment is not None:
            check_question(questionnaire_of(ctx.uow, assessment), question_id)

    def edit(old: AnswerRecord | None) -> AnswerEdit:
        stored = old.comment if old else ""
        if shown is not SHOWN_UNKNOWN and stored != (shown or "") and stored != comment:
            raise Conflict(stored, old.answered_by if old else "")
        return AnswerEdit(old.value if old else None, comment)

    saved = _edit(ctx, assessment_id, question_id, edit, answered_by)
    return saved.comment if saved else ""


def load_answers(ctx: Context, assessment_id: int) -> dict[str, AnswerRecord]:
    """The stored answer rows ({} when the assessment is out of reach)."""
    with ctx.uow:  # the query is scoped: an assessment out of reach has no answers to show
        return ctx.uow.answers.load(access.scope(ctx), assessment_id)
