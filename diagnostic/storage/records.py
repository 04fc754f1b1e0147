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
    label_id: str | None = None  # a network: the label it runs


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
    next_follow_up: date | None = None  # the consultant's next meeting with the company


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


# --- the participative diagnostic ---------------------------------------------------------------


@dataclass(frozen=True)
class CampaignRecord:
    assessment_id: int
    k: int
    comment_k: int
    share_results: bool
    launched_on: date | None
    closed_on: date | None


@dataclass(frozen=True)
class GroupRecord:
    id: int
    assessment_id: int
    key: str
    label: str
    anonymous: bool
    position: int


@dataclass(frozen=True)
class LinkRecord:
    id: int
    group_id: int
    name: str
    created_by: str
    created_on: date
    expires_at: datetime
    revoked_at: datetime | None
    max_uses: int | None
    uses: int
    last_used_on: date | None

    def state(self, now: datetime) -> str:
        """active | revoked | expired | full"""
        if self.revoked_at is not None:
            return "revoked"
        if now >= self.expires_at:
            return "expired"
        if self.max_uses is not None and self.uses >= self.max_uses:
            return "full"
        return "active"


@dataclass(frozen=True)
class RespondentRecord:
    id: str
    group_id: int
    link_id: int | None  # named respondents only
    started_on: date
    completed_on: date | None
    answered: int = 0  # how many answers given so far


@dataclass(frozen=True)
class ResponseRecord:
    """A completed respondent's answers, without anything that says who."""

    group_id: int
    answers: dict[str, Any]
    comments: dict[str, str]


@dataclass(frozen=True)
class ConsensusNoteRecord:
    question_id: str
    proposed: Any
    reason: str
    decided_by: str
    decided_at: datetime
