"""What the repositories return: plain frozen records, never ORM objects.

Pages keep them across Streamlit reruns without a database session, and the in-memory fakes of the
tests return the same types.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from diagnostic.core.profile import Profile


@dataclass(frozen=True)
class WorkspaceRecord:
    id: int
    name: str
    kind: str  # consultancy | network | company
    created_at: datetime


@dataclass(frozen=True)
class UserRecord:
    id: int
    issuer: str
    subject: str
    email: str
    name: str

    @property
    def label(self) -> str:
        """How the user is named in the audit log and on screen ("" for the implicit owner of local
        mode, whom the screen names in the user's language)."""
        if self.issuer == "local":
            return ""
        return self.name or self.email or self.subject


@dataclass(frozen=True)
class MembershipRecord:
    id: int
    workspace_id: int
    user_id: int
    role: str
    company_ids: tuple[int, ...]
    user_label: str = ""


@dataclass(frozen=True)
class InvitationRecord:
    id: int
    workspace_id: int
    role: str
    company_ids: tuple[int, ...]
    email: str
    created_by: str
    created_at: datetime
    expires_at: datetime
    used_at: datetime | None
    used_by: int | None
    revoked_at: datetime | None

    def state(self, now: datetime) -> str:
        """pending | used | revoked | expired"""
        if self.revoked_at is not None:
            return "revoked"
        if self.used_at is not None:
            return "used"
        return "expired" if now >= self.expires_at else "pending"


@dataclass(frozen=True)
class AuditRecord:
    id: int
    workspace_id: int
    at: datetime
    actor: str
    action: str
    target: str
    detail: str


@dataclass(frozen=True)
class CompanyRecord:
    id: int
    name: str
    profile: Profile
    notes: str
    created_at: datetime
    workspace_id: int = 0


@dataclass(frozen=True)
class AssessmentRecord:
    id: int
    company_id: int
    questionnaire_id: str
    questionnaire_version: str
    content_hash: str
    label: str
    status: str
    respondent: str
    targets: dict[str, float]
    created_at: datetime
    updated_at: datetime
    completed_at: datetime | None


@dataclass(frozen=True)
class AnswerRecord:
    question_id: str
    value: Any  # None when only a comment was written
    comment: str
    answered_by: str
    answered_at: datetime


@dataclass(frozen=True)
class ActionRecord:
    id: int
    assessment_id: int
    title: str
    owner: str = ""
    due_date: date | None = None
    status: str = "todo"
    notes: str = ""
    recommendation_id: str | None = None
    question_id: str | None = None
    position: int = 0


@dataclass(frozen=True)
class AnswerEdit:
    """The whole new state of one answer row: value (None: no answer) and comment."""

    value: Any
    comment: str
