"""Coaching notes and checked-with-client marks per answer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select

from diagnostic.core.errors import Gone
from diagnostic.core.roles import Scope
from diagnostic.storage.models import Assessment, CoachingNote, Company, utcnow
from diagnostic.storage.repositories import _Repository, _within, aware

NOTE_FIELDS = {"text", "shared", "checked_on", "checked_by", "author"}


@dataclass(frozen=True)
class CoachingNoteRecord:
    """One row of coaching_notes, as stored (the service filters what each actor sees)."""

    question_id: str
    text: str
    shared: bool
    checked_on: date | None
    checked_by: str
    author: str
    updated_at: datetime


def _record(row: CoachingNote) -> CoachingNoteRecord:
    return CoachingNoteRecord(
        question_id=row.question_id, text=row.text or "", shared=bool(row.shared), checked_on=row.checked_on,
        checked_by=row.checked_by or "", author=row.author or "", updated_at=aware(row.updated_at) or utcnow(),
    )  # fmt: skip


class CoachingRepository(_Repository):
    """Every query takes the actor's scope: an assessment outside it has no notes, and cannot get any."""

    def _assessment_in(self, scope: Scope, assessment_id: int) -> bool:
        query = select(Assessment.id).join(Company).where(Assessment.id == assessment_id, _within(scope))
        return self.s.scalar(query) is not None

    def _row(self, scope: Scope, assessment_id: int, question_id: str, lock: bool = False) -> CoachingNote | None:
        query = (
            select(CoachingNote).join(Assessment, Assessment.id == CoachingNote.assessment_id).join(Company)
            .where(CoachingNote.assessment_id == assessment_id, CoachingNote.question_id == question_id, _within(scope))
        )  # fmt: skip
        return self.s.scalar(query.with_for_update(of=CoachingNote) if lock else query)

    def notes(self, scope: Scope, assessment_id: int) -> dict[str, CoachingNoteRecord]:
        """Every note of the assessment, by question id ({} out of scope)."""
        query = (
            select(CoachingNote).join(Assessment, Assessment.id == CoachingNote.assessment_id).join(Company)
            .where(CoachingNote.assessment_id == assessment_id, _within(scope))
        )  # fmt: skip
        return {row.question_id: _record(row) for row in self.s.scalars(query)}

    def note(self, scope: Scope, assessment_id: int, question_id: str, lock: bool = False) -> CoachingNoteRecord | None:
        """One note (locked for update when `lock`, so that two writers take turns)."""
        row = self._row(scope, assessment_id, question_id, lock)
        return _record(row) if row else None

    def put(self, scope: Scope, assessment_id: int, question_id: str, **fields: Any) -> CoachingNoteRecord:
        """Create or change the note of one question; Gone when the assessment is out of scope."""
        unknown = set(fields) - NOTE_FIELDS
        if unknown:
            raise ValueError(f"not a coaching note field: {sorted(unknown)}")
        row = self._row(scope, assessment_id, question_id, lock=True)
        if row is None:
            if not self._assessment_in(scope, assessment_id):
                raise Gone(f"assessment {assessment_id}")
            row = CoachingNote(assessment_id=assessment_id, question_id=question_id, text="", shared=False, checked_by="", author="")
            self.s.add(row)
        for name, value in fields.items():
            setattr(row, name, value)
        row.updated_at = utcnow()
        self.s.flush()
        return _record(row)

    def delete(self, scope: Scope, assessment_id: int, question_id: str) -> bool:
        row = self._row(scope, assessment_id, question_id, lock=True)
        if row is None:
            return False
        self.s.delete(row)
        self.s.flush()
        return True
