"""The coaching session: a consultant goes through the answers with the client, takes notes (private,
or shared with the client) and marks each answer "checked with the client".

Coaches are the actors who may edit the company and are not its company manager (consultant, admin,
owner; the command line's operator; the local owner): only they write notes and marks. Private notes
are read by coaches only; the company's managers and viewers read the shared notes and the marks. An
assessment out of the actor's reach is not found, as a missing id.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from diagnostic.core.answers import check_question, text_problem
from diagnostic.core.conditions import applicability
from diagnostic.core.errors import Conflict, DomainError
from diagnostic.core.roles import Grants, NotAllowed, Permission, Role
from diagnostic.services import access
from diagnostic.services.assessments import split_answers
from diagnostic.services.context import Context
from diagnostic.services.questionnaires import questionnaire_of
from diagnostic.storage.coaching import CoachingNoteRecord
from diagnostic.storage.models import utcnow
from diagnostic.storage.records import AssessmentRecord, CompanyRecord
from diagnostic.storage.uow import UnitOfWork

NOTE_MAX = 4_000  # characters of one note: a session's notes, not a report
SHOWN_UNKNOWN: Any = object()  # the caller does not know what the screen showed: no check


class CoachingRefused(DomainError):
    """A note that cannot be saved (code: the reason's catalogue key)."""

    code = "coaching.refused"


@dataclass(frozen=True)
class NoteView:
    """A note as the actor may see it. For a client (not a coach) a private note's text and author are
    never given: only its checked mark, when there is one."""

    question_id: str
    text: str
    shared: bool
    checked_on: date | None
    checked_by: str
    author: str
    updated_at: datetime | None

    @property
    def checked(self) -> bool:
        return self.checked_on is not None


def is_coach_of(held: Grants, company: CompanyRecord) -> bool:
    """A coach of the company: may edit it and is not its company manager (also the checker of evidence)."""
    role = held.role_in(company.workspace_id)
    return role is not None and role is not Role.COMPANY_MANAGER and held.may(Permission.EDIT, company.workspace_id, company.id)


_coach = is_coach_of


def visible(records: Mapping[str, CoachingNoteRecord], coach: bool) -> dict[str, NoteView]:
    """What an actor sees of the stored notes: everything for a coach; for anyone else the shared notes,
    and of a private note its checked mark only (a private note without a mark is not there at all)."""
    found: dict[str, NoteView] = {}
    for qid, r in records.items():
        if coach or r.shared:
            found[qid] = NoteView(qid, r.text, r.shared, r.checked_on, r.checked_by, r.author, r.updated_at)
        elif r.checked_on is not None:
            found[qid] = NoteView(qid, "", False, r.checked_on, r.checked_by, "", None)
    return found


def is_coach(ctx: Context, company_id: int) -> bool:
    """May the actor write notes and marks on this company's assessments? (False when out of reach)"""
    with ctx.uow:
        held = access.grants(ctx)
        company = ctx.uow.companies.get(held.scope(Permission.VIEW), company_id)
        return company is not None and _coach(held, company)


def notes(ctx: Context, assessment_id: int) -> dict[str, NoteView]:
    """The assessment's notes by question id, as the actor may see them; NotFound out of reach."""
    with ctx.uow:
        _, company = access.assessment(ctx, assessment_id)
        records = ctx.uow.coaching.notes(access.scope(ctx), assessment_id)
        return visible(records, _coach(access.grants(ctx), company))


def _writable(ctx: Context, assessment_id: int, question_id: str) -> tuple[AssessmentRecord, CompanyRecord]:
    """The assessment, when the actor is a coach of its company and the question is one of its questionnaire."""
    assessment, company = access.assessment(ctx, assessment_id)
    if not _coach(access.grants(ctx), company):
        raise NotAllowed(Permission.EDIT)
    check_question(questionnaire_of(ctx.uow, assessment), question_id)
    return assessment, company


def clean_note(text: str) -> str:
    """The note as stored (trimmed), or CoachingRefused saying why it cannot be."""
    text = text.strip()
    if len(text) > NOTE_MAX:
        raise CoachingRefused(code="coaching.too_long", params={"max": NOTE_MAX, "length": len(text)})
    problem = text_problem(text)
    if problem is not None:
        raise CoachingRefused(code="coaching.bad_text", params={"reason": problem.message})
    return text


def save_note(
    ctx: Context, assessment_id: int, question_id: str, text: str, shared: bool, shown: Any = SHOWN_UNKNOWN
) -> NoteView | None:
    """Write the note of one question (and whether the client sees it); returns it, or None when the
    note is now empty and unmarked (its row is deleted).

    `shown` is the text the screen showed before this change: when another coach changed the note
    meanwhile, nothing is written and Conflict carries their text.
    """

    def work(uow: UnitOfWork) -> NoteView | None:
        _, company = _writable(ctx, assessment_id, question_id)
        cleaned = clean_note(text)
        scope = access.scope(ctx, Permission.EDIT)
        old = uow.coaching.note(scope, assessment_id, question_id, lock=True)
        stored = old.text if old else ""
        if shown is not SHOWN_UNKNOWN and stored != (shown or "") and stored != cleaned:
            raise Conflict(stored, old.author if old else "")
        if old is not None and (old.text, old.shared) == (cleaned, shared):
            return visible({question_id: old}, True)[question_id]
        target = f"assessment:{assessment_id}"
        if not cleaned and (old is None or old.checked_on is None):
            if old is not None:
                uow.coaching.delete(scope, assessment_id, question_id)
                access.audit(ctx, company.workspace_id, "coaching.note", target, f"{question_id}: deleted")
            return None
        saved = uow.coaching.put(scope, assessment_id, question_id, text=cleaned, shared=shared, author=ctx.actor.label)
        access.audit(ctx, company.workspace_id, "coaching.note", target, f"{question_id}: {'shared' if shared else 'private'}")
        return visible({question_id: saved}, True)[question_id]

    return ctx.uow.run(work)


def set_checked(ctx: Context, assessment_id: int, question_id: str, checked: bool) -> NoteView | None:
    """Mark the answer checked with the client today (by the actor), or take the mark off; returns the
    note, or None when nothing is left of it (no text, no mark)."""

    def work(uow: UnitOfWork) -> NoteView | None:
        _, company = _writable(ctx, assessment_id, question_id)
        scope = access.scope(ctx, Permission.EDIT)
        old = uow.coaching.note(scope, assessment_id, question_id, lock=True)
        if (old is not None and old.checked_on is not None) == checked:
            return visible({question_id: old}, True)[question_id] if old else None
        target = f"assessment:{assessment_id}"
        access.audit(ctx, company.workspace_id, "coaching.check", target, f"{question_id}: {'checked' if checked else 'unchecked'}")
        if not checked and old is not None and not old.text:
            uow.coaching.delete(scope, assessment_id, question_id)
            return None
        fields: dict[str, Any] = {"checked_on": utcnow().date(), "checked_by": ctx.actor.label} if checked else {"checked_on": None, "checked_by": ""}
        saved = uow.coaching.put(scope, assessment_id, question_id, **fields)
        return visible({question_id: saved}, True)[question_id]

    return ctx.uow.run(work)


def progress(ctx: Context, assessment_id: int) -> tuple[int, int]:
    """(answers checked with the client, questions that apply to the company); NotFound out of reach.
    A mark on a question that no longer applies (an answer changed since) does not count."""
    with ctx.uow:
        assessment, company = access.assessment(ctx, assessment_id)
        scope = access.scope(ctx)
        records = ctx.uow.answers.load(scope, assessment_id)
        marked = {qid for qid, r in ctx.uow.coaching.notes(scope, assessment_id).items() if r.checked_on is not None}
        questionnaire = questionnaire_of(ctx.uow, assessment)
    answers, _ = split_answers(records)
    answers = {qid: a for qid, a in answers.items() if qid in questionnaire.questions}
    applies = applicability(questionnaire, company.profile, answers)
    applicable = [qid for qid, yes in applies.items() if yes]
    return sum(1 for qid in applicable if qid in marked), len(applicable)
