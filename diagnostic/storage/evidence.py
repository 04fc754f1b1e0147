"""Evidence per answer: metadata in `evidence`, a file's bytes in `evidence_files` (in the database, so
that every app server reads them; deleted with their answer, assessment or company)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, delete, func, select

from diagnostic.core.roles import Scope
from diagnostic.storage.models import AnswerRow, Assessment, Company, Evidence, EvidenceFile, utcnow
from diagnostic.storage.repositories import _Repository, _within, aware


@dataclass(frozen=True)
class EvidenceRecord:
    id: int
    assessment_id: int
    company_id: int
    question_id: str
    kind: str  # file | link
    file_name: str
    media_type: str
    size: int
    sha256: str
    url: str
    description: str
    added_by: str
    added_at: datetime
    verified_by: str
    verified_at: datetime | None


def _record(row: Evidence, company_id: int) -> EvidenceRecord:
    return EvidenceRecord(
        id=row.id, assessment_id=row.assessment_id, company_id=company_id, question_id=row.question_id, kind=row.kind,
        file_name=row.file_name or "", media_type=row.media_type or "", size=row.size or 0, sha256=row.sha256 or "",
        url=row.url or "", description=row.description or "", added_by=row.added_by or "",
        added_at=aware(row.added_at) or utcnow(), verified_by=row.verified_by or "", verified_at=aware(row.verified_at),
    )  # fmt: skip


class EvidenceRepository(_Repository):
    """Every query takes the actor's scope: evidence of an assessment outside it does not exist."""

    def _in_scope(self, scope: Scope) -> Select[Evidence, int]:
        return (
            select(Evidence, Assessment.company_id)
            .join(Assessment, Assessment.id == Evidence.assessment_id)
            .join(Company, Company.id == Assessment.company_id)
            .where(_within(scope))
        )

    def of_assessment(self, scope: Scope, assessment_id: int) -> list[EvidenceRecord]:
        """Every piece of evidence of the assessment, oldest first ([] out of scope)."""
        query = self._in_scope(scope).where(Evidence.assessment_id == assessment_id).order_by(Evidence.id)
        return [_record(row, company_id) for row, company_id in self.s.execute(query)]

    def get(self, scope: Scope, evidence_id: int) -> EvidenceRecord | None:
        found = self.s.execute(self._in_scope(scope).where(Evidence.id == evidence_id)).first()
        return _record(found[0], found[1]) if found else None

    def content(self, scope: Scope, evidence_id: int) -> bytes | None:
        if self.get(scope, evidence_id) is None:
            return None
        return self.s.scalar(select(EvidenceFile.content).where(EvidenceFile.evidence_id == evidence_id))

    def count_for(self, assessment_id: int, question_id: str) -> int:
        query = (
            select(func.count())
            .select_from(Evidence)
            .where(Evidence.assessment_id == assessment_id, Evidence.question_id == question_id)
        )
        return int(self.s.scalar(query) or 0)

    def answered(self, scope: Scope, assessment_id: int, question_id: str) -> bool:
        """Is there an answer (a value) to back? The assessment row is locked so that two uploads for one
        answer are counted one after the other."""
        assessment = self.s.scalar(
            select(Assessment)
            .join(Company)
            .where(Assessment.id == assessment_id, _within(scope))
            .with_for_update(of=Assessment)
        )
        if assessment is None:
            return False
        query = select(AnswerRow.value).where(
            AnswerRow.assessment_id == assessment_id, AnswerRow.question_id == question_id
        )
        return self.s.scalar(query) is not None

    def add(
        self, assessment_id: int, question_id: str, *, kind: str, added_by: str, description: str,
        file_name: str = "", media_type: str = "", sha256: str = "", url: str = "", content: bytes | None = None,
    ) -> int:  # fmt: skip
        """Store one piece of evidence (the caller checked the scope with `answered`)."""
        row = Evidence(
            assessment_id=assessment_id, question_id=question_id, kind=kind, file_name=file_name, media_type=media_type,
            size=len(content) if content is not None else 0, sha256=sha256, url=url, description=description,
            added_by=added_by, added_at=utcnow(), verified_by="", verified_at=None,
        )  # fmt: skip
        self.s.add(row)
        self.s.flush()
        if content is not None:
            self.s.add(EvidenceFile(evidence_id=row.id, content=content))
            self.s.flush()
        return row.id

    def set_verified(self, evidence_id: int, by: str | None) -> None:
        row = self.s.get_one(Evidence, evidence_id, with_for_update=True)
        row.verified_by, row.verified_at = (by, utcnow()) if by is not None else ("", None)
        self.s.flush()

    def remove(self, evidence_id: int) -> None:
        self.s.execute(delete(Evidence).where(Evidence.id == evidence_id))
        self.s.flush()

    def remove_for_answer(self, assessment_id: int, question_ids: list[str] | None = None) -> None:
        """With their answer: one question's, or (None) every question no longer answered."""
        query = delete(Evidence).where(Evidence.assessment_id == assessment_id)
        if question_ids is not None:
            query = query.where(Evidence.question_id.in_(question_ids))
        else:
            answered = select(AnswerRow.question_id).where(
                AnswerRow.assessment_id == assessment_id, AnswerRow.value.is_not(None)
            )
            query = query.where(Evidence.question_id.not_in(answered))
        self.s.execute(query)
        self.s.flush()
